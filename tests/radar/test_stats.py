"""The radar's arithmetic: the tokeniser, and Monroe, Colaresi & Quinn's log-odds against
numbers worked out by hand."""
# ruff: noqa: RUF001 -- full-width letters, Arabic and Persian are the point

import math
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from houseboat.radar.stats import log_odds, terms
from houseboat.radar.stopwords import FALLBACK, stopwords


def by_term(scored):
    return {s.term: s for s in scored}


def test_log_odds_matches_the_hand_computed_example():
    # press: riot 3, police 1 (n_a = 4); social: vigil 3, police 1 (n_b = 4).
    # alpha0 = n_a + n_b = 8, so alpha_w = 8 * (y_a + y_b) / 8 = y_a + y_b:
    #   alpha_riot = 3, alpha_police = 2, alpha_vigil = 3.
    # riot:   delta = log((3+3)/(4+8-3-3)) - log((0+3)/(4+8-0-3)) = log(6/6) - log(3/9) = log 3
    #         var = 1/(3+3) + 1/(0+3) = 1/6 + 1/3 = 1/2  ->  z = log 3 / sqrt(1/2) = 1.5537
    # police: delta = log((1+2)/(4+8-1-2)) - log((1+2)/(4+8-1-2)) = 0  ->  z = 0
    # vigil:  the mirror of riot: z = -1.5537
    scored = log_odds(Counter(riot=3, police=1), Counter(vigil=3, police=1))
    got = by_term(scored)
    assert math.isclose(got["riot"].delta, math.log(3), rel_tol=1e-12)
    assert math.isclose(got["riot"].z, 1.0986122886681098 / math.sqrt(0.5), rel_tol=1e-12)
    assert math.isclose(got["riot"].z, 1.5536723984, rel_tol=1e-9)
    assert got["police"].z == 0
    assert math.isclose(got["vigil"].z, -1.5536723984, rel_tol=1e-9)
    assert [s.term for s in scored] == ["riot", "police", "vigil"]  # most "press" first
    assert (got["riot"].count_a, got["riot"].count_b) == (3, 0)


def test_log_odds_with_unequal_sides_and_a_fixed_prior_weight():
    # press: riot 6, police 2 (n_a = 8); social: riot 1, vigil 3 (n_b = 4); alpha0 = 6.
    # pooled: riot 7, police 2, vigil 3 of 12, so alpha_riot = 6*7/12 = 3.5,
    # alpha_police = 6*2/12 = 1, alpha_vigil = 6*3/12 = 1.5.
    # riot:  delta = log(9.5/(8+6-6-3.5)) - log(4.5/(4+6-1-3.5)) = log(9.5/4.5) - log(4.5/5.5)
    #              = 0.747214 - (-0.200671) = 0.947885
    #        var = 1/9.5 + 1/4.5 = 0.105263 + 0.222222 = 0.327485; z = 0.947885/0.572264 = 1.656
    # vigil: delta = log(1.5/(8+6-0-1.5)) - log(4.5/(4+6-3-1.5)) = log(1.5/12.5) - log(4.5/5.5)
    #              = -2.120264 + 0.200671 = -1.919593
    #        var = 1/1.5 + 1/4.5 = 0.888889; z = -1.919593/0.942809 = -2.036
    got = by_term(log_odds(Counter(riot=6, police=2), Counter(riot=1, vigil=3), alpha0=6))
    assert math.isclose(got["riot"].delta, 0.947885, abs_tol=1e-6)
    assert math.isclose(got["riot"].z, 1.656382, abs_tol=1e-5)
    assert math.isclose(got["vigil"].delta, -1.919593, abs_tol=1e-6)
    assert math.isclose(got["vigil"].z, -2.036043, abs_tol=1e-5)


def test_nothing_is_scored_against_an_empty_side():
    assert log_odds(Counter(riot=2), Counter()) == []


def test_words_are_folded_and_hashtags_kept_whole_without_links_mentions_or_stopwords():
    got = terms(
        "The POLICE called it a Riot. #Vigil tonight https://ex.org/a @bob_1 l'Émeute", "en"
    )
    assert got == ["police", "called", "riot", "tonight", "émeute", "#vigil"]


def test_full_width_letters_and_ligatures_are_plain_words():
    assert terms("ＲＩＯＴ ﬂood", "en") == ["riot", "flood"]


def test_arabic_persian_and_turkish_stop_words_are_removed_by_the_texts_language():
    assert "في" in stopwords("ar") and "و" in stopwords("ar")
    assert terms("الشرطة في الشارع", "ar") == ["الشرطة", "الشارع"]
    assert "ve" in stopwords("tr") and terms("polis ve halk", "tr") == ["polis", "halk"]
    assert "yang" in stopwords("id") and "است" in stopwords("fa")
    # Persian keeps its zero-width non-joiner inside a word.
    assert terms("شمع\u200cها", "fa") == ["شمع\u200cها"]


def test_every_language_the_radar_promises_has_stop_words():
    for code in FALLBACK:
        assert len(stopwords(code)) > 100, code
    # An unknown language loses every promised language's stop-words.
    assert {"the", "les", "و", "ve"} <= stopwords("")


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["", "en", "ar", "fa", "zz"]))
def test_the_tokeniser_never_crashes_and_gives_folded_terms_without_links(text, language):
    found = terms(text, language)
    for term in found:
        assert term == term.casefold()
        assert "://" not in term and "@" not in term
        assert term.strip() == term and term


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1), st.sampled_from(["http://", "https://", "HTTPS://"]))
def test_no_part_of_a_link_becomes_a_term(path, scheme):
    url = scheme + "example.org/" + "".join(c for c in path if not c.isspace() and c not in '<>"')
    assert terms(f"riot {url} vigil", "en") == ["riot", "vigil"]
    assert terms(f"riot {url.upper()} vigil", "en") == ["riot", "vigil"]
