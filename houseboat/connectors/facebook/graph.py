"""What the Facebook Page and WhatsApp connectors share: Meta's Graph API.

Both speak to graph.facebook.com with a versioned path, send the token as a bearer
header, add ``appsecret_proof`` when the app secret is known, read the same error
object (``{"error": {"message", "type", "code", "error_subcode", "error_user_msg",
"error_data", "fbtrace_id"}}``) and are throttled the same way: with error codes in
an HTTP 400 or 403 answer (rarely a 429), and the wait in a usage header, in minutes.
Each connector maps the error codes of its own API to houseboat's typed errors.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
from django.utils.translation import gettext_noop

from houseboat.connectors.base import (
    AuthRevoked,
    Connector,
    ConnectorError,
    CredentialField,
    OutcomeUnknown,
    RateLimited,
    UnexpectedResponse,
)
from houseboat.connectors.http import retry_after

logger = logging.getLogger(__name__)

# The newest Graph API version documented when this was written (released 29 July 2026);
# each channel may set another in its settings.
GRAPH_VERSION = "v26.0"
GRAPH_BASE_URL = "https://graph.facebook.com"
USAGE_HEADERS = ("x-business-use-case-usage", "x-page-usage", "x-app-usage")
VERSION_RE = re.compile(r"^v?(\d+\.\d+)$")
# A rate limit is waited out at most this many times in a row before giving up.
RATE_LIMIT_ATTEMPTS = 3
# A paged read follows at most this many "next" links, so one poll stays small.
MAX_PAGES = 5


def graph_settings(*, required: list[CredentialField]) -> list[CredentialField]:
    """Return a Graph connector's plain settings: its own first, then version and host."""
    return [
        *required,
        {
            "name": "graph_version",
            "label": gettext_noop("Graph API version"),
            "secret": False,
            "default": GRAPH_VERSION,
            "help": gettext_noop(
                "Meta retires each version about two years after its release; "
                "change this when Meta asks you to upgrade."
            ),
        },
        {
            "name": "graph_base_url",
            "label": gettext_noop("Graph API address"),
            "secret": False,
            "default": GRAPH_BASE_URL,
            "help": gettext_noop("Leave as it is unless you test against your own server."),
        },
    ]


def appsecret_proof(token: str, app_secret: str) -> str:
    """Sign the token with the app secret, as Meta asks when "Require App Secret" is on.

    The proof is HMAC-SHA256 of the access token keyed with the app secret, in hex;
    a stolen token alone is then useless to anyone without the secret.
    """
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class GraphError:
    """Meta's error object, read from an answer; every text already free of secrets."""

    code: int | None
    message: str
    user_msg: str
    details: str

    @property
    def reason(self) -> str:
        """The most helpful words Meta gave, for a person to read."""
        parts = [self.user_msg or self.message]
        if self.details and self.details not in parts[0]:
            parts.append(self.details)
        return ": ".join(part for part in parts if part)

    def mentions(self, *words: str) -> list[str]:
        """Return those of ``words`` that Meta's text names, in the order given."""
        text = f"{self.message} {self.user_msg} {self.details}"
        return [word for word in words if word in text]


