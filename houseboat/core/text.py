"""Text helpers every app shares: ISO times, web addresses, HTML as plain text.

They live in core, the ground floor, because connectors, the archive importers and
the publishing dispatcher all read the same formats; one copy means one behaviour.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import regex

# A web address with its scheme, up to white space or a character HTML would not
# leave in one (< > "). Trailing punctuation is the caller's to trim: counting
# rules (Mastodon counts "https://a.org." as one URL) and link lists differ there.
URL_RE = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)


def parse_iso_time(value: Any, *, strict: bool = False) -> datetime | None:
    """Read an ISO 8601 time ("2024-03-01T12:00:00.000Z", "…+0000") as an aware datetime.

    A time without an offset is taken as UTC. Anything that is not a non-empty string
    gives None. A string that is not a time gives None too, or raises ValueError when
    ``strict`` (for importers, which report such a record instead of guessing).
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        if strict:
            raise
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class _HtmlText(HTMLParser):
    """Collect an HTML fragment's text, line breaks kept, and the outside links in it."""

    BLOCKS = frozenset(
        {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
    )
    VOID = frozenset({"br", "img", "hr", "input", "wbr", "meta", "link", "source"})
    HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0  # depth inside an element no reader sees

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        # "quote-inline": the "RE: <link>" paragraph Mastodon adds to quote posts for
        # old clients, already shown as the quote itself.
        if self.hidden or tag in self.HIDDEN or "quote-inline" in classes:
            if tag not in self.VOID:
                self.hidden += 1
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a":
            href = attributes.get("href") or ""
            # Hashtags ("mention hashtag", Pleroma's "hashtag", rel="tag") and @mentions
            # are not links to the outside; javascript: and data: are never links.
            rel = (attributes.get("rel") or "").split()
            outside = not {"mention", "hashtag"} & set(classes) and "tag" not in rel
            if outside and href.lower().startswith(("http://", "https://")):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            if tag not in self.VOID:
                self.hidden -= 1
            return
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.hidden or (not data.strip() and "\n" in data):
            return  # white space between block tags from servers that indent their HTML
        self.parts.append(data)


def html_to_text(html: str, *, compact: bool = False) -> tuple[str, list[str]]:
    """Return an HTML fragment as plain text, and the outside (http or https) links in it.

    Paragraphs are separated by a blank line and <br> by a line break. ``compact``
    squeezes the spaces in each line and drops blank lines, for feed titles and
    summaries written in indented HTML.
    """
    parser = _HtmlText()
    parser.feed(html or "")
    parser.close()
    text = "".join(parser.parts)
    if compact:
        lines = (" ".join(line.split()) for line in text.splitlines())
        return "\n".join(line for line in lines if line), parser.links
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip(), parser.links
