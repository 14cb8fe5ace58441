"""RSS and Atom feeds: read the press and allied sites beside the social networks.

A feed needs no account. houseboat fetches it through the guarded HTTP client
(conditional GET with the last ETag and Last-Modified, so an unchanged feed costs
one small 304), hands the bytes to feedparser, which sniffs the encoding and
understands RSS 0.9x, 1.0 (RDF), 2.0 and Atom 0.3 and 1.0, and returns only the
entries it did not see last time, even from feeds that carry no dates.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from xml.sax import SAXException

import feedparser
import httpx
from django.utils.translation import gettext_noop

from houseboat.connectors.base import (
    Account,
    Connector,
    Manifest,
    NotSupported,
    PermissionMissing,
    ReadPage,
    RemoteAuthor,
    RemoteItem,
    RemoteMedia,
    Source,
    UnexpectedResponse,
)
from houseboat.core.text import html_to_text

# The cursor remembers this many entry ids: more than any ordinary feed carries at once.
SEEN_CAP = 500
MAX_REDIRECTS = 5
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


@dataclass(frozen=True)
class Fetched:
    """One fetch of a feed: where it ended up and what came back."""

    url: str
    response: httpx.Response
    moved_to: str = ""  # set when the server said the feed moved for good (301, 308)


@dataclass(frozen=True)
class Conditional:
    """One conditional GET of a feed for the press radar: the answer, unparsed.

    ``status`` is 200, 304, or the 4xx the server gave (the caller decides what a
    404 means for its source); 429, 5xx and unreachable servers raise as usual.
    """

    status: int
    url: str
    etag: str
    last_modified: str
    body: bytes
    content_type: str
    moved_to: str = ""


class RssConnector(Connector):
    manifest: Manifest = {
        "network": "rss",
        "label": "RSS/Atom feed",
        "can": ["read", "check"],
        "sources": ["feed"],
        "limits": {"text": None, "media": None},
        "rate_limits": (
            "None set by the formats. houseboat asks with If-None-Match and If-Modified-Since, "
            "so an unchanged feed answers with a small 304; a 429 with Retry-After is honoured."
        ),
        "credentials": [],
        "settings": [
            {
                "name": "feed_url",
                "label": gettext_noop("Feed address"),
                "secret": False,
                "help": (
                    gettext_noop(
                        "The address of the RSS or Atom feed (often ending in /feed, /rss or .xml), "
                        "not of the web page that shows it."
                    )
                ),
                "required": True,
            }
        ],
        "notes": (
            gettext_noop(
                "Read only: a feed cannot be published to. The first read returns every entry the "
                "feed carries now; later reads only the entries not seen before."
            )
        ),
    }

    # -- the interface

    def check(self) -> Account:
        fetched = self._fetch(self._feed_url(""), {})
        parsed = self._parse(fetched)
        feed = parsed.get("feed", {})
        notes = [f"The feed carries {len(parsed.get('entries', []))} entries now."]
        if parsed.get("bozo"):
            notes.append(
                "The feed is not entirely well-formed "
                f"({_exception_text(parsed.get('bozo_exception'))}); houseboat reads what it can."
            )
        if fetched.moved_to:
            notes.append(
                f"The feed has moved to {fetched.moved_to}: put that address in the channel "
                "settings."
            )
        return Account(
            remote_id=self._feed_url(""),
            handle=_text_of(feed, "title") or self._feed_url(""),
            display_name=_text_of(feed, "title"),
            url=feed.get("link", "") or "",
            permissions=["read"],
            notes=notes,
        )

    def gone(self, remote_ids: Sequence[str]) -> dict[str, str]:
        raise NotSupported(
            "A feed lists only its latest entries, so an entry that drops out of it may "
            "simply be old: houseboat cannot tell whether it was deleted."
        )

    def read(self, source: Source, cursor: str | None) -> ReadPage:
        if source.kind != "feed":
            raise NotSupported(
                f"A feed channel reads its feed, not “{source.kind}”. Add a column of kind “feed”."
            )
        state = _Cursor.load(cursor)
        fetched = self._fetch(self._feed_url(source.value), state.conditional_headers())
        if fetched.response.status_code == 304:
            return ReadPage(items=[], cursor=cursor)
        parsed = self._parse(fetched)
        entries, cut = _usable_entries(parsed)
        items = [self._item(entry, parsed, fetched.url) for entry in entries]
        fresh = [item for item in items if _fingerprint(item.remote_id) not in state.seen]
        headers = fetched.response.headers
        new_state = _Cursor(
            # After a cut-off download, ask for the whole feed next time, not "if changed".
            etag="" if cut else headers.get("etag", ""),
            last_modified="" if cut else headers.get("last-modified", ""),
            seen=[_fingerprint(item.remote_id) for item in items] + state.seen,
        )
        return ReadPage(items=fresh, cursor=new_state.dump())

    # -- the press radar's conditional fetch (houseboat.radar.fetching)

    def fetch_conditional(self, url: str, etag: str = "", last_modified: str = "") -> Conditional:
        """GET a feed with If-None-Match / If-Modified-Since; return the answer unparsed."""
        headers = {"If-None-Match": etag} if etag else {}
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        fetched = self._fetch(self._feed_url(url), headers, check=False)
        response = fetched.response
        return Conditional(
            status=response.status_code,
            url=fetched.url,
            etag=response.headers.get("etag", ""),
            last_modified=response.headers.get("last-modified", ""),
            body=response.content,
            content_type=response.headers.get("content-type", ""),
            moved_to=fetched.moved_to,
        )

    def parse_feed(
        self, body: bytes, url: str, content_type: str = ""
    ) -> tuple[list[RemoteItem], bool]:
        """Parse a feed document; return its entries and whether a cut-off one was dropped.

        Raises UnexpectedResponse for a document that is not a feed at all.
        """
        headers = {"content-type": content_type} if content_type else {}
        parsed = self._parse(
            Fetched(url=url, response=httpx.Response(200, headers=headers, content=body))
        )
        entries, cut = _usable_entries(parsed)
        if not entries and parsed.get("bozo"):
            raise UnexpectedResponse(
                f"The feed at {url} is broken: houseboat found no entries it could read.",
                reason=_exception_text(parsed.get("bozo_exception")),
            )
        return [self._item(entry, parsed, url) for entry in entries], cut

    # -- fetching

    def _feed_url(self, value: str) -> str:
        url = (value or self.setting("feed_url")).strip()
        if url.startswith("feed://"):  # an old browser convention for "subscribe to this"
            url = "https://" + url.removeprefix("feed://")
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            parsed = None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            raise UnexpectedResponse(
                f"“{url}” is not a web address. Put the feed's full address, starting with "
                "https://, in the channel settings.",
                permanent=True,
            )
        return url

    def _fetch(self, url: str, headers: Mapping[str, str], *, check: bool = True) -> Fetched:
        """GET the feed, following redirects ourselves so each hop passes the address guard."""
        moved_to = ""
        permanent = True  # every hop so far said "moved for good"
        for _hop in range(MAX_REDIRECTS + 1):
            response = self.http.request(
                "GET", url, headers={"Accept": ACCEPT, **headers}, idempotent=True
            )
            if response.status_code not in (301, 302, 303, 307, 308):
                if check:
                    self._raise_for_status(url, response)
                return Fetched(url=url, response=response, moved_to=moved_to)
            location = response.headers.get("location", "")
            if not location:
                break
            url = self._feed_url(str(httpx.URL(url).join(location)))
            permanent = permanent and response.status_code in (301, 308)
            if permanent:
                moved_to = url
        raise UnexpectedResponse(
            f"The feed at {url} redirects too often (or without saying where); houseboat gave "
            "up. Open it in a browser and put the address it ends at in the channel settings.",
            permanent=True,
        )

    def _raise_for_status(self, url: str, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400 or status == 304:
            return
        if status in (401, 403):
            raise PermissionMissing(
                f"The server of {url} refuses to give the feed to houseboat (HTTP {status}). "
                "houseboat reads public feeds only: check that the feed opens in a private "
                "browser window.",
                reason=self.http.scrub(response.reason_phrase),
            )
        if status in (404, 410):
            raise UnexpectedResponse(
                f"There is no feed at {url} (HTTP {status}). Check the address in the channel "
                "settings: the site may have moved or removed its feed.",
                permanent=True,
            )
        self.http.raise_for_status(response, reason=response.reason_phrase)

    # -- parsing

    def _parse(self, fetched: Fetched) -> feedparser.FeedParserDict:
        """Parse the bytes, letting feedparser pick the encoding from the headers and the
        XML declaration; refuse what is not a feed at all."""
        response = fetched.response
        headers = {name.lower(): value for name, value in response.headers.items()}
        # Relative links in the feed resolve against where it was fetched from.
        headers.setdefault("content-location", fetched.url)
        # A BytesIO, not the bytes: feedparser would first try bytes as a file name to open.
        parsed = feedparser.parse(io.BytesIO(response.content), response_headers=headers)
        if parsed.get("version") or parsed.get("entries"):
            return parsed
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in ("text/html", "application/xhtml+xml") or _looks_like_html(
            response.content
        ):
            advertised = _advertised_feeds(response.content, fetched.url)
            hint = (
                f" The page names its feed: {advertised[0]} — put that address in the "
                "channel settings."
                if advertised
                else " Look on the site for an RSS or Atom link and use that address."
            )
            raise UnexpectedResponse(
                f"{fetched.url} is a web page, not a feed.{hint}",
                reason=_exception_text(parsed.get("bozo_exception")),
                permanent=True,
            )
        raise UnexpectedResponse(
            f"houseboat could not read the feed at {fetched.url}: it is not RSS or Atom, or it "
            "is broken beyond repair. Open it in a browser to see what the site sends.",
            reason=_exception_text(parsed.get("bozo_exception")) or "no feed elements found",
        )

    def _item(
        self, entry: Mapping[str, Any], parsed: Mapping[str, Any], feed_url: str
    ) -> RemoteItem:
        feed = parsed.get("feed", {})
        title = _text_of(entry, "title")
        body = entry.get("summary_detail") or {}
        if not entry.get("summary") and entry.get("content"):
            body = entry["content"][0]
        summary, links = _body_text(body)
        parts = [title] if title else []
        if summary and summary != title:
            parts.append(summary)
        text = "\n\n".join(parts)
        link = entry.get("link", "") or ""
        return RemoteItem(
            network="rss",
            remote_id=_entry_id(entry, title, summary),
            text=text,
            created_at=_entry_time(entry),
            author=_author(entry, feed, feed_url),
            url=link,
            language=_language(entry, feed),
            links=list(dict.fromkeys(links)),
            media=_media(entry),
            raw=_json_safe(dict(entry)),
        )


# --- the cursor -------------------------------------------------------------------------


@dataclass
class _Cursor:
    """What the last read saw: validators for a conditional GET and the entries' ids."""

    etag: str = ""
    last_modified: str = ""
    seen: list[str] | None = None

    def __post_init__(self) -> None:
        self.seen = list(dict.fromkeys(self.seen or []))[:SEEN_CAP]

    @classmethod
    def load(cls, cursor: str | None) -> _Cursor:
        try:
            data = json.loads(cursor or "{}")
        except ValueError:
            data = {}  # a cursor from an older version: start afresh rather than fail
        if not isinstance(data, dict):
            data = {}
        seen = data.get("seen") if isinstance(data.get("seen"), list) else []
        return cls(
            etag=str(data.get("etag") or ""),
            last_modified=str(data.get("last_modified") or ""),
            seen=[str(value) for value in seen],
        )

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def dump(self) -> str:
        return json.dumps(
            {"etag": self.etag, "last_modified": self.last_modified, "seen": self.seen},
            separators=(",", ":"),
        )


