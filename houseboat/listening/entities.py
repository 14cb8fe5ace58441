"""Hashtags, mentions and links found in a post's text, for records that do not carry them."""

from collections.abc import Iterable

import regex

from houseboat.core.text import URL_RE

# A hashtag starts after a space or punctuation, holds letters, marks, digits and
# underscores, and is not only digits (X and Mastodon both treat "#1" as plain text).
HASHTAG = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}_&/#])[#\uff03]([\p{L}\p{M}\p{N}_]*[\p{L}\p{M}_][\p{L}\p{M}\p{N}_]*)"
)
# @user, and @user@server.example for the fediverse.
MENTION = regex.compile(
    r"(?<![\p{L}\p{N}_@/.])@([A-Za-z0-9_][A-Za-z0-9_.]{0,49}(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)"
)
TRAILING = ".,;:!?)]}'\"…»"


def unique(values: Iterable[str]) -> list[str]:
    """Return the values without blanks and repeats, first spelling first, order kept."""
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            out.append(value)
    return out


def hashtags(text: str) -> list[str]:
    """Return the hashtags of a text, without the #."""
    return unique(match.group(1) for match in HASHTAG.finditer(text))


def mentions(text: str) -> list[str]:
    """Return the accounts a text mentions, without the leading @."""
    return unique(match.group(1).rstrip(".") for match in MENTION.finditer(text))


def links(text: str) -> list[str]:
    """Return the web addresses in a text, without trailing punctuation."""
    found = []
    for match in URL_RE.finditer(text):
        url = match.group(0)
        # Keep a closing bracket that belongs to the address (Wikipedia-style links).
        while url and url[-1] in TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        found.append(url)
    return unique(found)


def tag_key(tag: str) -> str:
    """Return the form a hashtag is counted under: no #, case folded, at most 200 characters."""
    return strip_hash(tag).casefold()[:200]


def strip_hash(tag: str) -> str:
    """Return a hashtag without its leading # (or the full-width U+FF03 of CJK keyboards)."""
    return tag.lstrip("#\uff03")
