"""Each channel's queue: recurring weekly posting times, and the next free one.

A slot is a weekday and a wall-clock time in a named zone ("Monday 09:00 in
Europe/London"), so it stays 09:00 local across a DST change. A slot time the clocks
skip (spring forward) moves to the first instant after the gap; one that happens twice
(fall back) takes the first occurrence. A slot is taken when its channel already has a
delivery due at that minute that is not cancelled or failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from houseboat.connectors.models import Channel
from houseboat.core.access import require
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.models import Membership
from houseboat.core.services import audit
from houseboat.publishing import zones
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery, QueueSlot
from houseboat.publishing.services import PublishingError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Buffer-like starting point an editor can accept as it is: weekdays, three times a day.
SUGGESTED_TIMES = (time(9, 0), time(12, 30), time(18, 0))
SUGGESTED = tuple((day, at) for day in range(5) for at in SUGGESTED_TIMES)
# How far ahead to look for a free slot: a year of a busy queue is a mistake, not a plan.
HORIZON = timedelta(days=366)
# A delivery in one of these holds its slot.
HOLDING = (DeliveryState.SCHEDULED, DeliveryState.SENDING, DeliveryState.SENT)

Slot = tuple[int, time]  # (weekday 0 = Monday, wall-clock time)


class NoQueueSlots(PublishingError):
    """Channels with no posting times were asked to take a post from their queue."""

    def __init__(self, channels: Iterable[Channel]) -> None:
        self.channels = list(channels)
        names = ", ".join(channel.name for channel in self.channels)
        super().__init__(
            _(
                "%(names)s has no posting times yet, so nothing was queued. Set its posting "
                "times on the Posting times page (Publish → Posting times), or choose "
                "another time."
            )
            % {"names": names}
        )


# --- wall-clock times to moments ---------------------------------------------------------


def moment_at(day: date, at: time, zone: str) -> datetime:
    """Return the UTC moment of a wall-clock time on a day in zone.

    A time the clocks skip moves to the first instant after the gap (the moment the
    clocks jump); a time that happens twice is its first occurrence.
    """
    tz = ZoneInfo(zone)
    wall = datetime.combine(day, at)
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall:
        return first.astimezone(UTC)  # it happens twice: fold=0 is the first
    return _gap_end(first.astimezone(UTC), second.astimezone(UTC), tz)


def _gap_end(low: datetime, high: datetime, tz: ZoneInfo) -> datetime:
    """Find the instant the clocks jumped, between the two readings of a skipped time.

    ``low`` and ``high`` are in either order; the search keeps whole seconds.
    """
    low, high = min(low, high), max(low, high)
    after = high.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(tz).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high


def upcoming(slots: Iterable[QueueSlot], after: datetime, *, until: datetime) -> Iterator[datetime]:
    """Yield the moments of the slots from after (exclusive) to until, in order, once each."""
    slots = list(slots)
    if not slots:
        return
    start = (after - timedelta(days=1)).date()
    days = (until - after).days + 3
    seen: set[datetime] = set()
    for offset in range(days):
        found = []
        for slot in slots:
            # Each slot reads the calendar day in its own zone.
            day = start + timedelta(days=offset)
            if day.weekday() != slot.weekday:
                continue
            moment = moment_at(day, slot.time, slot.time_zone)
            if after < moment <= until and moment not in seen:
                found.append(moment)
        for moment in sorted(found):
            seen.add(moment)
            yield moment


def taken(channel: Channel, after: datetime, until: datetime) -> set[datetime]:
    """The minutes at which the channel already has a post due (its first part)."""
    due = Delivery.objects.filter(
        variant__channel=channel,
        part=0,
        state__in=HOLDING,
        due_at__gt=after - timedelta(minutes=1),
        due_at__lte=until,
    ).values_list("due_at", flat=True)
    return {moment.replace(second=0, microsecond=0) for moment in due}


def next_free(channel: Channel, *, after: datetime | None = None) -> datetime | None:
    """Return the channel's next posting time after ``after`` (now) that no post holds."""
    after = after or timezone.now()
    until = after + HORIZON
    slots = list(channel.queue_slots.all())
    busy = taken(channel, after, until)
    return next((m for m in upcoming(slots, after, until=until) if m not in busy), None)


def queue_times(channels: Iterable[Channel], *, after: datetime | None = None) -> dict:
    """Each channel's next free posting time, by channel pk; refuse channels with none."""
    after = after or timezone.now()
    channels = list(channels)
    empty = [c for c in channels if not c.queue_slots.exists()]
    if empty:
        raise NoQueueSlots(empty)
    times = {}
    for channel in channels:
        # Two people queueing on one channel at once must not get the same slot.
        list(Channel.objects.select_for_update().filter(pk=channel.pk))
        moment = next_free(channel, after=after)
        if moment is None:
            raise PublishingError(
                _("Every posting time of %(name)s for the next year is taken.")
                % {"name": channel.name}
            )
        times[channel.pk] = moment
    return times


