"""An X (Twitter) account archive: the ZIP from Settings → "Download an archive of your data".

Posts are in ``data/tweets.js`` (older archives: ``data/tweet.js``), split into
``tweets-part1.js`` … when large. Each file is JavaScript, not JSON:
``window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]`` with v1.1 fields (id_str,
full_text, created_at as "Wed Oct 10 20:19:24 +0000 2018", entities, counts as
strings). The account is in ``data/account.js``, the archive's date in
``data/manifest.js``, attached pictures and videos in ``data/tweets_media/``
named ``<post id>-<file name>`` (stored in the archive with their post), and the whole
text of posts over 280 characters in ``data/note-tweet.js`` (see x_long_posts).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext_noop

from houseboat.connectors.base import Metrics, RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.listening import language
from houseboat.listening.importers.base import (
    ImporterManifest,
    ImportFileError,
    Limits,
    Problems,
    check_not_empty,
    is_zip,
    usable,
)
from houseboat.listening.importers.safezip import ZipMembers, member, open_zip
from houseboat.listening.importers.streaming import JsonReader
from houseboat.listening.importers.x_long_posts import (
    NOTES_FILE,
    LongPosts,
    merged,
    note_entities,
    whole_text,
)
from houseboat.listening.importers.x_ndjson import MEDIA_KINDS, parse_iso, x_text
from houseboat.listening.records import Captured, MediaOpener

MANIFEST: ImporterManifest = {
    "name": "x-archive",
    "label": gettext_noop("X account archive (ZIP)"),
    "network": "x",
    "expects": "the ZIP of an X account archive, with data/tweets.js inside",
    "version": 1,
}

POSTS_FILE = re.compile(r"(?:^|/)data/tweets?(?:-part(\d+))?\.js$")
MEDIA_FOLDER = re.compile(r"(?:^|/)data/tweets?_media/([^/]+)$")
PREFIX = re.compile(r"\s*window\.(?:YTD\.[A-Za-z_]+\.part\d+|__THAR_CONFIG)\s*=\s*$")
MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def read(path: Path, problems: Problems, limits: Limits) -> Iterator[Captured]:
    """Yield every post of the archive, file part by file part, in the archive's order."""
    check_not_empty(path, MANIFEST)
    if not is_zip(path):
        raise ImportFileError(
            f"{path.name} is not a ZIP file: expected {MANIFEST['expects']}. "
            "For posts collected with twarc2 use the format x-ndjson."
        )
    with open_zip(path, limits, expects=MANIFEST["expects"]) as archive:
        names = archive.namelist()
        parts = sorted(
            (int(m.group(1) or 0), name) for name in names if (m := POSTS_FILE.search(name))
        )
        if not parts:
            raise ImportFileError(
                f"{path.name} has no data/tweets.js: expected {MANIFEST['expects']}. "
                "Is it the archive of another service, or only part of it?"
            )
        author = archive_author(archive, names, limits)
        generated = archive_date(archive, names, limits)
        media = media_files(path, names)
        long_posts = read_long_posts(archive, names, limits, problems)
        for _part, name in parts:
            for number, element in enumerate(read_js_array(archive, name, limits), 1):
                where = f"{path.name}, {name}, post {number:,}"
                element = usable(element, where, problems)
                if element is None:
                    continue
                tweet = element.get("tweet", element) if isinstance(element, dict) else None
                if not isinstance(tweet, dict):
                    problems.bad(where, "the entry is not a post")
                    continue
                try:
                    yield to_captured(tweet, author, generated, media, long_posts)
                except (ValueError, TypeError, AttributeError, KeyError) as exc:
                    problems.bad(where, f"the post cannot be read ({exc})")


def read_js_array(archive: zipfile.ZipFile, name: str, limits: Limits) -> Iterator[Any]:
    """Yield the elements of one ``window.YTD.x.partN = [...]`` file, one at a time."""
    with member(archive, name) as stream:
        reader = JsonReader(stream, name=name, max_value=limits.max_record_bytes)
        reader.fill(4096)
        start = reader.buf.find("[")
        brace = reader.buf.find("{")
        if start < 0 or (0 <= brace < start) or not PREFIX.fullmatch(reader.buf[:start]):
            raise ImportFileError(
                f"{name} does not start with window.YTD.…part0 = [: expected {MANIFEST['expects']}."
            )
        reader.pos = start
        yield from reader.array()
        reader.end()


