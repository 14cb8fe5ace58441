"""The campaign's own site: a public page, a page per post and an Atom feed.

The same functions serve the live site and write the static copy, so what
`houseboat export-site` writes is what visitors see at /c/<slug>/.
"""

import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.html import format_html, linebreaks

from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.models import Campaign, SitePicture, SitePost

PUBLIC_CSS = "houseboat/public.css"


@dataclass(frozen=True)
class SiteLinks:
    """Where the site's pages live, relative (static copy) or rooted (live)."""

    root: str
    static: str
    # The languages a visitor may switch between (live pages only; the static copy
    # is written in the campaign's first language).
    languages: tuple[str, ...] = ()

    @property
    def feed(self) -> str:
        return f"{self.root}feed.atom"

    @property
    def css(self) -> str:
        return f"{self.static}{PUBLIC_CSS}"

    def post(self, post: SitePost) -> str:
        return f"{self.root}posts/{post.pk}/"

    def picture(self, picture: SitePicture) -> str:
        return f"{self.root}pictures/{picture.name}"

    def down(self, levels: int) -> "SiteLinks":
        """The same links seen from a page `levels` folders deeper (static copy only)."""
        up = "../" * levels
        return SiteLinks(root=up + self.root, static=up + self.static)


def live_links(campaign: Campaign) -> SiteLinks:
    offered = (campaign.site_language, campaign.site_second_language)
    return SiteLinks(
        root=campaign.public_url(),
        static="/static/",
        languages=tuple(code for code in offered if code) if all(offered) else (),
    )


@dataclass(frozen=True)
class SiteSection:
    """A page another app adds to the campaign's site (the demand tracker, for one).

    ``path`` is the page's folder below the site's root ("demands/"), the same live
    and in the static copy; ``shown`` says whether this campaign has anything to show
    there; ``render`` writes the page as seen from its own folder.
    """

    path: str
    title: Callable[[], str]
    shown: Callable[[Campaign], bool]
    render: Callable[[Campaign, SiteLinks], str]


SECTIONS: list[SiteSection] = []


def register_section(section: SiteSection) -> None:
    """Add a page to every campaign's site (from an app's ready(); once per path)."""
    if all(known.path != section.path for known in SECTIONS):
        SECTIONS.append(section)


def sections_of(campaign: Campaign, links: SiteLinks) -> list[tuple[str, str]]:
    """The title and address of each added page this campaign has something on."""
    return [
        (str(section.title()), links.root + section.path)
        for section in SECTIONS
        if section.shown(campaign)
    ]


@dataclass(frozen=True)
class ShownPicture:
    """A picture as a page shows it: its address, its description, and whether it moves."""

    url: str
    alt: str
    mime_type: str

    @property
    def is_video(self) -> bool:
        return self.mime_type.startswith("video/")


def pictures_of(post: SitePost, links: SiteLinks) -> list[ShownPicture]:
    return [ShownPicture(links.picture(p), p.alt, p.mime_type) for p in post.pictures.all()]


def render_index(campaign: Campaign, links: SiteLinks) -> str:
    posts = [
        (post, links.post(post), pictures_of(post, links))
        for post in campaign.published_posts().prefetch_related("pictures")
    ]
    return render_to_string(
        "public/index.html",
        {
            "campaign": campaign,
            "posts": posts,
            "links": links,
            "sections": sections_of(campaign, links),
        },
    )


def render_post(campaign: Campaign, post: SitePost, links: SiteLinks) -> str:
    return render_to_string(
        "public/post.html",
        {
            "campaign": campaign,
            "post": post,
            "pictures": pictures_of(post, links),
            "links": links,
        },
    )


def render_removed(campaign: Campaign, links: SiteLinks) -> str:
    """The tombstone at a removed post's address: that it was removed, never why."""
    return render_to_string("public/removed.html", {"campaign": campaign, "links": links})


def removed_posts(campaign: Campaign):
    return campaign.site_posts.filter(status=PostStatus.REMOVED).order_by("-updated_at", "-id")


# RFC 6721: a feed says an entry was deleted, so feed readers drop their copy.
TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0"


class TombstoneFeed(Atom1Feed):
    """An Atom feed that also lists removed entries as ``at:deleted-entry`` tombstones."""

    def __init__(self, *args, removed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.removed = list(removed)  # (entry id, when) pairs

    def root_attributes(self):
        attrs = super().root_attributes()
        if self.removed:
            attrs["xmlns:at"] = TOMBSTONES_NS
        return attrs

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for ref, when in self.removed:
            handler.addQuickElement("at:deleted-entry", "", {"ref": ref, "when": when.isoformat()})


def feed_content(post: SitePost, pictures: list[ShownPicture]) -> str:
    """The entry's HTML: the pictures with their descriptions, then the text."""
    shown = "".join(
        format_html('<p><a href="{}">{}</a></p>', picture.url, picture.alt or picture.url)
        if picture.is_video
        else format_html('<p><img src="{}" alt="{}"></p>', picture.url, picture.alt)
        for picture in pictures
    )
    return shown + linebreaks(post.body, autoescape=True)


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
    feed = TombstoneFeed(
        removed=[
            (atom_id(campaign.slug, "post", post.pk), post.updated_at)
            for post in removed_posts(campaign)
        ],
        language=campaign.site_language,
        title=campaign.name,
        link=site_url or "./",
        description=campaign.summary,
        subtitle=campaign.summary or None,
        feed_url=links.feed,
        feed_guid=atom_id(campaign.slug),
    )
    for post in campaign.published_posts().prefetch_related("pictures"):
        pictures = pictures_of(post, links)
        feed.add_item(
            title=post.label,
            link=links.post(post),
            description=feed_content(post, pictures),
            unique_id=atom_id(campaign.slug, "post", post.pk),
            pubdate=post.published_at,
            updateddate=post.updated_at,
            # Atom's link rel="enclosure": feed readers offer each picture as a file.
            enclosures=[
                Enclosure(shown.url, str(picture.file.size), picture.mime_type)
                for shown, picture in zip(pictures, post.pictures.all(), strict=True)
                if picture.file.storage.exists(picture.file.name)
            ],
        )
    return feed.writeString("utf-8")


def export_site(campaign: Campaign, out_dir: Path, site_url: str) -> list[Path]:
    """Write the site as static files under out_dir, in the campaign's language."""
    with translation.override(campaign.site_language):
        return write_site(campaign, out_dir, site_url)


def write_site(campaign: Campaign, out_dir: Path, site_url: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    links = SiteLinks(root="", static="static/")
    written = [write(out_dir / "index.html", render_index(campaign, links))]
    for post in campaign.published_posts().prefetch_related("pictures"):
        page = out_dir / "posts" / str(post.pk) / "index.html"
        written.append(write(page, render_post(campaign, post, links.down(2))))
        for picture in post.pictures.all():
            target = out_dir / "pictures" / picture.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with picture.file.open("rb") as source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy)
            written.append(target)
    for section in SECTIONS:
        if section.shown(campaign):
            page = out_dir / section.path / "index.html"
            depth = section.path.strip("/").count("/") + 1
            written.append(write(page, section.render(campaign, links.down(depth))))
    for post in removed_posts(campaign):
        # A copy exported before the takedown is overwritten with the tombstone.
        page = out_dir / "posts" / str(post.pk) / "index.html"
        written.append(write(page, render_removed(campaign, links.down(2))))
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
