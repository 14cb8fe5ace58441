"""Offline language detection, for records whose source does not say their language.

No detector is among houseboat's dependencies yet. When ``py3langid`` is installed
it is used; otherwise the language stays empty rather than being guessed.
"""

from collections.abc import Callable
from functools import cache

# Below this many letters a guess is noise (a hashtag, a link, an emoji).
MIN_LETTERS = 20


@cache
def detector() -> Callable[[str], str] | None:
    """Return a function text -> ISO 639-1 code, or None when no detector is installed."""
    try:
        import py3langid  # type: ignore[import-not-found]
    except ImportError:
        return None
    return lambda text: str(py3langid.classify(text)[0])


def detect(text: str) -> str:
    """Return the language of a text as an ISO 639-1 code, or "" when unknown."""
    guess = detector()
    if guess is None or sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return ""
    return guess(text)[:16]