def read_long_posts(
    archive: zipfile.ZipFile, names: list[str], limits: Limits, problems: Problems
) -> LongPosts:
    """Read every note-tweet file (small: only posts over 280 characters are there)."""
    notes: list[Any] = []
    for name in sorted(name for name in names if NOTES_FILE.search(name)):
        try:
            notes.extend(read_js_array(archive, name, limits))
        except ImportFileError as exc:
            # The posts are still there, cut: say so rather than lose the import.
            problems.bad(name, f"the long posts' whole text cannot be read ({exc})")
    return LongPosts(notes)


def read_js_value(archive: zipfile.ZipFile, name: str, limits: Limits) -> Any:
    """Return the value assigned in a small archive file (account.js, manifest.js)."""
    with member(archive, name) as stream:
        text = stream.read(limits.max_record_bytes).decode("utf-8", errors="replace")
    start = min((i for i in (text.find("["), text.find("{")) if i >= 0), default=-1)
    if start < 0:
        return None
    try:
        return json.loads(text[start:].rstrip().rstrip(";"))
    except ValueError:
        return None


def archive_author(
    archive: zipfile.ZipFile, names: list[str], limits: Limits
) -> RemoteAuthor | None:
    """Return the account the archive belongs to, from account.js (or manifest.js)."""
    for name in names:
        if name.endswith("data/account.js"):
            value = read_js_value(archive, name, limits)
            if isinstance(value, list) and value and isinstance(value[0], dict):
                account = value[0].get("account", {})
                if isinstance(account, dict) and account.get("accountId"):
                    username = str(account.get("username") or "")
                    return RemoteAuthor(
                        remote_id=str(account["accountId"]),
                        handle=username,
                        display_name=str(account.get("accountDisplayName") or ""),
                        url=f"https://x.com/{username}" if username else "",
                    )
    for name in names:
        if name.endswith("data/manifest.js"):
            value = read_js_value(archive, name, limits)
            info = value.get("userInfo") if isinstance(value, dict) else None
            if isinstance(info, dict) and info.get("accountId"):
                username = str(info.get("userName") or "")
                return RemoteAuthor(
                    remote_id=str(info["accountId"]),
                    handle=username,
                    display_name=str(info.get("displayName") or ""),
                    url=f"https://x.com/{username}" if username else "",
                )
    return None


def archive_date(archive: zipfile.ZipFile, names: list[str], limits: Limits) -> datetime | None:
    """Return when X generated the archive: the moment its counts were captured."""
    for name in names:
        if name.endswith("data/manifest.js"):
            value = read_js_value(archive, name, limits)
            info = value.get("archiveInfo") if isinstance(value, dict) else None
            if isinstance(info, dict):
                try:
                    return parse_iso(info.get("generationDate"))
                except ValueError:
                    return None
    return None


class ArchiveMedia:
    """Finds a post's media file in data/tweets_media/, named "<post id>-<file name>"."""

    def __init__(self, path: Path, entries: Mapping[str, str]):
        self.entries = entries  # "<post id>-<file name>" -> entry name
        self.members = ZipMembers(path, entries.values())

    def for_post(self, post_id: str, url: str) -> MediaOpener | None:
        file_name = PurePosixPath(urlsplit(url).path).name
        entry = self.entries.get(f"{post_id}-{file_name}")
        return self.members.opener(entry) if entry else None


def media_files(path: Path, names: list[str]) -> ArchiveMedia:
    entries = {m.group(1): name for name in names if (m := MEDIA_FOLDER.search(name))}
    return ArchiveMedia(path, entries)


def parse_v1_time(value: Any) -> datetime | None:
    """Parse v1.1's "Wed Oct 10 20:19:24 +0000 2018" without depending on the locale."""
    if not isinstance(value, str) or not value:
        return None
    parts = value.split()
    if len(parts) != 6 or parts[1] not in MONTHS:
        return parse_iso(value)  # some archive files use ISO 8601
    hour, minute, second = (int(p) for p in parts[3].split(":"))
    moment = datetime(int(parts[5]), MONTHS[parts[1]], int(parts[2]), hour, minute, second)
    offset = datetime.strptime(parts[4], "%z").utcoffset()
    return (moment - offset).replace(tzinfo=UTC) if offset else moment.replace(tzinfo=UTC)


