"""Telegram channels, through a bot that is an administrator of the channel.

A thin client on houseboat's HTTP wrapper rather than python-telegram-bot: the
Bot API is plain HTTPS with JSON answers, and the wrapper already gives the
retries, the address guard (a local Bot API server sits on a private address)
and the scrubbing that matter here, since the bot token travels in the URL path
(``{base}/bot{token}/{method}``).

Telegram has no idempotency key: a send that timed out may or may not have gone
out, so sends are never repeated after an ambiguous failure (the wrapper raises
OutcomeUnknown); a connection that failed before anything was sent is retried.

This module holds the connector (calls, errors, check, publish, delete, read);
``sending`` how each file and caption is sent, ``messages`` how a message is
linked to and read back as an item.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.utils.translation import gettext_noop

from houseboat.connectors.base import (
    Account,
    AuthRevoked,
    Connector,
    ConnectorError,
    Manifest,
    MediaFile,
    NetworkUnreachable,
    NotSupported,
    OutcomeUnknown,
    OutgoingPost,
    PayloadRejected,
    PermissionMissing,
    Published,
    RateLimited,
    ReadPage,
    RemoteItem,
    Source,
    UnexpectedResponse,
)
from houseboat.connectors.telegram.messages import read_item, utf16_slice
from houseboat.connectors.telegram.sending import (
    DOCUMENT_TYPES,
    PHOTO_TYPES,
    VIDEO_TYPES,
    caption_fields,
    checked_message,
    flags,
    form_flags,
    media_kinds,
    message_number,
    published_of,
    reply_target,
)
from houseboat.connectors.text import utf16_units

DEFAULT_API = "https://api.telegram.org"
TEXT_MAX = 4096
CAPTION_MAX = 1024
ALBUM_MAX = 10
PHOTO_MAX_BYTES = 10_000_000  # sendPhoto: "at most 10 MB"
UPLOAD_MAX_BYTES = 50_000_000  # other uploads through api.telegram.org: 50 MB
UPDATES_PAGE = 100  # the most getUpdates gives at once
ALLOWED_UPDATES = ["channel_post", "message", "edited_channel_post"]
# A token from @BotFather: the bot's numeric id, a colon, then about 35 characters.
TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")

# How each kind of file is sent alone, and what it is called in an album.
SENDERS = {"photo": "sendPhoto", "video": "sendVideo", "document": "sendDocument"}

ADD_AS_ADMIN = (
    "add the bot to the channel as an administrator with the right to post messages "
    "(in Telegram: the channel → Administrators → Add Admin), then check the channel again"
)


class TelegramConnector(Connector):
    manifest: Manifest = {
        "network": "telegram",
        "label": "Telegram",
        "can": ["publish", "delete", "read", "threads", "media", "check"],
        "sources": ["chats", "updates"],
        "limits": {
            "text": {"max": TEXT_MAX, "counted": "utf16"},
            "media": {
                "max_count": ALBUM_MAX,
                "max_bytes": UPLOAD_MAX_BYTES,
                "types": [*PHOTO_TYPES, *VIDEO_TYPES, *DOCUMENT_TYPES],
                "caption_max": CAPTION_MAX,
            },
        },
        "rate_limits": (
            "About one message per second in a chat, 20 messages a minute in a group and 30 "
            "messages a second overall (Bots FAQ); beyond that Telegram answers 429 with "
            "retry_after, which houseboat honours."
        ),
        "credentials": [
            {
                "name": "bot_token",
                "label": gettext_noop("Bot token"),
                "secret": True,
                "help": gettext_noop(
                    "From @BotFather in Telegram: /newbot, then copy the token it gives."
                ),
                "required": True,
            }
        ],
        "settings": [
            {
                "name": "chat_id",
                "label": gettext_noop("Channel"),
                "secret": False,
                "help": (
                    gettext_noop(
                        "@channelusername for a public channel, or the numeric id (it starts "
                        "with -100) for a private one."
                    )
                ),
                "required": True,
            },
            {
                "name": "api_base_url",
                "label": gettext_noop("Bot API server"),
                "secret": False,
                "help": (
                    gettext_noop(
                        "Leave as it is unless you run your own Bot API server (telegram-bot-api); "
                        "then give its address and allow a private address."
                    )
                ),
                "default": DEFAULT_API,
            },
        ],
        "notes": (
            gettext_noop(
                "Text up to 4096 characters counted as Telegram counts them (UTF-16: most emoji "
                "count twice); captions up to 1024 (a longer text goes out as a reply under the "
                "pictures). Up to 10 photos and videos in an album; photos up to 10 MB, other files "
                "up to 50 MB through api.telegram.org. Telegram has no alt text. Bots see no view "
                "counts, so no metrics; a bot reads only what arrives after it joined."
            )
        ),
    }

    # -- plumbing

    def secret_values(self) -> list[str]:
        # Also the stripped token, since that is what goes into the URL.
        values = super().secret_values()
        return values + [value.strip() for value in values if value.strip() != value]

    def rate_limit_until(self, response: httpx.Response) -> datetime | None:
        """Read ``parameters.retry_after`` from the body: the header is not always there."""
        try:
            body = response.json()
        except ValueError:
            body = None
        parameters = body.get("parameters") if isinstance(body, dict) else None
        retry = parameters.get("retry_after") if isinstance(parameters, dict) else None
        if isinstance(retry, int | float) and not isinstance(retry, bool) and retry >= 0:
            return datetime.now(UTC) + timedelta(seconds=retry)
        return super().rate_limit_until(response)

    def _token(self) -> str:
        token = str(self.secrets.get("bot_token") or "").strip()
        if not TOKEN_RE.match(token):
            raise AuthRevoked(
                "The Telegram bot token is missing or does not look like one from @BotFather "
                "(digits, a colon, then about 35 letters and digits). Copy it again from "
                "@BotFather and reconnect the channel."
            )
        return token

    def _base_url(self) -> str:
        base = self.setting("api_base_url").strip().rstrip("/")
        try:
            url = httpx.URL(base)
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise NetworkUnreachable(
                f"The Bot API server address “{base}” is not an http(s) address. Fix it in the "
                f"channel settings, or leave it as {DEFAULT_API}.",
                permanent=True,
            )
        return base

    def _chat_id(self) -> str:
        chat_id = self.setting("chat_id").strip()
        if not chat_id:
            raise PayloadRejected(
                "This Telegram channel has no chat set: put @channelusername (or the -100… id "
                "of a private channel) in the channel settings."
            )
        return chat_id

    def _call(
        self,
        method: str,
        *,
        http_method: str = "POST",
        idempotent: bool,
        after_publish: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Call one Bot API method and return its ``result``, or raise the typed error."""
        url = f"{self._base_url()}/bot{self._token()}/{method}"
        response = self.http.request(http_method, url, idempotent=idempotent, **kwargs)
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                # Not the Bot API speaking (a proxy in front of a local server, say).
                self._raise_for_http(response)
        else:
            body = self.http.json(response, after_publish=after_publish)
        if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
            raise self._garbled(response, after_publish)
        if body["ok"]:
            if "result" not in body:
                raise self._garbled(response, after_publish)
            return body["result"]
        raise self._error(response, body)

    def _garbled(self, response: httpx.Response, after_publish: bool) -> ConnectorError:
        error_type = OutcomeUnknown if after_publish else UnexpectedResponse
        return error_type(
            f"Telegram answered in a shape houseboat does not know (HTTP {response.status_code})."
            + (
                " The message may or may not have gone out: look at the channel."
                if after_publish
                else ""
            ),
            reason=self.http.scrub(response.text[:200]),
        )

    def _raise_for_http(self, response: httpx.Response) -> None:
        if response.status_code == 404:
            raise UnexpectedResponse(
                f"The server at {response.url.host} is not a Telegram Bot API server (HTTP 404). "
                "Check the Bot API server address in the channel settings.",
                permanent=True,
            )
        self.http.raise_for_status(response, reason=response.reason_phrase)

    def _error(self, response: httpx.Response, body: Mapping[str, Any]) -> ConnectorError:
        """Map a Bot API error ({"ok": false, "error_code", "description", "parameters"})."""
        code = body.get("error_code") or response.status_code
        reason = self.http.scrub(str(body.get("description") or ""))
        said = reason.lower()
        parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
        if parameters.get("migrate_to_chat_id"):
            new_id = parameters["migrate_to_chat_id"]
            return PayloadRejected(
                f"This Telegram group became a supergroup with a new id, {new_id}: put {new_id} "
                "as the chat in the channel settings, then send again.",
                reason=reason,
            )
        if code == 401:
            return AuthRevoked(
                "The Telegram bot token was revoked (or the bot deleted): create a new token "
                "with @BotFather (/token or /revoke) and reconnect the channel.",
                reason=reason,
            )
        if code == 403 or "not enough rights" in said or "administrator rights" in said:
            return PermissionMissing(
                f"Telegram does not let the bot post to {self.setting('chat_id')}: {ADD_AS_ADMIN}.",
                reason=reason,
            )
        if code == 429:  # only when the HTTP status did not already say so
            retry = parameters.get("retry_after")
            seconds = retry if isinstance(retry, int) and retry >= 0 else 60
            until = datetime.now(UTC) + timedelta(seconds=seconds)
            return RateLimited(
                f"Telegram asks houseboat to slow down until {until:%H:%M:%S} UTC.",
                until=until,
                reason=reason,
            )
        if code == 409:
            if "webhook" in said:
                return NotSupported(
                    "This bot has a webhook set, and Telegram then gives its updates only to "
                    "the webhook, never to houseboat. Remove the webhook (stop the other program "
                    "that uses this bot, or call deleteWebhook), or give houseboat a bot of its own.",
                    reason=reason,
                )
            return UnexpectedResponse(
                "Another program is reading this bot's updates at the same time as houseboat, "
                "and each update goes to only one of them. Give houseboat a bot of its own.",
                reason=reason,
            )
        if code == 400 and "chat not found" in said:
            return PayloadRejected(
                f"Telegram cannot find the chat “{self.setting('chat_id')}”. Use @channelusername "
                "for a public channel, or the numeric id starting with -100 for a private one, "
                f"and {ADD_AS_ADMIN}.",
                reason=reason,
            )
        if code == 400:
            return PayloadRejected("Telegram refused the message.", reason=reason)
        if code == 404:
            return UnexpectedResponse(
                "The Bot API server does not know this method or token format (HTTP 404). Check "
                "the Bot API server address and the token in the channel settings.",
                reason=reason,
                permanent=True,
            )
        return UnexpectedResponse(
            f"Telegram answered with error {code}, which houseboat did not expect.", reason=reason
        )

    # -- check

    def check(self) -> Account:
        chat_id = self._chat_id()
        me = self._call("getMe", http_method="GET", idempotent=True)
        chat = self._call(
            "getChat", http_method="GET", idempotent=True, params={"chat_id": chat_id}
        )
        if not isinstance(me, dict) or not isinstance(chat, dict) or "id" not in me:
            raise UnexpectedResponse("Telegram described the bot or the chat in an unknown shape.")
        try:
            member = self._call(
                "getChatMember",
                http_method="GET",
                idempotent=True,
                params={"chat_id": chat_id, "user_id": me["id"]},
            )
        except (PermissionMissing, PayloadRejected) as error:
            member = {"status": "unknown", "error": error.reason}
        permissions, notes = _rights(chat, member if isinstance(member, dict) else {}, me)
        username = chat.get("username") or ""
        title = chat.get("title") or chat.get("first_name") or ""
        if me.get("username"):
            notes.insert(0, f"Posts as the bot @{me['username']}.")
        return Account(
            remote_id=str(chat.get("id", chat_id)),
            handle=f"@{username}" if username else title or chat_id,
            display_name=title,
            url=f"https://t.me/{username}" if username else "",
            permissions=permissions,
            notes=notes,
        )

    # -- publish

    def publish(self, post: OutgoingPost) -> Published:
        # A reply goes to the chat of the message it answers: a person's private chat
        # with the bot (a direct message in the team inbox), or the channel itself.
        answered_chat = post.reply_to.extra.get("chat_id") if post.reply_to else None
        chat_id = str(answered_chat) if answered_chat not in (None, "") else self._chat_id()
        kinds = media_kinds(post.media)
        self._refuse_before_sending(post, kinds)
        reply_to = reply_target(post)
        if not post.media:
            return published_of([self._send_text(chat_id, post.text, post.options, reply_to)])
        fits = utf16_units(post.text) <= CAPTION_MAX or "parse_mode" in post.options
        caption = post.text if fits else ""
        if len(post.media) == 1:
            messages = [
                self._send_one(chat_id, post.media[0], kinds[0], caption, post.options, reply_to)
            ]
        else:
            messages = self._send_album(chat_id, post.media, kinds, caption, post.options, reply_to)
        if not fits:
            messages.append(self._follow_up(chat_id, post, messages))
        return published_of(messages)

    def send_direct(self, chat_id: str, text: str) -> Published:
        """Send a text message to one person who started the bot (a supporter's follow-up).

        Telegram lets a bot write only to people who pressed Start in it; their chat id is
        the number the bot saw then. Like every send here, it is not repeated blindly.
        """
        return published_of([self._send_text(chat_id, text, {}, None)])

    def _refuse_before_sending(self, post: OutgoingPost, kinds: list[str]) -> None:
        """Refuse what Telegram would refuse, without sending anything."""
        # With parse_mode the markup does not count, so only Telegram can say.
        if "parse_mode" not in post.options and utf16_units(post.text) > TEXT_MAX:
            used = utf16_units(post.text)
            raise PayloadRejected(
                f"Too long for Telegram: {used} characters as Telegram counts them (most emoji "
                f"count twice), the limit is {TEXT_MAX}. Shorten it by {used - TEXT_MAX} or "
                "split it into a thread."
            )
        if not post.text.strip() and not post.media:
            raise PayloadRejected("A Telegram message needs some text or a file.")
        if len(post.media) > ALBUM_MAX:
            raise PayloadRejected(
                f"Telegram takes at most {ALBUM_MAX} files in one album; this post has "
                f"{len(post.media)}."
            )
        if len(post.media) > 1 and "document" in kinds and set(kinds) != {"document"}:
            raise PayloadRejected(
                "A Telegram album mixes photos and videos, or holds only documents (GIFs, PDFs); "
                "send the documents as a post of their own."
            )
        for item, kind in zip(post.media, kinds, strict=True):
            try:
                size = item.size
            except OSError:
                raise PayloadRejected(f"The file {item.path.name} is missing.") from None
            ceiling = PHOTO_MAX_BYTES if kind == "photo" else self._upload_max()
            if size > ceiling:
                raise PayloadRejected(
                    f"{item.path.name} is {size / 1e6:.1f} MB; Telegram takes "
                    f"{'photos' if kind == 'photo' else 'files'} up to {ceiling / 1e6:.0f} MB."
                )

    def _upload_max(self) -> int:
        media = self.limits()["media"]
        return media["max_bytes"] if media else UPLOAD_MAX_BYTES

    def _send_text(
        self, chat_id: str, text: str, options: Mapping[str, Any], reply_to: int | None
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if options.get("parse_mode"):
            payload["parse_mode"] = options["parse_mode"]
        elif options.get("entities"):
            payload["entities"] = list(options["entities"])
        if options.get("link_preview_options"):
            payload["link_preview_options"] = dict(options["link_preview_options"])
        payload.update(flags(options))
        if reply_to is not None:
            payload["reply_parameters"] = {"message_id": reply_to}
        result = self._call("sendMessage", idempotent=False, after_publish=True, json=payload)
        return checked_message(result, self.http.scrub)

    def _send_one(
        self,
        chat_id: str,
        item: MediaFile,
        kind: str,
        caption: str,
        options: Mapping[str, Any],
        reply_to: int | None,
    ) -> dict[str, Any]:
        data = {"chat_id": chat_id, **caption_fields(caption, options), **form_flags(options)}
        if reply_to is not None:
            data["reply_parameters"] = json.dumps({"message_id": reply_to})
        with item.path.open("rb") as handle:
            result = self._call(
                SENDERS[kind],
                idempotent=False,
                after_publish=True,
                data=data,
                files={kind: (item.path.name, handle, item.mime_type)},
            )
        return checked_message(result, self.http.scrub)

    def _send_album(
        self,
        chat_id: str,
        media: Sequence[MediaFile],
        kinds: list[str],
        caption: str,
        options: Mapping[str, Any],
        reply_to: int | None,
    ) -> list[dict[str, Any]]:
        described = []
        for index, kind in enumerate(kinds):
            entry: dict[str, Any] = {"type": kind, "media": f"attach://file{index}"}
            if index == 0:  # the album's caption is the first item's
                entry.update(caption_fields(caption, options, as_json=False))
            described.append(entry)
        data = {"chat_id": chat_id, "media": json.dumps(described), **form_flags(options)}
        if reply_to is not None:
            data["reply_parameters"] = json.dumps({"message_id": reply_to})
        with ExitStack() as stack:
            files = {
                f"file{index}": (
                    item.path.name,
                    stack.enter_context(item.path.open("rb")),
                    item.mime_type,
                )
                for index, item in enumerate(media)
            }
            result = self._call(
                "sendMediaGroup", idempotent=False, after_publish=True, data=data, files=files
            )
        if not isinstance(result, list) or not result:
            raise OutcomeUnknown(
                "Telegram accepted the album but did not say which messages it made; look at "
                "the channel before sending again."
            )
        return [checked_message(message, self.http.scrub) for message in result]

    def _follow_up(
        self, chat_id: str, post: OutgoingPost, messages: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Send a text too long for a caption as a reply under the media just sent."""
        try:
            return self._send_text(chat_id, post.text, post.options, messages[0]["message_id"])
        except ConnectorError as error:
            # The media is out: repeating the whole post would post it twice.
            raise OutcomeUnknown(
                f"The files went out to Telegram (message {messages[0]['message_id']}), but the "
                "text that follows them did not. Post the text by hand under them, or delete "
                "them before sending again.",
                reason=str(error),
            ) from None

    # -- delete

    def delete(self, published: Published) -> None:
        chat_id = published.extra.get("chat_id") or self._chat_id()
        ids = published.extra.get("message_ids") or [published.remote_id]
        for message_id in ids:
            try:
                self._call(
                    "deleteMessage",
                    idempotent=True,  # deleting twice ends in "not found", which is fine
                    json={"chat_id": chat_id, "message_id": message_number(message_id)},
                )
            except PayloadRejected as error:
                said = error.reason.lower()
                if "message to delete not found" in said:
                    continue  # already gone: that is what was asked
                if "can't be deleted" in said:
                    # Not houseboat's to retry: a person deletes it in the app.
                    raise NotSupported(
                        "Telegram would not let the bot delete this message. A bot may delete "
                        "a message only within 48 hours of sending it (in groups, and in "
                        "channels without the right to delete others' messages); delete it "
                        "in the Telegram app instead.",
                        reason=error.reason,
                    ) from None
                raise

    # -- read

    def read(self, source: Source, cursor: str | None) -> ReadPage:
        """Read what reached the bot in the chats and channels it is in, since ``cursor``.

        ``getUpdates`` gives a bot's updates oldest first, at most UPDATES_PAGE a call;
        the cursor is the next ``offset``, and passing it tells Telegram the earlier
        ones were read, so it forgets them. One column per bot therefore reads all its
        chats: two columns with different chats would take each other's updates. A
        bot with a webhook gets no updates this way (Telegram answers 409): houseboat
        says so. A full page sets ``more``: there may be more waiting. The column's
        value may be empty or the channel's own chat; either reads every chat.
        """
        if source.kind not in ("chats", "updates"):
            raise NotSupported(
                "A Telegram bot can read only what reaches it in the chats and channels it "
                f"is in (a “chats” column): Telegram gives bots no {source.kind} search."
            )
        value = source.value.strip()
        if value and value != self.setting("chat_id").strip():
            raise PayloadRejected(
                "A Telegram column reads every chat and channel the bot is in, so it takes "
                "no chat name: Telegram hands each message to a bot only once."
            )
        params: dict[str, Any] = {
            "timeout": 0,
            "limit": UPDATES_PAGE,
            "allowed_updates": json.dumps(ALLOWED_UPDATES),
        }
        if cursor and cursor.lstrip("-").isdigit():
            params["offset"] = int(cursor)
        updates = self._call("getUpdates", http_method="GET", idempotent=True, params=params)
        if not isinstance(updates, list):
            raise UnexpectedResponse("Telegram's list of updates came in an unknown shape.")
        items, last = [], None
        for update in updates:
            if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
                continue
            last = max(last or update["update_id"], update["update_id"])
            message = next((update[key] for key in ALLOWED_UPDATES if key in update), None)
            if isinstance(message, dict) and "message_id" in message and "chat" in message:
                items.append(read_item(message, update))
        return ReadPage(
            items=items,
            cursor=str(last + 1) if last is not None else cursor,
            more=len(updates) >= UPDATES_PAGE,
        )

    # -- what bots cannot do

    def gone(self, remote_ids: Sequence[str]) -> dict[str, str]:
        raise NotSupported(
            "Telegram does not tell a bot when a message is deleted, nor let it look a "
            "message up, so houseboat cannot watch Telegram messages for deletion."
        )

    def recent_posts(self, limit: int = 20) -> list[RemoteItem]:
        raise NotSupported(
            "Telegram does not let a bot list a channel's posts, so houseboat cannot see "
            "whether an uncertain message went out. Look at the channel in the Telegram app "
            "and mark the post as sent or not sent."
        )


# --- check helpers -------------------------------------------------------------------------


def _rights(
    chat: Mapping[str, Any], member: Mapping[str, Any], me: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """What the bot may do in the chat, and what a person should fix."""
    status = member.get("status", "unknown")
    notes: list[str] = []
    if chat.get("type") == "channel":
        if status == "creator" or (status == "administrator" and member.get("can_post_messages")):
            return ["publish", "delete", "read"], notes
        if status == "administrator":
            notes.append(
                "The bot is an administrator but may not post: turn on “Post messages” for it "
                "in the channel's administrator settings."
            )
            return ["read"], notes
        notes.append(f"The bot is not an administrator of this channel: {ADD_AS_ADMIN}.")
        return [], notes
    permissions = []
    if status in ("creator", "administrator", "member") or (
        status == "restricted" and member.get("can_send_messages")
    ):
        permissions = ["publish", "delete", "read"]
    else:
        notes.append(f"The bot is not a member of this chat: {ADD_AS_ADMIN}.")
    if status != "administrator" and not me.get("can_read_all_group_messages"):
        notes.append(
            "The bot sees only messages that mention it or answer it (privacy mode). To read "
            "the whole group, make it an administrator or turn privacy off with @BotFather "
            "(/setprivacy)."
        )
    return permissions, notes


__all__ = ["TelegramConnector", "utf16_slice"]
