"""The whole text of an X archive's long posts, kept apart in ``data/note-tweet.js``.

A post over 280 characters appears in ``tweets.js`` cut short (its ``full_text`` ends in
"…", often with a t.co link to the rest) and whole in ``note-tweet.js``::

    window.YTD.note_tweet.part0 = [ {"noteTweet": {"noteTweetId": "…",
        "createdAt": "2024-05-28T10:15:00.000Z", "core": {"text": "…",
        "hashtags": [{"text": …}], "mentions": [{"screenName": …}],
        "urls": [{"expandedUrl": …}], "cashtags": [], "styletags": []}}} ]

``noteTweetId`` is not the post's id, so a note is matched to its post by when it was
made (the same second, give or take a few) and by the text they begin with. Some
archives give the post's id as ``tweetId``: then that decides. A reply's note leaves
out the "@name " the post begins with, so the match and the whole text keep them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from houseboat.listening.importers.x_ndjson import parse_iso, x_text

NOTES_FILE = re.compile(r"(?:^|/)data/note-tweets?(?:-part(\d+))?\.js$")
# A note is made within a moment of its post; archives written years apart agree to
# the second, but leave room for a clock's rounding.
WINDOW_SECONDS = 5
LEADING_MENTIONS = re.compile(r"^(?:[@\uff20]\w+\s+)+")
CUT_TAIL = re.compile(r"\s*(?:…|\.\.\.)?\s*(?:https://t\.co/\w+\s*)*$")
CUT_MARK = re.compile(r"(?:…|\.\.\.)\s*(?:https://t\.co/\w+\s*)*$")
# How much of the cut text must open the note for the two to be one post.
PREFIX = 40
# A cut post keeps close to 280 characters; one this long may be cut without a mark.
NEAR_LIMIT = 260


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def note_body(note: Mapping[str, Any]) -> Mapping[str, Any]:
    """The part of a note that holds its text and entities, in either known layout."""
    for key in ("core", "noteTweetResults"):
        body = note.get(key)
        if isinstance(body, dict):
            return body
    return note


def note_text(note: Mapping[str, Any]) -> str:
    return x_text(str(note_body(note).get("text") or ""))


def note_entities(note: Mapping[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """The note's hashtags, mentions and links (expanded where the archive gives them)."""
    body = note_body(note)
    entities = body.get("entitySet") if isinstance(body.get("entitySet"), dict) else body
    hashtags = [str(h["text"]) for h in _dicts(entities.get("hashtags")) if h.get("text")]
    mentions = [
        str(m.get("screenName") or m.get("screen_name"))
        for m in _dicts(entities.get("mentions") or entities.get("userMentions"))
        if m.get("screenName") or m.get("screen_name")
    ]
    links = [
        str(u.get("expandedUrl") or u.get("expanded_url") or u.get("shortUrl") or u.get("url"))
        for u in _dicts(entities.get("urls"))
        if u.get("expandedUrl") or u.get("expanded_url") or u.get("shortUrl") or u.get("url")
    ]
    return hashtags, mentions, links


def looks_cut(text: str) -> bool:
    """Whether a post's text may be the start of a longer one."""
    return bool(CUT_MARK.search(text.rstrip())) or len(text) >= NEAR_LIMIT


def opening(text: str) -> str:
    """The start of a post's own words: no leading @names, no "…" or t.co tail."""
    return CUT_TAIL.sub("", LEADING_MENTIONS.sub("", text)).strip()[:PREFIX]


class LongPosts:
    """Finds the whole version of a cut post among an archive's notes."""

    def __init__(self, notes: Iterable[Mapping[str, Any]]):
        self.by_post: dict[str, Mapping[str, Any]] = {}
        self.by_second: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
        for element in notes:
            note = element.get("noteTweet", element) if isinstance(element, dict) else None
            if not isinstance(note, dict) or not note_text(note):
                continue
            if note.get("tweetId"):
                self.by_post[str(note["tweetId"])] = note
            try:
                made = parse_iso(note.get("createdAt"))
            except ValueError:
                made = None
            if made is not None:
                self.by_second[int(made.timestamp())].append(note)

    def __len__(self) -> int:
        return len(self.by_post) + sum(len(notes) for notes in self.by_second.values())

    def whole(
        self, post_id: str, text: str, created_at: datetime | None
    ) -> Mapping[str, Any] | None:
        """Return the note that holds this post whole, or None if it has none."""
        if post_id in self.by_post:
            return self.by_post[post_id]
        if created_at is None or not self.by_second or not looks_cut(text):
            return None
        start = opening(text)
        second = int(created_at.timestamp())
        for moment in sorted(
            range(second - WINDOW_SECONDS, second + WINDOW_SECONDS + 1),
            key=lambda s: abs(s - second),
        ):
            for note in self.by_second.get(moment, ()):
                if opening(note_text(note)).startswith(start):
                    return note
        return None


def whole_text(cut: str, note: Mapping[str, Any]) -> str:
    """The post's whole text: the note's, after the "@name " a reply begins with."""
    text = note_text(note)
    mentions = LEADING_MENTIONS.match(cut)
    if mentions and not text.startswith(mentions.group(0).strip()):
        return mentions.group(0) + text
    return text


def merged(first: list[str], more: list[str]) -> list[str]:
    """Both lists, in order, each value once."""
    return list(dict.fromkeys([*first, *more]))
