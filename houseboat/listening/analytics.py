"""The questions a campaign's dashboard asks of its archive, answered from the roll-ups.

Each answer reads a roll-up table the ingest pipeline keeps up to date batch by batch
(:class:`HourlyCount`, :class:`AuthorCount`, :class:`HashtagPair`), so it costs one
index range whatever the size of the archive. How an item counts is written once,
in :class:`Rollups`, for ingest, for an import undone and for a purge's recount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet

from houseboat.campaigns.models import Campaign
from houseboat.listening import entities
from houseboat.listening.constants import RollupDimension
from houseboat.listening.dashboards_models import LINK_KEY_LENGTH
from houseboat.listening.models import (
    MAX_PAIRED_TAGS,
    AuthorCount,
    AuthorFirstPost,
    DailyKeyCount,
    HashtagPair,
    HourlyCount,
    HourlyKeyCount,
    Item,
    ItemHashtag,
    KeyTotal,
)


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


# --- keeping the roll-ups ------------------------------------------------------------------


class Rollups:
    """The roll-up counts of some items, added up in memory and then saved in a few upserts.

    The one place that says how an item counts: the ingest pipeline adds each batch
    of new items, an import undone subtracts its items, and a purge counts what is
    left again, all through :meth:`add` and :meth:`save`.
    """

    def __init__(self, team_handles: frozenset[str] = frozenset()) -> None:
        self.hours: Counter[tuple[datetime, str]] = Counter()
        self.posts: Counter[int] = Counter()
        self.reposts: Counter[int] = Counter()
        self.pairs: Counter[tuple[str, str]] = Counter()
        # (dimension, hour, key) for the dashboards (dashboards_models.HourlyKeyCount).
        self.keys: Counter[tuple[str, datetime, str]] = Counter()
        # (dimension, day, key) and (dimension, key): hashtags, links and languages by day
        # and in all, for the dashboard's rankings (DailyKeyCount, KeyTotal).
        self.days: Counter[tuple[str, date, str]] = Counter()
        self.totals: Counter[tuple[str, str]] = Counter()
        self.first_posts: dict[int, datetime] = {}
        # The team's own handles (case folded, no @): their mentions are counted per hour.
        self.team_handles = team_handles

    def add(
        self,
        created_at: datetime | None,
        author_id: int | None,
        is_repost: bool,
        tag_keys: Sequence[str],
        *,
        network: str = "",
        language: str = "",
        links: Sequence[str] = (),
        mentions: Sequence[str] = (),
    ) -> None:
        """Count one item: its hour (overall, per hashtag, network, language, link and team
        mention), its author (and when the author first posted), its hashtag pairs.

        ``tag_keys`` are the item's hashtags as counted (:func:`entities.tag_key`),
        sorted by code point, each once.
        """
        if created_at is not None:
            hour = hour_of(created_at)
            self.hours[(hour, "")] += 1
            for tag in tag_keys:
                self.hours[(hour, tag)] += 1
            self._count_keys(hour, network, language, links, mentions)
            self._count_days(hour.date(), tag_keys, network, language, links)
        if author_id is not None:
            self.posts[author_id] += 1
            if is_repost:
                self.reposts[author_id] += 1
            if created_at is not None:
                seen = self.first_posts.get(author_id)
                if seen is None or created_at < seen:
                    self.first_posts[author_id] = created_at
        paired = tag_keys[:MAX_PAIRED_TAGS]
        if len(paired) > 1:
            for tag in paired:
                for other in paired:
                    if other != tag:
                        self.pairs[(tag, other)] += 1

    def _count_keys(
        self,
        hour: datetime,
        network: str,
        language: str,
        links: Sequence[str],
        mentions: Sequence[str],
    ) -> None:
        if network:
            self.keys[(RollupDimension.NETWORK, hour, network)] += 1
        self.keys[(RollupDimension.LANGUAGE, hour, language)] += 1
        for link in {str(link)[:LINK_KEY_LENGTH] for link in links if link}:
            self.keys[(RollupDimension.LINK, hour, link)] += 1
        if self.team_handles:
            mentioned = {str(m).lstrip("@").casefold() for m in mentions} & self.team_handles
            for handle in mentioned:
                self.keys[(RollupDimension.TEAM_MENTION, hour, handle)] += 1

    def _count_days(
        self,
        day: date,
        tag_keys: Sequence[str],
        network: str,
        language: str,
        links: Sequence[str],
    ) -> None:
        keys = [(RollupDimension.HASHTAG, tag) for tag in tag_keys]
        keys.append((RollupDimension.LANGUAGE, language))
        if network:
            keys.append((RollupDimension.NETWORK, network))
        keys += [
            (RollupDimension.LINK, link)
            for link in {str(link)[:LINK_KEY_LENGTH] for link in links if link}
        ]
        for dimension, key in keys:
            self.days[(dimension, day, key)] += 1
            self.totals[(dimension, key)] += 1

    def save(self, campaign_id: int, *, sign: int = 1) -> None:
        """Add the counts to the campaign's roll-up tables (sign=-1: take them away).

        Rows go in sorted by their keys, so two writers take row locks in the same
        order; a count taken down to zero is removed.
        """
        adapt = connection.ops.adapt_datetimefield_value
        upsert_counts(
            HourlyCount,
            ("campaign_id", "hour", "hashtag"),
            ("count",),
            [
                (campaign_id, adapt(hour), tag, sign * n)
                for (hour, tag), n in sorted(self.hours.items())
            ],
        )
        upsert_counts(
            AuthorCount,
            ("campaign_id", "author_id"),
            ("posts", "reposts"),
            [
                (campaign_id, a, sign * n, sign * self.reposts[a])
                for a, n in sorted(self.posts.items())
            ],
        )
        upsert_counts(
            HashtagPair,
            ("campaign_id", "tag", "other"),
            ("count",),
            [(campaign_id, t, o, sign * n) for (t, o), n in sorted(self.pairs.items())],
        )
        upsert_counts(
            HourlyKeyCount,
            ("campaign_id", "dimension", "hour", "key"),
            ("count",),
            [
                (campaign_id, str(dimension), adapt(hour), key, sign * n)
                for (dimension, hour, key), n in sorted(self.keys.items())
            ],
        )
        upsert_counts(
            DailyKeyCount,
            ("campaign_id", "dimension", "day", "key"),
            ("count",),
            [
                (
                    campaign_id,
                    str(dimension),
                    connection.ops.adapt_datefield_value(day),
                    key,
                    sign * n,
                )
                for (dimension, day, key), n in sorted(self.days.items())
            ],
        )
        upsert_counts(
            KeyTotal,
            ("campaign_id", "dimension", "key"),
            ("count",),
            [
                (campaign_id, str(dimension), key, sign * n)
                for (dimension, key), n in sorted(self.totals.items())
            ],
        )
        if sign > 0:
            save_first_posts(campaign_id, self.first_posts)
        if sign < 0:
            HourlyCount.objects.filter(campaign_id=campaign_id, count__lte=0).delete()
            AuthorCount.objects.filter(campaign_id=campaign_id, posts__lte=0).delete()
            HashtagPair.objects.filter(campaign_id=campaign_id, count__lte=0).delete()
            HourlyKeyCount.objects.filter(campaign_id=campaign_id, count__lte=0).delete()
            DailyKeyCount.objects.filter(campaign_id=campaign_id, count__lte=0).delete()
            KeyTotal.objects.filter(campaign_id=campaign_id, count__lte=0).delete()
            # A first post cannot be taken away from a minimum: an account with nothing
            # left goes; one with other items keeps the earlier time until a rebuild.
            AuthorFirstPost.objects.filter(campaign_id=campaign_id).exclude(
                author_id__in=AuthorCount.objects.filter(campaign_id=campaign_id).values(
                    "author_id"
                )
            ).delete()


def save_first_posts(campaign_id: int, first_posts: dict[int, datetime]) -> None:
    """Keep, per author, the earlier of the stored first post and this batch's."""
    if not first_posts:
        return
    adapt = connection.ops.adapt_datetimefield_value
    quote = connection.ops.quote_name
    table = quote(AuthorFirstPost._meta.db_table)
    # Names from the model through Django's quoting; values are parameters.
    sql = (
        f"INSERT INTO {table} (campaign_id, author_id, first_at) VALUES (%s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (campaign_id, author_id) DO UPDATE SET first_at = CASE "
        f"WHEN excluded.first_at < {table}.first_at THEN excluded.first_at "
        f"ELSE {table}.first_at END"
    )
    rows = [(campaign_id, a, adapt(first_posts[a])) for a in sorted(first_posts)]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def hour_of(moment: datetime) -> datetime:
    """Return the hour (UTC) a moment falls in."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def upsert_counts(
    model: type[Model], keys: Sequence[str], counts: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Add rows of counts to a roll-up table: one INSERT … ON CONFLICT DO UPDATE, run per row."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*keys, *counts]
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in counts)
    # Table and column names come from the model through Django's quoting; values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


def rebuild(campaign: Campaign) -> None:
    """Count the campaign's roll-ups again from its items, exactly as ingest counts them."""
    HourlyCount.objects.filter(campaign=campaign).delete()
    AuthorCount.objects.filter(campaign=campaign).delete()
    HashtagPair.objects.filter(campaign=campaign).delete()
    HourlyKeyCount.objects.filter(campaign=campaign).delete()
    DailyKeyCount.objects.filter(campaign=campaign).delete()
    KeyTotal.objects.filter(campaign=campaign).delete()
    AuthorFirstPost.objects.filter(campaign=campaign).delete()
    count_items(
        Item.objects.filter(campaign=campaign),
        ItemHashtag.objects.filter(campaign=campaign),
        team_handles(campaign),
    ).save(campaign.pk)


