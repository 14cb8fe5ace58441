"""Threat and harassment alerts: what fires, what stays quiet, and how it is explained."""

# ruff: noqa: RUF001 -- posts in Arabic and Spanish are the point

from dataclasses import dataclass

import pytest
from django.db import connection

from houseboat.safety.alerts import (
    Matcher,
    Protected,
    builtin_terms,
    evaluate,
    parse_list,
    raise_alerts,
)
from houseboat.safety.constants import AlertKind, ProtectedKind, Severity
from houseboat.safety.models import Alert, AlertTerm, ProtectedDetail
from houseboat.safety.wordlists import OFFERED_LANGUAGES

BUILTIN = Matcher.for_team(None)


def explanations(text: str, language: str = "") -> list[str]:
    return [match.explanation for match in BUILTIN.evaluate(text, language).matches]


def test_a_threat_is_explained_with_its_phrase_and_list():
    [match] = evaluate("We know where you live, traitor.", team=None, language="en")
    assert match.kind == AlertKind.THREAT
    assert match.severity == Severity.HIGH
    assert match.explanation == "matched the threat phrase “we know where you live” (English list)"
    assert match.span == (0, 22)
    assert match.excerpt == "We know where you live, traitor."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("W3 KN0W wh3re y0u liiiive", "en"),
        ("we\u200b know where you live", "en"),
        ("ｗｅ ｋｎｏｗ ｗｈｅｒｅ ｙｏｕ ｌｉｖｅ", "en"),
        ("we know... where you live!!", "en"),
        ("you’re going to die", "en"),
        ("سَنَقْتُلُـــــك", "ar"),
        ("وسنقتلك يا خائن", "ar"),
        ("سنقتلككككك", "ar"),
        ("TE VAMOS A MATAR", "es"),
        ("sabemos donde vives", "es"),
        ("t3 v4mos a m4t4r", "es"),
    ],
)
def test_spelling_tricks_do_not_hide_a_threat(text, language):
    [match] = BUILTIN.evaluate(text, language).matches
    assert match.kind == AlertKind.THREAT


def test_a_slur_matches_its_listed_endings_only():
    assert explanations("maricones", "es") == ["matched the slur “maric*” (Spanish list)"]
    assert explanations("Faggots like you", "en") == ["matched the slur “faggots” (English list)"]
    assert explanations("Slutty is not on the list", "en") == []


def test_a_word_inside_another_word_does_not_match():
    assert explanations("The vermintide video game", "en") == []


@pytest.mark.parametrize(
    "text",
    [
        "Officers told his mother “we know where you live” before the raid.",
        "Defenders received threats saying “you will be killed”.",
        "قالوا لها: نعرف أين تسكن، ثم اقتحموا الشقة",
        "“Te vamos a matar”, le dijo el policía a Juan.",
    ],
)
def test_a_threat_reported_as_news_raises_no_alert(text):
    result = BUILTIN.evaluate(text)
    assert result.matches == []
    assert [match.kind for match in result.reported] == [AlertKind.THREAT]


def test_reported_speech_covers_its_own_sentence_only():
    text = "Police told her to leave. We know where you live."
    assert explanations(text, "en") == [
        "matched the threat phrase “we know where you live” (English list)"
    ]


def test_a_slur_fires_even_in_reported_speech():
    assert explanations("He told reporters she is a whore.", "en") == [
        "matched the slur “whore” (English list)"
    ]


def test_a_third_person_report_of_a_threat_matches_nothing():
    assert BUILTIN.evaluate("They threatened to kill him if he spoke.", "en").matches == []


def test_another_languages_phrases_apply_but_not_its_single_words():
    assert explanations("te vamos a matar", "en") == [
        "matched the threat phrase “te vamos a matar” (Spanish list)"
    ]
    assert explanations("zorra", "en") == []
    assert explanations("zorra", "es") == ["matched the slur “zorra” (Spanish list)"]
    assert explanations("zorra", "") == ["matched the slur “zorra” (Spanish list)"]


def test_a_language_with_a_region_uses_its_base_list():
    assert explanations("zorra", "es-MX") == ["matched the slur “zorra” (Spanish list)"]


def test_an_address_next_to_a_cue_is_doxxing_and_its_digits_are_masked():
    [match] = BUILTIN.evaluate("She lives at 14 Elm Road, go pay her a visit", "en").matches
    assert match.kind == AlertKind.DOXXING
    assert match.explanation == "publishes a street address after “lives at”"
    assert "14" not in match.excerpt and "•• Elm Road" in match.excerpt


def test_a_phone_number_next_to_a_threat_is_doxxing_too():
    kinds = [m.kind for m in BUILTIN.evaluate("You're dead. Call him: 07700 900456", "en").matches]
    assert kinds == [AlertKind.THREAT, AlertKind.DOXXING]


def test_a_cue_alone_or_a_phone_number_alone_is_ordinary():
    assert explanations("How to keep your home address private", "en") == []
    assert explanations("Our hotline: +44 20 7946 0958", "en") == []


