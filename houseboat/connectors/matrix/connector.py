"""Matrix rooms, through one account on a homeserver (Client-Server API v3).

A thin client on houseboat's HTTP wrapper: the API is plain HTTPS with JSON
answers, and the wrapper gives the retries, the address guard (a community's own
homeserver may sit on the local network) and the scrubbing of the access token.

Sending is idempotent. Each event goes out with ``PUT .../send/m.room.message/{txnId}``
under a transaction id derived from the delivery's idempotency key and the part's
place in the post, so a resend of the same delivery (after a timeout, a crash, a
504) is answered by the homeserver with the event it already made instead of a
second copy. The spec scopes transaction ids to the device (v1.7), and Synapse
keeps them for a day; houseboat keeps the device id and signs in again on it, so
the guarantee survives a new access token too.

Threads are rich replies (``m.in_reply_to``), not ``m.thread``: every part stays in
the room's main timeline in order, quoted under the part before, as a thread reads
on Mastodon or Bluesky; thread-aware clients would fold parts two onwards into a
side panel that many readers never open.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlsplit

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
from houseboat.connectors.matrix.events import (
    event_items,
    matrix_to,
    reply_relation,
    text_content,
)

CLIENT = "/_matrix/client/v3"
TEXT_MAX = 15_000  # characters; see EVENT_MAX_BYTES
# The spec caps a whole event at 65,536 bytes of JSON; the content must leave room for
# the event's own fields (ids, signatures, hashes) that the server adds.
EVENT_MAX_BYTES = 60_000
UPLOAD_MAX_BYTES = 50_000_000  # Synapse's default ``max_upload_size``; servers say theirs
PAGE_SIZE = 50
MESSAGES_FILTER = {"types": ["m.room.message"]}
IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
VIDEO_TYPES = ["video/mp4", "video/webm"]
MSGTYPES = {"image": "m.image", "video": "m.video", "audio": "m.audio"}
DEVICE_NAME = "houseboat"

INVITE = (
    "invite the account to the room from a Matrix app (Element: the room → People → "
    "Invite) and accept the invitation with the account"
)


def normalise_homeserver(value: str) -> str:
    """``matrix.example.org`` or ``https://matrix.example.org/`` as ``https://…`` with no slash."""
    value = value.strip().rstrip("/")
    if value and "://" not in value:
        value = f"https://{value}"
    return value


def txn_id(key: str, part: str) -> str:
    """A transaction id that is the same for every attempt of one event and no other."""
    return f"houseboat.{key}.{part}"


def page(items: list[RemoteItem], cursor: str | None, more: bool) -> ReadPage:
    """A ReadPage, saying whether more is waiting where this houseboat's ReadPage can."""
    if "more" in {field.name for field in fields(ReadPage)}:
        return ReadPage(items=items, cursor=cursor, more=more)  # type: ignore[call-arg]
    return ReadPage(items=items, cursor=cursor)


