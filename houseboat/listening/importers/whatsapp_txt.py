"""A WhatsApp chat export: the ``.txt`` a phone writes ("Export chat"), alone or in its ZIP.

Each message starts with the date and time in the phone's own locale format, then
the sender and the text; lines that do not start so continue the message before:

- iPhone: ``[24/11/2026, 21:05:33] Name: text`` (``[11/24/26, 9:05:33 PM]`` in the US);
- Android: ``24/11/2026, 21:05 - Name: text`` (``11/24/26, 9:05 PM - Name: text``).

Seconds may be there or not, the clock 12 or 24 hours, the date separated by ``/``,
``.`` or ``-``, and phones put invisible marks in (U+200E before system lines and
attachments, U+202F before AM/PM); they are ignored when reading the line.

Whether 03/04 is the 3rd of April or March the 4th is decided from the whole file,
never line by line: a first number over 12 anywhere means day first, a second one
over 12 means month first. When no day in the file is past the 12th the file alone
cannot say, and the import asks for ``--date-order dmy`` (or ``mdy``), except for
dates written with dots, which no locale writes month first. Times are the phone's
local time; ``--timezone`` names its zone (default UTC), and the import says so.

Media: ``<attached: 00000012-PHOTO-2026-11-24-21-05-33.jpg>`` (iPhone) and
``IMG-20261124-WA0001.jpg (file attached)`` (Android) name a file that the ZIP
holds when the chat was exported with media; ``<Media omitted>`` and ``image
omitted`` mark one that was left out.

Participants are private people. Their names are stored as the file gives them,
like any author, but they never appear in an error message or a log line.
Messages carry no ids: each gets one made from its date, time, sender and text.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path, PurePosixPath
from typing import IO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from houseboat.connectors.base import RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.listening.importers.base import (
    ImporterManifest,
    ImportFileError,
    Limits,
    MiB,
    Problems,
    check_not_empty,
    is_zip,
)
from houseboat.listening.importers.streaming import lines
from houseboat.listening.importers.tree import Tree, open_tree
from houseboat.listening.records import Captured

MANIFEST: ImporterManifest = {
    "name": "whatsapp-txt",
    "label": "WhatsApp chat export (.txt, or the ZIP with media)",
    "network": "whatsapp",
    "expects": ("a WhatsApp chat export: the .txt file from “Export chat”, or the ZIP it comes in"),
    "version": 1,
    "folders": True,
    "options": ["date_order", "timezone"],
}

DATE_ORDERS = ("dmy", "mdy", "ymd")
MARKS = "\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HEADER = re.compile(
    r"^(?P<bracket>\[)?"
    r"(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}),?\s"
    r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    r"(?:\s?(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?"
    r"(?(bracket)\]\s|\s[-\u2013]\s)"  # Android: a hyphen, or an en dash on some phones
    r"(?P<rest>.*)$",
    re.DOTALL,
)
DATE_PARTS = re.compile(r"[./-]")
ATTACHED_IOS = re.compile(r"^<attached: (?P<file>[^<>/\\]+)>$")
ATTACHED_ANDROID = re.compile(r"^(?P<file>[^<>/\\]+\.\w{2,5}) \(file attached\)$")
OMITTED = re.compile(
    r"^(?:<Media omitted>|(?P<kind>image|video|audio|sticker|GIF|document|Contact card) omitted)$"
)
KINDS = (
    (re.compile(r"PHOTO|IMG|STICKER|\.(?:jpe?g|png|webp|heic|gif)$", re.IGNORECASE), "image"),
    (re.compile(r"VIDEO|VID|\.(?:mp4|mov|3gp)$", re.IGNORECASE), "video"),
    (re.compile(r"AUDIO|PTT|AUD|\.(?:opus|m4a|mp3|aac|ogg)$", re.IGNORECASE), "audio"),
)
OMITTED_KINDS = {
    "image": "image",
    "sticker": "image",
    "GIF": "video",
    "video": "video",
    "audio": "audio",
}


def clean(line: str) -> str:
    """Drop the invisible marks phones insert and make odd spaces plain, for parsing only."""
    return line.replace("\u202f", " ").replace("\u00a0", " ").lstrip(MARKS)


# --- finding the chat -----------------------------------------------------------------------


@contextmanager
def chat_text(path: Path, limits: Limits) -> Iterator[tuple[str, IO[bytes], Tree | None]]:
    """Open the chat's text: the file itself, or the .txt inside a ZIP or folder."""
    if path.is_file() and not is_zip(path):
        with path.open("rb") as stream:
            yield path.name, stream, None
        return
    with open_tree(path, limits, expects=MANIFEST["expects"]) as tree:
        texts = [n for n in tree.names if n.lower().endswith(".txt")]
        chosen = (
            [n for n in texts if PurePosixPath(n).name == "_chat.txt"]
            or [n for n in texts if PurePosixPath(n).name.startswith("WhatsApp Chat")]
            or (texts if len(texts) == 1 else [])
        )
        if not chosen:
            raise ImportFileError(
                f"{path.name} holds no WhatsApp chat (no _chat.txt or “WhatsApp Chat … .txt”): "
                f"expected {MANIFEST['expects']}."
            )
        with tree.open(chosen[0]) as stream:
            yield PurePosixPath(chosen[0]).name, stream, tree