# --- Protected details ---------------------------------------------------------------------------

PHONE = Protected(ProtectedKind.PHONE, "Amina, mobile", "+20 10 1234 5678")
ADDRESS = Protected(ProtectedKind.ADDRESS, "Amina, home", "12 Harbour Street, Leeds")


@pytest.mark.parametrize(
    "text",
    [
        "her number 01012345678",
        "call 010-1234-5678 at night",
        "رقمها ٠١٠١٢٣٤٥٦٧٨",
        "0020 10 1234 5678",
        "0 1 0 1 2 3 4 5 6 7 8",
    ],
)
def test_a_members_phone_number_is_found_in_any_spacing_or_digits(text):
    [match] = Matcher([], [PHONE]).evaluate(text).matches
    assert match.kind == AlertKind.DOXXING
    # The label is as secret as the number: viewers read alerts, and a purge erases it.
    assert "phone number on the team's protected list" in match.explanation
    assert "Amina" not in match.explanation
    assert not any(ch.isdecimal() for ch in match.excerpt)


def test_other_numbers_are_not_a_members_phone_number():
    assert Matcher([], [PHONE]).evaluate("1234 signatures; call 01098765432").matches == []


def test_a_members_address_is_found_by_its_number_and_street_name():
    matcher = Matcher([], [ADDRESS])
    assert matcher.evaluate("she is at harbour st 12 tonight").matches
    assert matcher.evaluate("12 HARBOUR STREET").matches
    assert matcher.evaluate("Harbour Street is closed for 3 days").matches == []


def test_protected_details_are_encrypted_and_apply_to_their_team_only(team_a, team_b, campaign_a):
    ProtectedDetail.objects.create(
        team=team_a, kind=ProtectedKind.PHONE, secret={"label": "Amina", "value": "07700 900456"}
    )
    assert evaluate("ring 07700900456", team=team_a)
    assert evaluate("ring 07700900456", team=team_b) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM safety_protecteddetail")
        [stored] = cursor.fetchone()
    assert "900456" not in stored and "Amina" not in stored


def test_a_team_term_is_matched_and_named_as_the_teams(team_a):
    AlertTerm.objects.create(team=team_a, language="es", term="sapo*", kind=AlertKind.SLUR)
    AlertTerm.objects.create(team=team_a, language="", term="la jefa", kind=AlertKind.DOXXING)
    found = evaluate("Sapos como tú. Sabemos quién es la jefa", team=team_a, language="es")
    assert [m.explanation for m in found] == [
        "matched the slur “sapo*” (the team's list, Spanish)",
        "matched the doxxing term “la jefa” (the team's list)",
    ]


# --- The lists -----------------------------------------------------------------------------------


def test_the_shipped_lists_cover_every_offered_language():
    kinds = {(term.language, term.kind) for term in builtin_terms()}
    for language in OFFERED_LANGUAGES:
        for kind in ("threat", "slur", "doxxing-cue", "reported"):
            assert (language, kind) in kinds


def test_a_list_file_with_an_unknown_section_or_a_stray_term_is_refused():
    with pytest.raises(ValueError, match="unknown section"):
        parse_list("[insult]\nidiot\n", "en")
    with pytest.raises(ValueError, match="before any"):
        parse_list("idiot\n", "en")
    assert [t.text for t in parse_list("# note\n[threat]\n  die now  # inline\n\n", "en")] == [
        "die now"
    ]


# --- Raising alerts in bulk ------------------------------------------------------------------------


@dataclass
class Record:
    network: str
    remote_id: str
    text: str
    language: str = ""


def test_raise_alerts_stores_one_explained_alert_per_matching_item(team_a, campaign_a):
    records = [
        Record("x", "1", "We know where you live", "en"),
        Record("x", "2", "March on Saturday at 14:00", "en"),
        Record("mastodon", "3", "te vamos a matar, zorra", "es"),
    ]
    assert raise_alerts(team_a, campaign_a, records) == 2
    first, second = Alert.objects.order_by("remote_id")
    assert (first.network, first.remote_id, first.kinds) == ("x", "1", "threat")
    assert first.matches[0]["explanation"].startswith("matched the threat phrase")
    assert second.kinds == "slur,threat"
    assert second.severity == Severity.HIGH
    assert first.acknowledged_at is None


def test_raising_alerts_twice_for_the_same_items_adds_nothing(team_a, campaign_a):
    records = [Record("x", "1", "We know where you live", "en")]
    raise_alerts(team_a, campaign_a, records)
    assert raise_alerts(team_a, campaign_a, records) == 0
    assert Alert.objects.count() == 1


def test_raising_alerts_for_a_quiet_batch_costs_two_queries(
    team_a, campaign_a, django_assert_max_num_queries
):
    records = [Record("x", str(n), "Solidarity with the ten") for n in range(500)]
    with django_assert_max_num_queries(2):
        assert raise_alerts(team_a, campaign_a, records) == 0
