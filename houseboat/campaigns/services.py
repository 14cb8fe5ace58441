"""What other apps may ask of campaigns."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.models import Campaign, SitePicture, SitePost

TITLE_LENGTH = 80


@dataclass(frozen=True)
class SitePictureFile:
    """A picture to publish on the own site: a file already cleaned, and its description."""

    path: Path
    mime_type: str
    alt: str = ""


def title_from(text: str) -> str:
    """The first line of a post, cut at a word, as its title on the own site."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= TITLE_LENGTH:
        return first
    cut = first[: TITLE_LENGTH - 1].rsplit(" ", 1)[0]
    return cut + "…"


def remove_from_site(*, campaign: Campaign, pk: int | str) -> int:
    """Take a post off the campaign's page and feed for good; return how many changed.

    Its address and the feed keep a tombstone that says it was removed, never why.
    Removing a post that is not there (any more) changes nothing and is no error.
    """
    return SitePost.objects.filter(
        pk=pk, campaign=campaign, status__in=[PostStatus.PUBLISHED, PostStatus.DRAFT]
    ).update(status=PostStatus.REMOVED, updated_at=timezone.now())


def publish_to_site(
    *,
    campaign: Campaign,
    text: str,
    author_id: int,
    key: str,
    pictures: Sequence[SitePictureFile] = (),
) -> SitePost:
    """Publish text and pictures on the campaign's own site once per key.

    A repeat returns the first post. The pictures are copied, so the page keeps them
    whatever becomes of the files they came from.
    """
    existing = SitePost.objects.filter(delivery_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            post = SitePost.objects.create(
                campaign=campaign,
                title=title_from(text) or campaign.name,
                body=text,
                author_id=author_id,
                status=PostStatus.PUBLISHED,
                published_at=timezone.now(),
                delivery_key=key,
            )
            for position, picture in enumerate(pictures):
                with picture.path.open("rb") as handle:
                    saved = SitePicture(
                        post=post, mime_type=picture.mime_type, alt=picture.alt, position=position
                    )
                    saved.file.save(
                        f"{uuid.uuid4().hex}{picture.path.suffix.lower()}", File(handle)
                    )
            return post
    except IntegrityError:
        # Another worker published the same delivery a moment ago.
        return SitePost.objects.get(delivery_key=key)


class CampaignNotFound(LookupError):
    """No campaign, or more than one, answers to the address a person gave."""


def find_campaign(address: str) -> Campaign:
    """Return the campaign at "SLUG" or "TEAM/SLUG", as the commands take it.

    A campaign's address is unique in its team only, so when two teams use one, the
    team must be named; the message lists the ways to write it.
    """
    team_slug, _, slug = address.rpartition("/")
    found = Campaign.objects.select_related("team").filter(slug=slug)
    if team_slug:
        found = found.filter(team__slug=team_slug)
    matches = list(found[:10])
    if not matches:
        raise CampaignNotFound(
            f"No campaign is called {address!r}. `houseboat campaign list` shows them."
        )
    if len(matches) > 1:
        ways = ", ".join(f"{c.team.slug}/{c.slug}" for c in matches)
        raise CampaignNotFound(
            f"Campaigns of several teams are called {slug!r}: write one of {ways}."
        )
    return matches[0]
