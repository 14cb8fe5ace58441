"""A campaign's dashboard over its archive: volume, amplifiers, hashtags, links, languages.

Every number comes from a roll-up table the ingest pipeline keeps (analytics.py and
dashboards_models.py), so a dashboard costs a few index ranges whatever the size of
the archive. Hours and days are UTC. Periods are whole days, so the rankings
(hashtags, links, languages) add up daily counts (DailyKeyCount), or read the whole
archive's totals (KeyTotal). Amplifiers and co-occurring hashtags are counted over the
whole archive (their roll-ups have no time); the page says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Max, Min, Sum
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from houseboat.campaigns.models import Campaign
from houseboat.connectors.constants import Network
from houseboat.core.charts import Chart, Series, bar_chart, line_chart
from houseboat.listening import analytics
from houseboat.listening.constants import RollupDimension
from houseboat.listening.models import (
    DailyKeyCount,
    HashtagPair,
    HourlyCount,
    HourlyKeyCount,
    KeyTotal,
)

# Periods offered, counted back from the archive's last hour (an imported archive may be old).
PERIODS = {"1d": 1, "7d": 7, "30d": 30, "90d": 90}
# Longer than this, the volume charts add up days instead of hours.
HOURS_DRAWN = 24 * 14
TOP_TAGS = 5
TOP_ROWS = 15


@dataclass(frozen=True)
class Period:
    """A span of whole UTC hours, ``since`` included, ``until`` excluded."""

    since: datetime
    until: datetime
    choice: str

    @property
    def by_day(self) -> bool:
        return (self.until - self.since) > timedelta(hours=HOURS_DRAWN)

    def buckets(self) -> list[datetime]:
        """Return the starts of the hours (or days) the volume charts draw, oldest first."""
        step = timedelta(days=1) if self.by_day else timedelta(hours=1)
        start = self.since
        if self.by_day:
            start = start.replace(hour=0)
        out = []
        while start < self.until:
            out.append(start)
            start += step
        return out

    def bucket_of(self, hour: datetime) -> datetime:
        return hour.replace(hour=0) if self.by_day else hour


def archive_span(campaign: Campaign) -> tuple[datetime, datetime] | None:
    """Return the first and the last hour with items in the campaign's archive."""
    span = HourlyCount.objects.filter(campaign=campaign, hashtag="").aggregate(
        first=Min("hour"), last=Max("hour")
    )
    if span["first"] is None:
        return None
    return span["first"], span["last"]


def resolve_period(
    campaign: Campaign, choice: str, since: date | None = None, until: date | None = None
) -> Period | None:
    """Return the period asked for: "all", one of PERIODS, or "custom" between two days."""
    span = archive_span(campaign)
    if span is None:
        return None
    first, last = span
    end = last + timedelta(hours=1)
    if choice == "custom" and (since or until):
        start = datetime.combine(since, time(), UTC) if since else first
        stop = datetime.combine(until, time(), UTC) + timedelta(days=1) if until else end
        if stop <= start:
            stop = start + timedelta(days=1)
        return Period(start, stop, "custom")
    if choice in PERIODS:
        # Whole days: the last N days of the archive, its last (partial) day included.
        day = last.replace(hour=0) - timedelta(days=PERIODS[choice] - 1)
        return Period(max(first.replace(hour=0), day), end, choice)
    return Period(first.replace(hour=0), end, "all")


def label_of(moment: datetime, by_day: bool) -> str:
    return moment.strftime("%Y-%m-%d") if by_day else moment.strftime("%Y-%m-%d %H:00")


def series_over(
    period: Period, rows: Iterable[tuple[datetime, str, int]], order: list[str]
) -> list[Series]:
    """Add rows of (hour, key, count) into one series per key, one value per bucket."""
    buckets = period.buckets()
    index = {bucket: n for n, bucket in enumerate(buckets)}
    values: dict[str, list[int]] = {key: [0] * len(buckets) for key in order}
    for hour, key, count in rows:
        slot = index.get(period.bucket_of(hour))
        if key in values and slot is not None:
            values[key][slot] += count
    return [Series(key, values[key]) for key in order]


