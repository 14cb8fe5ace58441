"""The one small interface every network sits behind.

A connector publishes, deletes, reads since a cursor, fetches metrics and checks
its account. It is built from a channel's plain settings (``config``) and its
decrypted ``secrets``; nothing else in houseboat speaks to a network. Every failure
leaves a connector as one of the typed errors below, whose message tells a person
what happened and what to do, and never contains a secret.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NotRequired, TypedDict
from urllib.parse import urlsplit

import httpx

from houseboat.core import leases

if TYPE_CHECKING:
    from houseboat.connectors.http import HttpClient

# --- errors -------------------------------------------------------------------------


class ConnectorError(Exception):
    """A network call failed. ``permanent`` says whether trying again can help.

    ``message`` is for the person at the screen; ``reason`` is the network's own
    words (already free of secrets), shown beside it when there are any.
    """

    kind: ClassVar[str] = "error"
    permanent: bool = False

    def __init__(self, message: str, *, reason: str = "", permanent: bool | None = None):
        super().__init__(message)
        self.message = message
        self.reason = reason
        if permanent is not None:
            self.permanent = permanent

    def __str__(self) -> str:
        if self.reason and self.reason not in self.message:
            return f"{self.message} (the network said: {self.reason})"
        return self.message


class AuthRevoked(ConnectorError):
    """The token or password no longer works: a person must reconnect the channel."""

    kind = "auth_revoked"
    permanent = True


class PermissionMissing(ConnectorError):
    """The account works but may not do this (scope, role, access level)."""

    kind = "permission_missing"
    permanent = True


class RateLimited(ConnectorError):
    """The network asks us to wait until ``until`` before the next call."""

    kind = "rate_limited"
    permanent = False

    def __init__(self, message: str, *, until: datetime, reason: str = ""):
        super().__init__(message, reason=reason)
        self.until = until


class PayloadRejected(ConnectorError):
    """The network refused this content; sending it again unchanged will fail again."""

    kind = "payload_rejected"
    permanent = True


class NetworkUnreachable(ConnectorError):
    """The server could not be reached (no connection, DNS, refused, 5xx before processing).

    Nothing was delivered, so the same call may simply be tried again later.
    """

    kind = "unreachable"
    permanent = False


class OutcomeUnknown(ConnectorError):
    """The request may or may not have taken effect (timeout after sending, 5xx, a garbled reply).

    A publish that ends here must not be repeated blindly: look for the post first.
    """

    kind = "outcome_unknown"
    permanent = False


class NotSupported(ConnectorError):
    """This network or this account's access level cannot do what was asked."""

    kind = "not_supported"
    permanent = True


class UnexpectedResponse(ConnectorError):
    """The network answered with something its documentation does not describe."""

    kind = "unexpected_response"
    permanent = False


# --- the manifest -------------------------------------------------------------------

LengthRule = Literal["characters", "mastodon", "graphemes", "weighted", "utf16"]


class CredentialField(TypedDict):
    name: str
    label: str
    secret: bool
    help: str
    default: NotRequired[str]
    required: NotRequired[bool]


class TextLimit(TypedDict):
    max: int
    counted: LengthRule
    url_length: NotRequired[int]  # every URL counts as this many, where the network says so


class MediaLimit(TypedDict):
    max_count: int
    max_bytes: int
    types: list[str]
    caption_max: NotRequired[int]
    alt_max: NotRequired[int]


class Limits(TypedDict):
    text: TextLimit | None
    media: MediaLimit | None


class Manifest(TypedDict):
    """What a connector can do and its limits, as plain data the composer and docs read."""

    network: str
    label: str
    can: list[str]  # of: publish, delete, read, threads, media, metrics, check, message
    sources: list[str]  # what listening can read: hashtag, keyword, mentions, account, ...
    limits: Limits
    rate_limits: str
    credentials: list[CredentialField]
    settings: list[CredentialField]  # plain, non-secret settings (base URL, chat id, ...)
    notes: NotRequired[str]


# --- what goes in and comes out -----------------------------------------------------


@dataclass(frozen=True)
class MediaFile:
    path: Path
    mime_type: str
    alt: str = ""

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass(frozen=True)
class Published:
    """Where a post landed: enough to link to it, reply under it and delete it."""

    remote_id: str
    url: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutgoingPost:
    """One post for one channel. ``idempotency_key`` is stable across retries of it."""

    text: str
    idempotency_key: str
    media: Sequence[MediaFile] = ()
    reply_to: Published | None = None
    thread_root: Published | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Account:
    """The answer to "who am I" on a network."""

    remote_id: str
    handle: str
    display_name: str = ""
    url: str = ""
    permissions: Sequence[str] = ()
    notes: Sequence[str] = ()
    limits: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """Something listening reads: a hashtag, a keyword, mentions, an account, a list, a feed."""

    kind: str
    value: str = ""