def _fingerprint(remote_id: str) -> str:
    # Ids are often long URLs; a short hash keeps the cursor small and the same.
    return hashlib.sha256(remote_id.encode("utf-8")).hexdigest()[:20]


# --- entries ------------------------------------------------------------------------------


def _usable_entries(parsed: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], bool]:
    """The entries, less one cut off by a truncated download (and whether one was).

    The entry the cut went through would come back whole next time, perhaps under
    another id (its guid was not there yet), and so twice.
    """
    entries = list(parsed.get("entries", []))
    error = parsed.get("bozo_exception")
    if not entries or not isinstance(error, SAXException):
        return entries, False
    last = entries[-1]
    # expat's words for a document that simply stops.
    truncated = any(words in error.getMessage() for words in ("unclosed token", "no element found"))
    others_have_ids = any(entry.get("id") for entry in entries[:-1])
    if truncated or (not last.get("id") and (others_have_ids or not last.get("link"))):
        return entries[:-1], True
    return entries, False


def _entry_id(entry: Mapping[str, Any], title: str, summary: str) -> str:
    identifier = (entry.get("id") or "").strip() or (entry.get("link") or "").strip()
    if identifier:
        return identifier
    digest = hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()
    return f"sha256:{digest}"


def _entry_time(entry: Mapping[str, Any]) -> datetime | None:
    # feedparser gives these in UTC already; timegm reads them as such.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def _author(
    entry: Mapping[str, Any], feed: Mapping[str, Any], feed_url: str
) -> RemoteAuthor | None:
    detail = entry.get("author_detail") or {}
    name = " ".join((detail.get("name") or entry.get("author") or "").split())
    if name:
        href = detail.get("href", "") or ""
        return RemoteAuthor(
            remote_id=href or detail.get("email", "") or f"{feed_url}#{name}",
            handle=name,
            display_name=name,
            url=href,
        )
    title = _text_of(feed, "title")
    # No named author: the publication itself speaks.
    return RemoteAuthor(
        remote_id=feed_url, handle=title or feed_url, display_name=title, url=feed.get("link", "")
    )


