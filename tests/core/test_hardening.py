"""Smaller holes an outside review found (issue 13): 2FA codes, lock-down, cached secrets."""

from pathlib import Path

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import client_for
from tests.core.test_auth import current_code, enrol, sign_in

pytestmark = pytest.mark.django_db


def signed_in_up_to_the_code(alice) -> tuple[Client, TOTPDevice]:
    device = enrol(client_for(alice), alice)
    device.last_t = -1  # the enrolment used this window's code; allow it once more
    device.save()
    client = Client()
    sign_in(client, "alice")
    return client, device


# --- two-factor codes ---------------------------------------------------------------------


def test_a_right_code_typed_just_after_a_wrong_one_signs_in(alice):
    client, device = signed_in_up_to_the_code(alice)

    assert client.post("/login/code/", {"token": "000000"}).status_code == 400
    done = client.post("/login/code/", {"token": current_code(device)})

    assert done.status_code == 302
    assert client.get("/account/security/").status_code == 200


def test_a_right_first_code_just_after_a_wrong_one_turns_on_two_factor(alice):
    client = client_for(alice)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=alice, confirmed=False)

    assert client.post("/account/two-factor/", {"token": "000000"}).status_code == 400
    done = client.post("/account/two-factor/", {"token": current_code(device)})

    assert b"Two-factor sign-in is on" in done.content


def test_after_many_wrong_codes_the_pause_is_named_not_a_wrong_code(alice):
    client, device = signed_in_up_to_the_code(alice)
    for _ in range(6):
        client.post("/login/code/", {"token": "000000"})

    page = client.post("/login/code/", {"token": current_code(device)})

    assert page.status_code == 429
    text = page.content.decode()
    assert "Too many wrong codes" in text and "seconds" in text
    assert "That code is not right" not in text


# --- lock-down ----------------------------------------------------------------------------


def test_a_lock_down_discards_every_unconfirmed_authenticator(as_alice, bob, team_a):
    seen = client_for(bob)
    seen.get("/account/two-factor/")  # a browser saw this secret and never confirmed it
    old_secret = TOTPDevice.objects.get(user=bob, confirmed=False).key

    as_alice.post("/t/team-a/safety/lockdown/", {"confirm": "team-a"})

    assert not TOTPDevice.objects.filter(user=bob, confirmed=False).exists()
    client_for(bob).get("/account/two-factor/")
    assert TOTPDevice.objects.get(user=bob, confirmed=False).key != old_secret


# --- pages that hold a secret are never cached ---------------------------------------------


def test_the_two_factor_setup_page_is_not_stored_by_the_browser(alice):
    response = client_for(alice).get("/account/two-factor/")
    assert "no-store" in response["Cache-Control"]


def test_the_recovery_codes_page_is_not_stored_by_the_browser(alice):
    client = client_for(alice)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    response = client.post("/account/two-factor/", {"token": current_code(device)})
    assert b"Two-factor sign-in is on" in response.content
    assert "no-store" in response["Cache-Control"]


def test_the_invitation_link_page_is_not_stored_by_the_browser(as_alice, alice):
    response = as_alice.post("/t/team-a/members/invite/", {"note": "Sam", "role": "editor"})
    assert b"/join/" in response.content
    assert "no-store" in response["Cache-Control"]


def test_the_readme_says_a_lock_down_keeps_dead_man_switches_armed():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    lockdown = readme.split("**A raid that is about to happen.**")[1].split("Emergency purge")[0]
    assert "disarms" not in lockdown
    assert "Dead-man switches stay armed" in lockdown and "check-in links" in lockdown
