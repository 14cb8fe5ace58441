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

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from houseboat.connectors.base import Metrics, RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.listening.importers.base import (
    ImporterManifest,
    ImportFileError,
    Limits,
    Problems,
    check_not_empty,
    is_zip,
)
from houseboat.listening.importers.streaming import JsonReader
from houseboat.listening.records import Captured, MediaOpener

MANIFEST: ImporterManifest = {
    "name": "telegram-json",
    "label": "Telegram Desktop export of a chat or channel (result.json)",
    "network": "telegram",
    "expects": "the result.json of a Telegram Desktop export of one chat or channel, in JSON",
    "version": 1,
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
NOT_EXPORTED = "(File not included."
ENTITY_KINDS = {"hashtag", "mention", "link", "text_link", "email", "phone", "cashtag"}


def read(path: Path, problems: Problems, limits: Limits) -> Iterator[Captured]:
    """Yield the chat's messages in the export's order, service messages left out."""
    check_not_empty(path, MANIFEST)
    if is_zip(path):
        raise ImportFileError(
            f"{path.name} is a ZIP file: unpack the Telegram export and import its result.json."
        )
    folder = path.parent
    with path.open("rb") as stream:
        reader = JsonReader(stream, name=path.name, max_value=limits.max_record_bytes)
        if reader.peek() != "{":
            raise ImportFileError(
                f"{path.name} is not a Telegram export (it does not start with a JSON object): "
                f"expected {MANIFEST['expects']}. In Telegram Desktop choose “Export chat "
                "history” and the format “Machine-readable JSON”."
            )
        header: dict[str, Any] = {}
        try:
            for number, message in enumerate(reader.array_in_object("messages", header), 1):
                where = f"{path.name}, message {number:,}"
                if not isinstance(message, dict):
                    problems.bad(where, "the entry is not a message")
                    continue
                if message.get("type", "message") != "message":
                    continue
                try:
                    yield to_captured(message, header, folder, limits)
                except (ValueError, TypeError, AttributeError, KeyError) as exc:
                    problems.bad(where, f"the message cannot be read ({exc})")
        except ImportFileError as exc:
            if "has no 'messages' list" not in str(exc):
                raise
            if "chats" in header or "about" in header:
                raise ImportFileError(
                    f"{path.name} is a whole Telegram account export. Export one chat or "
                    "channel instead (its ⋮ menu → Export chat history, format JSON) and import "
                    "that result.json."
                ) from exc
            raise ImportFileError(
                f"{path.name} has no messages: expected {MANIFEST['expects']}."
            ) from exc


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


def created_at(message: Mapping[str, Any]) -> datetime | None:
    """Return when a message was sent; ``date`` alone is the exporting computer's local time."""
    if message.get("date_unixtime"):
        return datetime.fromtimestamp(int(message["date_unixtime"]), UTC)
    if message.get("date"):
        return datetime.fromisoformat(str(message["date"])).replace(tzinfo=UTC)
    return None


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


def to_captured(
    message: dict[str, Any], header: Mapping[str, Any], folder: Path, limits: Limits
) -> Captured:
    """Map one exported message to houseboat's record."""
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
    for field, kind in MEDIA_FIELDS.items():
        relative = message.get(field)
        if isinstance(relative, str) and relative:
            kind = MEDIA_TYPES.get(str(message.get("media_type")), kind)
            media.append(RemoteMedia(url=relative, kind=kind))
            opener = media_file(folder, relative, limits)
            if opener is not None:
                files[relative] = opener
    reply = message.get("reply_to_message_id")
    reactions = [r for r in message.get("reactions") or [] if isinstance(r, dict)]
    return Captured(
        RemoteItem(
            network="telegram",
            remote_id=f"{chat}:{number}",
            text=text,
            created_at=created_at(message),
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
            raw=message,
        ),
        media_files=files,
    )