def network_label(network: str) -> str:
    return str(dict(Network.choices).get(network, network))


def language_label(code: str) -> str:
    if not code:
        return _("not known")
    try:
        return f"{get_language_info(code)['name_translated']} ({code})"
    except KeyError:
        return code


def counts_over(
    campaign: Campaign, period: Period, dimension: str, keys: list[str] | None = None
) -> list[tuple[datetime, str, int]]:
    """Return (hour or day, key, count) rows of a dimension over the period.

    Long periods read the daily counts, so a year costs a row per day, not per hour.
    """
    if period.by_day:
        rows = DailyKeyCount.objects.filter(
            campaign=campaign,
            dimension=dimension,
            day__gte=period.since.date(),
            day__lt=(period.until + timedelta(hours=23)).date(),
        )
        if keys is not None:
            rows = rows.filter(key__in=keys)
        return [
            (datetime.combine(day, time(), UTC), key, count)
            for day, key, count in rows.values_list("day", "key", "count")
        ]
    if dimension == RollupDimension.HASHTAG:
        tags = HourlyCount.objects.filter(
            campaign=campaign, hashtag__in=keys or [], hour__gte=period.since, hour__lt=period.until
        )
        return list(tags.values_list("hour", "hashtag", "count"))
    rows = HourlyKeyCount.objects.filter(
        campaign=campaign, dimension=dimension, hour__gte=period.since, hour__lt=period.until
    )
    if keys is not None:
        rows = rows.filter(key__in=keys)
    return list(rows.values_list("hour", "key", "count"))


def volume_by_network(campaign: Campaign, period: Period, rtl: bool) -> Chart:
    """Chart the items per hour (or day) of each network, and all networks together."""
    rows = counts_over(campaign, period, RollupDimension.NETWORK)
    totals: dict[str, int] = defaultdict(int)
    for _hour, key, count in rows:
        totals[key] += count
    networks = sorted(totals, key=lambda k: (-totals[k], k))
    series = series_over(period, rows, networks)
    for one in series:
        one.name = network_label(one.name)
    unit = _("day") if period.by_day else _("hour (UTC)")
    return line_chart(
        "volume_network",
        _("Posts per %(unit)s, by network") % {"unit": unit},
        _("How many archived posts were posted in each %(unit)s, one line per network.")
        % {"unit": unit},
        [label_of(b, period.by_day) for b in period.buckets()],
        series,
        rtl=rtl,
        area=len(series) == 1,
        x_heading=unit,
        ticks=[label_of(b, period.by_day)[5:] for b in period.buckets()],
    )


def top_hashtags(campaign: Campaign, period: Period, limit: int) -> list[tuple[str, int]]:
    """Return the hashtags with the most items in the period, and how many."""
    return top_keys(campaign, RollupDimension.HASHTAG, period, limit)


def volume_by_hashtag(
    campaign: Campaign, period: Period, tags: list[tuple[str, int]], rtl: bool
) -> Chart:
    """Chart the items per hour (or day) of the period's top hashtags."""
    names = [tag for tag, _n in tags[:TOP_TAGS]]
    rows = counts_over(campaign, period, RollupDimension.HASHTAG, names)
    series = series_over(period, rows, names)
    for one in series:
        one.name = "#" + one.name
    unit = _("day") if period.by_day else _("hour (UTC)")
    return line_chart(
        "volume_hashtag",
        _("Posts per %(unit)s, top hashtags") % {"unit": unit},
        _("How many archived posts carried each of the period's %(n)s busiest hashtags.")
        % {"n": len(names)},
        [label_of(b, period.by_day) for b in period.buckets()],
        series,
        rtl=rtl,
        x_heading=unit,
        ticks=[label_of(b, period.by_day)[5:] for b in period.buckets()],
    )


