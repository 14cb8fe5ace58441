"""Threat and harassment alerts: precision and recall on a labelled set, and speed.

    python3 -m uv run --frozen python bench/alerts.py            # the tables
    python3 -m uv run --frozen python bench/alerts.py --verbose  # and every miss and false alarm

The set is ``bench/alerts_data/<language>.tsv``: in each language houseboat offers
(English, Arabic, Spanish, Persian, French, Malay, Hindi, Indonesian, Turkish),
20 abusive or threatening posts and 20 ordinary posts about the same issues
(arrests, police, trials, threats reported as news, everyday words that contain
a listed word) each. Hard cases carry a note in a third column. An item counts as flagged when
``houseboat.safety.alerts`` raises at least one match with the shipped lists
only (no team terms, no protected details).

Three ways of choosing the lists are measured: the item's true language (as a
source that labels languages gives it), no language (every list in full), and
the language py3langid guesses (what the ingest pipeline has for a network
that gives none); and, to show what the reported-speech rule buys, the true
language with threats in reported speech counted as alerts. Speed is measured
over all the posts and over each language's own.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

DATA = Path(__file__).parent / "alerts_data"
# The offered languages (houseboat.safety.wordlists.OFFERED_LANGUAGES; a test keeps them equal).
LANGUAGES = ("en", "ar", "es", "fa", "fr", "ms", "hi", "id", "tr")
SPEED_ITEMS = 100_000


def setup_django() -> None:
    """Configure Django with the test settings when run as a script (a throwaway data dir)."""
    import django
    from django.conf import settings

    if not settings.configured:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
        django.setup()


@dataclass(frozen=True)
class Example:
    language: str
    abusive: bool
    text: str
    note: str = ""


@dataclass
class Score:
    """Counts of one run over a set of examples."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    misses: list[Example] = field(default_factory=list)
    false_alarms: list[tuple[Example, list[str]]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn
        self.misses += other.misses
        self.false_alarms += other.false_alarms


def load_set(language: str) -> list[Example]:
    """Read one language's labelled posts."""
    examples = []
    for line in (DATA / f"{language}.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, text, *rest = line.split("\t")
        if label not in ("abuse", "ok"):
            raise ValueError(f"{language}.tsv: unknown label {label!r} in {line!r}")
        examples.append(Example(language, label == "abuse", text, rest[0] if rest else ""))
    return examples


def score(examples: list[Example], choose_language, *, excuse_reported: bool = True) -> Score:
    """Flag each example with the shipped lists; count right and wrong answers.

    Without ``excuse_reported``, threats in reported speech count as alerts too.
    """
    from houseboat.safety.alerts import Matcher

    matcher = Matcher.for_team(None)
    result = Score()
    for example in examples:
        evaluation = matcher.evaluate(example.text, choose_language(example))
        matches = evaluation.matches + ([] if excuse_reported else evaluation.reported)
        flagged = bool(matches)
        if example.abusive and flagged:
            result.tp += 1
        elif example.abusive:
            result.fn += 1
            result.misses.append(example)
        elif flagged:
            result.fp += 1
            result.false_alarms.append((example, [m.explanation for m in matches]))
        else:
            result.tn += 1
    return result


def guessed(example: Example) -> str:
    from houseboat.listening.language import detect

    return detect(example.text)


def true_language(example: Example) -> str:
    return example.language


def no_language(example: Example) -> str:
    return ""


# How the lists are chosen, and whether reported speech is excused (the shipped behaviour).
MODES = {
    "true language": (true_language, True),
    "no language": (no_language, True),
    "py3langid guess": (guessed, True),
    "true language, reported speech not excused": (true_language, False),
}


def run_all() -> dict[str, dict[str, Score]]:
    """Return the scores per mode and language, with "all" summing the languages."""
    setup_django()
    results: dict[str, dict[str, Score]] = {}
    for mode, (choose, excuse) in MODES.items():
        per_language = {
            language: score(load_set(language), choose, excuse_reported=excuse)
            for language in LANGUAGES
        }
        total = Score()
        for language_score in per_language.values():
            total.add(language_score)
        results[mode] = {**per_language, "all": total}
    return results


def speed(items: int = SPEED_ITEMS, languages: tuple[str, ...] = LANGUAGES) -> float:
    """Return items evaluated per CPU second on the labelled posts repeated, with their language.

    CPU time of this process, not the wall clock: the figure stays the same on a
    machine shared with other work, and one worker process uses one core.
    """
    setup_django()
    from houseboat.safety.alerts import Matcher

    examples = [e for language in languages for e in load_set(language)]
    matcher = Matcher.for_team(None)
    for example in examples:  # patterns are compiled once per process, as in a worker
        matcher.evaluate(example.text, example.language)
    started = time.process_time()
    for index in range(items):
        example = examples[index % len(examples)]
        matcher.evaluate(example.text, example.language)
    return items / (time.process_time() - started)


def speed_by_language(items: int = SPEED_ITEMS) -> dict[str, float]:
    """Return items per CPU second over each language's posts alone, and over all ("all")."""
    rates = {language: speed(items // len(LANGUAGES), (language,)) for language in LANGUAGES}
    return {**rates, "all": speed(items)}


def report(
    results: dict[str, dict[str, Score]],
    *,
    verbose: bool = False,
    rates: dict[str, float] | None = None,
) -> str:
    """Return the tables; with ``rates``, the first carries each language's items per second."""
    lines = []
    for number, (mode, per_language) in enumerate(results.items()):
        with_rates = bool(rates) and number == 0
        lines.append(f"lists chosen by: {mode}")
        lines.append(
            "language  posts  TP  FP  FN  TN  precision  recall"
            + ("  items/CPU s" if with_rates else "")
        )
        for language, s in per_language.items():
            posts = s.tp + s.fp + s.fn + s.tn
            rate = f"  {rates[language]:>11,.0f}" if with_rates and rates else ""
            lines.append(
                f"{language:<8} {posts:>6} {s.tp:>3} {s.fp:>3} {s.fn:>3} {s.tn:>3}"
                f"  {s.precision:>9.3f}  {s.recall:>6.3f}{rate}"
            )
        lines.append("")
    if verbose:
        truth = results["true language"]["all"]
        lines.append("missed (true language):")
        lines += [f"  [{e.language}] {e.text}  {e.note}" for e in truth.misses]
        lines.append("false alarms (true language):")
        lines += [
            f"  [{e.language}] {e.text}  -> {'; '.join(why)}" for e, why in truth.false_alarms
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list every miss and false alarm")
    parser.add_argument("--items", type=int, default=SPEED_ITEMS, help="items for the speed run")
    args = parser.parse_args()
    results = run_all()
    rates = speed_by_language(args.items)
    print(report(results, verbose=args.verbose, rates=rates))
    print(
        f"\n{args.items:,} items evaluated at {rates['all']:,.0f} items per CPU second "
        f"(each language: {args.items // len(LANGUAGES):,} of its own posts) on "
        f"{platform.machine()}, {os.cpu_count()} CPUs, {datetime.now(UTC):%Y-%m-%d}"
    )


if __name__ == "__main__":
    main()