def count_items(
    items: QuerySet[Item],
    hashtags: QuerySet[ItemHashtag],
    handles: frozenset[str] = frozenset(),
) -> Rollups:
    """Return the roll-up counts of some items (``hashtags``: their hashtag rows).

    Both are read in id order side by side, a chunk at a time, so memory holds the
    counts, not the items.
    """
    rollups = Rollups(handles)
    tags = (
        hashtags.order_by("item_id")
        .values_list("item_id", "tag")
        .iterator(chunk_size=REBUILD_CHUNK)
    )
    pending = next(tags, None)
    rows = items.order_by("id").values_list(
        "id", "created_at", "author_id", "repost_of_id", "network", "language", "links", "mentions"
    )
    for item_id, created_at, author_id, repost_of, *more in rows.iterator(chunk_size=REBUILD_CHUNK):
        keys = []
        while pending is not None and pending[0] <= item_id:
            if pending[0] == item_id:
                keys.append(pending[1])
            pending = next(tags, None)
        network, language, links, mentions = more
        rollups.add(
            created_at,
            author_id,
            bool(repost_of),
            sorted(keys),
            network=network,
            language=language,
            links=links or (),
            mentions=mentions or (),
        )
    return rollups


def team_handles(campaign: Campaign) -> frozenset[str]:
    """Return the handles of the team's connected accounts, case folded, without the @."""
    from houseboat.connectors.models import Channel

    handles = Channel.objects.filter(team_id=campaign.team_id).values_list(
        "account_handle", flat=True
    )
    return frozenset(h.strip().lstrip("@").casefold() for h in handles if h.strip())


REBUILD_CHUNK = 5000
