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
local time; ``--timezone`` names its zone (default UTC, and the import says so), and
importing again with it corrects the times stored (see ``localtime`` for the hour a
clock skips or repeats).

System lines are not messages: Android writes them without a sender, iPhones with
the chat's own name as the sender (see :func:`is_system`). A file that ends without
a line break may have been cut in the middle of its last message: that message gets
an id made from its time and sender only (``wa-cut-…``), so importing the whole chat
later replaces it (:func:`before_batch`) instead of adding the whole message beside it.

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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path, PurePosixPath
from typing import IO

from django.db import transaction
from django.utils.timezone import now as utc_now
from django.utils.translation import gettext_noop

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.listening.importers import localtime
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
from houseboat.listening.ingest import prepare
from houseboat.listening.models import Item
from houseboat.listening.records import Captured

MANIFEST: ImporterManifest = {
    "name": "whatsapp-txt",
    "label": gettext_noop("WhatsApp chat export (.txt, or the ZIP with media)"),
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
# A medium left out of the export, in English, Spanish, Portuguese, French and German.
OMITTED = re.compile(
    r"^(?:<Media omitted>|<Multimedia omitido>|<Mídia oculta>|<Médias omis>"
    r"|<Medien ausgeschlossen>"
    r"|(?P<kind>image|video|audio|sticker|GIF|document|Contact card) omitted"
    r"|(?P<es>imagen|video|audio|sticker|GIF|documento) omitid[oa]"
    r"|(?P<pt>imagem|vídeo|áudio|figurinha|GIF|documento) ocultad[oa]"
    r"|(?P<fr>image|vidéo|audio|autocollant|GIF|document) absente?"
    r"|(?P<de>Bild|Video|Audio|Sticker|GIF|Dokument) weggelassen)$",
    re.IGNORECASE,
)
KINDS = (
    (re.compile(r"PHOTO|IMG|STICKER|\.(?:jpe?g|png|webp|heic|gif)$", re.IGNORECASE), "image"),
    (re.compile(r"VIDEO|VID|\.(?:mp4|mov|3gp)$", re.IGNORECASE), "video"),
    (re.compile(r"AUDIO|PTT|AUD|\.(?:opus|m4a|mp3|aac|ogg)$", re.IGNORECASE), "audio"),
)
OMITTED_WORDS = {
    **dict.fromkeys(["image", "imagen", "imagem", "bild"], "image"),
    **dict.fromkeys(["sticker", "figurinha", "autocollant"], "image"),
    **dict.fromkeys(["gif", "video", "vídeo", "vidéo"], "video"),
    **dict.fromkeys(["audio", "áudio"], "audio"),
}
# The starts of system lines, as phones write them in their languages (compared casefolded).
SYSTEM_TEXTS = tuple(
    text.casefold()
    for text in (
        # end-to-end encryption notices
        "Messages and calls are end-to-end encrypted",
        "Messages to this group are now secured with end-to-end encryption",
        "Messages to this chat and calls are now secured with end-to-end encryption",
        "Messages you send to this chat and calls are now secured with end-to-end encryption",
        "Los mensajes y las llamadas están cifrados de extremo a extremo",
        "Los mensajes y llamadas están cifrados de extremo a extremo",
        "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta",
        "As mensagens e chamadas são protegidas com criptografia de ponta a ponta",
        "Les messages et les appels sont chiffrés de bout en bout",
        "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt",
        "I messaggi e le chiamate sono crittografati end-to-end",
        "Berichten en gesprekken worden end-to-end versleuteld",
        "Mesajlar ve aramalar uçtan uca şifrelidir",
        "Pesan dan panggilan terenkripsi secara end-to-end",
        "Сообщения и звонки защищены сквозным шифрованием",
        "Повідомлення та дзвінки захищені наскрізним шифруванням",
        "الرسائل والمكالمات مشفرة تمامًا بين الطرفين",
        "الرسائل والمكالمات مشفّرة تمامًا بين الطرفين",
        "संदेश और कॉल एंड-टू-एंड एन्क्रिप्टेड हैं",
        # business chats
        "This business uses a secure service from Meta to manage this chat",
        "This business is now using a secure service from Meta",
        "This business works with other companies to manage this chat",
        "This chat is with a business account",
        "This chat is with an official business account",
        "Esta empresa usa un servicio seguro de Meta para administrar este chat",
        "Esta empresa usa um serviço seguro da Meta para gerenciar esta conversa",
        "Cette entreprise utilise un service sécurisé de Meta pour gérer cette discussion",
        "Dieses Unternehmen nutzt einen sicheren Service von Meta, um diesen Chat zu verwalten",
        "Questa azienda usa un servizio sicuro di Meta per gestire questa chat",
        "تستخدم هذه النشاط التجاري خدمة آمنة من Meta لإدارة هذه الدردشة",
        "يستخدم هذا النشاط التجاري خدمة آمنة من Meta لإدارة هذه الدردشة",
        # disappearing messages, security codes
        "Disappearing messages were turned",
        "You turned on disappearing messages",
        "You turned off disappearing messages",
        "Your security code with",
    )
)


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


def text_lines(
    stream: IO[bytes], name: str, limits: Limits
) -> Iterator[tuple[int, str | None, bool]]:
    """Yield (line number, text, ended by a line break); text is None for a line too long."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for line in lines(stream, name=name, max_bytes=limits.max_record_bytes):
        if line.too_long:
            yield line.number, None, True
            continue
        try:
            text = decoder.decode(line.data + b"\n").rstrip("\r\n")
            yield line.number, text, line.complete
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
        for number, text, _complete in text_lines(stream, name, limits):
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


def moment(date: str, time: str, ampm: str | None, order: str, tz: tzinfo) -> tuple[datetime, str]:
    """Read a header's date and time as the phone wrote them; return it in UTC, and its flag."""
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
    return localtime.to_utc(datetime(year, month, day, hour, minute, second), tz)


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
    maybe_cut: bool = False  # the file ends inside it, without a line break


def is_system(sender: str, body: str, chat_names: set[str]) -> bool:
    """Tell a system line ("Messages and calls are end-to-end encrypted", "X added Y") apart.

    Android writes system lines without a sender. iPhones write the chat's own name
    (the group's, the business's) as the sender and start the text with an invisible
    U+200E, which they also put before a person's attachments. So a line is a system
    line when its text starts as a known system text does in one of the phones'
    languages (its sender is then the chat's name, remembered in ``chat_names``), or
    when the chat's name sends a text that starts with U+200E.
    """
    if body.lstrip(MARKS + " ").casefold().startswith(SYSTEM_TEXTS):
        chat_names.add(sender.strip(MARKS + " "))
        return True
    return body.startswith("\u200e") and sender.strip(MARKS + " ") in chat_names


def messages(name: str, stream: IO[bytes], limits: Limits, problems: Problems) -> Iterator[Message]:
    """Yield each message with its continuation lines; system lines are left out."""
    current: Message | None = None
    ended = True  # the last line read ended with a line break
    chat_names: set[str] = set()
    for number, text, complete in text_lines(stream, name, limits):
        ended = complete
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
        current = None
        rest = match.group("rest")
        sender, separator, first = rest.partition(": ")
        if not separator and rest.rstrip().endswith(":"):
            sender, separator, first = rest.rstrip()[:-1], ":", ""  # a message with no text
        if not separator or is_system(sender, first, chat_names):
            continue  # a member added, the encryption notice, a business's notice…
        current = Message(
            line=number,
            date=match.group("date"),
            time=match.group("time"),
            ampm=match.group("ampm"),
            sender=sender.strip(MARKS + " ").strip(),
            lines=[first],
        )
    if current is not None:
        if not ended:
            current.maybe_cut = True
            problems.note(
                f"{name} does not end with a line break, so its last message may be cut off "
                "(an interrupted copy?). It is marked as possibly cut; importing the whole "
                "chat later replaces it with the whole message."
            )
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
        word = next((w for w in match.groups() if w), "").casefold()
        return RemoteMedia(url="", kind=OMITTED_WORDS.get(word, "file")), None
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
        tz = localtime.zone(timezone, name, problems)
        seen: dict[str, int] = {}
        last_stamp = ""
        for message in messages(name, stream, limits, problems):
            stamp = f"{message.date} {message.time}{message.ampm or ''}"
            if stamp != last_stamp:
                seen.clear()  # identical messages are told apart within one minute only
                last_stamp = stamp
            try:
                captured = to_captured(message, name, order, tz, tree, seen, timezone)
            except (ValueError, OverflowError) as exc:
                problems.bad(
                    f"{name}, line {message.line:,}", f"the date or time cannot be read ({exc})"
                )
                continue
            flag = captured.item.raw.get("local_time", "")
            localtime.note_flag(problems, flag, name, f"line {message.line:,}")
            yield captured


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
    created_at, flag = moment(message.date, message.time, message.ampm, order, tz)
    media, file_name = attachment(message.lines[0])
    body = message.lines[1:] if media is not None else message.lines
    text = "\n".join(body).strip("\n")
    stamp = f"{message.date} {message.time}{message.ampm or ''}"
    whole = "\n".join(message.lines)
    digest = hashlib.sha256(f"{stamp}\n{message.sender}\n{whole}".encode()).hexdigest()[:20]
    seen[digest] = seen.get(digest, 0) + 1
    remote_id = f"wa-{digest}" if seen[digest] == 1 else f"wa-{digest}-{seen[digest]}"
    if message.maybe_cut:
        remote_id = cut_id(stamp, message.sender)
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
                **({"local_time": flag} if flag else {}),
                **({"maybe_cut": True} if message.maybe_cut else {}),
            },
        ),
        media_files=files,
    )


