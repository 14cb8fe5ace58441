"""Spike alerts: a tracked hashtag, or the mentions of the team's accounts, far above usual.

A reading-lane worker step. For each campaign it looks at the hourly roll-ups of its
own hashtags (``Campaign.hashtags``, from HourlyCount) and of the mentions of the
team's connected accounts (HourlyKeyCount, "team_mention"), and compares the latest
hours with the 7 days before each:

- the usual hour is the **median** of the previous 168 hours (hours without posts
  count as 0), and the spread is their **median absolute deviation** (MAD, scaled by
  1.4826 to read like a standard deviation, and at least 1);
- an hour is a spike when it holds at least ``MIN_COUNT`` posts (so 3 posts after a
  quiet week alarm nobody) and more than the usual hour plus ``THRESHOLD`` spreads.

Consecutive spiking hours are one spike, named by its first hour, and the safety
app stores one "possible pile-on" alert per name (its uniqueness keeps a second
worker, or the next round, from raising it again). A spike that stops and starts
again later is a new spike. The current hour is checked while it fills, so a
pile-on alarms as it happens, not an hour later.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from statistics import median

from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.listening import entities
from houseboat.listening.analytics import hour_of
from houseboat.listening.constants import RollupDimension
from houseboat.listening.models import HourlyCount, HourlyKeyCount

BASELINE_HOURS = 7 * 24
MIN_COUNT = 20
THRESHOLD = 5.0
MAD_SCALE = 1.4826
# Hours checked each round, counted back from the current one (a round missed for a
# while still sees the spike), and how far back a spike's first hour is looked for.
CHECK_HOURS = 3
LONGEST_SPIKE = 48


Series = dict[datetime, int]


def usual(series: Series, hour: datetime) -> tuple[float, float]:
    """Return the median hour of the week before ``hour`` and its scaled MAD (at least 1)."""
    values = [series.get(hour - timedelta(hours=k), 0) for k in range(1, BASELINE_HOURS + 1)]
    middle = median(values)
    spread = median(abs(v - middle) for v in values) * MAD_SCALE
    return middle, max(spread, 1.0)


def is_spike(series: Series, hour: datetime) -> bool:
    """Tell whether an hour is far above the week before it (and not a tiny number)."""
    count = series.get(hour, 0)
    if count < MIN_COUNT:
        return False
    middle, spread = usual(series, hour)
    return count > middle + THRESHOLD * spread


def spike_start(series: Series, hour: datetime) -> datetime:
    """Return the first hour of the run of spiking hours that ends at ``hour``."""
    start = hour
    for _k in range(LONGEST_SPIKE):
        before = start - timedelta(hours=1)
        if not is_spike(series, before):
            break
        start = before
    return start


def spikes(series: Series, now: datetime) -> list[tuple[datetime, datetime]]:
    """Return (first hour, hour) of each spike seen in the last CHECK_HOURS hours."""
    current = hour_of(now)
    found = {}
    for k in range(CHECK_HOURS - 1, -1, -1):
        hour = current - timedelta(hours=k)
        if is_spike(series, hour):
            found[spike_start(series, hour)] = hour
    return sorted(found.items())


def subjects(campaign: Campaign, since: datetime) -> dict[tuple[str, str], Series]:
    """Return the hourly series of each tracked hashtag and each team account's mentions."""
    tags = {entities.tag_key(t) for t in campaign.hashtags or [] if entities.tag_key(t)}
    series: dict[tuple[str, str], Series] = defaultdict(dict)
    for tag in tags:
        series[("hashtag", tag)] = {}
    rows = HourlyCount.objects.filter(campaign=campaign, hashtag__in=tags, hour__gte=since)
    for hour, tag, count in rows.values_list("hour", "hashtag", "count"):
        series[("hashtag", tag)][hour] = count
    mentions = HourlyKeyCount.objects.filter(
        campaign=campaign, dimension=RollupDimension.TEAM_MENTION, hour__gte=since
    )
    for hour, handle, count in mentions.values_list("hour", "key", "count"):
        series[("mention", handle)][hour] = count
    return series


def check_campaign(campaign: Campaign, now: datetime) -> int:
    """Raise a pile-on alert for each new spike of the campaign; return how many were new."""
    from houseboat.safety.constants import Severity
    from houseboat.safety.services import raise_pile_on

    since = hour_of(now) - timedelta(hours=BASELINE_HOURS + LONGEST_SPIKE + CHECK_HOURS)
    raised = 0
    for (kind, subject), series in subjects(campaign, since).items():
        for start, hour in spikes(series, now):
            middle, _spread = usual(series, hour)
            term = f"#{subject}" if kind == "hashtag" else f"@{subject}"
            match = {
                "term": term,
                "count": series.get(hour, 0),
                "usual": int(middle) if float(middle).is_integer() else round(middle, 1),
                "hour": hour.strftime("%Y-%m-%d %H:00"),
                "started": start.strftime("%Y-%m-%d %H:00"),
            }
            key = f"spike:{kind}:{subject}:{start:%Y-%m-%dT%H}"[:200]
            # Mentions of the team's own accounts are about people: look at them first.
            severity = Severity.HIGH if kind == "mention" else Severity.MEDIUM
            raised += raise_pile_on(campaign.team, campaign, key, match, severity=severity)
    return raised


def check_spikes(name: str, now: datetime | None = None) -> int:
    """Worker step: raise pile-on alerts for new spikes in every campaign; return how many."""
    now = now or timezone.now()
    return sum(
        check_campaign(campaign, now)
        for campaign in Campaign.objects.select_related("team").order_by("pk")
    )