class MatrixConnector(Connector):
    manifest: Manifest = {
        "network": "matrix",
        "label": "Matrix",
        "can": ["publish", "delete", "read", "threads", "media", "check"],
        "sources": ["room"],
        "limits": {
            "text": {"max": TEXT_MAX, "counted": "characters"},
            "media": {
                "max_count": 10,
                "max_bytes": UPLOAD_MAX_BYTES,
                "types": [*IMAGE_TYPES, *VIDEO_TYPES],
                "alt_max": 1000,
            },
        },
        "rate_limits": (
            "Set by each homeserver. When it answers 429 M_LIMIT_EXCEEDED with "
            "retry_after_ms, houseboat waits that long (a short wait inside the call, a "
            "longer one by putting the work back)."
        ),
        "credentials": [
            {
                "name": "access_token",
                "label": gettext_noop("Access token"),
                "secret": True,
                "help": (
                    gettext_noop(
                        "Element: Settings → Help & About → Access token. Or leave empty and give "
                        "the account's password below instead."
                    )
                ),
                "required": False,
            },
            {
                "name": "password",
                "label": gettext_noop("Password"),
                "secret": True,
                "help": (
                    gettext_noop(
                        "Only if you give no access token: houseboat signs in once with it, keeps "
                        "the access token it gets, and forgets the password."
                    )
                ),
                "required": False,
            },
        ],
        "settings": [
            {
                "name": "homeserver_url",
                "label": gettext_noop("Homeserver"),
                "secret": False,
                "help": (
                    gettext_noop(
                        "The address your Matrix app signs in to, e.g. https://matrix.example.org "
                        "(not always the part after the colon in your user id)."
                    )
                ),
                "required": True,
            },
            {
                "name": "room",
                "label": gettext_noop("Room"),
                "secret": False,
                "help": (
                    gettext_noop(
                        "The room to post in: its address like #campaign:example.org, or its id "
                        "like !abcdef:example.org (Element: room settings → Advanced)."
                    )
                ),
                "required": True,
            },
            {
                "name": "user_id",
                "label": gettext_noop("Account"),
                "secret": False,
                "help": (
                    gettext_noop(
                        "The account's user id, like @desk:example.org. Needed only to sign in "
                        "with a password."
                    )
                ),
                "required": False,
            },
        ],
        "notes": (
            gettext_noop(
                "Posts to one room as one account. Text is sent plain and as HTML (links and "
                "@user:server mentions become links). Pictures go out as their own messages "
                "right after the text, each with its alt text. A thread is a chain of replies. "
                "Rooms with end-to-end encryption cannot be posted to or read by houseboat."
            )
        ),
    }

    # -- plumbing

    def rate_limit_until(self, response: httpx.Response) -> datetime | None:
        """Read ``retry_after_ms`` from the body (M_LIMIT_EXCEEDED), else the headers."""
        try:
            body = response.json()
        except ValueError:
            body = None
        wait = body.get("retry_after_ms") if isinstance(body, dict) else None
        if isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0:
            return datetime.now(UTC) + timedelta(milliseconds=wait)
        return super().rate_limit_until(response)

    def _homeserver(self) -> str:
        base = normalise_homeserver(self.setting("homeserver_url"))
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NetworkUnreachable(
                f"The homeserver address “{base}” is not an http(s) address. Put the address "
                "your Matrix app signs in to (e.g. https://matrix.example.org) in the channel "
                "settings.",
                permanent=True,
            )
        return base

    def _send(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        idempotent: bool | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if auth:
            all_headers["Authorization"] = f"Bearer {self._token()}"
        url = path if path.startswith("http") else self._homeserver() + path
        return self.http.request(method, url, idempotent=idempotent, headers=all_headers, **kwargs)

    def _call(
        self,
        method: str,
        path: str,
        *,
        after_publish: bool = False,
        forbidden: str = "",
        not_found: str = "",
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Call the API and return its JSON object, or raise the typed error.

        A token the server no longer knows is replaced once by signing in again when
        the password is still held (a channel set up with one, before its first check).
        """
        response = self._send(method, path, **kwargs)
        if response.status_code >= 400:
            error = self._error(response, forbidden=forbidden, not_found=not_found)
            if isinstance(error, AuthRevoked) and kwargs.get("auth", True) and self._can_login():
                self._login()
                response = self._send(method, path, **kwargs)
                if response.status_code >= 400:
                    raise self._error(response, forbidden=forbidden, not_found=not_found)
            else:
                raise error
        body = self.http.json(response, after_publish=after_publish)
        if not isinstance(body, dict):
            error_type = OutcomeUnknown if after_publish else UnexpectedResponse
            raise error_type(
                f"The Matrix server answered in a shape houseboat does not know "
                f"(HTTP {response.status_code})."
            )
        return body

    def _error(
        self, response: httpx.Response, *, forbidden: str = "", not_found: str = ""
    ) -> ConnectorError:
        """Map a Matrix error (``{"errcode": "M_…", "error": "…"}``) to what a person can do."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("errcode"), str):
            if response.status_code in (404, 405):
                return UnexpectedResponse(
                    f"There is no Matrix server at {response.url.host} (HTTP "
                    f"{response.status_code}). Check the homeserver address in the channel "
                    "settings: it is the address your Matrix app signs in to.",
                    permanent=True,
                )
            try:
                self.http.raise_for_status(response, reason=response.reason_phrase)
            except ConnectorError as error:
                return error
            return UnexpectedResponse(f"Matrix answered HTTP {response.status_code}.")
        code = body["errcode"]
        reason = self.http.scrub(f"{code}: {body.get('error') or ''}".rstrip(": "))
        if code in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"):
            return AuthRevoked(
                "The Matrix server no longer accepts this channel's access token (the session "
                "was logged out, or the token was mistyped). Reconnect the channel: paste a "
                "new access token, or give the password again.",
                reason=reason,
            )
        if code == "M_USER_DEACTIVATED":
            return AuthRevoked(
                "This Matrix account was deactivated by its server. Connect another account.",
                reason=reason,
            )
        if code == "M_LIMIT_EXCEEDED":
            until = self.rate_limit_until(response) or datetime.now(UTC) + timedelta(seconds=60)
            return RateLimited(
                f"Matrix asks houseboat to slow down until {until:%H:%M:%S} UTC.",
                until=until,
                reason=reason,
            )
        if code == "M_CONSENT_NOT_GIVEN":
            return PermissionMissing(
                "The Matrix server wants the account to accept its terms first: sign in with a "
                "Matrix app once and accept them (the link is in the server's words).",
                reason=self.http.scrub(f"{reason} {body.get('consent_uri') or ''}".strip()),
            )
        if code == "M_FORBIDDEN":
            return PermissionMissing(
                forbidden or "The Matrix server does not let this account do that.",
                reason=reason,
            )
        if code == "M_NOT_FOUND":
            return PayloadRejected(
                not_found or "The Matrix server has no such thing.", reason=reason
            )
        if code == "M_TOO_LARGE":
            return PayloadRejected(
                "Too large for this Matrix server: send a smaller file or a shorter text.",
                reason=reason,
            )
        if code == "M_UNRECOGNIZED":
            return UnexpectedResponse(
                "This Matrix server does not know a request houseboat uses; it may be too old "
                "or not a Matrix homeserver. Check the homeserver address.",
                reason=reason,
                permanent=True,
            )
        if response.status_code == 401:
            return AuthRevoked(
                "The Matrix server refused the channel's credentials. Reconnect the channel.",
                reason=reason,
            )
        if 400 <= response.status_code < 500:
            return PayloadRejected("The Matrix server refused the request.", reason=reason)
        return UnexpectedResponse(
            f"The Matrix server answered HTTP {response.status_code}.", reason=reason
        )

    # -- signing in

    def _token(self) -> str:
        token = str(self.secrets.get("access_token") or "").strip()
        if token:
            return token
        if self._can_login():
            self._login()
            return str(self.secrets["access_token"])
        if self.secrets.get("password"):
            raise AuthRevoked(
                "To sign in to Matrix with the password, houseboat needs the account's user id "
                "too (like @desk:example.org): put it in Account in the channel settings."
            )
        raise AuthRevoked(
            "This Matrix channel has no access token and no password. Reconnect it: paste an "
            "access token, or give the account and its password."
        )

    def _can_login(self) -> bool:
        return bool(self.secrets.get("password")) and bool(self.setting("user_id").strip())

    def _login(self) -> None:
        """Sign in with the password once; keep the token and device id, drop the password.

        Under the channel's renewal lock, so two workers never make two devices; the
        device id already held is asked for again, which keeps the transaction ids of
        earlier sends valid (they are scoped to the device).
        """
        held = self.secrets.get("access_token")
        with self.renewal("access_token") as ours:
            if not ours and self.secrets.get("access_token") not in (None, "", held):
                return  # another worker signed in meanwhile: its token is ours now
            payload: dict[str, Any] = {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": self.setting("user_id").strip()},
                "password": str(self.secrets.get("password") or ""),
                "initial_device_display_name": DEVICE_NAME,
            }
            if self.secrets.get("device_id"):
                payload["device_id"] = str(self.secrets["device_id"])
            response = self._send("POST", f"{CLIENT}/login", auth=False, json=payload)
            if response.status_code >= 400:
                error = self._error(response)
                if isinstance(error, PermissionMissing | AuthRevoked):
                    raise AuthRevoked(
                        f"The Matrix server refused the password for {self.setting('user_id')}. "
                        "Check the account and the password (or paste an access token) and "
                        "reconnect the channel.",
                        reason=error.reason,
                    ) from None
                raise error
            body = self.http.json(response)
            token = body.get("access_token") if isinstance(body, dict) else None
            if not isinstance(token, str) or not token:
                raise UnexpectedResponse("The Matrix server signed in without an access token.")
            self.update_secrets(
                access_token=token, device_id=str(body.get("device_id") or ""), password=""
            )

    # -- the room

    @cached_property
    def room_id(self) -> str:
        """The configured room's id, asking the room directory when it is an address."""
        return self._resolve_room(self.setting("room"))

    def _resolve_room(self, room: str) -> str:
        room = room.strip()
        # Room version 12 ids carry no server name ("!<hash>"): the "!" is what says id.
        if room.startswith("!") and len(room) > 1:
            return room
        if not (room.startswith("#") and ":" in room):
            raise PayloadRejected(
                f"“{room or '(empty)'}” is not a Matrix room: give its address like "
                "#campaign:example.org or its id like !abcdef:example.org."
            )
        found = self._call(
            "GET",
            f"{CLIENT}/directory/room/{quote(room, safe='')}",
            not_found=f"The Matrix room directory has no room {room}. Check the address.",
        )
        room_id = found.get("room_id")
        if not isinstance(room_id, str) or not room_id.startswith("!"):
            raise UnexpectedResponse(f"The Matrix room directory answered {room} without an id.")
        return room_id

    def _room_path(self, room_id: str) -> str:
        return f"{CLIENT}/rooms/{quote(room_id, safe='')}"

    @cached_property
    def user_id(self) -> str:
        who = self._call("GET", f"{CLIENT}/account/whoami")
        user_id = who.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            raise UnexpectedResponse("The Matrix server did not say who the account is.")
        return user_id

    # -- check

    def check(self) -> Account:
        """Who the account is, whether it is in the room and what its power level allows."""
        user_id = self.user_id
        if self.secrets.get("password"):  # a token that works makes the password needless
            self.update_secrets(password="")
        room_id = self.room_id
        room = self._room_path(room_id)
        not_in = f"The account {user_id} is not in the room {self.setting('room')}: {INVITE}."
        member = self._call(
            "GET",
            f"{room}/state/m.room.member/{quote(user_id, safe='')}",
            forbidden=not_in,
            not_found=not_in,
        )
        membership = member.get("membership")
        notes = [f"Posts to {self.setting('room')} ({room_id})."]
        permissions: list[str] = []
        if membership == "join":
            levels = self._call("GET", f"{room}/state/m.room.power_levels", not_found="")
            permissions, level_notes = _rights(levels, user_id)
            notes += level_notes
        elif membership == "invite":
            notes.append(
                f"The account is invited to the room but has not joined: accept the invitation "
                f"with {user_id} in a Matrix app, then check again."
            )
        else:
            notes.append(not_in)
        return Account(
            remote_id=user_id,
            handle=user_id,
            url=matrix_to(user_id),
            permissions=permissions,
            notes=notes,
            limits=self._media_limits(),
        )

    def _media_limits(self) -> dict[str, Any]:
        """The server's upload limit (``m.upload.size``), where it says one."""
        try:
            config = self._call("GET", "/_matrix/client/v1/media/config")
        except ConnectorError:
            return {}  # an older server: the manifest's limit stands
        size = config.get("m.upload.size")
        if isinstance(size, int) and not isinstance(size, bool) and size > 0:
            return {"media": {"max_bytes": size}}
        return {}

    # -- publish

    def publish(self, post: OutgoingPost) -> Published:
        """Send the text, then each picture, each under its own derived transaction id."""
        self._refuse_before_sending(post)
        room_id = self.room_id
        contents: list[dict[str, Any]] = []
        if post.text.strip():
            contents.append(text_content(post.text))
        contents += [self._media_content(item) for item in post.media]
        if post.reply_to is not None and post.reply_to.remote_id:
            contents[0]["m.relates_to"] = reply_relation(post.reply_to.remote_id)
        event_ids: list[str] = []
        for index, content in enumerate(contents):
            try:
                event_ids.append(self._send_event(room_id, content, post.idempotency_key, index))
            except ConnectorError as error:
                if not event_ids:
                    raise
                # Part of the post is out: sending it again under the same transaction
                # ids completes it without repeating what arrived.
                raise OutcomeUnknown(
                    f"Matrix took {len(event_ids)} of the {len(contents)} messages of this post "
                    "before failing. Sending it again finishes it without repeating them.",
                    reason=str(error),
                ) from None
        return Published(
            remote_id=event_ids[0],
            url=matrix_to(room_id, event_ids[0]),
            extra={"room_id": room_id, "event_ids": event_ids},
        )

    def _send_event(self, room_id: str, content: dict[str, Any], key: str, index: int) -> str:
        path = f"{self._room_path(room_id)}/send/m.room.message/"
        sent = self._call(
            "PUT",
            path + quote(txn_id(key, str(index)), safe=""),
            after_publish=True,
            json=content,
            forbidden=(
                f"The account may not post in {self.setting('room')}: it has left the room, "
                "was removed, or its power level is too low. Check it on the Channels page."
            ),
            not_found=f"The Matrix room {self.setting('room')} is gone or not visible.",
        )
        event_id = sent.get("event_id")
        if not isinstance(event_id, str) or not event_id:
            raise OutcomeUnknown("Matrix answered the message without an event id.")
        return event_id

    def _refuse_before_sending(self, post: OutgoingPost) -> None:
        """Refuse what the server would refuse, before anything is uploaded or sent."""
        if not post.text.strip() and not post.media:
            raise PayloadRejected("A Matrix message needs some text or a picture.")
        size = len(json.dumps(text_content(post.text), ensure_ascii=False).encode())
        if size > EVENT_MAX_BYTES:
            raise PayloadRejected(
                f"Too long for one Matrix message ({size:,} bytes with its HTML form; a "
                f"message holds about {EVENT_MAX_BYTES:,}). Split it into a thread."
            )
        media = self.limits()["media"] or {}
        ceiling = media.get("max_bytes", UPLOAD_MAX_BYTES)
        for item in post.media:
            try:
                item_size = item.size
            except OSError:
                raise PayloadRejected(f"The file {item.path.name} is missing.") from None
            if item_size > ceiling:
                raise PayloadRejected(
                    f"{item.path.name} is {item_size / 1e6:.1f} MB; this Matrix server takes "
                    f"files up to {ceiling / 1e6:.0f} MB."
                )

    def _upload(self, item: MediaFile) -> str:
        """Upload a file to the server's media repository; return its ``mxc://`` address."""
        with item.path.open("rb") as handle:
            # Retrying an upload is safe: a second copy is a file no message uses.
            uploaded = self._call(
                "POST",
                "/_matrix/media/v3/upload",
                idempotent=True,
                params={"filename": item.path.name},
                headers={"Content-Type": item.mime_type},
                content=handle.read(),
                forbidden=f"The Matrix server does not let the account upload {item.path.name}.",
            )
        uri = uploaded.get("content_uri")
        if not isinstance(uri, str) or not uri.startswith("mxc://"):
            raise UnexpectedResponse(
                f"Matrix answered the upload of {item.path.name} without an address."
            )
        return uri

    def _media_content(self, item: MediaFile) -> dict[str, Any]:
        """An ``m.image`` (or video, audio, file) message whose ``body`` is the alt text.

        No ``filename`` field: with one, clients show a ``body`` that differs from it as
        a visible caption (spec v1.10); without it, ``body`` describes the file, which
        clients use as the picture's alt text.
        """
        kind = item.mime_type.split("/", 1)[0]
        info: dict[str, Any] = {"mimetype": item.mime_type, "size": item.size}
        if kind == "image":
            info.update(_dimensions(item))
        return {
            "msgtype": MSGTYPES.get(kind, "m.file"),
            "body": item.alt.strip() or item.path.name,
            "url": self._upload(item),
            "info": info,
            "m.mentions": {},
        }

    # -- delete

    def delete(self, published: Published) -> None:
        """Redact every message of the post (text and pictures); gone already is fine."""
        room_id = str(published.extra.get("room_id") or "") or self.room_id
        event_ids = published.extra.get("event_ids") or [published.remote_id]
        for event_id in event_ids:
            digest = hashlib.sha256(str(event_id).encode()).hexdigest()[:32]
            try:
                self._call(
                    "PUT",
                    f"{self._room_path(room_id)}/redact/{quote(str(event_id), safe='')}/"
                    f"{txn_id('redact', digest)}",
                    json={},
                    forbidden=(
                        "The Matrix server does not let the account remove this message (its "
                        "power level is too low to redact). Remove it in a Matrix app."
                    ),
                )
            except PayloadRejected as error:
                if error.reason.startswith("M_NOT_FOUND"):
                    continue
                raise

    # -- read

    def read(self, source: Source, cursor: str | None) -> ReadPage:
        """Messages in a room since ``cursor``, oldest first.

        The first read takes the latest page and keeps the position at the room's end;
        later reads go forward from the token the last one ended on, so each message is
        read once. ``more`` says a full page came back: read again soon.
        """
        if source.kind != "room":
            raise NotSupported(
                f"Matrix has no {source.kind} to follow in houseboat: follow a room (give its "
                "address, or leave it empty for the channel's room)."
            )
        named = source.value.strip()
        room_id = self._resolve_room(named) if named else self.room_id
        where = named or self.setting("room")
        params: dict[str, Any] = {"limit": str(PAGE_SIZE), "filter": json.dumps(MESSAGES_FILTER)}
        if cursor:
            params.update({"dir": "f", "from": cursor})
        else:
            params["dir"] = "b"
        body = self._messages(room_id, where, params)
        chunk = body.get("chunk") if isinstance(body.get("chunk"), list) else []
        if not cursor:  # newest first: the start token marks the room's end
            start = body.get("start")
            return page(
                event_items(list(reversed(chunk)), room_id), str(start or "") or None, False
            )
        end = body.get("end")
        items = event_items(chunk, room_id)
        more = isinstance(end, str) and len(chunk) >= PAGE_SIZE
        return page(items, end if isinstance(end, str) and end else cursor, more)

    def _messages(self, room_id: str, where: str, params: Mapping[str, Any]) -> dict[str, Any]:
        return self._call(
            "GET",
            f"{self._room_path(room_id)}/messages",
            params=dict(params),
            forbidden=f"The account may not read {where}: {INVITE}.",
            not_found=f"The Matrix room {where} is gone or not visible.",
        )

    def recent_posts(self, limit: int = 20) -> list[RemoteItem]:
        """The account's own latest messages in the room, newest first."""
        room_id = self.room_id
        params = {
            "dir": "b",
            "limit": str(max(1, min(limit, PAGE_SIZE))),
            "filter": json.dumps({**MESSAGES_FILTER, "senders": [self.user_id]}),
        }
        chunk = self._messages(room_id, self.setting("room"), params).get("chunk")
        return event_items(chunk if isinstance(chunk, list) else [], room_id)[:limit]

    def gone(self, remote_ids: Sequence[str]) -> dict[str, str]:
        """Which of these messages of the channel's room were removed ("deleted").

        A removed (redacted) message stays in the room with its content emptied and
        the removal named in ``unsigned.redacted_because``. A message the server does
        not find may live in another room, so it is left out: houseboat cannot tell.
        """
        room = self._room_path(self.room_id)
        found: dict[str, str] = {}
        for event_id in dict.fromkeys(remote_ids):
            response = self._send("GET", f"{room}/event/{quote(event_id, safe='')}")
            if response.status_code == 404:
                continue
            if response.status_code >= 400:
                raise self._error(response)
            event = self.http.json(response)
            unsigned = event.get("unsigned") if isinstance(event, dict) else None
            if isinstance(unsigned, dict) and unsigned.get("redacted_because"):
                found[event_id] = "deleted"
        return found

    def remote_id_from_url(self, url: str) -> str:
        """The event id in a matrix.to link (``…/#/!room:server/$event``)."""
        fragment = urlsplit(url.strip()).fragment
        last = fragment.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        return last if last.startswith("$") else ""


# --- check helpers -----------------------------------------------------------------------


def _level(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _rights(levels: Mapping[str, Any], user_id: str) -> tuple[list[str], list[str]]:
    """What the account may do in the room by its power level, and what to fix."""
    users = levels.get("users") if isinstance(levels.get("users"), dict) else {}
    events = levels.get("events") if isinstance(levels.get("events"), dict) else {}
    mine = _level(users.get(user_id), _level(levels.get("users_default"), 0))
    events_default = _level(levels.get("events_default"), 0)
    to_post = _level(events.get("m.room.message"), events_default)
    to_redact = _level(events.get("m.room.redaction"), events_default)
    permissions, notes = ["read"], []
    if mine >= to_post:
        permissions.append("publish")
    else:
        notes.append(
            f"The account's power level in the room is {mine}, and posting needs {to_post}: "
            "a room admin must raise it (Element: room settings → Roles & Permissions)."
        )
    if mine >= to_redact:
        permissions.append("delete")
    else:
        notes.append(
            f"The account cannot remove its messages here (power level {mine}, removing needs "
            f"{to_redact}): taking a post down must be done by a room moderator."
        )
    return permissions, notes


def _dimensions(item: MediaFile) -> dict[str, int]:
    """A picture's width and height for ``info`` (clients reserve the space); {} if unknown."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(item.path) as image:
            width, height = image.size
    except (OSError, UnidentifiedImageError, ValueError):
        return {}
    return {"w": width, "h": height}


__all__ = ["MatrixConnector"]
