"""Length counted the way each network counts it, and checks against a channel's limits.

- characters: Unicode code points, with every URL counted as a fixed number where
  the network says so.
- mastodon: grapheme clusters, every http(s) URL as ``characters_reserved_per_url`` (23),
  and a remote mention @user@domain as just @user, as Mastodon counts.
- graphemes: user-perceived characters (Bluesky): 👋🏽 is one, as is क्षि.
- utf16: UTF-16 code units (Telegram measures text and entity offsets this way).
- weighted: X's rule (twitter-text 3): code points in the Latin, General Punctuation
  and similar ranges weigh 1, everything else 2, an emoji sequence 2, a URL 23.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from houseboat.connectors.base import Limits, MediaFile
from houseboat.core import text as shared_text

URL_RE = regex.compile(
    r"""(?<![\w@/])(?:https?://)?(?:[\p{L}\p{N}-]+\.)+\p{L}{2,}(?::\d+)?(?:/[^\s<>"]*)?""",
    regex.IGNORECASE,
)
SCHEME_URL_RE = shared_text.URL_RE  # a web address with its scheme, as every app finds it
# An emoji sequence is one unit: a pictograph with its modifiers and variation
# selectors, joined by ZWJ to the next; a flag (two regional indicators); a keycap.
_EMOJI_PART = r"\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})*"
EMOJI_RE = regex.compile(
    rf"(?:{_EMOJI_PART}(?:\u200D{_EMOJI_PART})*|\p{{Regional_Indicator}}{{2}}|[#*0-9]\uFE0F?\u20E3)"
)

# twitter-text v3 configuration: these ranges weigh 100 (one character), others 200.
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
X_URL_WEIGHT = 23


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _with_urls_as(text: str, url_length: int, pattern: regex.Pattern = SCHEME_URL_RE) -> int:
    urls = pattern.findall(text)
    rest = pattern.sub("", text)
    return len(rest) + url_length * len(urls)


def x_weighted(text: str) -> int:
    """X's weighted length: the limit of 280 allows 280 Latin or 140 CJK characters."""
    text = unicodedata.normalize("NFC", text)  # as twitter-text does: é typed two ways is 1
    total = 0
    position = 0
    spans = sorted(
        [(m.start(), m.end(), X_URL_WEIGHT) for m in URL_RE.finditer(text)]
        + [(m.start(), m.end(), 2) for m in EMOJI_RE.finditer(text)]
    )
    for start, end, weight in spans:
        if start < position:
            continue  # an emoji inside a URL
        total += _weigh(text[position:start]) + weight
        position = end
    return total + _weigh(text[position:])


def _weigh(text: str) -> int:
    return sum(
        1 if any(low <= ord(char) <= high for low, high in X_LIGHT_RANGES) else 2 for char in text
    )


MASTODON_MENTION_RE = regex.compile(r"(?<![\w/])(@[\w.-]+)@[\w.-]+\.[\p{L}]{2,}", regex.UNICODE)


def mastodon_length(text: str, url_length: int = 23) -> int:
    """Mastodon's count: grapheme clusters, URLs as url_length, @user@domain as @user.

    Mastodon counts the content warning in the same limit: pass both together.
    """
    text = MASTODON_MENTION_RE.sub(r"\1", text)
    urls = SCHEME_URL_RE.findall(text)
    return graphemes(SCHEME_URL_RE.sub("", text)) + url_length * len(urls)


def length(text: str, counted: str, url_length: int | None = None) -> int:
    """Return text's length under a network's rule."""
    if counted == "mastodon":
        return mastodon_length(text, url_length or 23)
    if counted == "graphemes":
        return graphemes(text)
    if counted == "utf16":
        return utf16_units(text)
    if counted == "weighted":
        return x_weighted(text)
    if url_length is not None:
        return _with_urls_as(text, url_length)
    return len(text)


@dataclass(frozen=True)
class Problem:
    """One reason a post cannot go to a channel as it is."""

    field: str
    message: str
    # A non-blocking problem is worth telling the author but does not stop the post.
    blocking: bool = True


def check(
    limits: Limits, text: str, media: Sequence[MediaFile] = (), *, label: str
) -> list[Problem]:
    """Return every way text and media break a channel's limits (an empty list: fine)."""
    problems: list[Problem] = []
    rule = limits.get("text")
    if rule is not None:
        used = length(text, rule["counted"], rule.get("url_length"))
        unit = {"weighted": "weighted characters"}.get(rule["counted"], "characters")
        if used > rule["max"]:
            problems.append(
                Problem(
                    "text",
                    f"Too long for {label}: {used} {unit}, the limit is {rule['max']}. "
                    f"Shorten it by {used - rule['max']} or split it into a thread.",
                )
            )
        caption_max = (limits.get("media") or {}).get("caption_max")
        if media and caption_max and caption_max < used <= rule["max"]:
            # The connector sends the pictures, then the text as a reply below them.
            problems.append(
                Problem(
                    "text",
                    f"{label} shows at most {caption_max} characters under pictures; this text "
                    f"({used}) will follow as a reply below them.",
                    blocking=False,
                )
            )
        if not text.strip() and not media:
            problems.append(Problem("text", f"{label} needs some text or a picture."))
    problems.extend(_media_problems(limits, media, label))
    return problems


def _media_problems(limits: Limits, media: Sequence[MediaFile], label: str) -> list[Problem]:
    rule = limits.get("media")
    if not media:
        return []
    if rule is None or rule["max_count"] == 0:
        return [Problem("media", f"{label} posts cannot carry pictures or video here.")]
    problems = []
    if len(media) > rule["max_count"]:
        problems.append(
            Problem(
                "media",
                f"{label} takes at most {rule['max_count']} files per post; "
                f"this one has {len(media)}.",
            )
        )
    for item in media:
        if item.mime_type not in rule["types"]:
            problems.append(
                Problem(
                    "media",
                    f"{label} does not take {item.mime_type} files ({item.path.name}). "
                    f"It takes: {', '.join(rule['types'])}.",
                )
            )
        elif item.size > rule["max_bytes"]:
            problems.append(
                Problem(
                    "media",
                    f"{item.path.name} is {item.size / 1e6:.1f} MB; {label} takes at most "
                    f"{rule['max_bytes'] / 1e6:.1f} MB per file.",
                )
            )
        alt_max = rule.get("alt_max")
        if alt_max and len(item.alt) > alt_max:
            problems.append(
                Problem(
                    "media",
                    f"The description of {item.path.name} is {len(item.alt)} characters; "
                    f"{label} takes at most {alt_max}.",
                )
            )
    return problems
