# ruff: noqa: RUF001 (Arabic-Indic and Persian zeros are what these tests are about)
"""Numbers and dates in the digits a person reads (issue 16): Western, Arabic-Indic or
Persian, chosen on the security page; by default Persian pages use Persian digits and
every other language, Arabic included, Western ones."""

import re
from datetime import date

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe

from houseboat.core import digits
from houseboat.core.constants import Digits
from houseboat.core.middleware import DigitsMiddleware


def checked(page: str) -> list[str]:
    return re.findall(r'name="digits" value="([^"]*)"[^>]*checked', page)


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("system", "shown"),
    [
        (Digits.WESTERN, "20000 / 0"),
        (Digits.ARABIC_INDIC, "٢٠٠٠٠ / ٠"),
        (Digits.PERSIAN, "۲۰۰۰۰ / ۰"),
    ],
)
def test_each_choice_writes_its_own_digits(system, shown):
    assert digits.convert("20000 / 0", system) == shown


@pytest.mark.parametrize(("language", "shown"), [("fa", "۱۲"), ("ar", "12"), ("en", "12")])
def test_each_language_has_its_usual_digits(language, shown):
    with translation.override(language):
        assert render("{{ n|digits }}", n=12) == shown


def test_a_chosen_system_wins_over_the_languages_usual_one():
    token = digits.activate(Digits.ARABIC_INDIC)
    try:
        with translation.override("fa"):
            assert render("{{ n|digits }}", n=2026) == "٢٠٢٦"
        with translation.override("en"):
            assert render("{{ n|digits }}", n=2026) == "٢٠٢٦"
    finally:
        digits.reset(token)
    with translation.override("en"):
        assert render("{{ n|digits }}", n=2026) == "2026"


def test_a_date_is_written_in_the_chosen_digits_with_the_languages_month():
    with translation.override("fa"):
        shown = render('{{ d|date:"j F Y"|digits }}', d=date(2026, 12, 4))
    assert shown.startswith("۴ ") and shown.endswith(" ۲۰۲۶")
    assert not any(c.isascii() and c.isdigit() for c in shown)


def test_markup_and_character_references_keep_their_digits():
    html = mark_safe('<span id="n5" data-x="7">12</span> &#39;3&#x27;')
    shown = digits.convert(html, Digits.PERSIAN)
    assert shown == '<span id="n5" data-x="7">۱۲</span> &#39;۳&#x27;'
    assert isinstance(shown, SafeData)


def test_text_that_is_not_safe_is_still_escaped_after_conversion():
    with translation.override("fa"):
        assert render("{{ t|digits }}", t="<b>3</b>") == "&lt;b&gt;۳&lt;/b&gt;"


def test_nothing_and_empty_stay_as_they_are():
    assert render("{{ n|digits }}|{{ e|digits }}", n=None, e="") == "None|"


def test_the_middleware_uses_the_persons_choice_for_one_request_only(alice):
    alice.digits = Digits.ARABIC_INDIC
    seen = []

    def view(request):
        seen.append(digits.system())
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = alice
    DigitsMiddleware(view)(request)
    assert seen == [Digits.ARABIC_INDIC]
    with translation.override("en"):
        assert digits.system() == Digits.WESTERN


def test_a_person_chooses_their_digits_on_the_security_page(alice, as_alice):
    page = as_alice.get("/account/security/").content.decode()
    assert 'action="/account/digits/"' in page
    assert 'value="arab"' in page and checked(page) == [""]

    answer = as_alice.post("/account/digits/", {"digits": "arab"})

    assert answer.status_code == 302 and answer["Location"].endswith("/account/security/#digits")
    alice.refresh_from_db()
    assert alice.digits == Digits.ARABIC_INDIC
    assert checked(as_alice.get("/account/security/").content.decode()) == ["arab"]


def test_digits_that_are_not_offered_are_refused(alice, as_alice):
    as_alice.post("/account/digits/", {"digits": "roman"})
    alice.refresh_from_db()
    assert alice.digits == Digits.USUAL
