import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent, UserSession
from tests.conftest import PASSWORD, client_for

LOGIN = "/login/"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrol(client: Client, user) -> TOTPDevice:
    """Turn on 2FA through the pages, as a person would."""
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/account/two-factor/", {"token": current_code(device)})
    assert done.status_code == 200
    assert b"Two-factor sign-in is on" in done.content
    device.refresh_from_db()
    return device


def test_passwords_are_stored_with_argon2(alice):
    assert alice.password.startswith("argon2")


def test_login_with_the_right_password_lands_on_the_team(alice, team_a):
    client = Client()
    response = sign_in(client, "alice")
    assert response.status_code == 302
    assert client.get(response.url, follow=True).request["PATH_INFO"] == f"/t/{team_a.slug}/"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=alice).count() == 1
    assert UserSession.objects.filter(user=alice).count() == 1


def test_wrong_password_is_refused_and_audited(alice):
    response = sign_in(Client(), "alice", "wrong password")
    assert response.status_code == 400
    assert b"Wrong username or password." in response.content
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor == alice and event.ip_address == "127.0.0.1"


def test_an_unknown_username_is_never_written_down(db):
    sign_in(Client(), "my-secret-password-typed-in-the-wrong-box", "x")
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor is None
    assert "secret" not in event.target


def test_password_guessing_is_locked_out(alice, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "guess")
    locked = sign_in(client, "alice", PASSWORD)
    assert locked.status_code == 429
    assert b"signing in is paused" in locked.content
    assert "_auth_user_id" not in client.session


def test_next_parameter_cannot_send_people_to_another_site(alice):
    response = sign_in(Client(), "alice", next="https://evil.example/")
    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_malformed_login_form_is_a_400_with_a_message(db):
    response = Client().post(LOGIN, {"username": ""})
    assert response.status_code == 400
    assert b"This field is required." in response.content


def test_turning_on_2fa_gives_ten_recovery_codes_and_is_audited(alice):
    client = client_for(alice)
    device = enrol(client, alice)
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=alice).count() == 10
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_ENABLED, actor=alice).exists()


