"""What other apps may ask of campaigns."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.models import Campaign, SitePost

TITLE_LENGTH = 80


def title_from(text: str) -> str:
    """The first line of a post, cut at a word, as its title on the own site."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= TITLE_LENGTH:
        return first
    cut = first[: TITLE_LENGTH - 1].rsplit(" ", 1)[0]
    return cut + "…"


def publish_to_site(*, campaign: Campaign, text: str, author_id: int, key: str) -> SitePost:
    """Publish text on the campaign's own site once per key; a repeat returns the first post."""
    existing = SitePost.objects.filter(delivery_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return SitePost.objects.create(
                campaign=campaign,
                title=title_from(text) or campaign.name,
                body=text,
                author_id=author_id,
                status=PostStatus.PUBLISHED,
                published_at=timezone.now(),
                delivery_key=key,
            )
    except IntegrityError:
        # Another worker published the same delivery a moment ago.
        return SitePost.objects.get(delivery_key=key)
