"""What the core pages say and do for a person in a hurry, on a phone, or in Arabic."""

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import client_for
from tests.core.test_auth import enrol, sign_in

PHONE = (
    "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture
def in_arabic(as_alice):
    """Alice, with Arabic chosen; the language goes back to English after the test."""
    as_alice.cookies["django_language"] = "ar"
    yield as_alice
    translation.activate("en")


def test_the_session_list_names_browsers_in_plain_words(alice):
    phone = Client(HTTP_USER_AGENT=PHONE)
    sign_in(phone, "alice")
    page = phone.get("/account/security/").content.decode()
    assert "Chrome on Android" in page
    assert f'title="{PHONE}"' in page  # the full string stays at hand


def test_the_security_page_does_not_jump_to_the_password_form_at_its_foot(as_alice):
    page = as_alice.get("/account/security/").content.decode()
    assert 'name="old_password"' in page
    assert "autofocus" not in page


def test_the_sign_in_code_field_lets_a_phone_type_recovery_codes_with_letters(alice):
    enrol(client_for(alice), alice)
    client = Client()
    step_one = sign_in(client, "alice")
    assert step_one.url == "/login/code/?next=%2F"  # a path, not a URL name
    page = client.get(step_one.url).content.decode()
    assert 'inputmode="text"' in page


def test_setting_up_2fa_asks_for_digits_and_does_not_mention_recovery_codes(as_alice):
    page = as_alice.get("/account/two-factor/").content.decode()
    assert 'inputmode="numeric"' in page
    assert "recovery code" not in page.split('name="token"')[1]


def test_an_owner_sees_leave_team_on_their_own_row_and_remove_on_others(as_alice, bob):
    page = as_alice.get("/t/team-a/members/").content.decode()
    assert page.count("Leave team") == 1
    assert page.count(">Remove<") == 1


def test_error_pages_follow_the_language_direction(in_arabic):
    page = in_arabic.get("/no-such-page/")
    assert page.status_code == 404
    assert b'<html lang="ar" dir="rtl">' in page.content


def test_names_people_typed_keep_their_own_direction_in_a_right_to_left_page(in_arabic):
    page = in_arabic.get("/t/team-a/members/").content.decode()
    assert 'dir="rtl"' in page
    assert "<bdi>alice</bdi>" in page and "<bdi>Team A</bdi>" in page
