"""A Telegram Desktop export of one chat or channel: ``result.json`` (machine-readable JSON).

The file holds the chat's ``name``, ``type`` and ``id`` and its ``messages``. A
message's ``text`` is a string or a list of strings and entity objects (``{"type":
"hashtag", "text": "#x"}``, ``text_link`` with an ``href``, …); newer exports add
``text_entities`` and ``date_unixtime``. Pictures and files are paths relative to
the export folder (``photos/photo_1@28-05-2024_10-20-00.jpg``); they are stored in
the archive when they are there and stay inside that folder.

Ids follow the Bot API, as the Telegram connector reads them: the chat of a
channel or supergroup is ``-100<id>``, a message is ``<chat id>:<message id>``.
Service messages (a channel created, a member joined) are not posts and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext_noop

from houseboat.connectors.base import Metrics, RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.listening.importers import localtime
from houseboat.listening.importers.base import (
    ImporterManifest,
    ImportFileError,
    Limits,
    Problems,
    check_not_empty,
    is_zip,
    usable,
)
from houseboat.listening.importers.streaming import JsonReader
from houseboat.listening.records import Captured, MediaOpener

MANIFEST: ImporterManifest = {
    "name": "telegram-json",
    "label": gettext_noop(
        "Telegram Desktop export: one chat or channel, or the whole account (result.json)"
    ),
    "network": "telegram",
    "expects": (
        "the result.json of a Telegram Desktop export (one chat or channel, or “Export "
        "Telegram data” of the whole account), in JSON"
    ),
    "version": 2,
    "options": ["timezone", "chat"],
}

SUPERGROUP_TYPES = {"public_channel", "private_channel", "public_supergroup", "private_supergroup"}
MEDIA_FIELDS = {"photo": "image", "file": "file"}
MEDIA_TYPES = {
    "video_file": "video",
    "animation": "video",
    "video_message": "video",
    "voice_message": "audio",
    "audio_file": "audio",
}
# "(File not included. Change data exporting settings to download.)", "(File exceeds
# maximum size. …)": a file the export left out is named by a sentence in brackets.
NOT_EXPORTED = "("
ENTITY_KINDS = {"hashtag", "mention", "link", "text_link", "email", "phone", "cashtag"}
# The sections of a whole-account export that hold chats (each a {"list": [chat, …]}).
CHAT_SECTIONS = ("chats", "left_chats")


@dataclass
class Reading:
    """What one read of an export needs besides the file: the zone, the chats chosen."""

    folder: Path
    limits: Limits
    problems: Problems
    name: str
    timezone: str
    tz: tzinfo | None = None
    chosen: frozenset[str] = frozenset()
    found: set[str] = field(default_factory=set)
    chats: int = 0

    def zone(self) -> tzinfo:
        """Return the zone of local times, noting once that they were read as UTC if unnamed."""
        if self.tz is None:
            self.tz = localtime.zone(self.timezone, self.name, self.problems, "the computer's")
        return self.tz


def chosen_names(chat: str | Sequence[str]) -> frozenset[str]:
    names = [chat] if isinstance(chat, str) else list(chat or [])
    return frozenset(n.strip().casefold() for n in names if n and n.strip())


def read(
    path: Path,
    problems: Problems,
    limits: Limits,
    *,
    timezone: str = "",
    chat: str | Sequence[str] = (),
) -> Iterator[Captured]:
    """Yield the messages of the export in its order, service messages left out.

    A whole-account export yields every chat's messages, or those of the chats
    named (by name or id, ``--chat``).
    """
    check_not_empty(path, MANIFEST)
    if is_zip(path):
        raise ImportFileError(
            f"{path.name} is a ZIP file: unpack the Telegram export and import its result.json."
        )
    if timezone:
        localtime.zone(timezone, path.name, problems)  # refuse an unknown zone at once
    reading = Reading(
        folder=path.parent,
        limits=limits,
        problems=problems,
        name=path.name,
        timezone=timezone,
        chosen=chosen_names(chat),
    )
    with path.open("rb") as stream:
        reader = JsonReader(stream, name=path.name, max_value=limits.max_record_bytes)
        if reader.peek() != "{":
            raise ImportFileError(
                f"{path.name} is not a Telegram export (it does not start with a JSON object): "
                f"expected {MANIFEST['expects']}. In Telegram Desktop choose “Export chat "
                "history” and the format “Machine-readable JSON”."
            )
        header: dict[str, Any] = {}
        for name in reader.members():
            if name == "messages" and reader.peek() == "[":
                reading.chats += 1
                yield from chat_messages(reader, header, reading, whole_account=False)
            elif name in CHAT_SECTIONS and reader.peek() == "{":
                yield from section_messages(reader, reading)
            else:
                header[name] = reader.value(f"the value of {name!r}")
        reader.end()
    if not reading.chats:
        raise ImportFileError(f"{path.name} has no messages: expected {MANIFEST['expects']}.")
    missing = reading.chosen - reading.found
    if missing:
        raise ImportFileError(
            f"No chat in {path.name} is called {', '.join(sorted(missing))!r}: give the chat's "
            "name as Telegram shows it, or its number. Nothing was imported."
        )


def section_messages(reader: JsonReader, reading: Reading) -> Iterator[Captured]:
    """Yield the messages of the chats of one section of a whole-account export."""
    for name in reader.members():
        if name != "list" or reader.peek() != "[":
            reader.value(f"the value of {name!r}")
            continue
        reader.expect("[", "a list of chats")
        if reader.peek() == "]":
            reader.pos += 1
            continue
        while True:
            yield from one_chat(reader, reading)
            char = reader.peek()
            reader.pos += 1
            if char == "]":
                break
            if char != ",":
                reader.pos -= 1
                raise reader.damaged("a comma or the end of the list of chats")


def one_chat(reader: JsonReader, reading: Reading) -> Iterator[Captured]:
    """Yield one chat's messages (or skip them when the chat was not chosen)."""
    header: dict[str, Any] = {}
    for name in reader.members("a chat"):
        if name != "messages" or reader.peek() != "[":
            header[name] = reader.value(f"the value of {name!r}")
            continue
        reading.chats += 1
        if is_chosen(header, reading):
            yield from chat_messages(reader, header, reading, whole_account=True)
        else:
            for _message in reader.array():
                pass