def text_lines(stream: IO[bytes], name: str, limits: Limits) -> Iterator[tuple[int, str | None]]:
    """Yield (line number, text) of the chat; text is None for a line too long to read."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for line in lines(stream, name=name, max_bytes=limits.max_record_bytes):
        if line.too_long:
            yield line.number, None
            continue
        try:
            yield line.number, decoder.decode(line.data + b"\n").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"{name} is not UTF-8 text (line {line.number:,}): is it a WhatsApp chat export?"
            ) from exc


# --- the date order, from the whole file ----------------------------------------------------


@dataclass
class Evidence:
    """What the file's dates say about their order."""

    headers: int = 0
    year_first: bool = False
    day_first: bool = False  # a first number over 12
    month_first: bool = False  # a second number over 12
    separators: set[str] = field(default_factory=set)


def gather(path: Path, limits: Limits) -> Evidence:
    """Read the whole chat once and collect what its dates say; refuse what is not a chat."""
    evidence = Evidence()
    with chat_text(path, limits) as (name, stream, _tree):
        for number, text in text_lines(stream, name, limits):
            if text is None:
                continue
            match = HEADER.match(clean(text))
            if match is None:
                if evidence.headers == 0 and text.strip(MARKS + " \t"):
                    raise ImportFileError(
                        f"{name} does not look like a WhatsApp chat export: line {number:,} does "
                        "not start with a date and time. Expected "
                        f"{MANIFEST['expects']}."
                    )
                continue
            evidence.headers += 1
            date = match.group("date")
            first, second, _third = DATE_PARTS.split(date)
            evidence.separators.add(date[len(first)])
            if len(first) == 4:
                evidence.year_first = True
            elif int(first) > 12:
                evidence.day_first = True
            elif int(second) > 12:
                evidence.month_first = True
    return evidence


def decide_date_order(evidence: Evidence, given: str, name: str, problems: Problems) -> str:
    """Decide how to read the dates: from the file, else from --date-order."""
    if given and given not in DATE_ORDERS:
        raise ImportFileError(f"--date-order must be one of {', '.join(DATE_ORDERS)}.")
    if evidence.year_first:
        return "ymd"
    if evidence.day_first and evidence.month_first:
        raise ImportFileError(
            f"{name} has dates with the day first and others with the month first: the file "
            "mixes two formats and cannot be read reliably."
        )
    found = "dmy" if evidence.day_first else "mdy" if evidence.month_first else ""
    if found and given and given != found:
        raise ImportFileError(
            f"{name} writes its dates {found}: some date in it cannot be read as {given}. "
            "Leave out --date-order."
        )
    if found:
        return found
    if given:
        problems.note(
            f"No day in {name} is past the 12th, so its dates were read as {given} "
            "because --date-order said so."
        )
        return given
    if evidence.separators == {"."}:
        problems.note(
            f"No day in {name} is past the 12th; its dates are written with dots, which no "
            "phone writes month first, so they were read as day.month.year."
        )
        return "dmy"
    raise ImportFileError(
        f"No day in {name} is past the 12th, so its dates could be day/month or month/day. "
        "Import it again with --date-order dmy (day first, as most of the world writes "
        "dates) or --date-order mdy (month first, as phones set to US English do). "
        "Nothing was imported."
    )


def zone(given: str, name: str, problems: Problems) -> tzinfo:
    if not given:
        problems.note(
            f"The times in {name} are the phone's local time; they were read as UTC. Import "
            "again with --timezone Area/City (for example Africa/Cairo) for the phone's zone."
        )
        return UTC
    try:
        return ZoneInfo(given)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImportFileError(
            f"{given!r} is not a time zone houseboat knows: use a name such as Africa/Cairo "
            "or America/Bogota."
        ) from exc


def moment(date: str, time: str, ampm: str | None, order: str, tz: tzinfo) -> datetime:
    """Read a header's date and time as the phone wrote them; return the moment in UTC."""
    parts = [int(p) for p in DATE_PARTS.split(date)]
    year, month, day = {
        "dmy": (parts[2], parts[1], parts[0]),
        "mdy": (parts[2], parts[0], parts[1]),
        "ymd": (parts[0], parts[1], parts[2]),
    }[order]
    if year < 100:
        year += 2000
    clock = [int(p) for p in re.split(r"[:.]", time)]
    hour, minute, second = clock[0], clock[1], clock[2] if len(clock) > 2 else 0
    if ampm:
        pm = ampm.strip().lower().startswith("p")
        if not 1 <= hour <= 12:
            raise ValueError("the hour does not fit a 12-hour clock")
        hour = hour % 12 + (12 if pm else 0)
    local = datetime(year, month, day, hour, minute, second, tzinfo=tz)
    return local.astimezone(UTC)


