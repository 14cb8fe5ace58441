"""Bluesky, spoken as plain XRPC calls to the account's PDS.

Why not the ``atproto`` SDK: every call here goes through ``self.http``, the one HTTP
wrapper, so timeouts, safe retries, rate limits, the private-address guard and the
scrubbing of secrets work as for every other network; failures become houseboat's
typed errors, not an SDK's exceptions; and the tests replay the documented XRPC
answers on an httpx transport, which an SDK with its own client would go around.

References: docs.bsky.app "Posts" and "Links, mentions, and rich text" guides, the
"Rate Limits" page, and the lexicons in github.com/bluesky-social/atproto/lexicons.
An XRPC error is ``{"error": "Name", "message": "words"}`` with a 4xx or 5xx status.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import regex

from houseboat.connectors import text as text_rules
from houseboat.connectors.base import (
    Account,
    AuthRevoked,
    Connector,
    ConnectorError,
    Manifest,
    MediaFile,
    Metrics,
    NetworkUnreachable,
    OutcomeUnknown,
    OutgoingPost,
    PayloadRejected,
    PermissionMissing,
    Published,
    ReadPage,
    RemoteAuthor,
    RemoteItem,
    RemoteMedia,
    Source,
    UnexpectedResponse,
)

POST = "app.bsky.feed.post"
WEB = "https://bsky.app"
# The post lexicon limits text to 300 graphemes *and* 3,000 UTF-8 bytes: 150 family
# emoji are 150 graphemes but 3,750 bytes.
MAX_TEXT_BYTES = 3000
MAX_LANGS = 3  # app.bsky.feed.post: langs has maxLength 3
GET_POSTS_BATCH = 25  # app.bsky.feed.getPosts: uris has maxLength 25
PAGE_SIZE = 100  # the maximum of searchPosts, getAuthorFeed and listNotifications
MAX_PAGES = 10  # per read: at most 1,000 entries, so one busy hashtag cannot stall a worker
REFRESH_MARGIN = 60  # seconds: renew an access token this close to its expiry before using it
MENTION_REASONS = ("mention", "reply", "quote")
INVALID_HANDLE = "handle.invalid"  # what the AppView shows when a handle fails verification

SIGN_IN_REFUSED = (
    "The Bluesky app password was revoked or changed: create a new app password "
    "(Settings → Privacy and security → App passwords) and reconnect the channel."
)
TAKEN_DOWN = (
    "The Bluesky account was taken down by its host (a moderation action), so houseboat "
    "cannot use it. The account owner can appeal in the Bluesky app; reconnect the "
    "channel once the account is restored."
)

# --- rich text: links, mentions and hashtags as facets -------------------------------------
#
# The patterns follow the official client's detection (bluesky-social/atproto,
# packages/api/src/rich-text): each starts the text or follows white space, or "(" for
# links and mentions, so an "@" or "#" inside a URL is left alone. Facets point into
# the text by UTF-8 byte offsets, start inclusive and end exclusive.

# A handle as the handle spec writes it; the official client also asks for a known
# top-level domain, which resolving the handle checks here instead.
MENTION_RE = regex.compile(
    r"(?:^|(?<=[\s(]))@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?![a-zA-Z0-9-])"
)
LINK_RE = regex.compile(r"(?:^|(?<=[\s(]))(https?://\S+)", regex.IGNORECASE)
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"  # soft hyphen, zero-width marks
# A tag is anything up to white space with at least one character that is neither a
# digit nor punctuation (so #2024 is no tag). [0-9] rather than \d: the official
# client's JavaScript \d is ASCII only, so #١٢٣ (Arabic-Indic digits) is a tag there.
TAG_RE = regex.compile(
    rf"(?:^|(?<=\s))[#\uff03]((?!\ufe0f)[^\s{_INVISIBLE}]*[^0-9\s\p{{P}}{_INVISIBLE}]+[^\s{_INVISIBLE}]*)"
)
TRAILING_PUNCTUATION_RE = regex.compile(r"\p{P}+$")
MAX_TAG_UTF16 = 64  # the official client's limit, in JavaScript string length


@dataclasses.dataclass(frozen=True, order=True)
class Span:
    """A stretch of the text (code point indexes) to decorate: a mention, link or tag."""

    start: int
    end: int
    kind: str  # mention, link or tag
    value: str  # the handle, the URI or the tag without "#"


def detect_spans(text: str) -> list[Span]:
    """Find the mentions, links and hashtags in text, as the official client does."""
    spans = [
        Span(m.start(), m.end(), "mention", m.group(1).lower()) for m in MENTION_RE.finditer(text)
    ]
    for match in LINK_RE.finditer(text):
        uri, end = match.group(1), match.end(1)
        if uri[-1] in ".,;:!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        spans.append(Span(match.start(1), end, "link", uri))
    for match in TAG_RE.finditer(text):
        tag = TRAILING_PUNCTUATION_RE.sub("", match.group(1).strip())
        if tag and text_rules.utf16_units(tag) <= MAX_TAG_UTF16:
            start = match.start()  # the "#" (or the full-width U+FF03)
            spans.append(Span(start, start + 1 + len(tag), "tag", tag))
    return sorted(spans)


def byte_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of a code point index: what a facet's index counts."""
    return len(text[:index].encode("utf-8"))


