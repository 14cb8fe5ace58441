"""The ladder of engagement as a funnel: who reached each rung, how fast, who stalled.

One grouped query reads a campaign's responses (per supporter and kind: how many,
the first and the last), and the rungs are worked out in Python from those rows;
at 100,000 responses that is one index scan and a few thousand small rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from django.db.models import Count, Max, Min
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.organizing.constants import DEFAULT_STALLED_DAYS
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


@dataclass
class Progress:
    """One supporter's record in a campaign: counts and dates per kind."""

    counts: dict[str, int] = field(default_factory=dict)
    first: dict[str, datetime] = field(default_factory=dict)
    last: dict[str, datetime] = field(default_factory=dict)
    joined: datetime | None = None

    @property
    def start(self) -> datetime:
        return min([*self.first.values(), *([self.joined] if self.joined else [])])

    @property
    def latest(self) -> datetime:
        return max([*self.last.values(), *([self.joined] if self.joined else [])])

    def add(self, kind: str, n: int, first: datetime, last: datetime) -> None:
        self.counts[kind] = n
        self.first[kind] = first
        self.last[kind] = last

    def reached_at(self, rung: LadderRung) -> datetime | None:
        """When the rung's rule first held (for rules of several responses, at the latest)."""
        if sum(self.counts.get(kind, 0) for kind in rung.kinds) < max(rung.min_count, 1):
            return None
        kinds = [kind for kind in rung.kinds if kind in self.counts]
        if rung.min_count <= 1:
            return min(self.first[kind] for kind in kinds)
        return max(self.last[kind] for kind in kinds)


def rule_text(rung: LadderRung) -> str:
    if rung.position == 0 or not rung.kinds:
        return "everyone"
    return f"{rung.min_count}+ of {', '.join(rung.kinds)}"


def progress_by_supporter(campaign: Campaign, channel_id: int | None) -> tuple[dict, int]:
    responses = Response.objects.filter(campaign=campaign, supporter__isnull=False)
    if channel_id is not None:
        responses = responses.filter(channel_id=channel_id)
    rows = (
        responses.values_list("supporter_id", "kind")
        .annotate(n=Count("id"), first=Min("created_at"), last=Max("created_at"))
        .order_by()
    )
    people: dict[int, Progress] = {}
    if channel_id is None:
        # The campaign's own supporters are on the first rung before they answer anything.
        joined = Supporter.objects.filter(campaign=campaign).values_list("id", "created_at")
        people = {pk: Progress(joined=created) for pk, created in joined}
    total = 0
    for supporter_id, kind, n, first, last in rows:
        people.setdefault(supporter_id, Progress()).add(kind, n, first, last)
        total += n
    return people, total


def build_funnel(
    campaign: Campaign,
    *,
    channel_id: int | None = None,
    stalled_days: int = DEFAULT_STALLED_DAYS,
    now: datetime | None = None,
) -> Funnel:
    """Return the campaign's funnel, for one channel's responses when channel_id is given."""
    rungs = ladder(campaign.team)
    people, total = progress_by_supporter(campaign, channel_id)
    cutoff = (now or timezone.now()) - timedelta(days=stalled_days)
    rows = [RungRow(r.position, r.name, rule_text(r)) for r in rungs]
    days: list[list[float]] = [[] for _ in rungs]
    top = len(rungs) - 1
    stalled_ids = []
    for supporter_id, progress in people.items():
        start = progress.start
        highest = 0
        for i, rung in enumerate(rungs):
            reached = start if i == 0 else progress.reached_at(rung)
            if reached is None:
                continue
            rows[i].reached += 1
            highest = max(highest, i)
            if i:
                days[i].append((reached - start).total_seconds() / 86400)
        if highest < top and progress.latest < cutoff:
            rows[highest].stalled += 1
            stalled_ids.append(supporter_id)
    for i, row in enumerate(rows):
        if i and rows[i - 1].reached:
            row.share_of_previous = row.reached / rows[i - 1].reached
        if days[i]:
            row.median_days = round(median(days[i]), 1)
    return Funnel(rows, len(people), total, stalled_days, stalled_ids)


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