def _language(entry: Mapping[str, Any], feed: Mapping[str, Any]) -> str:
    for detail in (entry.get("summary_detail"), entry.get("title_detail")):
        if detail and detail.get("language"):
            return str(detail["language"]).lower()
    return str(feed.get("language") or "").lower()


def _media(entry: Mapping[str, Any]) -> list[RemoteMedia]:
    found: dict[str, RemoteMedia] = {}
    for enclosure in entry.get("enclosures", []) or []:
        url = enclosure.get("href") or enclosure.get("url") or ""
        if url:
            found.setdefault(url, RemoteMedia(url=url, kind=_kind(enclosure.get("type", ""))))
    for content in entry.get("media_content", []) or []:
        url = content.get("url") or ""
        if url:
            kind = content.get("medium") or _kind(content.get("type", ""))
            found.setdefault(url, RemoteMedia(url=url, kind=_media_kind(kind)))
    return list(found.values())


def _kind(mime_type: str) -> str:
    return _media_kind(mime_type.split("/")[0])


def _media_kind(kind: str) -> str:
    return kind if kind in ("image", "video", "audio") else "file"


# --- HTML -----------------------------------------------------------------------------------


HTML_TYPES = ("text/html", "application/xhtml+xml")


def _body_text(detail: Mapping[str, Any]) -> tuple[str, list[str]]:
    """A summary or content element as plain text: HTML is stripped, plain text kept."""
    value = detail.get("value", "") or ""
    if detail.get("type", "text/html") in HTML_TYPES:
        return html_to_text(value, compact=True)
    return value.strip(), []


