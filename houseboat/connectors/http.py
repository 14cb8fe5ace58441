"""The one HTTP wrapper every connector uses.

Timeouts always; retries only where they cannot post twice (nothing was sent, the
method is idempotent, or the network honours an idempotency key); 429 waits as
long as the network asks when that is short, else ``RateLimited`` with the time;
private and loopback addresses refused unless the channel allows them (a local
Bot API server, a test server). Secrets never reach a log line or an error.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import random
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from houseboat import __version__
from houseboat.connectors.base import (
    AuthRevoked,
    ConnectorError,
    NetworkUnreachable,
    OutcomeUnknown,
    PayloadRejected,
    PermissionMissing,
    RateLimited,
    UnexpectedResponse,
)
from houseboat.core import leases

logger = logging.getLogger(__name__)

USER_AGENT = f"houseboat/{__version__} (self-hosted campaign desk)"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)


# --- private addresses ----------------------------------------------------------------


class AddressRefused(NetworkUnreachable):
    """The host resolves to a private, loopback or link-local address."""

    permanent = True


def resolve(host: str, port: int) -> list[str]:
    """Return the addresses a host name resolves to (tests replace this)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def check_public(host: str, port: int) -> None:
    """Refuse hosts that are, or resolve to, anything but public internet addresses.

    This keeps a channel setting from turning houseboat into a probe of its own
    network. (A host that changes its DNS answer between this check and the
    connection could still slip through; the setting is editable by editors only.)
    """
    try:
        addresses = [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        try:
            addresses = resolve(host, port)
        except OSError:
            raise NetworkUnreachable(
                f"The server name {host} cannot be found. Check the address in the "
                "channel settings and this computer's internet connection."
            ) from None
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise AddressRefused(
                f"{host} is a private or local address ({address}), which houseboat does not "
                "call unless the channel allows it. If this is your own server (a local Bot "
                "API server, say), tick “allow a private address” in the channel settings."
            )


class GuardedTransport(httpx.HTTPTransport):
    """An HTTP transport that checks every destination before connecting."""

    def __init__(self, *, allow_private: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.allow_private = allow_private

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.allow_private:
            check_public(request.url.host, request.url.port or 443)
        return super().handle_request(request)


# --- scrubbing ---------------------------------------------------------------------------


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret in text with a placeholder."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    return text


def reason_text(text: str, secrets: Iterable[str], limit: int = 300) -> str:
    """A network's error text, scrubbed and cut to a length a person will read."""
    text = " ".join(scrub(str(text), secrets).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- waiting ---------------------------------------------------------------------------------


def retry_after(response: httpx.Response, now: datetime | None = None) -> datetime | None:
    """When the network says to come back: Retry-After (seconds or a date) or a reset header."""
    now = now or datetime.now(UTC)
    value = response.headers.get("retry-after", "").strip()
    if value:
        if value.isdigit():
            return now + timedelta(seconds=int(value))
        try:
            when = email.utils.parsedate_to_datetime(value)
            return when if when.tzinfo else when.replace(tzinfo=UTC)
        except (TypeError, ValueError):
            pass
    return reset_time(response.headers, now)


# A number this small cannot be a moment since 1970 (it is before 2001): it counts seconds.
EPOCH_FLOOR = 1_000_000_000


def reset_time(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """Read a rate-limit reset header each way networks write it.

    ``RateLimit-Reset`` (the IETF draft) counts seconds from now; X's
    ``x-rate-limit-reset`` is a Unix time; Mastodon's ``X-RateLimit-Reset`` is an ISO
    8601 time. A plain number is read by its size, as servers mix the names up.
    """
    for name in ("ratelimit-reset", "x-rate-limit-reset", "x-ratelimit-reset"):
        value = headers.get(name, "").strip()
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            try:
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return when if when.tzinfo else when.replace(tzinfo=UTC)
        if number != number or number < 0 or number > 1e11:  # NaN, negative, absurd
            continue
        if number < EPOCH_FLOOR:
            return now + timedelta(seconds=number)
        return datetime.fromtimestamp(number, UTC)
    return None


REMAINING_HEADERS = ("ratelimit-remaining", "x-rate-limit-remaining", "x-ratelimit-remaining")


def budget_from_headers(headers: Mapping[str, str], now: datetime) -> dict[str, Any] | None:
    """Read how many calls are left and when the window resets, as a network's headers say.

    Bluesky writes ``RateLimit-Remaining``, X ``x-rate-limit-remaining`` and Mastodon
    ``X-RateLimit-Remaining``; None when the answer carried no such header.
    """
    for name in REMAINING_HEADERS:
        value = headers.get(name, "").strip()
        if value.isdigit():
            return {"remaining": int(value), "reset_at": reset_time(headers, now)}
    return None


class _Again(Exception):
    """Internal: this attempt failed in a way another attempt may fix."""

    def __init__(self, error: ConnectorError, wait: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.wait = wait


# --- the client -------------------------------------------------------------------------------


class HttpClient:
    """Calls one network for one channel.

    ``label`` names the network in messages ("Mastodon"). ``rate_limit_until`` may
    read a network's own way of saying when to come back (Telegram puts it in the
    body). ``sleep`` is replaced in tests.
    """

    def __init__(
        self,
        *,
        label: str,
        secrets: Callable[[], Iterable[str]] = tuple,
        transport: httpx.BaseTransport | None = None,
        allow_private: bool = False,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        attempts: int = 3,
        max_wait: float = 30.0,
        rate_limit_until: Callable[[httpx.Response], datetime | None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.label = label
        self.secrets = secrets  # read at each use: a refreshed token is scrubbed too
        self.attempts = attempts
        self.max_wait = max_wait
        self.sleep = sleep
        self.rate_limit_until = rate_limit_until or retry_after
        # What the last answer's rate-limit headers said (None: they said nothing).
        self.budget: dict[str, Any] | None = None
        self.client = httpx.Client(
            transport=transport or GuardedTransport(allow_private=allow_private),
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    def close(self) -> None:
        self.client.close()

    def scrub(self, text: str) -> str:
        return reason_text(text, self.secrets())

    # -- sending

    def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request, retrying what can safely be retried, and return the response.

        A 4xx other than 429 is returned as it is, for the connector to read the
        network's reason; ``raise_for_status`` gives the typed errors for it.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Again),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._send_once(method, url, idempotent, headers, kwargs)
        except _Again as again:
            raise again.error from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Again) and exc.wait is not None:
            return exc.wait
        return min(2 ** (state.attempt_number - 1) + random.random(), self.max_wait)  # noqa: S311

    def _send_once(
        self,
        method: str,
        url: str,
        idempotent: bool,
        headers: Mapping[str, str] | None,
        kwargs: dict[str, Any],
    ) -> httpx.Response:
        host = httpx.URL(url).host
        if method not in SAFE_METHODS:
            # A worker that lost its job must not act on the network; from here on a
            # fault may come after the network acted.
            leases.before_side_effect()
        try:
            response = self.client.request(method, url, headers=headers, **kwargs)
        except AddressRefused:
            raise
        except NetworkUnreachable as exc:
            raise _Again(exc) from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
            raise _Again(
                NetworkUnreachable(
                    f"{self.label} at {host} could not be reached. Check this computer's "
                    "internet connection; houseboat will try again."
                )
            ) from None
        except httpx.TransportError as exc:
            error = OutcomeUnknown(
                f"The connection to {self.label} at {host} broke before it answered "
                f"({type(exc).__name__}). The request may or may not have taken effect.",
            )
            if idempotent:
                raise _Again(error) from None
            raise error from None
        logger.debug("%s %s -> %s", method, self.scrub(str(response.url)), response.status_code)
        self.budget = budget_from_headers(response.headers, datetime.now(UTC))
        if response.status_code == 429:
            raise self._rate_limited(response)
        if response.status_code in TRANSIENT_STATUSES:
            error = OutcomeUnknown(
                f"{self.label} had a server error ({response.status_code}).",
                reason=self.scrub(response.text[:300]),
            )
            if idempotent:
                raise _Again(error)
            raise error
        return response

    def _rate_limited(self, response: httpx.Response) -> Exception:
        now = datetime.now(UTC)
        until = self.rate_limit_until(response) or now + timedelta(seconds=60)
        wait = max((until - now).total_seconds(), 0.0)
        error = RateLimited(
            f"{self.label} asks houseboat to slow down until {until:%H:%M:%S} UTC; "
            "waiting work will go out after that.",
            until=until,
        )
        if wait <= self.max_wait:
            return _Again(error, wait=wait)
        return error

    # -- reading answers

    def json(self, response: httpx.Response, *, after_publish: bool = False) -> Any:
        """Parse a JSON answer; a garbled one after a publish means the outcome is unknown."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            error_type = OutcomeUnknown if after_publish else UnexpectedResponse
            raise error_type(
                f"{self.label} answered with something that is not JSON "
                f"(HTTP {response.status_code}); houseboat cannot read it."
            ) from None

    def raise_for_status(self, response: httpx.Response, reason: str = "") -> None:
        """Turn a 4xx answer into the typed error a person can act on."""
        status = response.status_code
        if status < 400:
            return
        reason = self.scrub(reason or response.text[:300])
        if status == 401:
            raise AuthRevoked(
                f"{self.label} refused the channel's credentials: they were revoked or have "
                "expired. Reconnect the channel on the Channels page.",
                reason=reason,
            )
        if status == 403:
            raise PermissionMissing(
                f"The {self.label} account is not allowed to do this. Check the app's "
                "permissions (scopes) and reconnect the channel if you change them.",
                reason=reason,
            )
        if status in (400, 409, 413, 415, 422):
            raise PayloadRejected(f"{self.label} refused the request.", reason=reason)
        raise UnexpectedResponse(
            f"{self.label} answered HTTP {status}, which houseboat did not expect.", reason=reason
        )
