"""Local clock times of exports that carry no zone (WhatsApp chats, old Telegram exports).

The person names the zone with ``--timezone Area/City``; without it the times are
read as UTC and the import says so. Twice a year a zone's clock skips an hour or
repeats one: a time in the skipped hour never happened there, and one in the
repeated hour happened twice. Neither is resolved silently: the record is marked
(``"local_time": "skipped"`` or ``"ambiguous"`` in its payload) and the import
notes where, with what houseboat assumed.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from houseboat.listening.importers.base import ImportFileError, Problems

AMBIGUOUS = "ambiguous"
SKIPPED = "skipped"


def zone(given: str, name: str, problems: Problems, clock: str = "the phone's") -> tzinfo:
    """Return the zone the user named, or UTC with a note saying how to name it."""
    if not given:
        problems.note(
            f"The times in {name} are {clock} local time; they were read as UTC. Import "
            "again with --timezone Area/City (for example Africa/Cairo) for its zone: the "
            "times already stored are then corrected."
        )
        return UTC
    try:
        return ZoneInfo(given)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImportFileError(
            f"{given!r} is not a time zone houseboat knows: use a name such as Africa/Cairo "
            "or America/Bogota."
        ) from exc


def to_utc(local: datetime, tz: tzinfo) -> tuple[datetime, str]:
    """Return a naive local time as UTC, and "" or what is odd about it in that zone.

    An ambiguous time is read as its first occurrence (before the clock went back);
    a skipped one as the clock would read it had it not jumped (its UTC offset before
    the jump), as Python's fold=0 does.
    """
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    flag = ""
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        flag = AMBIGUOUS if back == local else SKIPPED
    return first.astimezone(UTC), flag


def note_flag(problems: Problems, flag: str, name: str, where: str) -> None:
    """Tell the user, once per kind, that a local time could not be read with certainty."""
    if flag == AMBIGUOUS:
        problems.note(
            f"Some times in {name} (the first at {where}) fall in the hour the clock went back, "
            "so they happened twice: each was read as the first of the two and marked "
            "“ambiguous” in its record."
        )
    elif flag == SKIPPED:
        problems.note(
            f"Some times in {name} (the first at {where}) fall in the hour the clock skipped, "
            "which never happened in that zone: each was read with the offset before the jump "
            "and marked “skipped” in its record."
        )
