"""The publishing calendar: a week or a month of posts, per channel, in a person's zone."""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from houseboat.connectors.models import Channel
from houseboat.core import daterange
from houseboat.core.models import Team
from houseboat.publishing.constants import DeliveryState, PostStatus
from houseboat.publishing.models import Delivery, Post

WEEK, MONTH = "week", "month"


def first_day_of_week() -> int:
    """The active language's first day of the week, as Python counts (Monday 0).

    Django's FIRST_DAY_OF_WEEK counts from Sunday 0; houseboat/formats corrects it
    where Django's locale data differs from CLDR's.
    """
    return (int(formats.get_format("FIRST_DAY_OF_WEEK")) - 1) % 7


@dataclass(frozen=True)
class View:
    """Which days the calendar shows: a week or the weeks of a month, each week starting
    on the language's first day (Saturday in Persian, Monday in French)."""

    kind: str
    anchor: date
    start: date
    end: date  # the day after the last one shown
    today: date
    refused: str = ""  # why the day asked for is not shown

    @classmethod
    def read(cls, query: Mapping[str, str], zone: str, first_weekday: int | None = None) -> View:
        """Read ?view= and ?date= (YYYY-MM-DD); default: this week, in zone.

        first_weekday counts as Python does (Monday 0); default: the active language's.
        """
        first = first_day_of_week() if first_weekday is None else first_weekday
        today = timezone.now().astimezone(ZoneInfo(zone)).date()
        kind = MONTH if query.get("view") == MONTH else WEEK
        refused = ""
        try:
            anchor = date.fromisoformat(query.get("date", ""))
        except ValueError:
            anchor = today
        if not daterange.in_range(anchor):
            # A week beside year 1 or 9999 would overflow Python's dates.
            refused = _("The calendar shows days between 1900-01-01 and 2999-12-31; here is today.")
            anchor = today
        if kind == WEEK:
            start = anchor - timedelta(days=(anchor.weekday() - first) % 7)
            return cls(kind, anchor, start, start + timedelta(days=7), today, refused)
        first_of_month = anchor.replace(day=1)
        last = anchor.replace(day=stdlib_calendar.monthrange(anchor.year, anchor.month)[1])
        start = first_of_month - timedelta(days=(first_of_month.weekday() - first) % 7)
        end = last + timedelta(days=7 - (last.weekday() - first) % 7)
        return cls(kind, anchor, start, end, today, refused)

    @property
    def previous(self) -> date | None:
        if self.kind == WEEK:
            day = self.anchor - timedelta(days=7)
        else:
            day = (self.anchor.replace(day=1) - timedelta(days=1)).replace(day=1)
        return day if daterange.in_range(day) else None

    @property
    def next(self) -> date | None:
        if self.kind == WEEK:
            day = self.anchor + timedelta(days=7)
        else:
            day = (self.anchor.replace(day=28) + timedelta(days=4)).replace(day=1)
        return day if daterange.in_range(day) else None


@dataclass
class Entry:
    """One post on one day: its time and its channels with their states."""

    post: Post
    moment: datetime
    channels: list[Delivery] = field(default_factory=list)

    @property
    def can_move(self) -> bool:
        return self.post.status == PostStatus.SCHEDULED and any(
            d.state == DeliveryState.SCHEDULED for d in self.channels
        )


@dataclass
class Day:
    day: date
    entries: list[Entry]
    is_today: bool
    in_month: bool
    # Posting times of the channels' queues still free on this day (week view only).
    free: list[tuple[datetime, Channel]] = field(default_factory=list)


def free_slots(
    team: Team, start: datetime, end: datetime, zone: str, *, channel_id: str = ""
) -> dict[date, list[tuple[datetime, Channel]]]:
    """Every channel's queue slots from now to end that no post holds, by day in zone."""
    from houseboat.publishing import queue  # queue builds on services, which this need not

    channels = team.channels.filter(queue_slots__isnull=False).distinct()
    if channel_id:
        channels = channels.filter(pk=channel_id)
    tz = ZoneInfo(zone)
    after = max(start, timezone.now())
    found: dict[date, list[tuple[datetime, Channel]]] = {}
    for channel in channels.prefetch_related("queue_slots"):
        busy = queue.taken(channel, after, end)
        for moment in queue.upcoming(channel.queue_slots.all(), after, until=end):
            if moment < end and moment not in busy:
                shown = moment.astimezone(tz)
                found.setdefault(shown.date(), []).append((shown, channel))
    return {
        day: sorted(items, key=lambda item: (item[0], item[1].name)) for day, items in found.items()
    }


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def days(team: Team, view: View, zone: str, *, channel_id: str = "") -> list[Day]:
    """Every day of the view with the posts due or sent on it, read in one query."""
    tz = ZoneInfo(zone)
    start, end = _midnight(view.start, tz), _midnight(view.end, tz)
    # Sent posts sit where they went out; the rest where they are due. One row per
    # channel: the first part of a thread stands for the thread.
    deliveries = (
        Delivery.objects.filter(variant__post__team=team, part=0)
        .exclude(state=DeliveryState.CANCELLED)
        .filter(
            Q(sent_at__gte=start, sent_at__lt=end)
            | Q(sent_at__isnull=True, due_at__gte=start, due_at__lt=end)
        )
        .select_related("variant__channel", "variant__post")
        .order_by("due_at", "id")
    )
    if channel_id:
        deliveries = deliveries.filter(variant__channel_id=channel_id)
    entries: dict[tuple[int, date], Entry] = {}
    for delivery in deliveries:
        moment = (delivery.sent_at or delivery.due_at).astimezone(tz)
        key = (delivery.variant.post_id, moment.date())
        entry = entries.setdefault(key, Entry(delivery.variant.post, moment))
        entry.moment = min(entry.moment, moment)
        entry.channels.append(delivery)
    by_day: dict[date, list[Entry]] = {}
    for (_post, day), entry in entries.items():
        by_day.setdefault(day, []).append(entry)
    free = free_slots(team, start, end, zone, channel_id=channel_id) if view.kind == WEEK else {}
    shown = []
    day = view.start
    while day < view.end:
        shown.append(
            Day(
                day=day,
                entries=sorted(by_day.get(day, []), key=lambda e: e.moment),
                is_today=day == view.today,
                in_month=view.kind != MONTH or day.month == view.anchor.month,
                free=free.get(day, []),
            )
        )
        day += timedelta(days=1)
    return shown
