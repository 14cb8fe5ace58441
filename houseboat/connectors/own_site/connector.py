"""The campaign's own site: its public page and Atom feed, served by houseboat.

Land the team owns: it needs no account and no network, and a post published
here stays when a platform deletes a page or a group.
"""

from django.conf import settings
from django.utils.translation import gettext_noop

from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.models import Campaign, SitePost
from houseboat.campaigns.services import SitePictureFile, publish_to_site, remove_from_site
from houseboat.connectors.base import (
    Account,
    Connector,
    Manifest,
    OutgoingPost,
    PayloadRejected,
    Published,
    RemoteAuthor,
    RemoteItem,
)


class OwnSiteConnector(Connector):
    manifest: Manifest = {
        "network": "own_site",
        "label": "Own site",
        "can": ["publish", "delete", "check", "media"],
        "sources": [],
        "limits": {
            "text": {"max": 20000, "counted": "characters"},
            "media": {
                "max_count": 10,
                "max_bytes": 200_000_000,
                # What every browser plays without a plug-in.
                "types": [
                    "image/jpeg",
                    "image/png",
                    "image/webp",
                    "image/gif",
                    "video/mp4",
                    "video/webm",
                ],
                "alt_max": 1500,
            },
        },
        "rate_limits": "None: it is houseboat's own page.",
        "credentials": [],
        "settings": [
            {
                "name": "campaign_id",
                "label": gettext_noop("Campaign"),
                "secret": False,
                "help": gettext_noop("The campaign whose public page this channel publishes to."),
                "required": True,
            }
        ],
        "notes": gettext_noop(
            "Always available. Turn the campaign's public page on to let people read it. "
            "Pictures appear with their descriptions on the page and in the feed. "
            "It counts no visitors: the own site keeps no analytics, by design."
        ),
    }

    def campaign(self) -> Campaign:
        campaign = Campaign.objects.filter(pk=self.config.get("campaign_id")).first()
        if campaign is None:
            raise PayloadRejected(
                "This own-site channel belongs to a campaign that no longer exists. "
                "Remove the channel."
            )
        return campaign

    def check(self) -> Account:
        campaign = self.campaign()
        notes = [] if campaign.site_public else ["The public page is off: nobody can read it yet."]
        return Account(
            remote_id=str(campaign.pk),
            handle=campaign.public_url(),
            display_name=campaign.name,
            url=campaign.public_url(),
            permissions=["publish"],
            notes=notes,
        )

    def publish(self, post: OutgoingPost) -> Published:
        campaign = self.campaign()
        author_id = post.options.get("author_id")
        if author_id is None:
            raise PayloadRejected("A post on the own site needs the author who wrote it.")
        for media in post.media:
            if not media.path.is_file():
                raise PayloadRejected(f"The picture {media.path.name} is missing; add it again.")
        site_post = publish_to_site(
            campaign=campaign,
            text=post.text,
            author_id=author_id,
            key=post.idempotency_key,
            pictures=[SitePictureFile(m.path, m.mime_type, m.alt) for m in post.media],
        )
        return Published(remote_id=str(site_post.pk), url=self.post_url(campaign, site_post))

    def delete(self, published: Published) -> None:
        """Take the post off the page and the feed; its address shows a tombstone."""
        remove_from_site(campaign=self.campaign(), pk=published.remote_id)

    def exists(self, published: Published) -> bool:
        return SitePost.objects.filter(
            pk=published.remote_id, campaign=self.campaign(), status=PostStatus.PUBLISHED
        ).exists()

    def recent_posts(self, limit: int = 20) -> list[RemoteItem]:
        campaign = self.campaign()
        return [
            RemoteItem(
                network="own_site",
                remote_id=str(site_post.pk),
                text=site_post.body,
                created_at=site_post.published_at,
                author=RemoteAuthor(remote_id=str(campaign.pk), handle=campaign.slug),
                url=self.post_url(campaign, site_post),
            )
            for site_post in campaign.published_posts()[:limit]
        ]

    @staticmethod
    def post_url(campaign: Campaign, site_post: SitePost) -> str:
        base = getattr(settings, "HOUSEBOAT_PUBLIC_URL", "").rstrip("/")
        return f"{base}{campaign.public_url()}posts/{site_post.pk}/"
