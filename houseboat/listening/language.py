"""Offline language detection, for records whose source does not say their language.

``py3langid`` (its model ships with it, nothing is downloaded) guesses the language
of texts long enough to guess; shorter texts, or an install without it, keep the
language empty rather than a wrong guess. It costs about a millisecond a text, so it
runs only where the source gave no language (X always does).
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
    except ImportError:  # an install without it still imports everything, unlabelled
        return None
    return lambda text: str(py3langid.classify(text)[0])


def detect(text: str) -> str:
    """Return the language of a text as an ISO 639-1 code, or "" when unknown."""
    guess = detector()
    if guess is None or sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return ""
    return guess(text)[:16]
