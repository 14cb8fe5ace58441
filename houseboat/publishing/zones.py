"""Times as a person sees them: their own time zone, kept in the session, and DST.

Posts are stored in UTC. Each person reads and enters times in a zone of their
choosing, remembered for the browser session (houseboat has no per-person profile
yet), defaulting to the install's ``TIME_ZONE``. A wall-clock time that a DST
change skips is refused with a clear message; one that happens twice is read as
the earlier of the two, and the person is told so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from houseboat.publishing.services import PublishingError

SESSION_KEY = "houseboat_time_zone"
INPUT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
# What a datetime-local input wants as its value.
INPUT_FORMAT = "%Y-%m-%dT%H:%M"


# The selector lists the zones named after a region's city; old aliases (US/Eastern,
# Etc/GMT+3) still work where they are typed or configured.
REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@cache
def zone_names() -> tuple[str, ...]:
    """The time zones a person picks from, sorted, UTC last."""
    return (*sorted(name for name in available_timezones() if name.startswith(REGIONS)), "UTC")


def names_with(zone: str) -> tuple[str, ...]:
    """The selector's zones, with zone first when it is an alias the list leaves out."""
    names = zone_names()
    return names if zone in names else (zone, *names)


@cache
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def is_zone(name: str) -> bool:
    """Tell whether name is a time zone this machine knows."""
    if not name or name not in _known():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def default_zone() -> str:
    """The install's zone: teams have no zone of their own yet."""
    return settings.TIME_ZONE if is_zone(settings.TIME_ZONE) else "UTC"


def zone_for(request: HttpRequest) -> str:
    """Return the zone this person reads times in; a valid ``?tz=`` changes it.

    A plain GET may change it because it changes nothing of the team's, only how this
    browser shows times, and every form that reads a time carries the zone it showed,
    so a changed preference never moves a time somebody already entered.
    """
    asked = request.GET.get("tz", "")
    if is_zone(asked):
        remember_zone(request, asked)
        return asked
    kept = request.session.get(SESSION_KEY, "")
    return kept if is_zone(kept) else default_zone()


def remember_zone(request: HttpRequest, name: str) -> None:
    """Keep the zone a person used in a form for their next visit."""
    if is_zone(name) and request.session.get(SESSION_KEY) != name:
        request.session[SESSION_KEY] = name


def parse_local(value: str) -> datetime | None:
    """Read what a datetime-local input sends ("2026-03-29T02:30"); None if it is not that."""
    value = (value or "").strip()
    for pattern in INPUT_FORMATS:
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Reading:
    """A wall-clock time read in a zone: the moment in UTC, and anything to tell the person."""

    utc: datetime
    note: str = ""


def read_local(value: datetime, zone: str) -> Reading:
    """Turn a wall-clock time in zone into UTC, refusing a time the clocks skip."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        message = _("“%(zone)s” is not a time zone houseboat knows.") % {"zone": zone}
        raise PublishingError(message) from None
    value = value.replace(tzinfo=None, second=0, microsecond=0)
    earlier, later = value.replace(tzinfo=tz, fold=0), value.replace(tzinfo=tz, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return Reading(earlier.astimezone(UTC))
    # The offsets differ: either the hour is skipped (the round trip lands elsewhere) or
    # it happens twice. zoneinfo gives a skipped time the offset from before the change.
    round_trip = earlier.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    when = value.strftime("%Y-%m-%d %H:%M")
    if round_trip != value:
        raise PublishingError(
            _(
                "%(when)s does not exist in %(zone)s: the clocks jump forward over that hour. "
                "Choose a time before or after it, for example %(after)s."
            )
            % {
                "when": when,
                "zone": zone,
                "after": (value + timedelta(hours=1)).strftime("%H:%M"),
            }
        )
    return Reading(
        earlier.astimezone(UTC),
        _(
            "%(when)s happens twice in %(zone)s because the clocks go back that night. "
            "houseboat took the first one, %(first)s (UTC%(offset)s), an hour before the second."
        )
        % {
            "when": when,
            "zone": zone,
            "first": earlier.strftime("%H:%M %Z"),
            "offset": earlier.strftime("%z")[:3] + ":" + earlier.strftime("%z")[3:],
        },
    )


def local(moment: datetime, zone: str) -> datetime:
    """Show a stored UTC moment in zone."""
    return moment.astimezone(ZoneInfo(zone))