@dataclass(frozen=True)
class RemoteAuthor:
    remote_id: str
    handle: str
    display_name: str = ""
    url: str = ""


@dataclass(frozen=True)
class RemoteMedia:
    url: str
    kind: str = "image"  # image, video, audio, file
    alt: str = ""


@dataclass(frozen=True)
class Metrics:
    replies: int | None = None
    reposts: int | None = None
    likes: int | None = None
    quotes: int | None = None
    views: int | None = None


@dataclass(frozen=True)
class RemoteItem:
    """One post as read from a network, normalised; ``raw`` keeps the network's payload."""

    network: str
    remote_id: str
    text: str
    created_at: datetime | None
    author: RemoteAuthor | None
    url: str = ""
    language: str = ""
    reply_to_id: str = ""
    repost_of_id: str = ""
    quote_of_id: str = ""
    hashtags: Sequence[str] = ()
    mentions: Sequence[str] = ()
    links: Sequence[str] = ()
    media: Sequence[RemoteMedia] = ()
    metrics: Metrics = field(default_factory=Metrics)
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadPage:
    """Items read since a cursor, newest first or oldest first as the network gives them,
    and the cursor to pass next time (None: keep the old one).

    ``more`` is True when the network holds more items beyond this page right now (a
    burst): the caller stores the cursor and reads again soon. A connector never moves
    its cursor past items it has not returned, so reading on never skips any.
    """

    items: Sequence[RemoteItem]
    cursor: str | None
    more: bool = False


# --- the connector ------------------------------------------------------------------

SecretsSaver = Callable[[dict[str, Any]], None]
# Merges changed keys into the stored secrets unless a key of ``expect`` no longer holds
# the value given there; returns the secrets stored afterwards.
SecretsMerger = Callable[[dict[str, Any], Mapping[str, Any] | None], Mapping[str, Any]]
# Takes the channel's renewal lock (one renewal at a time, across threads and processes)
# and yields the secrets stored now, read after taking it.
SecretsLock = Callable[[], AbstractContextManager[Mapping[str, Any]]]
# Reads the secrets stored now, without a lock.
SecretsReader = Callable[[], Mapping[str, Any]]


@dataclass(frozen=True)
class SecretsStore:
    """Where a channel keeps its secrets, for connectors that renew tokens.

    ``merge`` receives only the keys a renewal changed, so a renewal never writes back a
    stale copy of the rest (a person may have reconnected the channel meanwhile).
    """

    merge: SecretsMerger
    lock: SecretsLock
    read: SecretsReader


