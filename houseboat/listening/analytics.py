"""The questions a campaign's dashboard asks of its archive, answered from the roll-ups.

Each answer reads a roll-up table the ingest pipeline keeps up to date batch by batch
(:class:`HourlyCount`, :class:`AuthorCount`, :class:`HashtagPair`), so it costs one
index range whatever the size of the archive.
"""

from __future__ import annotations

from datetime import datetime

from houseboat.campaigns.models import Campaign
from houseboat.listening import entities
from houseboat.listening.models import AuthorCount, HashtagPair, HourlyCount


def hourly_volume(campaign: Campaign, hashtag: str = "") -> list[tuple[datetime, int]]:
    """Return (hour, items) for every hour with items, overall or for one hashtag."""
    rows = HourlyCount.objects.filter(campaign=campaign, hashtag=entities.tag_key(hashtag))
    return list(rows.order_by("hour").values_list("hour", "count"))


def top_amplifiers(campaign: Campaign, limit: int = 20) -> list[AuthorCount]:
    """Return the accounts that reposted the campaign's conversation most, with their counts."""
    rows = AuthorCount.objects.filter(campaign=campaign, reposts__gt=0).select_related("author")
    return list(rows.order_by("-reposts", "author_id")[:limit])


def top_posters(campaign: Campaign, limit: int = 20) -> list[AuthorCount]:
    """Return the accounts with the most items in the campaign's archive."""
    rows = AuthorCount.objects.filter(campaign=campaign).select_related("author")
    return list(rows.order_by("-posts", "author_id")[:limit])


def co_hashtags(campaign: Campaign, hashtag: str, limit: int = 20) -> list[tuple[str, int]]:
    """Return the hashtags that appear most often together with this one, and how often."""
    rows = HashtagPair.objects.filter(campaign=campaign, tag=entities.tag_key(hashtag))
    return list(rows.order_by("-count", "other").values_list("other", "count")[:limit])