def build_facets(text: str, spans: Iterable[Span], dids: dict[str, str]) -> list[dict[str, Any]]:
    """Turn spans into app.bsky.richtext.facet objects; unresolved mentions stay plain text."""
    facets: list[dict[str, Any]] = []
    taken_until = -1
    for span in sorted(spans):
        if span.start < taken_until:
            continue  # facets must not overlap
        if span.kind == "mention":
            if span.value not in dids:
                continue
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": dids[span.value]}
        elif span.kind == "link":
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
        else:
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": span.value}
        facets.append(
            {
                "index": {
                    "byteStart": byte_offset(text, span.start),
                    "byteEnd": byte_offset(text, span.end),
                },
                "features": [feature],
            }
        )
        taken_until = span.end
    return facets


# --- record keys -------------------------------------------------------------------------

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
TID_EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z, in microseconds
TID_SPAN_US = 2**44  # about 203 days


def record_key(idempotency_key: str) -> str:
    """A TID derived from the post's idempotency key, so every retry names the same record.

    A TID is 64 bits written as 13 base32-sortable characters: a zero top bit, 53 bits of
    microseconds since 1970 and a 10-bit clock id (atproto.com/specs/tid). The hash picks
    the clock id and a moment within some 200 days from 2023-01-01: always in the past,
    so no service that distrusts future timestamps trips on it, and 54 bits of hash keep
    two posts of one account from sharing a key.
    """
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big")
    timestamp = TID_EPOCH_US + (digest >> 10) % TID_SPAN_US
    value = (timestamp << 10) | (digest & 0x3FF)
    return "".join(TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


# --- small readers -----------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """Read an atproto datetime ("2024-03-01T12:00:00.000Z"); None if it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def iso_z(when: datetime) -> str:
    """Write a time as atproto prefers it: UTC with a trailing Z."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def at_uri_parts(uri: str) -> tuple[str, str, str]:
    """Split at://repo/collection/rkey into its three parts."""
    parts = uri.removeprefix("at://").split("/") if uri.startswith("at://") else []
    if len(parts) != 3 or not all(parts):
        raise PayloadRejected(f"“{uri}” is not the address of a Bluesky post (at://…).")
    return parts[0], parts[1], parts[2]


def post_url(actor: str, rkey: str) -> str:
    return f"{WEB}/profile/{actor}/post/{rkey}"


def profile_url(actor: str) -> str:
    return f"{WEB}/profile/{actor}"


def expires_soon(token: str, now: float | None = None) -> bool:
    """Whether a JWT's ``exp`` is past or close; False when the token cannot be read.

    Reading the expiry (without checking the signature: the server does that) spares a
    refused call, which matters most for a picture upload that would be sent twice.
    """
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        expiry = float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return False
    return expiry - (time.time() if now is None else now) < REFRESH_MARGIN


def aspect_ratio(path: Path) -> tuple[int, int] | None:
    """The picture's width and height if Pillow is installed and can read it; else None.

    The posts guide says to leave aspectRatio out rather than guess, and houseboat does
    not add Pillow for this alone.
    """
    try:
        from PIL import Image  # optional: used only where it is installed
    except ImportError:
        return None
    try:
        with Image.open(path) as image:
            width, height = image.size
    except Exception:  # any picture Pillow cannot read just goes without a ratio
        return None
    return (width, height) if width > 0 and height > 0 else None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


# --- the connector -----------------------------------------------------------------------


class BlueskyConnector(Connector):
    manifest: Manifest = {
        "network": "bluesky",
        "label": "Bluesky",
        "can": ["publish", "delete", "read", "threads", "media", "metrics", "check"],
        "sources": ["keyword", "hashtag", "mentions", "account"],
        "limits": {
            "text": {"max": 300, "counted": "graphemes"},
            "media": {
                "max_count": 4,
                "max_bytes": 1_000_000,
                # The lexicon takes image/*; a GIF would show as a still picture, so it
                # is refused here rather than losing its animation without a word.
                "types": ["image/jpeg", "image/png", "image/webp"],
                "alt_max": 2000,  # the Bluesky app's limit; the protocol sets none
            },
        },
        "rate_limits": (
            "Per account: 5,000 write points an hour and 35,000 a day (a post costs 3); "
            "sign-ins 30 per 5 minutes and 300 a day, so houseboat keeps one session and "
            "refreshes it. Per address: 3,000 requests per 5 minutes to the PDS."
        ),
        "credentials": [
            {
                "name": "app_password",
                "label": "App password",
                "secret": True,
                "required": True,
                "help": (
                    "Made in Bluesky under Settings → Privacy and security → App passwords "
                    "(looks like xxxx-xxxx-xxxx-xxxx). Never the account's main password."
                ),
            }
        ],
        "settings": [
            {
                "name": "handle",
                "label": "Handle",
                "secret": False,
                "required": True,
                "help": "The account's handle, e.g. campaign.bsky.social (without the @).",
            },
            {
                "name": "service_url",
                "label": "Server (PDS) address",
                "secret": False,
                "default": "https://bsky.social",
                "help": (
                    "Where the account lives. Keep https://bsky.social for accounts made on "
                    "Bluesky; give your own server's address for a self-hosted PDS."
                ),
            },
            {
                "name": "appview_url",
                "label": "Public AppView address (optional)",
                "secret": False,
                "required": False,
                "help": (
                    "Leave empty to read through the server above. Or e.g. "
                    "https://public.api.bsky.app to read author feeds and metrics there, "
                    "without signing in; search and mentions always go through the server."
                ),
            },
        ],
        "notes": (
            "300 characters (graphemes) per post, up to 4 pictures of at most 1 MB each "
            "(JPEG, PNG or WebP) with descriptions. Strip location data from pictures first."
        ),
    }

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._session_handle = ""

    # -- addresses

    def _base(self, name: str) -> str:
        url = self.setting(name).strip().rstrip("/")
        if url and not url.startswith(("https://", "http://")):
            raise ConnectorError(
                f"The Bluesky address “{url}” must start with https://. Correct it in the "
                "channel settings.",
                permanent=True,
            )
        return url

    def _handle(self) -> str:
        return self._session_handle or self.setting("handle").strip().lstrip("@")

    # -- the session

    def _ensure_session(self) -> str:
        """Return the account's DID, signing in or refreshing only when needed."""
        access = self.secrets.get("access_jwt")
        if not access or not self.secrets.get("did") or expires_soon(access):
            self._renew_session()
        return self.secrets["did"]

    def _renew_session(self) -> None:
        """Refresh the session with the refresh token, or else sign in with the app password.

        Sign-ins are limited to 30 per 5 minutes and 300 a day per account, so the
        refresh token comes first and a new session is made only when it is refused.
        """
        refresh = self.secrets.get("refresh_jwt")
        if refresh:
            response = self._session_call(
                "com.atproto.server.refreshSession",
                headers={"Authorization": f"Bearer {refresh}"},
            )
            if response.status_code == 200:
                self._keep_session(response)
                return
            error, _ = self._error_of(response)
            if error == "AccountTakedown":
                raise PermissionMissing(TAKEN_DOWN, reason=self._reason(response))
            if response.status_code not in (400, 401):
                raise self._fail(response, "renew its sign-in")
            # ExpiredToken or InvalidToken: the refresh token is spent; sign in again.
        self._create_session()

    def _create_session(self) -> None:
        identifier = self.setting("handle").strip().lstrip("@")
        password = self.secrets.get("app_password", "")
        if not identifier or not password:
            raise AuthRevoked(
                "The Bluesky channel has no handle or app password. Add them on the "
                "Channels page (an app password, never the main password)."
            )
        response = self._session_call(
            "com.atproto.server.createSession",
            json={"identifier": identifier, "password": password},
        )
        if response.status_code == 200:
            self._keep_session(response)
            return
        error, _ = self._error_of(response)
        reason = self._reason(response)
        if error == "AccountTakedown":
            raise PermissionMissing(TAKEN_DOWN, reason=reason)
        if error == "AuthFactorTokenRequired":
            raise AuthRevoked(
                "Bluesky asked for a code sent by email, which happens when the account's "
                "main password is used. Create an app password (Settings → Privacy and "
                "security → App passwords) and reconnect the channel with it.",
                reason=reason,
            )
        if response.status_code in (400, 401):
            raise AuthRevoked(SIGN_IN_REFUSED, reason=reason)
        raise self._fail(response, "sign in")

    def _session_call(self, nsid: str, **kwargs: Any) -> httpx.Response:
        # Signing in or refreshing may be repeated safely: at worst it makes a second
        # session. A failure on the way is transient and posted nothing, so it must not
        # read as "the outcome is unknown", and never as a revoked password.
        try:
            return self.http.request(
                "POST", f"{self._base('service_url')}/xrpc/{nsid}", idempotent=True, **kwargs
            )
        except OutcomeUnknown as error:
            raise NetworkUnreachable(
                "Bluesky could not renew the channel's sign-in just now; nothing was posted. "
                "houseboat will try again.",
                reason=error.reason,
            ) from None

    def _keep_session(self, response: httpx.Response) -> None:
        body = as_dict(self.http.json(response))
        access, refresh, did = body.get("accessJwt"), body.get("refreshJwt"), body.get("did")
        if not all(isinstance(value, str) and value for value in (access, refresh, did)):
            raise UnexpectedResponse(
                "Bluesky answered the sign-in without the session tokens houseboat needs."
            )
        handle = body.get("handle")
        if isinstance(handle, str) and handle != INVALID_HANDLE:
            self._session_handle = handle
        self.update_secrets(access_jwt=access, refresh_jwt=refresh, did=did)

    # -- calls

    def _call(
        self,
        method: str,
        nsid: str,
        *,
        base: str = "",
        auth: bool = True,
        idempotent: bool | None = None,
        params: dict[str, Any] | None = None,
        body: Any = None,
        content: bytes | None = None,
        content_type: str = "",
    ) -> httpx.Response:
        """Send one XRPC call with the session, renewing the session once if it expired."""
        url = f"{base or self._base('service_url')}/xrpc/{nsid}"
        if auth:
            self._ensure_session()
        response: httpx.Response | None = None
        for attempt in (1, 2):
            headers = {"Content-Type": content_type} if content_type else {}
            if auth:
                headers["Authorization"] = f"Bearer {self.secrets['access_jwt']}"
            response = self.http.request(
                method,
                url,
                idempotent=idempotent,
                headers=headers,
                params=params,
                json=body,
                content=content,
            )
            # The PDS checks the token before doing anything, so a refused token means
            # nothing happened and the call may be sent again with a fresh one.
            if auth and attempt == 1 and self._session_expired(response):
                self._renew_session()
                continue
            break
        assert response is not None
        return response

    def _public_read(self, nsid: str, params: dict[str, Any]) -> httpx.Response:
        """Read through the AppView when one is set (without signing in), else the PDS."""
        appview = self._base("appview_url")
        if not appview:
            return self._call("GET", nsid, params=params)
        response = self._call("GET", nsid, base=appview, auth=False, params=params)
        if response.status_code in (401, 403):
            # Not the app password's fault: this AppView wants a signed-in reader.
            raise PermissionMissing(
                f"The AppView at {appview} does not answer this without signing in. Empty "
                "the “Public AppView address” in the channel settings to read through the "
                "account's server instead.",
                reason=self._reason(response),
            )
        return response

    def _session_expired(self, response: httpx.Response) -> bool:
        if response.status_code == 401:
            return True
        return response.status_code == 400 and self._error_of(response)[0] in (
            "ExpiredToken",
            "InvalidToken",
        )

    def _answer(self, response: httpx.Response, doing: str) -> dict[str, Any]:
        """The JSON object of a successful answer, or the typed error of a failed one."""
        if response.status_code != 200:
            raise self._fail(response, doing)
        answer = self.http.json(response)
        if not isinstance(answer, dict):
            raise UnexpectedResponse(
                f"Bluesky answered with something houseboat cannot read when asked to {doing}."
            )
        return answer

    @staticmethod
    def _list(answer: dict[str, Any], key: str) -> list[dict[str, Any]]:
        items = answer.get(key)
        if not isinstance(items, list):
            raise UnexpectedResponse(
                f"Bluesky's answer has no list of {key}; houseboat cannot read it."
            )
        return [item for item in items if isinstance(item, dict)]

    # -- errors

    @staticmethod
    def _error_of(response: httpx.Response) -> tuple[str, str]:
        """The XRPC error name and message, or empty strings when the body is not one."""
        try:
            body = response.json()
        except ValueError:
            return "", ""
        if not isinstance(body, dict):
            return "", ""
        error, message = body.get("error"), body.get("message")
        return (
            error if isinstance(error, str) else "",
            message if isinstance(message, str) else "",
        )

    def _reason(self, response: httpx.Response) -> str:
        error, message = self._error_of(response)
        words = f"{error}: {message}" if error and message else error or message
        return self.http.scrub(words or response.text[:300])

    def _fail(self, response: httpx.Response, doing: str) -> ConnectorError:
        """The typed error for a failed XRPC call, with Bluesky's own words beside it."""
        status = response.status_code
        error, _ = self._error_of(response)
        reason = self._reason(response)
        if error == "AccountTakedown":
            return PermissionMissing(TAKEN_DOWN, reason=reason)
        if status == 401:
            return AuthRevoked(
                "Bluesky refused the channel's sign-in even after renewing it. Create a new "
                "app password and reconnect the channel.",
                reason=reason,
            )
        if error in ("BlockedActor", "BlockedByActor"):
            return PermissionMissing(
                f"Bluesky will not let this account {doing}: one of the accounts blocks the other.",
                reason=reason,
            )
        if status == 403:
            return PermissionMissing(
                f"Bluesky does not allow this account to {doing}.", reason=reason
            )
        if status == 413 or error in ("PayloadTooLarge", "BlobTooLarge"):
            return PayloadRejected(
                "A picture is too large for Bluesky: make it smaller than 1 MB and try again.",
                reason=reason,
            )
        if status in (400, 409, 422):
            return PayloadRejected(f"Bluesky refused to {doing}.", reason=reason)
        try:
            self.http.raise_for_status(response, reason=reason)
        except ConnectorError as typed:
            return typed
        return UnexpectedResponse(
            f"Bluesky answered HTTP {status} when asked to {doing}.", reason=reason
        )

    # -- publish

    def publish(self, post: OutgoingPost) -> Published:
        """Publish one post under a record key fixed by its idempotency key.

        Because the key is fixed, sending the create again cannot make a second post;
        when the answer is lost or the record already exists, houseboat reads the record
        back and counts it as published if its text is this post's.
        """
        self._refuse_what_bluesky_refuses(post)
        try:
            record = self._record(post)
        except OutcomeUnknown as error:
            # Uploads and look-ups post nothing: a failure here is a plain "try again".
            raise NetworkUnreachable(
                "Bluesky had trouble while houseboat prepared the post; nothing was posted yet. "
                "houseboat will try again.",
                reason=error.reason or error.message,
            ) from None
        rkey = record_key(post.idempotency_key)
        try:
            return self._create(record, rkey)
        except OutcomeUnknown as unknown:
            return self._find_published(rkey, post.text, unknown)

    def _refuse_what_bluesky_refuses(self, post: OutgoingPost) -> None:
        for media in post.media:
            if not media.path.is_file():
                raise PayloadRejected(f"The picture {media.path.name} is missing; add it again.")
        problems = [
            p.message
            for p in text_rules.check(self.limits(), post.text, post.media, label=self.label)
        ]
        size = len(post.text.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            problems.append(
                f"Too long for Bluesky: {size} bytes of text (emoji and some scripts take "
                f"several each), the limit is {MAX_TEXT_BYTES}. Shorten it or split it into a thread."
            )
        if problems:
            raise PayloadRejected(" ".join(problems))

    def _record(self, post: OutgoingPost) -> dict[str, Any]:
        """Build the app.bsky.feed.post record: text, time, languages, facets, reply, embed."""
        record: dict[str, Any] = {
            "$type": POST,
            "text": post.text,
            "createdAt": iso_z(datetime.now(UTC)),
        }
        langs = self._langs(post.options.get("language"))
        if langs:
            record["langs"] = langs
        facets = self._facets(post.text)
        if facets:
            record["facets"] = facets
        reply = self._reply(post)
        if reply:
            record["reply"] = reply
        embed = self._embed(post)
        if embed:
            record["embed"] = embed
        return record

    @staticmethod
    def _langs(language: Any) -> list[str]:
        if isinstance(language, str):
            language = [language]
        if not isinstance(language, list | tuple):
            return []
        return [code.strip() for code in language if isinstance(code, str) and code.strip()][
            :MAX_LANGS
        ]

    def _facets(self, text: str) -> list[dict[str, Any]]:
        spans = detect_spans(text)
        handles = {span.value for span in spans if span.kind == "mention"}
        dids = {handle: did for handle in sorted(handles) if (did := self._resolve_handle(handle))}
        return build_facets(text, spans, dids)

    def _resolve_handle(self, handle: str) -> str | None:
        """The DID behind a mentioned handle, or None: the mention then stays plain text."""
        response = self._call(
            "GET", "com.atproto.identity.resolveHandle", params={"handle": handle}
        )
        if response.status_code == 400:
            return None  # no such handle (the posts guide skips it the same way)
        did = self._answer(response, "look up a mentioned account").get("did")
        return did if isinstance(did, str) and did.startswith("did:") else None

    def _reply(self, post: OutgoingPost) -> dict[str, Any] | None:
        if post.reply_to is None:
            return None
        parent, parent_record = self._strong_ref(
            post.reply_to, need_record=post.thread_root is None
        )
        if post.thread_root is not None:
            root, _ = self._strong_ref(post.thread_root)
        else:
            # As the posts guide does: the parent's own root, or the parent if it is none.
            root_ref = as_dict(as_dict(parent_record.get("reply")).get("root"))
            root = (
                {"uri": root_ref["uri"], "cid": root_ref["cid"]}
                if isinstance(root_ref.get("uri"), str) and isinstance(root_ref.get("cid"), str)
                else parent
            )
        return {"root": root, "parent": parent}

    def _strong_ref(
        self, published: Published, *, need_record: bool = False
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """The {uri, cid} of a post to reply to, and its record when it had to be read."""
        uri = published.extra.get("uri") or published.remote_id
        cid = published.extra.get("cid")
        if isinstance(cid, str) and cid and not need_record:
            return {"uri": uri, "cid": cid}, {}
        repo, collection, rkey = at_uri_parts(uri)
        response = self._call(
            "GET",
            "com.atproto.repo.getRecord",
            params={"repo": repo, "collection": collection, "rkey": rkey},
        )
        answer = self._answer(response, "find the post to reply to")
        found_cid = answer.get("cid")
        if not isinstance(found_cid, str):
            raise UnexpectedResponse(
                "Bluesky described the post to reply to without its version (cid)."
            )
        return {"uri": uri, "cid": found_cid}, as_dict(answer.get("value"))

    def _embed(self, post: OutgoingPost) -> dict[str, Any] | None:
        if post.media:
            return {
                "$type": "app.bsky.embed.images",
                "images": [self._image(m) for m in post.media],
            }
        card = post.options.get("link_card")
        if not card:
            return None
        card = as_dict(card)
        uri = card.get("uri")
        if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
            raise PayloadRejected("The link card needs the full address of the page (https://…).")
        # No thumbnail: fetching the page's picture would make houseboat call a third
        # party's site from the server, which the threat model avoids.
        return {
            "$type": "app.bsky.embed.external",
            "external": {
                "uri": uri,
                "title": str(card.get("title") or ""),
                "description": str(card.get("description") or ""),
            },
        }

    def _image(self, media: MediaFile) -> dict[str, Any]:
        try:
            data = media.path.read_bytes()
        except OSError:
            raise PayloadRejected(f"houseboat cannot read the picture {media.path.name}.") from None
        response = self._call(
            "POST",
            "com.atproto.repo.uploadBlob",
            idempotent=True,  # the same bytes make the same blob
            content=data,
            content_type=media.mime_type,
        )
        blob = self._answer(response, f"take the picture {media.path.name}").get("blob")
        if not isinstance(blob, dict):
            raise UnexpectedResponse("Bluesky took the picture but did not say how to refer to it.")
        image: dict[str, Any] = {"alt": media.alt, "image": blob}
        ratio = aspect_ratio(media.path)
        if ratio:
            image["aspectRatio"] = {"width": ratio[0], "height": ratio[1]}
        return image

    def _create(self, record: dict[str, Any], rkey: str) -> Published:
        did = self._ensure_session()
        response = self._call(
            "POST",
            "com.atproto.repo.createRecord",
            idempotent=True,  # the record key is fixed, so a repeat cannot post twice
            body={
                "repo": did,
                "collection": POST,
                "rkey": rkey,
                "validate": True,
                "record": record,
            },
        )
        if response.status_code == 200:
            return self._published(as_dict(self.http.json(response, after_publish=True)), rkey)
        if self._looks_duplicate(response):
            return self._find_published(
                rkey,
                record["text"],
                PayloadRejected(
                    "Bluesky says this post already exists.", reason=self._reason(response)
                ),
            )
        raise self._fail(response, "publish the post")

    @staticmethod
    def _looks_duplicate(response: httpx.Response) -> bool:
        # Today a PDS answers a create on a taken record key with a bare 500
        # (bluesky-social/atproto#3718, indigo#873; the http wrapper turns it into
        # OutcomeUnknown); an explicit 4xx error is on its way (atproto PR #4728),
        # its name not settled, so any 4xx that says so is read back the same way.
        if response.status_code not in (400, 409):
            return False
        error, message = BlueskyConnector._error_of(response)
        words = f"{error} {message}".lower()
        return any(word in words for word in ("exist", "duplicate", "conflict"))

    def _published(self, answer: dict[str, Any], rkey: str) -> Published:
        uri, cid = answer.get("uri"), answer.get("cid")
        if not isinstance(uri, str) or not isinstance(cid, str):
            raise OutcomeUnknown("Bluesky's answer to the post lacks the post's address.")
        return Published(
            remote_id=uri, url=post_url(self._handle(), rkey), extra={"uri": uri, "cid": cid}
        )

    def _find_published(self, rkey: str, text: str, error: ConnectorError) -> Published:
        """Read the record back: if it holds this text, the post went out; else re-raise."""
        try:
            did = self._ensure_session()
            response = self._call(
                "GET",
                "com.atproto.repo.getRecord",
                params={"repo": did, "collection": POST, "rkey": rkey},
            )
            answer = self._answer(response, "find the post") if response.status_code == 200 else {}
        except ConnectorError:
            raise error from None
        value = as_dict(answer.get("value"))
        if not value or not isinstance(answer.get("cid"), str):
            raise error  # not there (RecordNotFound) or unreadable: the first error stands
        if value.get("text") != text:
            raise PayloadRejected(
                "Bluesky already holds a different post under this post's key, from an "
                "earlier attempt whose text was changed since: "
                f"{post_url(self._handle(), rkey)}. Delete it there, then send this one again."
            )
        return self._published(
            {"uri": answer.get("uri") or f"at://{did}/{POST}/{rkey}", "cid": answer["cid"]}, rkey
        )

    # -- delete

    def delete(self, published: Published) -> None:
        """Delete one of the account's own posts (deleting a deleted post is fine)."""
        uri = published.extra.get("uri") or published.remote_id
        repo, collection, rkey = at_uri_parts(uri)
        did = self._ensure_session()
        if repo not in (did, self._handle()) or collection != POST:
            raise PayloadRejected(
                f"{uri} is not a post of this channel's Bluesky account; houseboat deletes "
                "only the account's own posts."
            )
        response = self._call(
            "POST",
            "com.atproto.repo.deleteRecord",
            idempotent=True,  # "Delete a record, or ensure it doesn't exist"
            body={"repo": did, "collection": POST, "rkey": rkey},
        )
        if response.status_code != 200:
            raise self._fail(response, "delete the post")

    # -- read

    def read(self, source: Source, cursor: str | None) -> ReadPage:
        """Return what is new at a keyword, hashtag, account or the account's mentions."""
        watermark = parse_time(cursor)
        value = source.value.strip()
        if source.kind in ("keyword", "hashtag"):
            query = value if source.kind == "keyword" else "#" + value.lstrip("#\uff03")
            if not query.strip("#"):
                raise PayloadRejected(f"Say which {source.kind} to search Bluesky for.")
            posts, newest = self._read_since(lambda page: self._search(query, page), watermark)
            items = [self._item(post) for post in posts]
        elif source.kind == "account":
            actor = value.lstrip("@")
            if not actor:
                raise PayloadRejected("Say which Bluesky account to read (its handle).")
            entries, newest = self._read_since(
                lambda page: self._author_feed(actor, page), watermark
            )
            items = [self._feed_item(entry) for entry in entries]
        elif source.kind == "mentions":
            notes, newest = self._read_since(self._notifications, watermark)
            items = self._mentions([n for n in notes if n.get("reason") in MENTION_REASONS])
        else:
            raise self._unsupported(f"read {source.kind} sources")
        fresh = newest is not None and newest != watermark
        return ReadPage(
            items=[item for item in items if item is not None],
            cursor=iso_z(newest) if fresh and newest else None,
        )

    def _read_since(
        self,
        fetch: Callable[[str | None], tuple[list[dict[str, Any]], str | None]],
        watermark: datetime | None,
    ) -> tuple[list[dict[str, Any]], datetime | None]:
        """Page back from the newest entry until entries older than the watermark appear.

        Search, author feeds and notifications all start at the newest entry and page
        backwards in time; their own cursors only lead further into the past. So the
        cursor houseboat keeps is a time: the newest ``indexedAt`` seen. Each read pages
        back until a page holds an entry older than it, keeps what is at or after it
        (the ingest pipeline drops the one seen twice at the boundary), and returns the
        newest time as the next cursor. The first read takes only the newest page:
        listening starts now, not at the beginning of the network.
        """
        kept: list[dict[str, Any]] = []
        newest, page = watermark, None
        for _ in range(MAX_PAGES if watermark else 1):
            entries, page = fetch(page)
            reached_older = False
            for entry in entries:
                moment = self._indexed_at(entry)
                if watermark is not None and moment is not None and moment < watermark:
                    reached_older = True
                    continue
                kept.append(entry)
                if moment is not None and (newest is None or moment > newest):
                    newest = moment
            if reached_older or not page:
                break
        return kept, newest

    @staticmethod
    def _indexed_at(entry: dict[str, Any]) -> datetime | None:
        reason = as_dict(entry.get("reason"))  # a repost counts from when it was made
        post = as_dict(entry.get("post"))
        return parse_time(
            reason.get("indexedAt") or post.get("indexedAt") or entry.get("indexedAt")
        )

    def _search(self, query: str, page: str | None) -> tuple[list[dict[str, Any]], str | None]:
        # Post search needs a signed-in call since Bluesky closed it to anonymous
        # clients (atproto#3423), so it always goes through the PDS.
        params: dict[str, Any] = {"q": query, "sort": "latest", "limit": PAGE_SIZE}
        if page:
            params["cursor"] = page
        answer = self._answer(
            self._call("GET", "app.bsky.feed.searchPosts", params=params), "search posts"
        )
        return self._list(answer, "posts"), self._cursor(answer)

    def _author_feed(self, actor: str, page: str | None) -> tuple[list[dict[str, Any]], str | None]:
        params: dict[str, Any] = {"actor": actor, "limit": PAGE_SIZE}
        if page:
            params["cursor"] = page
        answer = self._answer(
            self._public_read("app.bsky.feed.getAuthorFeed", params), "read the account's posts"
        )
        return self._list(answer, "feed"), self._cursor(answer)

    def _notifications(self, page: str | None) -> tuple[list[dict[str, Any]], str | None]:
        params: dict[str, Any] = {"reasons": list(MENTION_REASONS), "limit": PAGE_SIZE}
        if page:
            params["cursor"] = page
        answer = self._answer(
            self._call("GET", "app.bsky.notification.listNotifications", params=params),
            "read its mentions",
        )
        return self._list(answer, "notifications"), self._cursor(answer)

    @staticmethod
    def _cursor(answer: dict[str, Any]) -> str | None:
        cursor = answer.get("cursor")
        return cursor if isinstance(cursor, str) and cursor else None

    def _mentions(self, notes: list[dict[str, Any]]) -> list[RemoteItem | None]:
        """Map mention, reply and quote notifications to items, with full post views."""
        views = self._posts([n["uri"] for n in notes if isinstance(n.get("uri"), str)])
        items: list[RemoteItem | None] = []
        for note in notes:
            view = views.get(note.get("uri", ""))
            if view is None:  # deleted since, or hidden: the notification still says enough
                view = {
                    key: note.get(key) for key in ("uri", "cid", "author", "record", "indexedAt")
                }
            items.append(self._item(view, raw=note))
        return items

    def _posts(self, uris: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Post views by URI, 25 per call; missing posts are left out."""
        views: dict[str, dict[str, Any]] = {}
        wanted = list(dict.fromkeys(uris))
        for start in range(0, len(wanted), GET_POSTS_BATCH):
            batch = wanted[start : start + GET_POSTS_BATCH]
            answer = self._answer(
                self._public_read("app.bsky.feed.getPosts", {"uris": batch}), "read posts"
            )
            for view in self._list(answer, "posts"):
                if isinstance(view.get("uri"), str):
                    views[view["uri"]] = view
        return views

    # -- map Bluesky's views to houseboat's items

    def _item(self, view: dict[str, Any], raw: dict[str, Any] | None = None) -> RemoteItem | None:
        """Map an app.bsky.feed.defs#postView to a RemoteItem (None if it has no URI)."""
        uri = view.get("uri")
        if not isinstance(uri, str) or not uri.startswith("at://"):
            return None
        record = as_dict(view.get("record"))
        text = record.get("text") if isinstance(record.get("text"), str) else ""
        author = self._author(as_dict(view.get("author")))
        hashtags, mentions, links = facet_entities(text, record.get("facets"))
        tags = record.get("tags") if isinstance(record.get("tags"), list) else []
        langs = record.get("langs") if isinstance(record.get("langs"), list) else []
        embed = as_dict(view.get("embed"))
        return RemoteItem(
            network="bluesky",
            remote_id=uri,
            text=text,
            created_at=parse_time(record.get("createdAt")) or parse_time(view.get("indexedAt")),
            author=author,
            url=post_url(author.handle or uri.split("/")[2], uri.rsplit("/", 1)[-1]),
            language=langs[0] if langs and isinstance(langs[0], str) else "",
            reply_to_id=as_dict(as_dict(record.get("reply")).get("parent")).get("uri") or "",
            quote_of_id=quote_of(embed, as_dict(record.get("embed"))),
            hashtags=unique([*hashtags, *(tag for tag in tags if isinstance(tag, str))]),
            mentions=unique(mentions),
            links=unique([*links, *external_links(embed)]),
            media=tuple(media_of(embed)),
            metrics=metrics_of(view),
            raw=raw if raw is not None else view,
        )

    def _feed_item(self, entry: dict[str, Any]) -> RemoteItem | None:
        """Map an author-feed entry; a repost becomes the reposter's item pointing at the post."""
        item = self._item(as_dict(entry.get("post")), raw=entry)
        reason = as_dict(entry.get("reason"))
        if item is None or not str(reason.get("$type", "")).endswith("#reasonRepost"):
            return item
        by = self._author(as_dict(reason.get("by")))
        return dataclasses.replace(
            item,
            remote_id=reason.get("uri") or f"{item.remote_id}#repost-by-{by.remote_id}",
            author=by,
            repost_of_id=item.remote_id,
            created_at=parse_time(reason.get("indexedAt")) or item.created_at,
        )

    @staticmethod
    def _author(profile: dict[str, Any]) -> RemoteAuthor:
        did = profile.get("did") if isinstance(profile.get("did"), str) else ""
        handle = profile.get("handle") if isinstance(profile.get("handle"), str) else ""
        if handle == INVALID_HANDLE:
            handle = ""
        return RemoteAuthor(
            remote_id=did,
            handle=handle,
            display_name=profile.get("displayName") or "",
            url=profile_url(handle or did) if handle or did else "",
        )

    # -- metrics, own posts, check

    def metrics(self, posts: Sequence[Published]) -> dict[str, Metrics]:
        """Current reply, repost, like and quote counts; deleted posts are left out."""
        uris = [post.extra.get("uri") or post.remote_id for post in posts]
        views = self._posts(uris)
        return {
            post.remote_id: metrics_of(views[uri])
            for post, uri in zip(posts, uris, strict=True)
            if uri in views
        }

    def recent_posts(self, limit: int = 20) -> list[RemoteItem]:
        """The account's latest posts, thread parts included (they are houseboat's too)."""
        did = self._ensure_session()
        params = {
            "actor": did,
            "filter": "posts_and_author_threads",
            "limit": max(1, min(limit, PAGE_SIZE)),
        }
        answer = self._answer(
            self._public_read("app.bsky.feed.getAuthorFeed", params), "list the account's own posts"
        )
        items = [
            self._item(as_dict(entry.get("post")), raw=entry)
            for entry in self._list(answer, "feed")
            if not entry.get("reason")  # a repost is someone else's post
        ]
        return [item for item in items if item is not None][:limit]

    def check(self) -> Account:
        """Sign in (or reuse the session) and read the account's profile."""
        did = self._ensure_session()
        profile = self._answer(
            self._call("GET", "app.bsky.actor.getProfile", params={"actor": did}),
            "read its own profile",
        )
        handle = profile.get("handle") if isinstance(profile.get("handle"), str) else self._handle()
        notes = []
        if handle == INVALID_HANDLE:
            handle = self._handle()
            notes.append(
                "Bluesky cannot verify this account's handle just now (its domain or DNS "
                "record changed?); posts still go out."
            )
        return Account(
            remote_id=did,
            handle=f"@{handle}",
            display_name=profile.get("displayName") or "",
            url=profile_url(handle),
            permissions=["publish", "delete", "read"],
            notes=notes,
        )


# --- reading records and views -------------------------------------------------------------


def facet_entities(text: str, facets: Any) -> tuple[list[str], list[str], list[str]]:
    """Hashtags, mentioned handles and links named by a post's facets."""
    hashtags: list[str] = []
    mentions: list[str] = []
    links: list[str] = []
    data = text.encode("utf-8")
    for facet in facets if isinstance(facets, list) else []:
        index = as_dict(as_dict(facet).get("index"))
        start, end = index.get("byteStart"), index.get("byteEnd")
        for feature in as_dict(facet).get("features") or []:
            feature = as_dict(feature)
            kind = feature.get("$type")
            if kind == "app.bsky.richtext.facet#tag" and isinstance(feature.get("tag"), str):
                hashtags.append(feature["tag"])
            elif kind == "app.bsky.richtext.facet#link" and isinstance(feature.get("uri"), str):
                links.append(feature["uri"])
            elif kind == "app.bsky.richtext.facet#mention":
                # The facet holds only the DID; the text it covers shows the handle.
                shown = ""
                if isinstance(start, int) and isinstance(end, int):
                    shown = data[start:end].decode("utf-8", "ignore").strip().lstrip("@")
                mentions.append(
                    shown if MENTION_RE.fullmatch("@" + shown) else str(feature.get("did") or "")
                )
    return hashtags, mentions, links


def quote_of(view: dict[str, Any], embed: dict[str, Any]) -> str:
    """The URI of the post quoted, from the embed view or else the record's own embed."""
    for candidate in (view, embed):
        kind = str(candidate.get("$type", ""))
        target = as_dict(candidate.get("record"))
        if kind.startswith("app.bsky.embed.recordWithMedia"):
            target = as_dict(target.get("record"))
        elif not kind.startswith("app.bsky.embed.record"):
            continue
        uri = target.get("uri")
        if isinstance(uri, str) and f"/{POST}/" in uri:
            return uri
    return ""


def _media_view(view: dict[str, Any]) -> dict[str, Any]:
    if str(view.get("$type", "")).startswith("app.bsky.embed.recordWithMedia"):
        return as_dict(view.get("media"))
    return view


def media_of(view: dict[str, Any]) -> list[RemoteMedia]:
    """Pictures (full size, with descriptions) and video from an embed view."""
    view = _media_view(view)
    kind = str(view.get("$type", ""))
    if kind == "app.bsky.embed.images#view":
        return [
            RemoteMedia(url=image["fullsize"], kind="image", alt=str(image.get("alt") or ""))
            for image in map(as_dict, view.get("images") or [])
            if isinstance(image.get("fullsize"), str)
        ]
    if kind == "app.bsky.embed.video#view" and isinstance(view.get("playlist"), str):
        return [RemoteMedia(url=view["playlist"], kind="video", alt=str(view.get("alt") or ""))]
    return []


def external_links(view: dict[str, Any]) -> list[str]:
    view = _media_view(view)
    if view.get("$type") == "app.bsky.embed.external#view":
        uri = as_dict(view.get("external")).get("uri")
        return [uri] if isinstance(uri, str) else []
    return []


def metrics_of(view: dict[str, Any]) -> Metrics:
    def count(key: str) -> int | None:
        value = view.get(key)
        return value if isinstance(value, int) else None

    return Metrics(
        replies=count("replyCount"),
        reposts=count("repostCount"),
        likes=count("likeCount"),
        quotes=count("quoteCount"),
    )