def _count(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def media_url(media: Mapping[str, Any]) -> str:
    """The file a media entry points to: the best MP4 of a video, else the picture."""
    info = media.get("video_info") if isinstance(media.get("video_info"), dict) else {}
    variants = [v for v in _dicts(info.get("variants")) if v.get("content_type") == "video/mp4"]
    if variants:
        best = max(variants, key=lambda v: _count(v.get("bitrate")) or 0)
        return str(best.get("url") or "")
    return str(media.get("media_url_https") or media.get("media_url") or "")


def retweeted(tweet: Mapping[str, Any], entities: Mapping[str, Any]) -> str:
    """Return what an archived retweet reposts: the original's id, or "@" and its author.

    The archive writes a retweet as a post of its own, "RT @author: text…", with the
    original's author as the first mention (at character 3) and, in older archives
    only, the original as ``retweeted_status``; the original's id is otherwise not in
    the archive, so its author stands for it.
    """
    original = tweet.get("retweeted_status")
    if isinstance(original, dict) and (original.get("id_str") or original.get("id")):
        return str(original.get("id_str") or original["id"])
    text = str(tweet.get("full_text") or tweet.get("text") or "")
    if not text.startswith("RT @"):
        return ""
    for mention in _dicts(entities.get("user_mentions")):
        indices = mention.get("indices")
        if isinstance(indices, list) and indices and str(indices[0]) == "3":
            return "@" + str(mention.get("screen_name") or "")[:200]
    return "@" + text[4:].split(":", 1)[0][:200]


def to_captured(
    tweet: dict[str, Any],
    author: RemoteAuthor | None,
    generated: datetime | None,
    media: ArchiveMedia,
    long_posts: LongPosts | None = None,
) -> Captured:
    """Map one archive post (v1.1 fields) to houseboat's normalised record."""
    remote_id = str(tweet.get("id_str") or tweet["id"])
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    text = x_text(str(tweet.get("full_text") or tweet.get("text") or ""))
    created_at = parse_v1_time(tweet.get("created_at"))
    hashtags = [str(h["text"]) for h in _dicts(entities.get("hashtags")) if h.get("text")]
    mentions = [
        str(m["screen_name"]) for m in _dicts(entities.get("user_mentions")) if m.get("screen_name")
    ]
    links = [
        str(u.get("expanded_url") or u.get("url"))
        for u in _dicts(entities.get("urls"))
        if u.get("expanded_url") or u.get("url")
    ]
    raw: dict[str, Any] = tweet
    note = long_posts.whole(remote_id, text, created_at) if long_posts else None
    if note is not None:
        more_tags, more_mentions, more_links = note_entities(note)
        text = whole_text(text, note)
        hashtags = merged(hashtags, more_tags)
        mentions = merged(mentions, more_mentions)
        # The cut text's own link to the rest of itself is not a link the post shares.
        links = merged([link for link in links if not link.endswith(f"/{remote_id}")], more_links)
        raw = {**tweet, "noteTweet": note}
    extended = (
        tweet.get("extended_entities") if isinstance(tweet.get("extended_entities"), dict) else {}
    )
    attached = _dicts(extended.get("media")) or _dicts(entities.get("media"))
    remote_media = [
        RemoteMedia(
            url=media_url(m),
            kind=MEDIA_KINDS.get(str(m.get("type")), "file"),
            alt=str(m.get("ext_alt_text") or ""),
        )
        for m in attached
    ]
    files = {m.url: opener for m in remote_media if (opener := media.for_post(remote_id, m.url))}
    handle = author.handle if author else ""
    lang = str(tweet.get("lang") or "")
    return Captured(
        RemoteItem(
            network="x",
            remote_id=remote_id,
            text=text,
            created_at=created_at,
            author=author,
            url=(
                f"https://x.com/{handle}/status/{remote_id}"
                if handle
                else f"https://x.com/i/web/status/{remote_id}"
            ),
            language=language.platform_code(lang),
            reply_to_id=str(tweet.get("in_reply_to_status_id_str") or ""),
            quote_of_id=str(tweet.get("quoted_status_id_str") or ""),
            repost_of_id=retweeted(tweet, entities),
            hashtags=hashtags,
            mentions=mentions,
            links=links,
            media=remote_media,
            metrics=Metrics(
                reposts=_count(tweet.get("retweet_count")),
                likes=_count(tweet.get("favorite_count")),
            ),
            raw=raw,
        ),
        captured_at=generated,
        media_files=files,
    )
