"""Split a text too long for one post into a numbered thread that fits, part by part.

Parts end at sentence ends where they can, else between words, and only as a last
resort inside a word (a script written without spaces). Each part carries its
number ("1/3") and is measured the network's way (``houseboat.connectors.text``),
so every part passes the same check the server makes before scheduling. The last
part keeps room for the post's link, which is added to it when it goes out.
"""

from __future__ import annotations

import regex

from houseboat.connectors import text as text_rules
from houseboat.connectors.base import TextLimit

# A sentence ends with . ! ? … or their Arabic, Urdu, CJK and Devanagari forms, and the
# closing quotes or brackets after them, followed by a space or a line break.
# Written as escapes: the marks look like their Latin cousins in an editor.
# Ideographic full stop, fullwidth ! and ?, Arabic ?, Urdu full stop, Devanagari danda.
ENDS = "\u3002\uff01\uff1f\u061f\u06d4\u0964"
CLOSERS = "\u201d\u2019\u00bb"  # closing double and single quotes, guillemet
SENTENCE_END_RE = regex.compile(rf"(?<=[.!?…{ENDS}][\"'{CLOSERS})\]]*)\s+|\n\s*\n")
WORD_RE = regex.compile(r"\S+\s*")
MOST_PARTS = 50


def numbered(part: str, index: int, total: int) -> str:
    """Return part with its place in the thread, "1/3", at the end."""
    return f"{part} {index}/{total}"


def split_thread(text: str, rule: TextLimit, *, reserve_last: int = 0) -> list[str]:
    """Split text into numbered parts, each within rule's limit.

    ``reserve_last`` is room to keep free in the last part (for the link added later).
    Text that fits in one post comes back as one unnumbered part.
    """
    text = text.strip()

    def used(words: str) -> int:
        return text_rules.length(words, rule["counted"], rule.get("url_length"))

    if used(text) + reserve_last <= rule["max"]:
        return [text]
    # The numbering's width depends on how many parts there are: try until it settles.
    total = 2
    while total <= MOST_PARTS:
        # Room for " 10/10" (the widest label of this many parts) in every part.
        room = rule["max"] - used(f" {total}/{total}")
        parts = _pack(text, room, used, reserve_last)
        if len(parts) <= total:
            count = len(parts)
            return [numbered(part, index, count) for index, part in enumerate(parts, start=1)]
        total = len(parts)
    raise ValueError(f"This text would need more than {MOST_PARTS} parts.")


def _pack(text: str, room: int, used, reserve_last: int) -> list[str]:
    """Fill parts greedily with sentences, then words, then characters."""
    if room <= reserve_last + 1:
        raise ValueError("The limit leaves no room for text in a part.")
    pieces = [piece for piece in SENTENCE_END_RE.split(text) if piece and piece.strip()]
    parts: list[str] = []
    current = ""
    for piece in _fitting(pieces, room, used):
        joined = f"{current} {piece}" if current else piece
        if used(joined) <= room:
            current = joined
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    # The last part must leave room for the link: move its tail into a new part.
    if reserve_last and used(parts[-1]) > room - reserve_last:
        last = parts.pop()
        parts.extend(_pack_words(last, room, used, first_room=room, last_room=room - reserve_last))
    return [part.strip() for part in parts]


def _fitting(pieces: list[str], room: int, used) -> list[str]:
    """Break any sentence longer than a part into words, and any such word into letters."""
    fitting = []
    for piece in pieces:
        piece = piece.strip()
        if used(piece) <= room:
            fitting.append(piece)
            continue
        for word in WORD_RE.findall(piece):
            word = word.strip()
            if used(word) <= room:
                fitting.append(word)
            else:
                fitting.extend(_letters(word, room, used))
    return fitting


def _letters(word: str, room: int, used) -> list[str]:
    """Cut a word with no spaces (Chinese, Japanese, Thai) at grapheme boundaries."""
    chunks, current = [], ""
    for grapheme in regex.findall(r"\X", word):
        if used(current + grapheme) > room:
            chunks.append(current)
            current = grapheme
        else:
            current += grapheme
    return [*chunks, current] if current else chunks


def _pack_words(text: str, room: int, used, *, first_room: int, last_room: int) -> list[str]:
    """Split one part in two at a word boundary so the second fits in last_room."""
    words = _fitting(WORD_RE.findall(text), min(room, last_room), used)
    head: list[str] = []
    tail: list[str] = list(words)
    while tail and used(" ".join(tail)) > last_room:
        head.append(tail.pop(0))
    if not head:
        return [text]
    return [" ".join(head), " ".join(tail)] if tail else [" ".join(head)]