# --- the messages ---------------------------------------------------------------------------


@dataclass
class Message:
    line: int
    date: str
    time: str
    ampm: str | None
    sender: str
    lines: list[str]
    size: int = 0


def messages(name: str, stream: IO[bytes], limits: Limits, problems: Problems) -> Iterator[Message]:
    """Yield each message with its continuation lines; system lines (no sender) are left out."""
    current: Message | None = None
    for number, text in text_lines(stream, name, limits):
        where = f"{name}, line {number:,}"
        if text is None:
            problems.bad(
                where,
                f"the line is longer than {limits.max_record_bytes // MiB} MB, the most houseboat "
                "reads in one message",
            )
            continue
        match = HEADER.match(clean(text))
        if match is None:
            if current is not None:
                current.lines.append(text)
                current.size += len(text)
                if current.size > limits.max_record_bytes:
                    problems.bad(where, "the message is longer than houseboat reads in one record")
                    current = None
            continue
        if current is not None:
            yield current
        sender, separator, first = match.group("rest").partition(": ")
        if not separator:
            current = None  # "Messages and calls are end-to-end encrypted", a member added…
            continue
        current = Message(
            line=number,
            date=match.group("date"),
            time=match.group("time"),
            ampm=match.group("ampm"),
            sender=sender.strip(MARKS + " ").strip(),
            lines=[first],
        )
    if current is not None:
        yield current


def attachment(first: str) -> tuple[RemoteMedia | None, str | None]:
    """Return the media a message's first line names, and the file name when it is attached."""
    line = clean(first).strip()
    for pattern in (ATTACHED_IOS, ATTACHED_ANDROID):
        match = pattern.match(line)
        if match:
            file_name = match.group("file").strip()
            kind = next((k for p, k in KINDS if p.search(file_name)), "file")
            return RemoteMedia(url=file_name, kind=kind), file_name
    match = OMITTED.match(line)
    if match:
        return RemoteMedia(url="", kind=OMITTED_KINDS.get(match.group("kind") or "", "file")), None
    return None, None


def read(
    path: Path, problems: Problems, limits: Limits, *, date_order: str = "", timezone: str = ""
) -> Iterator[Captured]:
    """Yield the chat's messages in order, with the date order decided from the whole file."""
    if not path.is_dir():
        check_not_empty(path, MANIFEST)
    evidence = gather(path, limits)
    with chat_text(path, limits) as (name, stream, tree):
        if evidence.headers == 0:
            raise ImportFileError(
                f"{name} does not look like a WhatsApp chat export: no line starts with a date "
                f"and time. Expected {MANIFEST['expects']}."
            )
        order = decide_date_order(evidence, date_order, name, problems)
        tz = zone(timezone, name, problems)
        seen: dict[str, int] = {}
        last_stamp = ""
        for message in messages(name, stream, limits, problems):
            stamp = f"{message.date} {message.time}{message.ampm or ''}"
            if stamp != last_stamp:
                seen.clear()  # identical messages are told apart within one minute only
                last_stamp = stamp
            try:
                yield to_captured(message, name, order, tz, tree, seen, timezone)
            except (ValueError, OverflowError) as exc:
                problems.bad(
                    f"{name}, line {message.line:,}", f"the date or time cannot be read ({exc})"
                )


def to_captured(
    message: Message,
    name: str,
    order: str,
    tz: tzinfo,
    tree: Tree | None,
    seen: dict[str, int],
    given_zone: str,
) -> Captured:
    """Map one message to houseboat's record."""
    created_at = moment(message.date, message.time, message.ampm, order, tz)
    media, file_name = attachment(message.lines[0])
    body = message.lines[1:] if media is not None else message.lines
    text = "\n".join(body).strip("\n")
    stamp = f"{message.date} {message.time}{message.ampm or ''}"
    whole = "\n".join(message.lines)
    digest = hashlib.sha256(f"{stamp}\n{message.sender}\n{whole}".encode()).hexdigest()[:20]
    seen[digest] = seen.get(digest, 0) + 1
    remote_id = f"wa-{digest}" if seen[digest] == 1 else f"wa-{digest}-{seen[digest]}"
    files = {}
    if file_name and tree is not None:
        found = tree.by_basename.get(file_name)
        opener = tree.opener(found) if found else None
        if opener is not None:
            files[file_name] = opener
    return Captured(
        RemoteItem(
            network="whatsapp",
            remote_id=remote_id,
            text=text,
            created_at=created_at,
            author=RemoteAuthor(remote_id="", handle=message.sender, display_name=message.sender)
            if message.sender
            else None,
            media=[media] if media is not None else [],
            raw={
                "file": name,
                "line": message.line,
                "date": message.date,
                "time": message.time + (f" {message.ampm}" if message.ampm else ""),
                "sender": message.sender,
                "text": whole,
                "read_as": {"date_order": order, "timezone": given_zone or "UTC"},
            },
        ),
        media_files=files,
    )