def is_chosen(header: Mapping[str, Any], reading: Reading) -> bool:
    """Tell whether a chat of a whole-account export is to be imported (and remember it)."""
    if not reading.chosen:
        return True
    names = {str(header.get("name") or "").casefold(), str(header.get("id") or "")}
    matched = names & reading.chosen
    reading.found |= matched
    return bool(matched)


def chat_messages(
    reader: JsonReader, header: Mapping[str, Any], reading: Reading, *, whole_account: bool
) -> Iterator[Captured]:
    """Yield the messages of the chat whose ``messages`` list starts here."""
    where_chat = f"{reading.name}, chat {header.get('id', '?')}" if whole_account else reading.name
    for number, message in enumerate(reader.array(), 1):
        where = f"{where_chat}, message {number:,}"
        message = usable(message, where, reading.problems)
        if message is None:
            continue
        if not isinstance(message, dict):
            reading.problems.bad(where, "the entry is not a message")
            continue
        if message.get("type", "message") != "message":
            continue
        try:
            captured = to_captured(message, header, reading)
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
            reading.problems.bad(where, f"the message cannot be read ({exc})")
            continue
        flag = captured.item.raw.get("local_time", "")
        localtime.note_flag(reading.problems, flag, reading.name, f"message {number:,}")
        yield captured


def chat_id(header: Mapping[str, Any]) -> str:
    """Return the chat's id as the Bot API writes it."""
    raw = str(header.get("id") or "")
    if not raw:
        raise ValueError("the export does not say which chat it is")
    if header.get("type") in SUPERGROUP_TYPES:
        return f"-100{raw}"
    if header.get("type") == "private_group":
        return f"-{raw}"
    return raw


def sender_id(from_id: Any) -> str:
    """Turn the export's "channel123" / "user123" into the Bot API's "-100123" / "123"."""
    value = str(from_id or "")
    if value.startswith("channel"):
        return "-100" + value.removeprefix("channel")
    if value.startswith("chat"):
        return "-" + value.removeprefix("chat")
    return value.removeprefix("user")


def text_and_entities(message: Mapping[str, Any]) -> tuple[str, list[Mapping[str, Any]]]:
    """Return a message's plain text and its entities, from either shape of ``text``."""
    text = message.get("text", "")
    parts = text if isinstance(text, list) else [text]
    plain = "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in parts)
    entities = message.get("text_entities")
    if not isinstance(entities, list):
        entities = [p for p in parts if isinstance(p, dict)]
    return plain, [e for e in entities if isinstance(e, dict) and e.get("type") in ENTITY_KINDS]


def created_at(message: Mapping[str, Any], reading: Reading) -> tuple[datetime | None, str]:
    """Return when a message was sent, and "" or what is odd about its local time.

    ``date_unixtime`` (exports since 2021) is the moment itself; ``date`` alone (older
    exports) is the exporting computer's local time, read in ``--timezone``.
    """
    if message.get("date_unixtime"):
        return datetime.fromtimestamp(int(message["date_unixtime"]), UTC), ""
    if message.get("date"):
        local = datetime.fromisoformat(str(message["date"]))
        if local.tzinfo is not None:
            return local.astimezone(UTC), ""
        return localtime.to_utc(local, reading.zone())
    return None, ""