# --- a cut file's last message, replaced by a later import of the whole chat -----------------


def cut_id(stamp: str, sender: str) -> str:
    """Return the id of a possibly cut message: its time and sender, not its (partial) text."""
    return "wa-cut-" + hashlib.sha256(f"{stamp}\n{sender}".encode()).hexdigest()[:20]


def before_batch(campaign: Campaign, batch: Sequence[Captured]) -> dict[str, int]:
    """Replace stored fragments (the cut last message of an earlier file) by whole messages.

    The fragment keeps its place in the archive (its row, its counts) and takes the
    whole message's id, text and payload, so the whole message is then known, not added
    beside it. Return how many fragments were replaced.
    """
    wholes: dict[str, Captured] = {}
    for record in batch:
        raw = record.item.raw
        if record.item.network == "whatsapp" and not raw.get("maybe_cut") and "sender" in raw:
            stamp = f"{raw['date']} {str(raw['time']).replace(' ', '', 1)}"
            wholes.setdefault(cut_id(stamp, str(raw["sender"])), record)
    if not wholes:
        return {}
    fragments = Item.objects.filter(
        campaign=campaign, network="whatsapp", remote_id__in=list(wholes)
    ).values_list("id", "remote_id", "text")
    replaced = 0
    now = utc_now()
    for pk, remote_id, text in fragments:
        whole = wholes[remote_id]
        if not (whole.item.text or "").startswith(text or ""):
            continue  # another message at the same minute: not this fragment's whole
        prepared = prepare(whole, now)
        with transaction.atomic():
            Item.objects.filter(pk=pk).update(
                remote_id=whole.item.remote_id,
                text=prepared.text,
                hashtags=prepared.hashtags,
                mentions=prepared.mentions,
                links=prepared.links,
                raw=prepared.raw,
                raw_sha256=prepared.raw_sha256,
            )
        replaced += 1
    return {"fragments_replaced": replaced}
