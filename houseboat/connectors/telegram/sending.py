"""Sending to Telegram: which method each file needs, captions, flags, and the answers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from houseboat.connectors.base import (
    MediaFile,
    OutcomeUnknown,
    OutgoingPost,
    PayloadRejected,
    Published,
)
from houseboat.connectors.telegram.messages import message_url

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
VIDEO_TYPES = ("video/mp4",)
DOCUMENT_TYPES = ("image/gif", "application/pdf")


def media_kinds(media: Sequence[MediaFile]) -> list[str]:
    kinds = []
    for item in media:
        if item.mime_type in PHOTO_TYPES:
            kinds.append("photo")
        elif item.mime_type in VIDEO_TYPES:
            kinds.append("video")
        elif item.mime_type in DOCUMENT_TYPES:
            kinds.append("document")
        else:
            raise PayloadRejected(
                f"houseboat does not send {item.mime_type} files ({item.path.name}) to Telegram. "
                f"It sends: {', '.join(PHOTO_TYPES + VIDEO_TYPES + DOCUMENT_TYPES)}."
            )
    return kinds


def reply_target(post: OutgoingPost) -> int | None:
    target = post.reply_to or post.thread_root
    return message_number(target.remote_id) if target else None


def message_number(remote_id: Any) -> int:
    """A message id from a Published ("42") or a read item ("-100123:42")."""
    try:
        return int(str(remote_id).rsplit(":", 1)[-1])
    except ValueError:
        raise PayloadRejected(
            f"“{remote_id}” is not a Telegram message id, so houseboat cannot refer to it."
        ) from None


def flags(options: Mapping[str, Any]) -> dict[str, bool]:
    return {
        name: bool(options[name])
        for name in ("disable_notification", "protect_content")
        if name in options
    }


def form_flags(options: Mapping[str, Any]) -> dict[str, str]:
    return {name: "true" if value else "false" for name, value in flags(options).items()}


def caption_fields(
    caption: str, options: Mapping[str, Any], *, as_json: bool = True
) -> dict[str, Any]:
    """Caption, parse_mode or caption_entities, for a form (JSON strings) or an album item."""
    if not caption:
        return {}
    fields: dict[str, Any] = {"caption": caption}
    if options.get("parse_mode"):
        fields["parse_mode"] = options["parse_mode"]
    elif options.get("entities"):
        entities = list(options["entities"])
        fields["caption_entities"] = json.dumps(entities) if as_json else entities
    return fields


def checked_message(result: Any, scrub: Any) -> dict[str, Any]:
    if not isinstance(result, dict) or not isinstance(result.get("message_id"), int):
        raise OutcomeUnknown(
            "Telegram answered without the message's id, so houseboat cannot tell what went "
            "out; look at the channel before sending again.",
            reason=scrub(json.dumps(result)[:200]),
        )
    return result


def published_of(messages: list[dict[str, Any]]) -> Published:
    first = messages[0]
    chat = first.get("chat") or {}
    return Published(
        remote_id=str(first["message_id"]),
        url=message_url(chat, first["message_id"]),
        extra={
            "chat_id": chat.get("id"),
            "message_ids": [message["message_id"] for message in messages],
        },
    )