class Connector:
    """Base class: subclasses set ``manifest`` and implement what their network can do.

    ``config`` holds plain settings (base URL, chat id, API version, limits read from
    the server); ``secrets`` holds tokens and passwords. When a connector refreshes a
    token it calls ``save_secrets`` with the new secrets so the channel keeps them; a
    channel gives a ``store`` instead, which merges only the changed keys and lets a
    renewal run once at a time (``renewal``).
    ``transport`` is for tests and local servers; by default calls go through
    houseboat's guarded transport (see ``houseboat.connectors.http``).
    """

    manifest: ClassVar[Manifest]
    # How long a call may wait inside the connector for a short rate limit (seconds);
    # longer waits end in RateLimited so the worker can do other work meanwhile.
    max_wait: ClassVar[float] = 30.0
    # Waits inside a job (a video still processing) renew the worker's lease as they go.
    sleep: Callable[[float], None] = staticmethod(leases.wait)

    def __init__(
        self,
        *,
        config: Mapping[str, Any],
        secrets: Mapping[str, Any],
        save_secrets: SecretsSaver | None = None,
        store: SecretsStore | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.config = dict(config)
        self.secrets = dict(secrets)
        self._save_secrets = save_secrets
        self.store = store
        self.transport = transport

    @cached_property
    def http(self) -> HttpClient:
        """This channel's HTTP client: timeouts, safe retries, secrets scrubbed."""
        from houseboat.connectors.http import HttpClient

        return HttpClient(
            label=self.label,
            secrets=self.secret_values,
            transport=self.transport,
            allow_private=bool(self.config.get("allow_private_network")),
            max_wait=self.max_wait,
            rate_limit_until=self.rate_limit_until,
            sleep=lambda seconds: self.sleep(seconds),
        )

    def rate_limit_until(self, response: httpx.Response) -> datetime | None:
        """When a 429 says to come back; networks with their own way override this."""
        from houseboat.connectors.http import retry_after

        return retry_after(response)

    @property
    def network(self) -> str:
        return self.manifest["network"]

    @property
    def label(self) -> str:
        return self.manifest["label"]

    def setting(self, name: str) -> str:
        """Return a plain setting, falling back to the manifest's default."""
        value = self.config.get(name)
        if value not in (None, ""):
            return str(value)
        for item in self.manifest["settings"]:
            if item["name"] == name:
                return item.get("default", "")
        return ""

    def update_secrets(self, _expect: Mapping[str, Any] | None = None, **changes: Any) -> None:
        """Keep a refreshed token, here and in the channel (only the keys that changed).

        With ``_expect``, the channel keeps what it holds if one of those keys changed
        there meanwhile (a person reconnected during the renewal), and this connector
        takes that over instead.
        """
        self.secrets.update(changes)
        if self.store is not None:
            self.secrets.update(self.store.merge(dict(changes), _expect))
        if self._save_secrets is not None:
            self._save_secrets(dict(self.secrets))

    @contextmanager
    def renewal(self, key: str) -> Iterator[bool]:
        """Hold the channel's renewal lock while a token is renewed and saved.

        Yield True when the stored ``key`` is still the one this connector holds, so the
        renewal is this connector's to do; yield False when another thread or process
        (or a person reconnecting) changed it meanwhile: the stored secrets are taken
        over and the caller must not renew, since X, for one, accepts a refresh token
        only once.
        """
        if self.store is None:
            yield True
            return
        with self.store.lock() as stored:
            if stored.get(key) != self.secrets.get(key):
                self._take_over(stored)
                yield False
            else:
                yield True

    def stored_secrets_changed(self, key: str) -> bool:
        """Read the stored secrets again; take them over if ``key`` changed there."""
        if self.store is None:
            return False
        stored = self.store.read()
        if stored.get(key) in (None, "", self.secrets.get(key)):
            return False
        self._take_over(stored)
        return True

    def _take_over(self, stored: Mapping[str, Any]) -> None:
        """Hold exactly the stored secrets (a key removed there is gone here too)."""
        self.secrets.clear()
        self.secrets.update(stored)

    def secret_values(self) -> list[str]:
        """Every secret string, so error messages and logs can be scrubbed of them."""
        return [str(value) for value in self.secrets.values() if value and len(str(value)) >= 6]

    def limits(self) -> Limits:
        """The limits in force: the manifest's, overridden by what the server told us."""
        limits: Limits = {
            "text": self.manifest["limits"]["text"],
            "media": self.manifest["limits"]["media"],
        }
        learned = self.config.get("limits") or {}
        for part in ("text", "media"):
            if learned.get(part) and limits[part] is not None:
                limits[part] = {**limits[part], **learned[part]}  # type: ignore[typeddict-item]
        return limits

    def _unsupported(self, what: str) -> NotSupported:
        return NotSupported(f"{self.label} channels cannot {what} in houseboat.")

    def check(self) -> Account:
        """Call the network's "who am I" and report the account and its permissions."""
        raise self._unsupported("be checked")

    def publish(self, post: OutgoingPost) -> Published:
        """Publish one post (or one part of a thread) and return where it landed."""
        raise self._unsupported("publish")

    def delete(self, published: Published) -> None:
        """Remove a post this channel published.

        A post that is already gone (the network answers "not found") counts as done:
        return without an error, so a delete can always be sent again safely.
        """
        raise self._unsupported("delete posts")

    def exists(self, published: Published) -> bool:
        """Tell whether a post this channel published is still on the network.

        Asked before a delete that may have gone through (a timeout) is sent again.
        """
        raise self._unsupported("look up one of its posts")

    def read(self, source: Source, cursor: str | None) -> ReadPage:
        """Return what is new at ``source`` since ``cursor``."""
        raise self._unsupported("read")

    def read_budget(self) -> dict[str, Any] | None:
        """Say what the last call's rate-limit headers allowed, or None if they said nothing.

        The answer looks like ``{"remaining": 12, "reset_at": datetime}``: how many calls
        are left in the network's window and when the window starts again (UTC).
        Networks that say it in headers of their own override this.
        """
        client = self.__dict__.get("http")  # no call made yet: nothing was said
        return client.budget if client is not None else None

    def gone(self, remote_ids: Sequence[str]) -> dict[str, str]:
        """Return which of these posts are no longer on the network, and why.

        Each id that is gone maps to "deleted" or "suspended" (its account was); an id
        still there, or one the network cannot tell about, is left out.
        """
        raise self._unsupported("tell whether posts were deleted")

    def metrics(self, posts: Sequence[Published]) -> dict[str, Metrics]:
        """Return the current metrics of these posts, keyed by remote id."""
        raise self._unsupported("report metrics")

    def recent_posts(self, limit: int = 20) -> list[RemoteItem]:
        """The account's own latest posts, to check whether an uncertain publish went out."""
        raise self._unsupported("list its own recent posts")

    def remote_id_from_url(self, url: str) -> str:
        """Return the post id in a post's link, or "" if the link does not show one.

        Mastodon (``/@name/ID``), X (``/name/status/ID``) and Telegram (``t.me/chan/ID``)
        end their links with the id a reply needs; a network whose replies need more
        than the link shows (Bluesky's content hash) returns "".
        """
        path = urlsplit(url.strip()).path.rstrip("/")
        last = path.rsplit("/", 1)[-1]
        return last if last.isdigit() else ""