def _text_of(container: Mapping[str, Any], key: str) -> str:
    """A title as one line of plain text (feedparser keeps HTML titles as HTML)."""
    detail = container.get(f"{key}_detail") or {}
    value = container.get(key, "") or ""
    if detail.get("type") in HTML_TYPES:
        value = html_to_text(value, compact=True)[0]
    return " ".join(value.split())


class _FeedLinks(HTMLParser):
    """Find <link rel="alternate" type="application/rss+xml" href=...> on a web page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name: (value or "") for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        is_feed = "alternate" in rel and values.get("type", "").lower() in FEED_TYPES
        if is_feed and values.get("href"):
            self.hrefs.append(values["href"])


def _advertised_feeds(content: bytes, page_url: str) -> list[str]:
    parser = _FeedLinks()
    parser.feed(content.decode("utf-8", "replace"))
    base = httpx.URL(page_url)
    return [str(base.join(href)) for href in parser.hrefs]


def _looks_like_html(content: bytes) -> bool:
    head = content[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


# --- raw payloads ---------------------------------------------------------------------------


def _json_safe(value: Any) -> Any:
    """Turn feedparser's dicts, lists and struct_times into plain JSON values."""
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat()
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _exception_text(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    if isinstance(exc, SAXException):
        line = getattr(exc, "getLineNumber", lambda: None)()
        message = exc.getMessage()
        return f"{message} at line {line}" if line else message
    return str(exc)
