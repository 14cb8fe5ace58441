"""X API v2 NDJSON, as twarc2 writes it.

Each line is either a whole API response page (``data``, ``includes``, ``meta`` and
twarc's ``__twarc``: url, version, retrieved_at) or, after ``twarc2 flatten``, one
post per line with its expansions inline. Pages are flattened here with twarc's
own rules (author, in_reply_to_user, media, polls, places, mentions and referenced
posts put inline, ``__twarc`` copied onto each post), so the raw payload of a post
is the same whichever of the two shapes it came in, and so is its SHA-256.
A ``.gz`` file is read as it is unpacked.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from django.utils.translation import gettext_noop

from houseboat.connectors.base import Metrics, RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.core.text import parse_iso_time
from houseboat.listening import language
from houseboat.listening.importers.base import (
    TOO_DEEP,
    ImporterManifest,
    ImportFileError,
    Limits,
    MiB,
    Problems,
    check_not_empty,
    checked_value,
    is_zip,
    open_maybe_gzip,
    usable,
)
from houseboat.listening.importers.streaming import lines
from houseboat.listening.records import Captured

MANIFEST: ImporterManifest = {
    "name": "x-ndjson",
    "label": gettext_noop("X API v2 NDJSON (twarc2)"),
    "network": "x",
    "expects": "X API v2 NDJSON as written by twarc2: one JSON response page or one post per line",
    "version": 1,
}

MEDIA_KINDS = {"photo": "image", "video": "video", "animated_gif": "video"}


def read(path: Path, problems: Problems, limits: Limits) -> Iterator[Captured]:
    """Yield every post of the file, page by page or line by line."""
    check_not_empty(path, MANIFEST)
    if is_zip(path):
        raise ImportFileError(
            f"{path.name} is a ZIP file, not NDJSON. For an X account archive use the "
            "format x-archive; for twarc2 output, unpack it first."
        )
    first = True
    with open_maybe_gzip(path, limits) as stream:
        for line in lines(stream, name=path.name, max_bytes=limits.max_record_bytes):
            where = f"{path.name}, line {line.number:,}"
            if line.too_long:
                problems.bad(
                    where,
                    f"the line is longer than {limits.max_record_bytes // MiB} MB, the most "
                    "houseboat reads in one record",
                )
                continue
            if not line.data.strip():
                continue
            try:
                value = usable(checked_value(loads(line.data), line.data), where, problems)
            except RecursionError:
                problems.bad(where, TOO_DEEP)
                continue
            except ValueError as exc:
                if first:
                    raise ImportFileError(
                        f"{path.name} does not look like NDJSON: its first line is not JSON. "
                        f"Expected {MANIFEST['expects']}."
                    ) from exc
                why = (
                    "the line is cut off (the file seems truncated: an interrupted download "
                    "or copy?)"
                    if not line.complete
                    else f"the line is not valid JSON ({exc})"
                )
                problems.bad(where, why)
                continue
            if value is None:
                continue
            try:
                posts = flattened_posts(value)
            except ValueError as exc:
                if first:
                    raise ImportFileError(
                        f"{path.name} is not X API v2 NDJSON: {exc}. "
                        f"Expected {MANIFEST['expects']}."
                    ) from exc
                problems.bad(where, str(exc))
                continue
            first = False
            for post in posts:
                try:
                    yield to_captured(post)
                except (ValueError, TypeError, AttributeError, KeyError) as exc:
                    problems.bad(where, f"a post cannot be read ({exc})")


def loads(data: bytes) -> Any:
    """Parse one line with orjson (about twice as fast), or the standard library when it must.

    orjson refuses integers past 64 bits, which JSON allows; the standard library then
    reads the line, so no valid line is ever refused for speed.
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def flattened_posts(value: Any) -> list[dict[str, Any]]:
    """Return the posts of one line: a page flattened, or the one flattened post."""
    if not isinstance(value, dict):
        raise ValueError("the line is not a JSON object")
    if "data" in value:
        data = value["data"]
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise ValueError("its data is neither a post nor a list of posts")
        if data and isinstance(data[0], dict) and "text" not in data[0] and "username" in data[0]:
            raise ValueError("it holds X accounts, not posts")
        return flatten(value, data)
    if "id" in value and ("text" in value or "note_tweet" in value):
        return [value]
    if "meta" in value or "errors" in value:
        return []  # a page without results (a quiet search), or only errors
    raise ValueError("the line is neither a response page (data, includes) nor a post")


def _index(rows: Any, key: str) -> dict[str, Any]:
    if not isinstance(rows, list):
        return {}
    return {row[key]: row for row in rows if isinstance(row, dict) and key in row}


