"""Rich text on Bluesky: links, mentions and hashtags as facets, written and read."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import regex

from houseboat.connectors import text as text_rules
from houseboat.connectors.bluesky.common import as_dict
from houseboat.core.text import URL_RE

# The patterns follow the official client's detection (bluesky-social/atproto,
# packages/api/src/rich-text): each starts the text or follows white space, or "(" for
# links and mentions, so an "@" or "#" inside a URL is left alone. Facets point into
# the text by UTF-8 byte offsets, start inclusive and end exclusive.

# JavaScript's \s, which the official client's patterns use: unlike Python's str methods
# it holds no \x1c-\x1f, and unlike the regex module's \s it holds U+FEFF but not U+0085.
_SPACE = r"\t\n\v\f\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

# A handle as the handle spec writes it; the official client also asks for a known
# top-level domain, which resolving the handle checks here instead.
MENTION_RE = regex.compile(
    rf"(?:^|(?<=[{_SPACE}(]))@"
    r"((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?![a-zA-Z0-9-])"
)
# A link is the shared web-address pattern: unlike the official client's, it also ends
# at < > ", which no address holds unescaped.
LINK_RE = regex.compile(rf"(?:^|(?<=[{_SPACE}(]))({URL_RE.pattern})", regex.IGNORECASE)
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"  # soft hyphen, zero-width marks
# A tag is anything up to white space with at least one character that is neither a
# digit nor punctuation (so #2024 is no tag). [0-9] rather than \d: the official
# client's JavaScript \d is ASCII only, so #١٢٣ (Arabic-Indic digits) is a tag there.
TAG_RE = regex.compile(
    rf"(?:^|(?<=[{_SPACE}]))[#\uff03]((?!\ufe0f)[^{_SPACE}{_INVISIBLE}]*"
    rf"[^0-9{_SPACE}\p{{P}}{_INVISIBLE}]+[^{_SPACE}{_INVISIBLE}]*)"
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
        # The official client trims JavaScript's white space, which the pattern has
        # already kept out; Python's strip() would also cut \x1c-\x1f and shift the end.
        tag = TRAILING_PUNCTUATION_RE.sub("", match.group(1))
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