# --- editing a channel's slots -----------------------------------------------------------


def slots_of(channel: Channel) -> list[Slot]:
    return [(slot.weekday, slot.time) for slot in channel.queue_slots.order_by("time", "weekday")]


def zone_of(channel: Channel) -> str:
    """The zone the channel's slots are kept in; the install's zone when it has none."""
    first = channel.queue_slots.first()
    return first.time_zone if first and zones.is_zone(first.time_zone) else zones.default_zone()


def describe(slots: Iterable[Slot]) -> str:
    """Say the slots in a line: "Mon-Fri 09:00, 12:30; Sat 10:00"."""
    by_days: dict[tuple[int, ...], list[time]] = {}
    for at, days in grouped(slots):
        by_days.setdefault(tuple(days), []).append(at)
    parts = [
        f"{day_label(days)} {', '.join(at.strftime('%H:%M') for at in times)}"
        for days, times in by_days.items()
    ]
    return "; ".join(parts) or _("no posting times")


def grouped(slots: Iterable[Slot]) -> list[tuple[time, list[int]]]:
    """The slots as one row per time of day, with its days, earliest time first."""
    rows: dict[time, list[int]] = {}
    for weekday, at in sorted(slots, key=lambda s: (s[1], s[0])):
        rows.setdefault(at, []).append(weekday)
    return list(rows.items())


def day_label(days: Iterable[int]) -> str:
    days = sorted(set(days))
    names = [str(WEEKDAYS_ABBR[d]) for d in days]  # Monday is 0, as in DAYS
    if days == list(range(7)):
        return _("Every day")
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{names[0]}-{names[-1]}"
    return ", ".join(names)


@transaction.atomic
def set_slots(membership: Membership, channel: Channel, slots: Iterable[Slot], zone: str) -> None:
    """Replace a channel's posting times; editors and owners only, audited."""
    require(membership, Capability.PUBLISH)
    if channel.team_id != membership.team_id:
        raise Channel.DoesNotExist("No such channel.")
    if not zones.is_zone(zone):
        raise PublishingError(_("“%(zone)s” is not a time zone houseboat knows.") % {"zone": zone})
    wanted = sorted(set(slots))
    for weekday, _at in wanted:
        if not 0 <= weekday <= 6:
            raise PublishingError(_("A day of the week is Monday to Sunday."))
    before = (slots_of(channel), zone_of(channel) if channel.queue_slots.exists() else "")
    after = ([(d, t.replace(second=0, microsecond=0)) for d, t in wanted], zone if wanted else "")
    if sorted(before[0]) == sorted(after[0]) and (before[1] == after[1] or not wanted):
        return
    channel.queue_slots.all().delete()
    QueueSlot.objects.bulk_create(
        [QueueSlot(channel=channel, weekday=d, time=t, time_zone=zone) for d, t in after[0]]
    )
    audit(
        AuditAction.QUEUE_SLOTS_CHANGED,
        actor=membership.user,
        team=channel.team,
        target=channel,
        detail=f"{describe(before[0])} → {describe(after[0])}" + (f" ({zone})" if wanted else ""),
    )


# --- reading "mon,tue 09:00" ------------------------------------------------------------

SPEC = re.compile(r"^\s*(?P<days>[a-z,\-]+)\s+(?P<at>\d{1,2}:\d{2})\s*$", re.IGNORECASE)
DAY_WORDS = {"weekdays": range(5), "weekend": range(5, 7), "daily": range(7), "every": range(7)}


def parse_spec(text: str) -> list[Slot]:
    """Read "mon,tue 09:00", "mon-fri 12:30", "weekdays 18:00" or "daily 08:00"."""
    match = SPEC.match(text or "")
    if match is None:
        raise PublishingError(
            _("“%(text)s” is not a posting time: write days and a time, e.g. “mon,wed 09:00”.")
            % {"text": text}
        )
    try:
        at = time.fromisoformat(match["at"].zfill(5))
    except ValueError:
        raise PublishingError(
            _("“%(at)s” is not a time of day: write HH:MM, e.g. 09:00.") % {"at": match["at"]}
        ) from None
    return [(day, at) for day in parse_days(match["days"].lower())]


def parse_days(text: str) -> list[int]:
    days: list[int] = []
    for word in filter(None, text.split(",")):
        if word in DAY_WORDS:
            days.extend(DAY_WORDS[word])
        elif "-" in word:
            first, _dash, last = word.partition("-")
            start, end = day_number(first), day_number(last)
            days.extend(
                range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
            )
        else:
            days.append(day_number(word))
    return sorted(set(days))


def day_number(word: str) -> int:
    word = word.strip()
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    if len(word) < 3 or not any(name.startswith(word) for name in full):
        raise PublishingError(
            _("“%(word)s” is not a day: use mon, tue, wed, thu, fri, sat, sun.") % {"word": word}
        )
    return DAYS.index(word[:3])
