"""The alert lists keep their measured precision and recall on the labelled set (bench/alerts.py)."""

import pytest

from bench import alerts as bench


@pytest.fixture(scope="module")
def results() -> dict:
    return bench.run_all()


@pytest.mark.parametrize("language", bench.LANGUAGES)
def test_the_labelled_set_has_twenty_abusive_and_twenty_ordinary_posts(language):
    examples = bench.load_set(language)
    assert sum(e.abusive for e in examples) >= 20
    assert sum(not e.abusive for e in examples) >= 20


@pytest.mark.parametrize("mode", [mode for mode, (_, excused) in bench.MODES.items() if excused])
@pytest.mark.parametrize("language", bench.LANGUAGES)
def test_alerts_stay_precise_and_catch_most_abuse(results, mode, language):
    score = results[mode][language]
    assert score.precision >= 0.9, bench.report(results, verbose=True)
    assert score.recall >= 0.85, bench.report(results, verbose=True)


def test_the_report_names_every_miss_and_false_alarm(results):
    text = bench.report(results, verbose=True)
    truth = results["true language"]["all"]
    assert text.count("\n  [") == len(truth.misses) + len(truth.false_alarms)


def test_excusing_reported_speech_removes_false_alarms_and_misses_nothing(results):
    shipped = results["true language"]["all"]
    strict = results["true language, reported speech not excused"]["all"]
    assert shipped.fp < strict.fp
    assert shipped.tp == strict.tp
