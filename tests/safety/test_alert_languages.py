"""Every offered language has alert lists, and its posts are folded so its spellings match."""

# ruff: noqa: RUF001, RUF003 -- posts in nine languages and their look-alike letters are the point

from dataclasses import dataclass
from importlib.resources import files

import pytest
from django.conf import settings

from bench import alerts as bench
from houseboat.safety.alerts import (
    Matcher,
    Protected,
    builtin_terms,
    find_protected,
    language_key,
    raise_alerts,
)
from houseboat.safety.constants import AlertKind
from houseboat.safety.models import Alert
from houseboat.safety.text import fold
from houseboat.safety.wordlists import OFFERED_LANGUAGES

BUILTIN = Matcher.for_team(None)
LISTS = files("houseboat.safety") / "wordlists"


def kinds(text: str, language: str) -> list[str]:
    return [match.kind for match in BUILTIN.evaluate(text, language).matches]


# --- Every offered language has a list -----------------------------------------------------------


@pytest.mark.parametrize("language", OFFERED_LANGUAGES)
def test_every_offered_language_has_a_list_with_every_section(language):
    assert (LISTS / f"{language}.txt").is_file()
    sections = {term.kind for term in builtin_terms() if term.language == language}
    assert sections == {AlertKind.THREAT, AlertKind.SLUR, "doxxing-cue", "reported"}


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_every_language_of_the_interface_has_a_list(code):
    assert language_key(code) in OFFERED_LANGUAGES, (
        f"settings.LANGUAGES offers {code!r}: add houseboat/safety/wordlists/{code}.txt "
        "and its code to OFFERED_LANGUAGES"
    )
    assert (LISTS / f"{language_key(code)}.txt").is_file()


def test_no_list_ships_for_a_language_that_is_not_offered():
    shipped = {
        entry.name[: -len(".txt")] for entry in LISTS.iterdir() if entry.name.endswith(".txt")
    }
    assert shipped == set(OFFERED_LANGUAGES)


def test_the_benchmark_measures_every_offered_language():
    assert set(bench.LANGUAGES) == set(OFFERED_LANGUAGES)


# --- A threat and a hard negative in each language, through raise_alerts --------------------------


@dataclass
class Record:
    network: str
    remote_id: str
    text: str
    language: str


# (language, abuse that must raise an alert, an ordinary post that must not)
CASES = [
    ("en", "We know where you live, traitor.", "Police told her: we know where you live."),
    ("ar", "نعرف أين تسكن يا خائن", "قالوا لها: نعرف أين تسكن، ثم اقتحموا الشقة"),
    (
        "es",
        "Sabemos dónde vives, periodista",
        "Le dijeron «sabemos dónde vives», denunció su madre",
    ),
    ("fa", "می‌دونیم کجا زندگی می‌کنی خائن", "به او گفتند «می‌دونیم کجا زندگی می‌کنی»"),
    (
        "fr",
        "On sait où tu habites, @camille.",
        "La salopette jaune du député, symbole de la dispute.",
    ),
    (
        "ms",
        "Aku tahu rumah kau, jangan main-main",
        "Menurut peguamnya, dia diugut: kami tahu rumah kau",
    ),
    ("hi", "तुझे जान से मार देंगे, देशद्रोही", 'उसे धमकी दी गई: "तुझे जान से मार देंगे"'),
    ("hi", "tujhe jaan se maar denge, zyada mat bol", "Randhir aur Randeep ke saath rally"),
    ("id", "Gue tau rumah lo, jangan macem-macem", 'Menurut saksi, ia diancam "gue tau rumah lo"'),
    ("tr", "Seni öldüreceğiz hain", '"Seni öldüreceğiz" dedi polis, tanıklara göre'),
]


