"""Length counted the way each network counts it, and checks against a channel's limits.

- characters: Unicode code points, with every URL counted as a fixed number where
  the network says so.
- mastodon: grapheme clusters, every http(s) URL as ``characters_reserved_per_url`` (23),
  and a remote mention @user@domain as just @user, as Mastodon counts.
- graphemes: user-perceived characters (Bluesky): 👋🏽 is one, as is क्षि.
- utf16: UTF-16 code units (Telegram measures text and entity offsets this way).
- weighted: X's rule, twitter-text's v3 configuration (through twitter-text-parser):
  code points in the Latin, General Punctuation and similar ranges weigh 1, everything
  else 2, an emoji sequence 2, a URL (found by twitter-text's own rules, with its list of
  top-level domains, so report.docx is no link) 23.
"""

from __future__ import annotations

import functools
import sys
import types
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex
from django.utils.translation import gettext as _

from houseboat.connectors.base import Limits, MediaFile
from houseboat.core import text as shared_text

SCHEME_URL_RE = shared_text.URL_RE  # a web address with its scheme, as every app finds it


@functools.cache
def _twitter_text() -> Any:
    """Import twitter-text-parser, which reads its emoji list through pkg_resources.

    pkg_resources came with setuptools, which new installs no longer carry; the one call
    the library makes is given here rather than pulling setuptools into every install.
    Imported on first use: reading the emoji list takes half a second, which every
    command and page that never counts X text would otherwise pay.
    """
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        shim = types.ModuleType("pkg_resources")
        shim.resource_string = _resource_string  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    import twitter_text
    from twitter_text import extract_emojis

    sys.modules["twitter_text.extract_urls"].idna_to_ascii = _punycode  # type: ignore[attr-defined]
    twitter_text.extract_emojis_with_indices = extract_emojis.extract_emojis_with_indices
    return twitter_text


def _punycode(domain: str) -> str | None:
    """Encode a domain as the official library does (punycode.js toASCII), label by label.

    twitter-text-parser uses Python's IDNA 2003 codec, which also validates and refuses
    an Arabic or Hebrew name run into an ASCII one ("حريةexample.org"); the official
    library only encodes, then counts the ASCII name inside as a link.
    """
    try:
        labels = regex.split(r"[.\u3002\uff0e\uff61]", domain)
        return ".".join(
            label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
            for label in labels
        )
    except UnicodeError:
        return None


def _resource_string(module: str, name: str) -> bytes:
    return Path(sys.modules[module].__file__ or "").with_name(name).read_bytes()


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _with_urls_as(text: str, url_length: int, pattern: regex.Pattern = SCHEME_URL_RE) -> int:
    urls = pattern.findall(text)
    rest = pattern.sub("", text)
    return len(rest) + url_length * len(urls)


# © and ® are emoji for the official library only with U+FE0F after them (twemoji-parser);
# twitter-text-parser's emoji list takes them alone too, and weighs them 2 instead of 1.
_TEXT_STYLE_EMOJI = {"\u00a9", "\u00ae"}


def x_weighted(text: str) -> int:
    """X's weighted length: the limit of 280 allows 280 Latin or 140 CJK characters."""
    weighted = int(_twitter_text().parse_tweet(text).weightedLength)
    if not _TEXT_STYLE_EMOJI & set(text):
        return weighted
    normalized = regex.sub(r"\r\n|\r|\n", "\n", unicodedata.normalize("NFC", text))
    links = [
        range(*url["indices"]) for url in _twitter_text().extract_urls_with_indices(normalized)
    ]
    return weighted - sum(
        1
        for emoji in _twitter_text().extract_emojis_with_indices(normalized)
        if emoji["emoji"] in _TEXT_STYLE_EMOJI
        and not any(emoji["indices"][0] in link for link in links)
    )


# Mastodon's Account::MENTION_RE: @user or @user@domain, not after a word, "=" or "/".
MASTODON_MENTION_RE = regex.compile(
    r"(?<![=/\w])@((?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@\w+(?:[.-]+\w+)*)?)"
)
# twitter-text's end_mention_match: a "mention" that runs on into one of these is none.
_MENTION_RUNS_ON_RE = regex.compile(r"[@\uff20]|://|[\xc0-\xd6\xd8-\xf6\xf8-\u024f\u1e00-\u1eff]")


