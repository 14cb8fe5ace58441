"""Matrix events both ways: a post's text as message content, a room event as an item.

Formatting follows the Client-Server API's ``m.room.message`` rules: ``body`` is
always the plain text, and ``format: org.matrix.custom.html`` with
``formatted_body`` carries the same words as HTML. houseboat's text is plain, so
the HTML is built from it, never taken from it: every character is escaped and
only what houseboat recognises itself becomes markup (web links, Matrix user ids
as mention links, line breaks). A post can therefore never inject HTML into the
room, whatever it contains.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import regex

from houseboat.connectors.base import RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.core.text import URL_RE, html_to_text

HTML_FORMAT = "org.matrix.custom.html"
# A Matrix user id: @localpart:server (appendix "User Identifiers"; the server name may
# carry a port). Lenient on the localpart's case, as historical ids allow it.
USER_ID_RE = regex.compile(r"(?<![\w@])@[a-zA-Z0-9._=/+\-]+:[a-zA-Z0-9.\-]+(?::\d{1,5})?(?<![.\-])")
# Punctuation that ends a sentence rather than a link ("see https://a.org.").
URL_TRAIL = ".,;:!?)]}'\""
# A hashtag as people type it; "#room:server" is a room alias, not a hashtag.
HASHTAG_RE = regex.compile(r"(?<![\w#&])#([\p{L}\p{N}_]+)(?![\p{L}\p{N}_:])")
MEDIA_KINDS = {"m.image": "image", "m.video": "video", "m.audio": "audio", "m.file": "file"}
# Reply fallbacks (quoted lines before the reply) were dropped in spec v1.13; older
# clients still send them, and they are not the author's words.
FALLBACK_RE = re.compile(r"\A(?:> [^\n]*\n|>\n)+\n?")
MX_REPLY_RE = re.compile(r"\A\s*<mx-reply>.*?</mx-reply>", re.DOTALL)


def matrix_to(*parts: str) -> str:
    """A matrix.to link (the spec's permalink form) to a user, a room or an event."""
    return "https://matrix.to/#/" + "/".join(quote(part, safe="@:!$#") for part in parts)


def _links_and_mentions(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, value) of every link and Matrix user id, in order, not overlapping."""
    found: list[tuple[int, int, str, str]] = []
    for match in URL_RE.finditer(text):
        url = match.group().rstrip(URL_TRAIL)
        found.append((match.start(), match.start() + len(url), "link", url))
    for match in USER_ID_RE.finditer(text):
        if not any(start <= match.start() < end for start, end, _, _ in found):
            found.append((match.start(), match.end(), "user", match.group()))
    return sorted(found)


def formatted_body(text: str) -> str:
    """The HTML form of plain text: escaped, links and mentions as anchors, lines kept."""
    pieces, at = [], 0
    for start, end, kind, value in _links_and_mentions(text):
        pieces.append(html.escape(text[at:start], quote=False))
        href = value if kind == "link" else matrix_to(value)
        pieces.append(f'<a href="{html.escape(href)}">{html.escape(value, quote=False)}</a>')
        at = end
    pieces.append(html.escape(text[at:], quote=False))
    return "".join(pieces).replace("\r\n", "\n").replace("\n", "<br/>")


def mentioned_users(text: str) -> list[str]:
    """The Matrix user ids written in the text, each once, in order."""
    users = [value for _, _, kind, value in _links_and_mentions(text) if kind == "user"]
    return list(dict.fromkeys(users))


def text_content(text: str) -> dict[str, Any]:
    """An ``m.text`` message: plain body, its HTML form where it has any markup, mentions.

    ``m.mentions`` is always present (spec v1.7, intentional mentions): only the users
    named in the text are notified, never people whose name merely appears in it.
    """
    content: dict[str, Any] = {"msgtype": "m.text", "body": text}
    rendered = formatted_body(text)
    if rendered != html.escape(text, quote=False):
        content["format"] = HTML_FORMAT
        content["formatted_body"] = rendered
    users = mentioned_users(text)
    content["m.mentions"] = {"user_ids": users} if users else {}
    return content


def reply_relation(event_id: str) -> dict[str, Any]:
    """``m.relates_to`` for a rich reply: the message answers ``event_id``."""
    return {"m.in_reply_to": {"event_id": event_id}}


# --- reading ----------------------------------------------------------------------------


def _relation(content: Mapping[str, Any]) -> Mapping[str, Any]:
    relates = content.get("m.relates_to")
    return relates if isinstance(relates, dict) else {}


def replied_to(content: Mapping[str, Any]) -> str:
    """The event a message answers: its reply target, else its thread's root."""
    relates = _relation(content)
    reply = relates.get("m.in_reply_to")
    if isinstance(reply, dict) and isinstance(reply.get("event_id"), str):
        return reply["event_id"]
    if relates.get("rel_type") == "m.thread" and isinstance(relates.get("event_id"), str):
        return relates["event_id"]
    return ""


def is_edit(content: Mapping[str, Any]) -> bool:
    """An edit (``m.replace``) repeats a message already read; it is not a new one."""
    return _relation(content).get("rel_type") == "m.replace"


def plain_text(content: Mapping[str, Any]) -> str:
    """The words of a message, without an old-style reply fallback quoted before them."""
    body = content.get("body")
    text = body if isinstance(body, str) else ""
    if replied_to(content) and text.startswith(">"):
        text = FALLBACK_RE.sub("", text, count=1)
    return text


def _links(content: Mapping[str, Any], text: str) -> list[str]:
    links = [url for _, _, kind, url in _links_and_mentions(text) if kind == "link"]
    rendered = content.get("formatted_body")
    if content.get("format") == HTML_FORMAT and isinstance(rendered, str):
        links += html_to_text(MX_REPLY_RE.sub("", rendered))[1]
    return list(dict.fromkeys(link for link in links if "matrix.to/#/" not in link))


def _media(content: Mapping[str, Any]) -> list[RemoteMedia]:
    kind = MEDIA_KINDS.get(str(content.get("msgtype")))
    url = content.get("url")
    if kind is None or not isinstance(url, str):
        return []  # an encrypted file (``file``) cannot be read without the room's keys
    body = str(content.get("body") or "")
    filename = content.get("filename")
    # With ``filename`` present and different, ``body`` is a caption (spec v1.10);
    # without it, ``body`` describes the file: for an image, its alt text.
    described = kind == "image" and (not filename or filename == body)
    return [RemoteMedia(url=url, kind=kind, alt=body if described else "")]


def event_item(event: Mapping[str, Any], room_id: str) -> RemoteItem | None:
    """One ``m.room.message`` event as houseboat's item; None for what is not a message
    to keep (another type, a redacted message, an edit)."""
    content = event.get("content")
    event_id = event.get("event_id")
    if event.get("type") != "m.room.message" or not isinstance(event_id, str):
        return None
    if not isinstance(content, dict) or "msgtype" not in content or is_edit(content):
        return None
    text = plain_text(content)
    sender = str(event.get("sender") or "")
    stamp = event.get("origin_server_ts")
    named = content.get("m.mentions")
    if isinstance(named, dict) and isinstance(named.get("user_ids"), list):
        mentions = [str(user) for user in named["user_ids"]]
    else:
        mentions = mentioned_users(text)
    return RemoteItem(
        network="matrix",
        remote_id=event_id,
        text=text,
        created_at=(
            datetime.fromtimestamp(stamp / 1000, UTC)
            if isinstance(stamp, int) and not isinstance(stamp, bool)
            else None
        ),
        author=(
            RemoteAuthor(remote_id=sender, handle=sender, url=matrix_to(sender)) if sender else None
        ),
        url=matrix_to(room_id, event_id),
        reply_to_id=replied_to(content),
        hashtags=list(dict.fromkeys(HASHTAG_RE.findall(text))),
        mentions=mentions,
        links=_links(content, text),
        media=_media(content),
        raw=dict(event),
    )


def event_items(events: Sequence[Any], room_id: str) -> list[RemoteItem]:
    items = (event_item(event, room_id) for event in events if isinstance(event, dict))
    return [item for item in items if item is not None]
