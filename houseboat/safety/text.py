"""Fold text so that spelling variants compare equal, and find words in any script.

One folding serves the risk review (names on the do-not-name list) and the
threat alerts (word lists): compatibility forms unified (NFKC: full-width
letters, ligatures, Arabic presentation forms), case folded, diacritics
dropped (é = e, Arabic harakat, Hebrew points, the Devanagari nukta: ज़ = ज),
Arabic and Persian letter variants unified (أ إ آ ٱ → ا, ى ی → ي, ک → ك,
ة → ه), the Turkish dotless ı made i (so "KIZIM", "kızım" and "kizim" are one
word, as İ already is i), the Devanagari chandrabindu made an anusvara (ँ → ं),
curly apostrophes made straight, the tatweel and invisible characters
(zero-width joiners, bidi marks) removed, every decimal digit made ASCII
(٣ ۳ ३ → 3), and runs of three or more of one letter shortened to two.

Only diacritics that decorate a letter are dropped. Vowel signs that are
letters of their own in Indic and other scripts are kept, so two different
Hindi names do not fold into one.

``fold`` is the fast path; ``fold_mapped`` also says which character of the
original each folded character came from, so a match can be shown in place.
"""

# ruff: noqa: RUF001, RUF002, RUF003 -- letters of many scripts, and look-alikes, are the point here

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import regex

# Combining marks that decorate a letter: Latin, Greek and Cyrillic accents, Hebrew
# points, Arabic harakat, shadda, sukun, Quranic marks and the superscript alef.
DIACRITICS = (
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff"
    # The Devanagari nukta (ज़ ज, फ़ फ): most Hindi posts leave it out.
    "\u093c"
)
DIACRITIC = regex.compile(f"[{DIACRITICS}]")
# Invisible characters that can be slipped into a word to break a match.
INVISIBLE = (
    "\u00ad\u061c\u200b\u200c\u200d\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
)
INVISIBLE_CHARACTER = regex.compile(f"[{INVISIBLE}]")
TATWEEL = "\u0640"
ARABIC_VARIANTS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ی": "ي",  # Persian yeh
    "ې": "ي",
    "ک": "ك",  # Persian keheh
    "ة": "ه",
    "ۀ": "ه",
    "ھ": "ه",
    "ە": "ه",  # Kurdish ae, typed for a final heh
    # Turkish: "I" folds to i and "İ" to i, so the dotless ı must too, or "KIZIM" and
    # "kızım" differ; and Turkish posts are often typed without ı at all ("kizim").
    "ı": "i",
    # Devanagari: the chandrabindu and the anusvara are typed for one another.
    "\u0901": "\u0902",
    # Typographic apostrophes: "you’re" is "you're".
    "’": "'",
    "‘": "'",
    "ʼ": "'",
}
REPEATS = regex.compile(r"(\p{L})\1{2,}")


@cache
def _translation() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(k): v for k, v in ARABIC_VARIANTS.items()}
    table[ord(TATWEEL)] = None
    return table


class _DigitTable(dict):
    """A str.translate table that learns each character once: digits to 0-9, others as is."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        value = str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch
        self[code] = value
        return value


DIGITS = _DigitTable()


def ascii_digits(text: str) -> str:
    """Return the text with every decimal digit (Arabic-Indic, Persian, Devanagari...) as 0-9.

    The length does not change, so positions in the result are positions in the text.
    """
    return text if text.isascii() else text.translate(DIGITS)


def fold(text: str) -> str:
    """Return the folded form of a text, for matching only (never to show)."""
    if text.isascii():  # nothing to decompose, strip or translate
        return REPEATS.sub(r"\1\1", text.casefold())
    text = INVISIBLE_CHARACTER.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    text = DIACRITIC.sub("", text)
    text = text.casefold().translate(_translation())
    text = unicodedata.normalize("NFKC", text)
    text = ascii_digits(text)
    return REPEATS.sub(r"\1\1", text)


@dataclass(frozen=True)
class Folded:
    """A folded text and, for each of its characters, the index of its origin."""

    text: str
    origin: tuple[int, ...]
    length: int  # of the original text

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Return the span in the original text of the folded characters start to end."""
        if start >= end:
            position = self.origin[start] if start < len(self.origin) else self.length
            return position, position
        return self.origin[start], self.origin[end - 1] + 1


def fold_mapped(text: str) -> Folded:
    """Fold a text character by character, remembering where each folded character came from.

    Gives the same text as ``fold`` except where NFKC would join characters that
    were separate in the original (rare: Hangul jamo); a match found in it still
    maps back to the right place.
    """
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        piece = fold_character(ch)
        out.append(piece)
        origin.extend([index] * len(piece))
    folded = "".join(out)
    # Shorten runs of a repeated letter, keeping the map in step.
    kept_text, kept_origin = [], []
    for position, ch in enumerate(folded):
        if ch.isalpha() and kept_text[-2:] == [ch, ch]:
            continue
        kept_text.append(ch)
        kept_origin.append(origin[position])
    return Folded("".join(kept_text), tuple(kept_origin), len(text))


@cache
def fold_character(ch: str) -> str:
    """Return what one character folds to (possibly nothing, possibly several)."""
    if INVISIBLE_CHARACTER.match(ch):
        return ""
    piece = DIACRITIC.sub("", unicodedata.normalize("NFKD", ch))
    piece = unicodedata.normalize("NFKC", piece.casefold().translate(_translation()))
    return ascii_digits(piece)


# Scripts written without spaces between words: a name inside a run of them is still a word.
UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
ARABIC_LETTER = regex.compile(r"\p{Arabic}")
# Conjunctions and prepositions written joined to the next word in Arabic (and, so, with,
# for, like, the): "ومحمد" is "and Mohammed".
ARABIC_PROCLITICS = r"(?:[وف]?(?:[بلك]|ال|بال|لل|كال)?)"


def phrase_pattern(phrase: str, *, letter: Callable[[str], str] | None = None) -> str:
    """Return a regular expression for a folded phrase as whole words, spaces loose.

    ``letter`` turns one character into a pattern (for look-alike characters);
    by default a character matches itself. Words in Arabic script may carry a
    joined conjunction or preposition in front; words in scripts written without
    spaces match anywhere.
    """
    words = phrase.split()
    if not words:
        raise ValueError("an empty phrase matches nothing")
    spell = letter or regex.escape
    body = r"[\W_]{1,6}".join("".join(spell(ch) for ch in word) for word in words)
    if UNSPACED.search(phrase):
        return body
    before = r"(?<!\w)"
    if ARABIC_LETTER.match(words[0]):
        before += ARABIC_PROCLITICS
    return f"{before}(?:{body})(?!\\w)"