def mastodon_length(text: str, url_length: int = 23, spoiler: str = "") -> int:
    """Count as Mastodon's StatusLengthValidator does, for the composer and the connector.

    Grapheme clusters (👋🏽 is one); every web address with a scheme, found by twitter-text's
    rules as Mastodon finds it, as url_length; a mention @user@domain as @user; where a
    link and a mention overlap, the one that starts first. The content warning shares
    the budget, counted as it is.
    """
    entities = [
        (start, end, "x" * url_length)
        for start, end in (
            url["indices"] for url in _twitter_text().extract_urls_with_indices(text, False)
        )
    ]
    for match in MASTODON_MENTION_RE.finditer(text):
        if not _MENTION_RUNS_ON_RE.match(text, match.end()):
            entities.append((match.start(), match.end(), "@" + match.group(1).split("@")[0]))
    countable, position = [], 0
    for start, end, replacement in sorted(entities):
        if start < position:
            continue  # overlapping: the entity that starts first wins
        countable += [text[position:start], replacement]
        position = end
    countable.append(text[position:])
    return graphemes(spoiler + "".join(countable))


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
        unit = _("weighted characters") if rule["counted"] == "weighted" else _("characters")
        if used > rule["max"]:
            problems.append(
                Problem(
                    "text",
                    _(
                        "Too long for %(label)s: %(used)s %(unit)s, the limit is %(max)s. "
                        "Shorten it by %(over)s or split it into a thread."
                    )
                    % {
                        "label": label,
                        "used": used,
                        "unit": unit,
                        "max": rule["max"],
                        "over": used - rule["max"],
                    },
                )
            )
        caption_max = (limits.get("media") or {}).get("caption_max")
        if media and caption_max and caption_max < used <= rule["max"]:
            # The connector sends the pictures, then the text as a reply below them.
            problems.append(
                Problem(
                    "text",
                    _(
                        "%(label)s shows at most %(max)s characters under pictures; this text "
                        "(%(used)s) will follow as a reply below them."
                    )
                    % {"label": label, "max": caption_max, "used": used},
                    blocking=False,
                )
            )
        if not text.strip() and not media:
            problems.append(
                Problem("text", _("%(label)s needs some text or a picture.") % {"label": label})
            )
    problems.extend(_media_problems(limits, media, label))
    return problems


def _media_problems(limits: Limits, media: Sequence[MediaFile], label: str) -> list[Problem]:
    rule = limits.get("media")
    if not media:
        return []
    if rule is None or rule["max_count"] == 0:
        return [
            Problem(
                "media",
                _("%(label)s posts cannot carry pictures or video here.") % {"label": label},
            )
        ]
    problems = []
    if len(media) > rule["max_count"]:
        problems.append(
            Problem(
                "media",
                _("%(label)s takes at most %(max)s files per post; this one has %(count)s.")
                % {"label": label, "max": rule["max_count"], "count": len(media)},
            )
        )
    for item in media:
        if item.mime_type not in rule["types"]:
            problems.append(
                Problem(
                    "media",
                    _("%(label)s does not take %(type)s files (%(file)s). It takes: %(types)s.")
                    % {
                        "label": label,
                        "type": item.mime_type,
                        "file": item.path.name,
                        "types": ", ".join(rule["types"]),
                    },
                )
            )
        elif item.size > rule["max_bytes"]:
            problems.append(
                Problem(
                    "media",
                    _("%(file)s is %(size).1f MB; %(label)s takes at most %(max).1f MB per file.")
                    % {
                        "file": item.path.name,
                        "size": item.size / 1e6,
                        "label": label,
                        "max": rule["max_bytes"] / 1e6,
                    },
                )
            )
        alt_max = rule.get("alt_max")
        if alt_max and len(item.alt) > alt_max:
            problems.append(
                Problem(
                    "media",
                    _(
                        "The description of %(file)s is %(count)s characters; "
                        "%(label)s takes at most %(max)s."
                    )
                    % {
                        "file": item.path.name,
                        "count": len(item.alt),
                        "label": label,
                        "max": alt_max,
                    },
                )
            )
    return problems
