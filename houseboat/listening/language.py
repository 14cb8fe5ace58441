"""Languages of archived posts: the platform's word first, a careful guess otherwise.

Where the platform tags a post's language, that tag is kept, "undetermined" included:
X's ``und`` (undetermined), ``qme`` (media only), ``zxx`` (no linguistic content),
``qht`` (hashtags only), ``qam`` (mentions only), ``qct`` (cashtags only), ``qst``
(very short) are the platform saying it could not tell, and houseboat does not
second-guess it.

Where the platform says nothing, ``py3langid`` (its model ships with it, nothing is
downloaded) guesses, but only on enough of the post's own words: hashtags, mentions
and links are removed first, at least MIN_LETTERS letters must remain, and the guess
must be at least MIN_CONFIDENCE sure. The guess is always an ISO 639-1 code (two
letters), as the export promises: the model's other labels (``fuv``, ``pcm``,
``bcl``…) are never chosen. A guess costs about 30 µs; the last few thousand texts
guessed are remembered, because a movement's traffic repeats itself (boosts,
forwards, copied calls to action), so a repeated text costs a dictionary look-up.
"""

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from houseboat.core.text import URL_RE as LINK
from houseboat.listening.entities import HASHTAG, MENTION

# Below this many letters of the post's own words a guess is noise.
MIN_LETTERS = 20
# How sure the model must be (its probabilities over ISO 639-1 languages sum to 1).
MIN_CONFIDENCE = 0.5
# How many distinct texts keep their guess (bounded, so an import's memory stays flat).
REMEMBERED = 8192
# What platforms write when they cannot tell, kept as they are.
UNDETERMINED = frozenset({"und", "qme", "zxx", "qht", "qam", "qct", "qst", "mul"})


@cache
def detector() -> Callable[[str], tuple[str, float]] | None:
    """Return a function text -> (ISO 639-1 code, probability), or None without a detector."""
    try:
        from py3langid import langid  # type: ignore[import-not-found]
    except ImportError:  # an install without it still imports everything, unlabelled
        return None
    identifier = langid.LanguageIdentifier.from_modelpath(
        langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True
    )
    identifier.set_languages([code for code in identifier.nb_classes if len(code) == 2])

    def classify(text: str) -> tuple[str, float]:
        code, probability = identifier.classify(text)
        return str(code), float(probability)

    return classify


def own_words(text: str) -> str:
    """Return the text without its hashtags, mentions and links."""
    for pattern in (LINK, MENTION, HASHTAG):
        text = pattern.sub(" ", text)
    return text


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
    if guess is None:
        return ""
    words = own_words(text)
    if not enough_letters(words):
        return ""
    code, probability = guess(words)
    return code if probability >= MIN_CONFIDENCE and len(code) == 2 else ""


def detect(text: str) -> str:
    """Return the language of a text as an ISO 639-1 code, or "" when unsure."""
    if detector() is None or not enough_letters(text):
        return ""
    return guess_language(text)


def platform_code(value: Any) -> str:
    """Return the language a platform gave, as it gave it ("und" kept), or "" for none."""
    if not isinstance(value, str) or not value.strip():
        return ""
    return value.strip()[:16]