def flatten(page: dict[str, Any], data: list[Any]) -> list[dict[str, Any]]:
    """Put a page's expansions inline in each post, following twarc's ``flatten`` rules."""
    includes = page.get("includes") if isinstance(page.get("includes"), dict) else {}
    users = {**_index(includes.get("users"), "id"), **_index(includes.get("users"), "username")}
    media = _index(includes.get("media"), "media_key")
    polls = _index(includes.get("polls"), "id")
    places = _index(includes.get("places"), "id")
    tweets = _index(includes.get("tweets"), "id")

    def expand(value: Any) -> Any:
        # Only containers are visited: a post has dozens of plain values and few containers.
        if isinstance(value, list):
            return [expand(v) if isinstance(v, dict | list) else v for v in value]
        if not isinstance(value, dict):
            return value
        for key, inner in value.items():
            if isinstance(inner, dict | list):
                value[key] = expand(inner)
        if "author_id" in value:
            value["author"] = users.get(value["author_id"], {})
        if "in_reply_to_user_id" in value:
            value["in_reply_to_user"] = users.get(value["in_reply_to_user_id"], {})
        if "media_keys" in value:
            value["media"] = [media.get(k, {}) for k in value["media_keys"]]
        if value.get("poll_ids"):
            value["poll"] = polls.get(value["poll_ids"][-1], {})
        if isinstance(value.get("geo"), dict) and "place_id" in value["geo"]:
            value["geo"] = {**value["geo"], **places.get(value["geo"]["place_id"], {})}
        if isinstance(value.get("mentions"), list):
            value["mentions"] = [
                {**m, **users.get(m.get("username"), {})} if isinstance(m, dict) else m
                for m in value["mentions"]
            ]
        if isinstance(value.get("referenced_tweets"), list):
            value["referenced_tweets"] = [
                {**r, **tweets.get(r.get("id"), {})} if isinstance(r, dict) else r
                for r in value["referenced_tweets"]
            ]
        if "pinned_tweet_id" in value:
            value["pinned_tweet"] = tweets.get(value["pinned_tweet_id"], {})
        return value

    for tweet_id, tweet in list(tweets.items()):
        tweets[tweet_id] = expand(tweet)
    posts = [expand(post) for post in data if isinstance(post, dict)]
    if "__twarc" in page:
        for post in posts:
            post["__twarc"] = page["__twarc"]
    return posts


def parse_iso(value: Any) -> datetime | None:
    """Parse X's and twarc's ISO 8601 times ("2022-10-05T12:00:00.000Z"); bad ones raise."""
    return parse_iso_time(value, strict=True)


def x_text(text: str) -> str:
    """Undo the HTML escaping X applies to post text (&amp; &lt; &gt;)."""
    return html.unescape(text) if "&" in text else text


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def to_captured(post: dict[str, Any]) -> Captured:
    """Map one flattened v2 post to houseboat's normalised record."""
    remote_id = str(post["id"])
    author_data = post.get("author") if isinstance(post.get("author"), dict) else {}
    author = None
    author_id = str(author_data.get("id") or post.get("author_id") or "")
    username = str(author_data.get("username") or "")
    if author_id or username:
        author = RemoteAuthor(
            remote_id=author_id,
            handle=username,
            display_name=str(author_data.get("name") or ""),
            url=f"https://x.com/{username}" if username else "",
        )
    note = post.get("note_tweet") if isinstance(post.get("note_tweet"), dict) else {}
    refs = {str(r.get("type")): str(r.get("id")) for r in _dicts(post.get("referenced_tweets"))}
    entities = post.get("entities") if isinstance(post.get("entities"), dict) else {}
    if note.get("text") and isinstance(note.get("entities"), dict):
        # A long post's own entities cover its whole text; the post's stop at character 280.
        entities = note["entities"]
    attachments = post.get("attachments") if isinstance(post.get("attachments"), dict) else {}
    metrics = post.get("public_metrics") if isinstance(post.get("public_metrics"), dict) else {}
    twarc = post.get("__twarc") if isinstance(post.get("__twarc"), dict) else {}
    item = RemoteItem(
        network="x",
        remote_id=remote_id,
        text=x_text(str(note.get("text") or post.get("text") or "")),
        created_at=parse_iso(post.get("created_at")),
        author=author,
        url=(
            f"https://x.com/{username}/status/{remote_id}"
            if username
            else f"https://x.com/i/web/status/{remote_id}"
        ),
        language=language.platform_code(post.get("lang")),
        reply_to_id=refs.get("replied_to", ""),
        repost_of_id=refs.get("retweeted", ""),
        quote_of_id=refs.get("quoted", ""),
        hashtags=[str(h["tag"]) for h in _dicts(entities.get("hashtags")) if h.get("tag")],
        mentions=[
            str(m["username"]) for m in _dicts(entities.get("mentions")) if m.get("username")
        ],
        links=[
            str(u.get("unwound_url") or u.get("expanded_url") or u.get("url"))
            for u in _dicts(entities.get("urls"))
            if u.get("unwound_url") or u.get("expanded_url") or u.get("url")
        ],
        media=[
            RemoteMedia(
                url=str(m.get("url") or m.get("preview_image_url") or ""),
                kind=MEDIA_KINDS.get(str(m.get("type")), "file"),
                alt=str(m.get("alt_text") or ""),
            )
            for m in _dicts(attachments.get("media"))
        ],
        metrics=Metrics(
            replies=metrics.get("reply_count"),
            reposts=metrics.get("retweet_count"),
            likes=metrics.get("like_count"),
            quotes=metrics.get("quote_count"),
            views=metrics.get("impression_count"),
        ),
        raw=post,
    )
    return Captured(item, captured_at=parse_iso(twarc.get("retrieved_at")))