@pytest.mark.parametrize(("language", "abuse", "ordinary"), CASES)
def test_a_threat_raises_an_alert_and_its_hard_negative_does_not(
    team_a, campaign_a, language, abuse, ordinary
):
    records = [Record("x", "abuse", abuse, language), Record("x", "ok", ordinary, language)]
    assert raise_alerts(team_a, campaign_a, records) == 1
    [alert] = Alert.objects.all()
    assert alert.remote_id == "abuse"
    assert alert.matches[0]["language"] == language


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Sale pute, ferme-la", "fr", AlertKind.SLUR),
        ("جنده‌ی مزدور خفه شو", "fa", AlertKind.SLUR),
        ("Dasar lonte, diem lo", "id", AlertKind.SLUR),
        ("Balik tongsan lah", "ms", AlertKind.SLUR),
        ("r@ndi feminist", "hi", AlertKind.SLUR),
        ("orospu çocukları", "tr", AlertKind.SLUR),
        ("دمك حلال يا عميل", "ar", AlertKind.THREAT),
        ("te vamos a levantar", "es", AlertKind.THREAT),
    ],
)
def test_a_slur_or_threat_of_each_new_list_is_found(text, language, kind):
    assert kind in kinds(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le député a voté contre la loi, la dispute continue.", "fr"),
        ("बाल कटवा लिए, अब धरने पर चलते हैं", "hi"),
        ("Babi hutan merosakkan kebun di Pahang", "ms"),
        ("Sidang kasus perkosaan ditunda lagi", "id"),
        ("Kafana göre takıl, ama yürüyüşe gel", "tr"),
        ("ساکنان محله از آزادی معترضان استقبال کردند", "fa"),
    ],
)
def test_everyday_words_near_a_listed_word_raise_nothing(text, language):
    assert kinds(text, language) == []


def test_a_doxxing_cue_next_to_an_address_of_the_region_is_doxxing():
    assert AlertKind.DOXXING in kinds("Rumah dia di No. 12, Jalan Ampang, pergi", "ms")
    assert AlertKind.DOXXING in kinds("इसका पता: मकान नंबर 12, गली नंबर 5", "hi")
    assert AlertKind.DOXXING in kinds("Telefon numarası 0532 123 45 67, arayın", "tr")
    assert kinds("Dia tinggal di Kuala Lumpur sejak 2010", "ms") == []


def test_a_members_malaysian_address_is_found_by_number_and_street():
    home = Protected("address", "Siti home", "No. 12, Jalan Ampang, Kuala Lumpur")
    assert find_protected(home, "dia duduk di 12 Jalan Ampang tu") is not None
    assert find_protected(home, "Day 12 of the strike, Kuala Lumpur") is None


# --- Folding: the spellings of one word are one -----------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ("میکشیمت", "ميكشيمت", "می‌کشیمت"),  # Persian ی ک, Arabic ي ك, the half-space
        ("KIZIM", "kızım", "kizim", "Kızım"),  # Turkish dotless ı
        ("İSTANBUL", "istanbul", "Istanbul"),  # Turkish dotted İ
        ("ÖLDÜRECEĞİZ", "öldüreceğiz", "oldurecegiz"),
        ("ज़िंदा", "जिंदा"),  # the Devanagari nukta left out
        ("कहाँ", "कहां"),  # chandrabindu for anusvara
        ("क़ानून", "क़ानून", "कानून"),  # precomposed qa, ka + nukta, ka
    ],
)
def test_the_spellings_of_one_word_fold_to_one(spellings):
    assert len({fold(spelling) for spelling in spellings}) == 1


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ميكشيمت يا خائن", "fa"),
        ("مي كشيمت", "fa"),
        ("SENİ ÖLDÜRECEĞİZ", "tr"),
        ("SENI OLDURECEGIZ", "tr"),
        ("seni oldurecegiz", "tr"),
        ("ज़िंदा जला देंगे तुझे", "hi"),
        ("हमें पता है तू कहाँ रहती है", "hi"),
        ("TUJHE JAAN SE MAAR DENGE", "hi"),
        ("tuje jan se mar denge", "hi"),
        ("M4MPUS K4U", "ms"),
        ("suicide-toi", "fr"),
    ],
)
def test_regional_spellings_do_not_hide_a_threat(text, language):
    assert kinds(text, language) == [AlertKind.THREAT]


def test_devanagari_and_romanised_hindi_name_their_own_list_term():
    [devanagari] = BUILTIN.evaluate("तुझे जान से मार देंगे", "hi").matches
    [latin] = BUILTIN.evaluate("tujhe jaan se maar denge", "hi").matches
    assert (devanagari.term, latin.term) == ("जान से मार देंगे", "jan se mar denge")