def test_a_wrong_first_code_does_not_turn_on_2fa(alice):
    client = client_for(alice)
    client.get("/account/two-factor/")
    response = client.post("/account/two-factor/", {"token": "000000"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()


def test_with_2fa_a_password_alone_does_not_sign_in(alice):
    enrol(client_for(alice), alice)
    client = Client()
    step_one = sign_in(client, "alice")
    assert step_one.status_code == 302 and step_one.url.startswith("/login/code/")
    assert "_auth_user_id" not in client.session
    assert client.get("/account/security/").status_code == 302

    wrong = client.post("/login/code/", {"token": "123456"})
    assert wrong.status_code == 400
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED).exists()


def test_with_2fa_the_right_code_signs_in(alice):
    device = enrol(client_for(alice), alice)
    device.refresh_from_db()
    device.last_t = -1  # the enrolment used this window's code; allow it once more
    device.save()
    client = Client()
    sign_in(client, "alice")
    done = client.post("/login/code/", {"token": current_code(device)})
    assert done.status_code == 302
    assert client.get("/account/security/").status_code == 200


def test_a_recovery_code_works_once(alice):
    enrol(client_for(alice), alice)
    code = StaticToken.objects.filter(device__user=alice).first().token
    first = Client()
    sign_in(first, "alice")
    assert first.post("/login/code/", {"token": code}).status_code == 302
    second = Client()
    sign_in(second, "alice")
    assert second.post("/login/code/", {"token": code}).status_code == 400


def test_a_session_without_the_second_factor_is_signed_out(alice):
    enrol(client_for(alice), alice)
    sneaky = client_for(alice)  # signed in by password only, as if 2FA were skipped
    response = sneaky.get("/account/security/")
    assert response.status_code == 302 and response.url == "/login/"


def test_team_requiring_2fa_sends_members_to_set_it_up(alice, team_a):
    team_a.require_2fa = True
    team_a.save()
    client = client_for(alice)
    response = client.get(f"/t/{team_a.slug}/")
    assert response.status_code == 302 and response.url == "/account/two-factor/"
    enrol(client, alice)
    assert client.get(f"/t/{team_a.slug}/").status_code == 200


def test_owner_can_require_2fa_and_it_is_audited(as_alice, team_a):
    response = as_alice.post(f"/t/{team_a.slug}/settings/", {"require_2fa": "on"})
    assert response.status_code == 302
    team_a.refresh_from_db()
    assert team_a.require_2fa
    assert AuditEvent.objects.filter(action=AuditAction.TEAM_2FA_POLICY, team=team_a).exists()


def test_editor_cannot_change_the_2fa_policy(as_bob, team_a):
    response = as_bob.post(f"/t/{team_a.slug}/settings/", {"require_2fa": ""})
    assert response.status_code == 403
    assert b"cannot change the team" in response.content


def test_turning_2fa_off_needs_the_password(alice):
    client = client_for(alice)
    enrol(client, alice)
    client.post("/account/two-factor/off/", {"password": "wrong"})
    assert TOTPDevice.objects.filter(user=alice).exists()
    client.post("/account/two-factor/off/", {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_session_list_shows_each_browser(alice):
    laptop, phone = Client(HTTP_USER_AGENT="Laptop"), Client(HTTP_USER_AGENT="Phone")
    sign_in(laptop, "alice")
    sign_in(phone, "alice")
    page = laptop.get("/account/security/")
    assert b"Laptop" in page.content and b"Phone" in page.content
    assert b"This browser" in page.content


def test_sign_out_everywhere_else_ends_other_sessions_only(alice):
    laptop, phone = Client(), Client()
    sign_in(laptop, "alice")
    sign_in(phone, "alice")
    assert laptop.post("/account/sessions/end-others/").status_code == 302
    assert phone.get("/account/security/").status_code == 302
    assert laptop.get("/account/security/").status_code == 200
    assert UserSession.objects.filter(user=alice).count() == 1
    assert Session.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.SESSIONS_REVOKED).exists()


def test_one_other_session_can_be_ended(alice):
    laptop, phone = Client(), Client()
    sign_in(laptop, "alice")
    sign_in(phone, "alice")
    phone_session = UserSession.objects.get(session_key=phone.session.session_key)
    laptop.post(f"/account/sessions/{phone_session.pk}/end/")
    assert phone.get("/account/security/").status_code == 302
    assert laptop.get("/account/security/").status_code == 200


def test_nobody_can_end_another_persons_session(alice, bob):
    sign_in(Client(), "alice")
    alice_session = UserSession.objects.get(user=alice)
    response = client_for(bob).post(f"/account/sessions/{alice_session.pk}/end/")
    assert response.status_code == 404
    assert UserSession.objects.filter(pk=alice_session.pk).exists()


def test_changing_password_signs_out_other_sessions(alice):
    laptop, phone = Client(), Client()
    sign_in(laptop, "alice")
    sign_in(phone, "alice")
    new = "a different long passphrase"
    response = laptop.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert laptop.get("/account/security/").status_code == 200
    assert phone.get("/account/security/").status_code == 302


def test_a_weak_new_password_is_refused(as_alice):
    response = as_alice.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 400
    assert b"too short" in response.content


def test_logout_ends_the_session_and_is_audited(alice):
    client = Client()
    sign_in(client, "alice")
    assert client.post("/logout/").status_code == 302
    assert not UserSession.objects.filter(user=alice).exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=alice).exists()


@pytest.mark.parametrize("path", ["/logout/"])
def test_logout_by_get_is_refused_so_a_link_cannot_sign_people_out(alice, path):
    client = client_for(alice)
    assert client.get(path).status_code == 405
    assert client.get("/account/security/").status_code == 200
