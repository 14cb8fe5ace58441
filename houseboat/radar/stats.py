"""The radar's arithmetic: multilingual terms, and which terms set one side apart.

Terms. A text is NFKC-normalised (full-width letters, ligatures and Arabic
presentation forms become plain letters), its web addresses and @mentions are
dropped, its #hashtags are kept whole as terms ("#vigil" is not "vigil"), and the
rest is split into Unicode words (letters, marks and digits, at least one letter),
case folded, without the stop-words of the text's language. Scripts without spaces
(Chinese, Thai) come out as long runs: the radar is not built for them yet.

Distinctive terms. The weighted log-odds ratio with an informative Dirichlet prior
of Monroe, Colaresi & Quinn (2008, "Fightin' Words", Political Analysis 16(4)),
their equations 16, 18 and 19::

    alpha_w = alpha0 * (y_w^a + y_w^b) / (n^a + n^b)
    delta_w = log((y_w^a + alpha_w) / (n^a + alpha0 - y_w^a - alpha_w))
            - log((y_w^b + alpha_w) / (n^b + alpha0 - y_w^b - alpha_w))
    var_w  ~= 1 / (y_w^a + alpha_w) + 1 / (y_w^b + alpha_w)
    z_w     = delta_w / sqrt(var_w)

The prior is the two sides pooled (the only background the radar has), and its
weight alpha0 is by default the pooled size n^a + n^b, so alpha_w = y_w^a + y_w^b:
each word's prior is as strong as the evidence, which shrinks the words seen once or
twice towards "no difference" (the rare-word problem the paper is about) while a
word used often and mostly by one side keeps a large z. A smaller alpha0 trusts the
counts more.

It is a few lines of numpy over two Counters: scikit-learn's vectoriser would only
count the words, and a dependency of that size is not worth one Counter.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import regex

from houseboat.core.text import URL_RE
from houseboat.listening.entities import HASHTAG, MENTION
from houseboat.radar.stopwords import stopwords

# A word: letters, marks, digits and joiners (ZWNJ, used in Persian), with a letter in it.
WORD = regex.compile(r"[\p{L}\p{M}\p{N}\u200c\u200d]*\p{L}[\p{L}\p{M}\p{N}\u200c\u200d]*")
# A bare domain ("example.org/x") is an address too, though it has no scheme.
BARE_DOMAIN = regex.compile(r"(?<![\p{L}\p{N}@])(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*")
JOINERS = regex.compile("[\u200c\u200d]")
MIN_LENGTH = 2
# A difference this large happens by chance less than once in 20 (two-sided).
Z_NOTABLE = 1.96


def fold(text: str) -> str:
    """Return text NFKC-normalised and case folded, the form every term is counted in."""
    return unicodedata.normalize("NFKC", text).casefold()


def terms(text: str, language: str = "") -> list[str]:
    """Return the terms of a text in order: #hashtags and words, stop-words of language out."""
    # Addresses go before and after NFKC: it can split one (a macron becomes a space and
    # a combining mark) or make one (from full-width letters and slashes).
    text = unicodedata.normalize("NFKC", URL_RE.sub(" ", text or ""))
    text = URL_RE.sub(" ", text)
    text = BARE_DOMAIN.sub(" ", text)
    text = MENTION.sub(" ", text)
    tags = [m.group(1) for m in HASHTAG.finditer(text)]
    if tags:
        text = HASHTAG.sub(" ", text)
    drop = stopwords(language)
    # One casefold and one findall per text, the filter in a comprehension: this is the
    # radar's inner loop (tens of thousands of posts per comparison).
    words = WORD.findall(text.casefold())
    if JOINERS.search(text):
        words = [w.strip("\u200c\u200d") for w in words]
    found = [w for w in words if len(w) >= MIN_LENGTH and w not in drop]
    found.extend("#" + tag.casefold() for tag in tags)
    return found


def count_terms(texts: Iterable[tuple[str, str]]) -> Counter[str]:
    """Count the terms of (text, language) pairs."""
    counts: Counter[str] = Counter()
    for text, language in texts:
        counts.update(terms(text, language))
    return counts


@dataclass(frozen=True)
class Scored:
    """One term's log-odds ratio of side a over side b, its z-score, and its counts."""

    term: str
    delta: float
    z: float
    count_a: int
    count_b: int


def log_odds(a: Counter[str], b: Counter[str], alpha0: float | None = None) -> list[Scored]:
    """Score every term of a and b, side a over side b; highest z (most "a") first.

    ``alpha0`` is the prior's weight, the pooled size n^a + n^b by default (see the
    module's note). Nothing is scored when either side has no terms: a word cannot
    set a side apart from nothing.
    """
    vocabulary = sorted(a.keys() | b.keys())
    ya = np.array([a[w] for w in vocabulary], dtype=float)
    yb = np.array([b[w] for w in vocabulary], dtype=float)
    na, nb = ya.sum(), yb.sum()
    if na == 0 or nb == 0:
        return []
    scale = float(na + nb) if alpha0 is None else float(alpha0)
    alpha = scale * (ya + yb) / (na + nb)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((ya + alpha) / (na + scale - ya - alpha)) - np.log(
            (yb + alpha) / (nb + scale - yb - alpha)
        )
        z = delta / np.sqrt(1 / (ya + alpha) + 1 / (yb + alpha))
    scored = [
        Scored(term, float(d), float(s), int(x), int(y))
        for term, d, s, x, y in zip(vocabulary, delta, z, ya, yb, strict=True)
        if np.isfinite(s)
    ]
    scored.sort(key=lambda one: (-one.z, one.term))
    return scored
