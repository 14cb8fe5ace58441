"""The ladder of engagement as a funnel: who reached each rung, how fast, who stalled.

One grouped query reads a campaign's responses (per supporter and kind: how many,
the first and the last day), answered from one covering index, and the rungs are
worked out in Python from those rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from houseboat.campaigns.models import Campaign
from houseboat.organizing.constants import DEFAULT_STALLED_DAYS, ResponseKind
from houseboat.organizing.models import LadderRung, Response, Supporter
from houseboat.organizing.services import ladder


@dataclass
class RungRow:
    position: int
    name: str
    rule: str
    reached: int = 0
    share_of_previous: float | None = None
    median_days: float | None = None
    stalled: int = 0


@dataclass
class Funnel:
    rows: list[RungRow]
    supporters: int
    responses: int
    stalled_days: int
    stalled_ids: list[int] = field(default_factory=list)


# Dates are read as days since 1970 (a float) straight from the database: turning
# 100,000 timestamps into Python datetimes cost more than the whole query.
EPOCH_DAYS = {
    "sqlite": "(julianday({col}) - 2440587.5)",
    "postgresql": "(EXTRACT(EPOCH FROM {col}) / 86400.0)",
}


def epoch_days(expression: str) -> str:
    """SQL for an SQL timestamp expression as days since 1970, on this database."""
    template = EPOCH_DAYS.get(connection.vendor)
    if template is None:
        raise NotImplementedError(f"The funnel does not know dates on {connection.vendor}.")
    return template.format(col=expression)


def rule_text(rung: LadderRung) -> str:
    """The rung's rule in words: “signed or shared”, “4 times volunteered or attended”."""
    if rung.position == 0 or not rung.kinds:
        return gettext("everyone")
    labels = [str(ResponseKind(kind).label).lower() for kind in rung.kinds]
    kinds = (
        gettext("%(some)s or %(last)s") % {"some": ", ".join(labels[:-1]), "last": labels[-1]}
        if len(labels) > 1
        else labels[0]
    )
    if rung.min_count <= 1:
        return kinds
    return ngettext("%(count)d time %(kinds)s", "%(count)d times %(kinds)s", rung.min_count) % {
        "count": rung.min_count,
        "kinds": kinds,
    }


Progress = dict[str, tuple[int, float, float]]  # kind -> (how many, first day, last day)


def progress_by_supporter(
    campaign: Campaign, channel_id: int | None
) -> tuple[dict[int, Progress], dict[int, float], int]:
    """Return each supporter's counts and days per kind, the days they joined, and a total."""
    column = connection.ops.quote_name("created_at")
    # MIN and MAX first, then days: one conversion per group rather than two per row.
    first, last = epoch_days(f"MIN({column})"), epoch_days(f"MAX({column})")
    where = "campaign_id = %s AND supporter_id IS NOT NULL"
    params: list = [campaign.pk]
    if channel_id is not None:
        where += " AND channel_id = %s"
        params.append(channel_id)
    sql = (
        f"SELECT supporter_id, kind, COUNT(*), {first}, {last} "  # noqa: S608 (no input)
        f"FROM {Response._meta.db_table} WHERE {where} GROUP BY supporter_id, kind"
    )
    people: dict[int, Progress] = {}
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for supporter_id, kind, n, first, last in cursor.fetchall():
            people.setdefault(supporter_id, {})[kind] = (n, first, last)
            total += n
        joined: dict[int, float] = {}
        if channel_id is None:
            # The campaign's own supporters stand on the first rung before they answer.
            cursor.execute(
                f"SELECT id, {epoch_days(column)} FROM {Supporter._meta.db_table} "  # noqa: S608
                "WHERE campaign_id = %s",
                [campaign.pk],
            )
            joined = dict(cursor.fetchall())
    return people, joined, total


def reached_day(progress: Progress, kinds: list[str], min_count: int) -> float | None:
    """When a rung's rule first held (for rules of several responses, at the latest)."""
    mine = [progress[kind] for kind in kinds if kind in progress]
    if sum(n for n, _first, _last in mine) < max(min_count, 1):
        return None
    if min_count <= 1:
        return min(first for _n, first, _last in mine)
    return max(last for _n, _first, last in mine)


def build_funnel(
    campaign: Campaign,
    *,
    channel_id: int | None = None,
    stalled_days: int = DEFAULT_STALLED_DAYS,
    now: datetime | None = None,
) -> Funnel:
    """Return the campaign's funnel, for one channel's responses when channel_id is given."""
    rungs = ladder(campaign.team)
    rules = [(r.kinds, r.min_count) for r in rungs]
    people, joined, total = progress_by_supporter(campaign, channel_id)
    cutoff = (now or timezone.now()).timestamp() / 86400 - stalled_days
    rows = [RungRow(r.position, r.name, rule_text(r)) for r in rungs]
    days: list[list[float]] = [[] for _ in rungs]
    top = len(rungs) - 1
    stalled_ids = []
    for supporter_id in people.keys() | joined.keys():
        progress = people.get(supporter_id, {})
        since = joined.get(supporter_id)
        firsts = [first for _n, first, _last in progress.values()]
        lasts = [last for _n, _first, last in progress.values()]
        start = min(firsts + ([since] if since is not None else []))
        latest = max(lasts + ([since] if since is not None else []))
        rows[0].reached += 1
        highest = 0
        for i in range(1, len(rules)):
            kinds, min_count = rules[i]
            reached = reached_day(progress, kinds, min_count) if kinds else None
            if reached is None:
                continue
            rows[i].reached += 1
            highest = i
            days[i].append(reached - start)
        if highest < top and latest < cutoff:
            rows[highest].stalled += 1
            stalled_ids.append(supporter_id)
    for i, row in enumerate(rows):
        if i and rows[i - 1].reached:
            row.share_of_previous = row.reached / rows[i - 1].reached
        if days[i]:
            row.median_days = round(median(days[i]), 1)
    return Funnel(rows, len(people.keys() | joined.keys()), total, stalled_days, stalled_ids)


def format_table(funnel: Funnel) -> list[str]:
    """The funnel as aligned text lines, for the command line."""
    head = ("rung", "rule", "reached", "of previous", "median days", "stalled")
    body = [
        (
            row.name,
            row.rule,
            str(row.reached),
            "" if row.share_of_previous is None else f"{row.share_of_previous:.0%}",
            "" if row.median_days is None else f"{row.median_days:g}",
            str(row.stalled),
        )
        for row in funnel.rows
    ]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in [head, *body]
    ]