def media_file(folder: Path, relative: str, limits: Limits) -> MediaOpener | None:
    """Return an opener for a file of the export, only if it lies inside the export folder."""
    if not relative or relative.startswith(NOT_EXPORTED):
        return None
    base = folder.resolve()
    candidate = folder / relative
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(base) or candidate.is_symlink() or not resolved.is_file():
        return None
    if resolved.stat().st_size > limits.max_media_bytes:
        return None

    def open_file() -> AbstractContextManager[IO[bytes]]:
        return resolved.open("rb")

    return open_file


def to_captured(message: dict[str, Any], header: Mapping[str, Any], reading: Reading) -> Captured:
    """Map one exported message to houseboat's record."""
    folder, limits = reading.folder, reading.limits
    chat = chat_id(header)
    number = int(message["id"])
    text, entities = text_and_entities(message)
    author = None
    if message.get("from_id") or message.get("from"):
        name = str(message.get("from") or "")
        author = RemoteAuthor(
            remote_id=sender_id(message.get("from_id")) or name,
            handle=name,
            display_name=name,
        )
    media, files = [], {}
    for key, kind in MEDIA_FIELDS.items():
        relative = message.get(key)
        if isinstance(relative, str) and relative:
            kind = MEDIA_TYPES.get(str(message.get("media_type")), kind)
            if relative.startswith(NOT_EXPORTED):
                media.append(RemoteMedia(url="", kind=kind))  # left out of the export
                continue
            media.append(RemoteMedia(url=relative, kind=kind))
            opener = media_file(folder, relative, limits)
            if opener is not None:
                files[relative] = opener
    moment, flag = created_at(message, reading)
    reply = message.get("reply_to_message_id")
    reactions = [r for r in message.get("reactions") or [] if isinstance(r, dict)]
    return Captured(
        RemoteItem(
            network="telegram",
            remote_id=f"{chat}:{number}",
            text=text,
            created_at=moment,
            author=author,
            url=(
                f"https://t.me/c/{header['id']}/{number}"
                if header.get("type") in SUPERGROUP_TYPES
                else ""
            ),
            reply_to_id=f"{chat}:{reply}" if reply else "",
            hashtags=[str(e["text"]) for e in entities if e["type"] == "hashtag" and e.get("text")],
            mentions=[str(e["text"]) for e in entities if e["type"] == "mention" and e.get("text")],
            links=[
                str(e.get("href") or e.get("text"))
                for e in entities
                if e["type"] in ("link", "text_link") and (e.get("href") or e.get("text"))
            ],
            media=media,
            metrics=Metrics(
                likes=sum(int(r.get("count") or 0) for r in reactions) if reactions else None
            ),
            raw={**message, "local_time": flag} if flag else message,
        ),
        media_files=files,
    )


def chat_list(path: Path, limits: Limits) -> list[dict[str, Any]]:
    """Return the chats of a whole-account export (name, id, messages); [] for one chat.

    The Import page offers these as a checklist; the import itself checks the names.
    """
    chats: list[dict[str, Any]] = []
    with path.open("rb") as stream:
        reader = JsonReader(stream, name=path.name, max_value=limits.max_record_bytes)
        if reader.peek() != "{":
            return []
        for name in reader.members():
            if name == "messages":
                return []  # one chat or channel: nothing to choose
            if name not in CHAT_SECTIONS or reader.peek() != "{":
                reader.value(f"the value of {name!r}")
                continue
            for key in reader.members():
                if key != "list" or reader.peek() != "[":
                    reader.value(f"the value of {key!r}")
                    continue
                reader.expect("[", "a list of chats")
                if reader.peek() == "]":
                    reader.pos += 1
                    continue
                while True:
                    chat: dict[str, Any] = {"messages": 0}
                    for field_name in reader.members("a chat"):
                        if field_name == "messages" and reader.peek() == "[":
                            chat["messages"] = sum(1 for _ in reader.array())
                        else:
                            chat[field_name] = reader.value()
                    if chat.get("name") or chat.get("id"):
                        chats.append(
                            {
                                "name": str(chat.get("name") or chat.get("id")),
                                "id": str(chat.get("id") or ""),
                                "messages": chat["messages"],
                            }
                        )
                    char = reader.peek()
                    reader.pos += 1
                    if char == "]":
                        break
                    if char != ",":
                        raise reader.damaged("a comma or the end of the list of chats")
    return chats
