"""Stop-words per language, from ``stopwordsiso`` (plain data shipped in the package).

A post's words are compared without the words every text of its language is made of
("the", "de", "و", "ve", "yang"), so the radar's distinctive words say something.
Which list applies is the document's language; a document whose language nobody
could tell loses the words of every language in ``FALLBACK`` (the languages the
radar must handle at least), which may drop a real word that is a stop-word
elsewhere ("die" in English) but never leaves "the" among the distinctive words.
"""

from __future__ import annotations

import unicodedata
from functools import cache

# The languages the radar covers at the least; a document in an unknown language
# loses the stop-words of all of them.
FALLBACK = ("en", "fr", "es", "ar", "fa", "tr", "id", "ms", "hi")


def normal(word: str) -> str:
    """Return a word as the tokeniser writes terms: NFKC, then case folded."""
    return unicodedata.normalize("NFKC", word).casefold()


@cache
def stopwords(language: str) -> frozenset[str]:
    """Return the stop-words of an ISO 639-1 language, or those of FALLBACK if unknown."""
    import stopwordsiso  # type: ignore[import-untyped]

    code = (language or "").split("-")[0].split("_")[0].strip().casefold()
    if code and stopwordsiso.has_lang(code):
        return frozenset(normal(w) for w in stopwordsiso.stopwords(code))
    return frozenset(normal(w) for w in stopwordsiso.stopwords(list(FALLBACK)))
