"""The campaign's own site: a public page, a page per post and an Atom feed.

The same functions serve the live site and write the static copy, so what
`houseboat export-site` writes is what visitors see at /c/<slug>/.
"""

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks

from houseboat.campaigns.models import Campaign, SitePost

PUBLIC_CSS = "houseboat/public.css"


@dataclass(frozen=True)
class SiteLinks:
    """Where the site's pages live, relative (static copy) or rooted (live)."""

    root: str
    static: str

    @property
    def feed(self) -> str:
        return f"{self.root}feed.atom"

    @property
    def css(self) -> str:
        return f"{self.static}{PUBLIC_CSS}"

    def post(self, post: SitePost) -> str:
        return f"{self.root}posts/{post.pk}/"

    def down(self, levels: int) -> "SiteLinks":
        """The same links seen from a page `levels` folders deeper (static copy only)."""
        up = "../" * levels
        return SiteLinks(root=up + self.root, static=up + self.static)


def live_links(campaign: Campaign) -> SiteLinks:
    return SiteLinks(root=campaign.public_url(), static="/static/")


def render_index(campaign: Campaign, links: SiteLinks) -> str:
    posts = [(post, links.post(post)) for post in campaign.published_posts()]
    return render_to_string(
        "public/index.html", {"campaign": campaign, "posts": posts, "links": links}
    )


def render_post(campaign: Campaign, post: SitePost, links: SiteLinks) -> str:
    return render_to_string(
        "public/post.html", {"campaign": campaign, "post": post, "links": links}
    )


def atom_id(*parts: object) -> str:
    """A stable id for the feed or an entry, the same live, exported or moved."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "houseboat:" + ":".join(map(str, parts))).urn


def render_feed(campaign: Campaign, site_url: str) -> str:
    """Return the Atom feed.

    site_url is the absolute address of the site's root; when empty, links are
    relative to the feed (RFC 4287 allows IRI references), ids stay absolute.
    """
    if site_url and not site_url.endswith("/"):
        site_url += "/"
    links = SiteLinks(root=site_url, static="")
    feed = Atom1Feed(
        title=campaign.name,
        link=site_url or "./",
        description=campaign.summary,
        subtitle=campaign.summary or None,
        feed_url=links.feed,
        feed_guid=atom_id(campaign.slug),
    )
    for post in campaign.published_posts():
        feed.add_item(
            title=post.title,
            link=links.post(post),
            description=linebreaks(post.body, autoescape=True),
            unique_id=atom_id(campaign.slug, "post", post.pk),
            pubdate=post.published_at,
            updateddate=post.updated_at,
        )
    return feed.writeString("utf-8")


def export_site(campaign: Campaign, out_dir: Path, site_url: str) -> list[Path]:
    """Write the site as static files under out_dir and return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    links = SiteLinks(root="", static="static/")
    written = [write(out_dir / "index.html", render_index(campaign, links))]
    for post in campaign.published_posts():
        page = out_dir / "posts" / str(post.pk) / "index.html"
        written.append(write(page, render_post(campaign, post, links.down(2))))
    written.append(write(out_dir / "feed.atom", render_feed(campaign, site_url)))
    css_target = out_dir / "static" / PUBLIC_CSS
    css_target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(finders.find(PUBLIC_CSS), css_target)
    written.append(css_target)
    return written


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
