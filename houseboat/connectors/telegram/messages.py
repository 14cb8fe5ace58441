"""Telegram's messages: their public links, and a Bot API message read as houseboat's item."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from houseboat.connectors.base import RemoteAuthor, RemoteItem, RemoteMedia


def message_url(chat: Mapping[str, Any], message_id: int) -> str:
    """The t.me link of a message: public for a channel with a username, else members only."""
    if chat.get("username"):
        return f"https://t.me/{chat['username']}/{message_id}"
    chat_id = str(chat.get("id", ""))
    if chat_id.startswith("-100") and chat.get("type") in ("channel", "supergroup"):
        return f"https://t.me/c/{chat_id.removeprefix('-100')}/{message_id}"
    return ""


def utf16_slice(text: str, offset: int, length: int) -> str:
    """Cut text the way Telegram measures entity offsets: in UTF-16 code units."""
    encoded = text.encode("utf-16-le")
    return encoded[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


def read_item(message: Mapping[str, Any], update: Mapping[str, Any]) -> RemoteItem:
    chat = message.get("chat") or {}
    chat_id = chat.get("id", "")
    text = message.get("text") or message.get("caption") or ""
    entities = message.get("entities") or message.get("caption_entities") or []
    hashtags, mentions, links = _entities(text, entities)
    reply = message.get("reply_to_message")
    date = message.get("date")
    return RemoteItem(
        network="telegram",
        remote_id=f"{chat_id}:{message['message_id']}",
        text=text,
        created_at=datetime.fromtimestamp(date, UTC) if isinstance(date, int) else None,
        author=_author(message.get("sender_chat") or message.get("from") or chat),
        url=message_url(chat, message["message_id"]),
        reply_to_id=f"{chat_id}:{reply['message_id']}" if isinstance(reply, dict) else "",
        repost_of_id=_origin(message.get("forward_origin")),
        hashtags=hashtags,
        mentions=mentions,
        links=links,
        media=_media(message),
        raw=dict(update),
    )


def _author(sender: Mapping[str, Any]) -> RemoteAuthor | None:
    if not sender or "id" not in sender:
        return None
    name = sender.get("title") or " ".join(
        part for part in (sender.get("first_name"), sender.get("last_name")) if part
    )
    username = sender.get("username") or ""
    return RemoteAuthor(
        remote_id=str(sender["id"]),
        handle=username or name,
        display_name=name,
        url=f"https://t.me/{username}" if username else "",
    )


def _entities(
    text: str, entities: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[str], list[str]]:
    hashtags: list[str] = []
    mentions: list[str] = []
    links: list[str] = []
    for entity in entities:
        kind = entity.get("type")
        piece = utf16_slice(text, int(entity.get("offset", 0)), int(entity.get("length", 0)))
        if kind == "hashtag":
            hashtags.append(piece.lstrip("#"))
        elif kind == "mention":
            mentions.append(piece.lstrip("@"))
        elif kind == "text_mention" and (entity.get("user") or {}).get("username"):
            mentions.append(entity["user"]["username"])
        elif kind == "url":
            links.append(piece if "://" in piece else f"http://{piece}")
        elif kind == "text_link" and entity.get("url"):
            links.append(entity["url"])
    return hashtags, mentions, links


def _origin(origin: Any) -> str:
    """Where a forwarded message came from: "<chat_id>:<message_id>" for a channel post,
    else "<origin type>:<sender>" (Telegram gives no message id for those)."""
    if not isinstance(origin, dict):
        return ""
    kind = origin.get("type", "")
    if kind == "channel" and origin.get("chat") and origin.get("message_id"):
        return f"{origin['chat'].get('id')}:{origin['message_id']}"
    if kind == "user" and origin.get("sender_user"):
        return f"user:{origin['sender_user'].get('id')}"
    if kind == "chat" and origin.get("sender_chat"):
        return f"chat:{origin['sender_chat'].get('id')}"
    if kind == "hidden_user":
        return f"hidden_user:{origin.get('sender_user_name', '')}"
    return f"{kind or 'forward'}:"


def _media(message: Mapping[str, Any]) -> list[RemoteMedia]:
    """Files as "tg-file:<file_id>" placeholders: downloading needs getFile and the token."""
    media = []
    if message.get("photo"):
        largest = max(
            message["photo"], key=lambda size: size.get("width", 0) * size.get("height", 0)
        )
        media.append(RemoteMedia(url=f"tg-file:{largest['file_id']}", kind="image"))
    for key, kind in (("video", "video"), ("animation", "video"), ("audio", "audio")):
        if isinstance(message.get(key), dict) and message[key].get("file_id"):
            media.append(RemoteMedia(url=f"tg-file:{message[key]['file_id']}", kind=kind))
    document = message.get("document")
    if isinstance(document, dict) and document.get("file_id") and "animation" not in message:
        media.append(RemoteMedia(url=f"tg-file:{document['file_id']}", kind="file"))
    return media