def top_keys(
    campaign: Campaign, dimension: str, period: Period, limit: int = TOP_ROWS
) -> list[tuple[str, int]]:
    """Return the keys (hashtags, links, languages) with the most items in the period.

    The whole archive reads its totals; another period adds up its days (periods are
    whole UTC days, so the sums are exact).
    """
    if period.choice == "all":
        totals = KeyTotal.objects.filter(campaign=campaign, dimension=dimension)
        rows = totals.order_by("-count", "key").values_list("key", "count")[:limit]
        return list(rows)
    days = DailyKeyCount.objects.filter(
        campaign=campaign,
        dimension=dimension,
        day__gte=period.since.date(),
        day__lt=(period.until + timedelta(hours=23)).date(),
    )
    rows = days.values("key").annotate(total=Sum("count")).order_by("-total", "key")[:limit]
    return [(row["key"], row["total"]) for row in rows]


def co_hashtags(campaign: Campaign, tag: str, limit: int = TOP_ROWS) -> list[tuple[str, int]]:
    """Return the hashtags most often on the same posts as this one (whole archive)."""
    return analytics.co_hashtags(campaign, tag, limit)


def paired_tags(campaign: Campaign) -> bool:
    return HashtagPair.objects.filter(campaign=campaign).exists()


@dataclass
class Amplifier:
    """One account in the amplifier tables: its posts, reposts and (when known) reach."""

    handle: str
    network: str
    posts: int
    reposts: int
    reach: int | None = None


def amplifiers(campaign: Campaign, limit: int = TOP_ROWS) -> list[Amplifier]:
    """Return the accounts with the most items in the archive (whole archive).

    Reach would be the account's followers; the archive keeps no follower counts
    yet, so it is None ("not known") for every account.
    """
    return [
        Amplifier(
            handle=row.author.handle or row.author.remote_id,
            network=network_label(row.author.network),
            posts=row.posts,
            reposts=row.reposts,
        )
        for row in analytics.top_posters(campaign, limit)
    ]


def dashboard(campaign: Campaign, period: Period, *, rtl: bool) -> dict:
    """Return the dashboard's charts and tables for a campaign over a period."""
    tags = top_hashtags(campaign, period, TOP_ROWS)
    focus = next(iter(analytics_tags(campaign)), "") or (tags[0][0] if tags else "")
    links = top_keys(campaign, RollupDimension.LINK, period)
    languages = top_keys(campaign, RollupDimension.LANGUAGE, period)
    charts: list[Chart] = [
        volume_by_network(campaign, period, rtl),
        volume_by_hashtag(campaign, period, tags, rtl),
        bar_chart(
            "hashtags",
            _("Busiest hashtags"),
            _("Posts carrying each hashtag in the period."),
            [("#" + tag, n) for tag, n in tags],
            rtl=rtl,
            label_heading=_("hashtag"),
            value_heading=_("posts"),
        ),
        bar_chart(
            "co_hashtags",
            _("Hashtags used with #%(tag)s") % {"tag": focus},
            _("Posts carrying both hashtags, over the whole archive."),
            [("#" + tag, n) for tag, n in co_hashtags(campaign, focus)] if focus else [],
            rtl=rtl,
            label_heading=_("hashtag"),
            value_heading=_("posts with both"),
        ),
        bar_chart(
            "links",
            _("Most-shared links"),
            _("Posts carrying each link in the period."),
            links,
            rtl=rtl,
            label_heading=_("link"),
            value_heading=_("posts"),
        ),
        bar_chart(
            "languages",
            _("Languages"),
            _("Posts in each language in the period, as the network or the import gave it."),
            [(language_label(code), n) for code, n in languages],
            rtl=rtl,
            label_heading=_("language"),
            value_heading=_("posts"),
        ),
    ]
    people = amplifiers(campaign)
    charts.append(
        bar_chart(
            "amplifiers",
            _("Top amplifiers by posts"),
            _("The accounts with the most posts in the whole archive."),
            [(f"@{a.handle} ({a.network})", a.posts) for a in people],
            rtl=rtl,
            label_heading=_("account"),
            value_heading=_("posts"),
        )
    )
    return {"charts": {chart.key: chart for chart in charts}, "amplifiers": people, "focus": focus}


def analytics_tags(campaign: Campaign) -> list[str]:
    """Return the campaign's own hashtags as the roll-ups count them."""
    from houseboat.listening import entities

    return [entities.tag_key(tag) for tag in campaign.hashtags or [] if entities.tag_key(tag)]
