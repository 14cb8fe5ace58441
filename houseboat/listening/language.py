"""Offline language detection, for records whose source does not say their language.

``py3langid`` (its model ships with it, nothing is downloaded) guesses the language
of texts long enough to guess; shorter texts, or an install without it, keep the
language empty rather than a wrong guess. It runs only where the source gave no
language (X always gives one). A guess costs about 30 µs; the last few thousand
texts guessed are remembered, because a movement's traffic repeats itself (boosts,
forwards, copied calls to action), so a repeated text costs a dictionary look-up.
"""

from collections.abc import Callable
from functools import cache, lru_cache

# Below this many letters a guess is noise (a hashtag, a link, an emoji).
MIN_LETTERS = 20
# How many distinct texts keep their guess (bounded, so an import's memory stays flat).
REMEMBERED = 8192


@cache
def detector() -> Callable[[str], str] | None:
    """Return a function text -> ISO 639-1 code, or None when no detector is installed."""
    try:
        import py3langid  # type: ignore[import-not-found]
    except ImportError:  # an install without it still imports everything, unlabelled
        return None
    return lambda text: str(py3langid.classify(text)[0])


def enough_letters(text: str) -> bool:
    """Tell whether a text has at least MIN_LETTERS letters (stops counting there)."""
    letters = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if letters >= MIN_LETTERS:
                return True
    return False


@lru_cache(maxsize=REMEMBERED)
def guess_language(text: str) -> str:
    guess = detector()
    return guess(text)[:16] if guess is not None else ""


def detect(text: str) -> str:
    """Return the language of a text as an ISO 639-1 code, or "" when unknown."""
    if detector() is None or not enough_letters(text):
        return ""
    return guess_language(text)