def graph_error(response: httpx.Response, scrub: Any) -> GraphError | None:
    """Read the error object from a failed answer, or None when there is none."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    data = error.get("error_data")
    details = data.get("details", "") if isinstance(data, dict) else ""
    return GraphError(
        code=_int(error.get("code")),
        message=scrub(str(error.get("message") or "")),
        user_msg=scrub(str(error.get("error_user_msg") or "")),
        details=scrub(str(details or "")),
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def regain_access_after(response: httpx.Response) -> timedelta | None:
    """How long Meta's usage headers say until the throttle lifts, if they say.

    ``X-Business-Use-Case-Usage`` maps object ids to lists of usage entries;
    ``X-Page-Usage`` and ``X-App-Usage`` are one flat entry. Each entry may carry
    ``estimated_time_to_regain_access`` in minutes; the longest one wins.
    """
    minutes = 0
    for name in USAGE_HEADERS:
        for entry in _usage_entries(response.headers.get(name, "")):
            value = _int(entry.get("estimated_time_to_regain_access"))
            minutes = max(minutes, value or 0)
    return timedelta(minutes=minutes) if minutes else None


USAGE_WINDOW = timedelta(hours=1)  # Meta counts usage over a rolling hour
USAGE_FIELDS = ("call_count", "total_time", "total_cputime")


def usage_budget(response: httpx.Response, now: datetime) -> dict[str, Any] | None:
    """What share of Meta's hourly allowance is left, from its usage headers, or None.

    ``X-App-Usage``, ``X-Page-Usage`` and ``X-Business-Use-Case-Usage`` give percentages
    used (calls, time, CPU time); the highest decides, so ``remaining`` is a percentage
    (``unit``: "percent"), and ``reset_at`` is when Meta says access returns, or an hour on.
    """
    used: int | None = None
    for name in USAGE_HEADERS:
        for entry in _usage_entries(response.headers.get(name, "")):
            for key in USAGE_FIELDS:
                value = _int(entry.get(key))
                if value is not None:
                    used = max(used or 0, value)
    if used is None:
        return None
    regain = regain_access_after(response)
    return {
        "remaining": max(0, 100 - used),
        "reset_at": now + (regain or USAGE_WINDOW),
        "unit": "percent",
    }


def _usage_entries(header: str) -> Iterator[Mapping[str, Any]]:
    try:
        usage = json.loads(header) if header else None
    except json.JSONDecodeError:
        return
    if not isinstance(usage, dict):
        return
    if "call_count" in usage or "estimated_time_to_regain_access" in usage:
        yield usage
        return
    for entries in usage.values():
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict):
                yield entry


def split_link(link: str) -> tuple[str, dict[str, Any]]:
    """Split a "next" link into its address and its query, each value kept as given."""
    parsed = httpx.URL(link)
    params: dict[str, Any] = {}
    for key, value in parsed.params.multi_items():
        params.setdefault(key, []).append(value)
    flat = {key: values[0] if len(values) == 1 else values for key, values in params.items()}
    return str(parsed.copy_with(query=None)), flat


def items_of(answer: Any, label: str) -> list[Mapping[str, Any]]:
    """The items of a Graph list answer ({"data": [...], "paging": ...})."""
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list):
        raise UnexpectedResponse(f"{label} answered a list request without a list of items.")
    return [item for item in data if isinstance(item, dict)]


class GraphConnector(Connector):
    """A connector that speaks to Meta's Graph API; subclasses map their error codes."""

    token_name: ClassVar[str]

    # -- addresses and credentials

    def graph_url(self, *parts: str) -> str:
        """The address of a Graph path, each part quoted so an id cannot change the path."""
        base = self.setting("graph_base_url").rstrip("/")
        match = VERSION_RE.match(self.setting("graph_version").strip().strip("/"))
        version = f"v{match.group(1)}" if match else GRAPH_VERSION
        return "/".join([base, version, *(quote(str(part), safe="") for part in parts)])

    def on_graph_host(self, url: str) -> bool:
        """Whether a link Meta gave (a "next" page) points at the Graph host we use."""
        try:
            target, base = httpx.URL(url), httpx.URL(self.setting("graph_base_url"))
        except (httpx.InvalidURL, TypeError):
            return False
        return (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)

    def token(self) -> str:
        token = str(self.secrets.get(self.token_name) or "")
        if not token:
            raise AuthRevoked(
                f"The {self.label} channel has no access token. Reconnect the channel on "
                "the Channels page and paste the token."
            )
        return token

    def auth_params(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Query parameters for a call: the caller's, and the app secret proof if known."""
        merged = dict(params or {})
        app_secret = str(self.secrets.get("app_secret") or "")
        if app_secret:
            merged["appsecret_proof"] = appsecret_proof(self.token(), app_secret)
        return merged

    # -- calling

    def call(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool | None = None,
        after_publish: bool = False,
        params: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call the Graph API and return the parsed answer, or raise a typed error.

        The token goes in the Authorization header (the Graph API accepts it on
        every endpoint) so it never sits in a URL that a proxy or log could keep.
        A throttle short enough is waited out and the call made again: Meta refuses
        a throttled call before doing anything, so even a post cannot go out twice.
        """
        headers = {"Authorization": f"Bearer {self.token()}"}
        for attempt in range(1, RATE_LIMIT_ATTEMPTS + 1):
            response = self.http.request(
                method,
                url,
                idempotent=idempotent,
                headers=headers,
                params=self.auth_params(params),
                **kwargs,
            )
            self._budget = usage_budget(response, datetime.now(UTC))
            if response.status_code < 400:
                return self.http.json(response, after_publish=after_publish)
            error = graph_error(response, self.http.scrub)
            if error is None:  # not Meta's error object: the status alone must say it
                self.http.raise_for_status(response)
                raise UnexpectedResponse(f"{self.label} answered HTTP {response.status_code}.")
            limited = self.throttled(error, response)
            if limited is None:
                raise self.error_for(error, after_publish=after_publish)
            wait = (limited.until - datetime.now(UTC)).total_seconds()
            if wait > self.max_wait or attempt == RATE_LIMIT_ATTEMPTS:
                raise limited
            self.sleep(max(wait, 0.0))
        raise AssertionError("unreachable")  # pragma: no cover

    def pages(
        self, url: str, params: Mapping[str, Any], max_pages: int = MAX_PAGES
    ) -> Iterator[Mapping[str, Any]]:
        """Yield each item of a paged Graph list, following "next" only on the Graph host."""
        items, _ = self.page_run(url, params, max_pages)
        yield from items

    def page_run(
        self, url: str, params: Mapping[str, Any], max_pages: int = MAX_PAGES
    ) -> tuple[list[Mapping[str, Any]], str]:
        """Read up to ``max_pages`` pages of a Graph list; return the items and the next link.

        The next link is "" when the list ended (or its next page is off the Graph host).
        """
        items: list[Mapping[str, Any]] = []
        for _ in range(max_pages):
            answer = self.call("GET", url, params=params)
            items.extend(items_of(answer, self.label))
            link = (answer.get("paging") or {}).get("next") or ""
            if not link:
                return items, ""
            if not self.on_graph_host(link):
                # A "next" link elsewhere would carry our token to a stranger: stop here.
                logger.warning("%s gave a next page off the Graph host; not followed.", self.label)
                return items, ""
            # The next link carries the whole query; httpx would replace a link's own
            # query with any params given, so the link is split into address and params.
            url, params = split_link(link)
        return items, link

    def read_budget(self) -> dict[str, Any] | None:
        """The share of Meta's hourly allowance the last call's usage headers left."""
        return getattr(self, "_budget", None)

    def rate_limit_until(self, response: httpx.Response) -> datetime | None:
        """When a 429 from Meta says to come back: its error code and usage headers."""
        error = graph_error(response, self.http.scrub)
        limited = self.throttled(error, response) if error else None
        return limited.until if limited else retry_after(response)

    # -- what each network fills in

    def throttled(self, error: GraphError, response: httpx.Response) -> RateLimited | None:
        """Return the RateLimited this error means, or None when it is no throttle."""
        return None

    def error_for(self, error: GraphError, *, after_publish: bool) -> ConnectorError:
        """Return the typed error for one of the network's documented error codes."""
        return self.unknown_error(error, after_publish=after_publish)

    def unknown_error(self, error: GraphError, *, after_publish: bool) -> ConnectorError:
        """A temporary failure Meta describes as "try again" (codes 1, 2 or a 5xx)."""
        if after_publish:
            return OutcomeUnknown(
                f"{self.label} had a temporary problem while taking the message; it may or "
                "may not have gone out. Check before sending it again.",
                reason=error.reason,
            )
        return UnexpectedResponse(
            f"{self.label} had a temporary problem; houseboat will try again later.",
            reason=error.reason,
        )

    def rate_limited(self, wait: timedelta, what: str, reason: str = "") -> RateLimited:
        """A RateLimited error that says, in words, until when and why."""
        until = datetime.now(UTC) + wait
        return RateLimited(
            f"{what} houseboat will try again after {until:%H:%M:%S} UTC; waiting work "
            "goes out then.",
            until=until,
            reason=reason,
        )
