"""E-mail notices: the worker tells people that something waits, once, with no content.

A real SMTP server (aiosmtpd) runs on 127.0.0.1 for each test.
"""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from houseboat.core import notices
from houseboat.core.models import MailNotice
from houseboat.publishing import deadman, services
from houseboat.safety.models import Alert
from tests.core.notices_seed import SECRET
from tests.core.smtp import smtp_server
from tests.publishing.test_deadman import deadline_in, owner_approves, statements

PUBLIC = "https://campaigns.example.org"
HOUSEBOAT = Path(sys.executable).with_name("houseboat")


@pytest.fixture
def inbox(settings):
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = False
        settings.DEFAULT_FROM_EMAIL = "houseboat@campaigns.example.org"
        settings.HOUSEBOAT_PUBLIC_URL = PUBLIC
        yield server


@pytest.fixture
def addresses(alice, bob, charlie):
    for user in (alice, bob, charlie):
        user.email = f"{user.username}@example.org"
        user.save()


def test_a_post_sent_for_approval_is_mailed_by_the_worker_to_editors_and_owners_once(
    inbox, addresses, as_charlie, campaign_a
):
    text = "Vigil at the court, Friday: bring candles"
    response = as_charlie.post(
        "/t/team-a/publish/new/",
        {"text": text, "campaign": campaign_a.pk, "when": "now", "time_zone": "UTC"}
        | {"action": "submit"},
    )
    assert response.status_code == 302
    assert inbox.mails == []  # nothing leaves inside the web request

    assert notices.step("worker-1") == 2
    assert notices.step("worker-1") == 0  # never twice

    assert inbox.to() == ["alice@example.org", "bob@example.org"]
    mail = inbox.mails[0]
    assert mail["From"] == "houseboat@campaigns.example.org"
    assert "Team A" in mail["Subject"]
    body = mail.get_content()
    assert "A post waits for your approval in Team A." in body
    assert f"{PUBLIC}/t/team-a/publish/review/" in body
    assert text not in body and "candles" not in body


def test_a_post_sent_back_and_submitted_again_is_mailed_again(
    inbox, addresses, charlie_member, bob_member, campaign_a
):
    post = services.submit(
        charlie_member,
        services.create_post(membership=charlie_member, campaign=campaign_a, text="One"),
    )
    notices.step("worker-1")
    services.send_back(bob_member, post, comment="Shorter")
    services.update_post(charlie_member, post, text="Two", campaign=campaign_a)
    services.submit(charlie_member, post)

    notices.step("worker-1")

    assert inbox.to().count("bob@example.org") == 2


def test_an_open_alert_is_mailed_to_editors_and_owners_without_what_matched(
    inbox, addresses, campaign_a, team_a
):
    Alert.objects.create(
        team=team_a, campaign=campaign_a, network="x", remote_id="1",
        matches=[{"term": "we know where you live"}],
    )  # fmt: skip

    assert notices.step("worker-1") == 2

    assert inbox.to() == ["alice@example.org", "bob@example.org"]
    body = inbox.mails[0].get_content()
    assert "A safety alert is open in Team A." in body
    assert f"{PUBLIC}/t/team-a/safety/alerts/" in body
    assert "where you live" not in body


def test_alerts_arriving_one_after_another_are_mailed_at_most_hourly(
    inbox, addresses, campaign_a, team_a
):
    for n in range(3):
        Alert.objects.create(team=team_a, campaign=campaign_a, network="x", remote_id=str(n))
        notices.step("worker-1")

    assert inbox.to() == ["alice@example.org", "bob@example.org"]


def test_a_check_in_falling_due_is_mailed_to_its_holder_only(
    inbox, addresses, bob_member, mastodon_channel
):
    switch = deadman.prepare(bob_member, statements(mastodon_channel))
    owner_approves(switch)
    deadman.arm(bob_member, switch)
    switch.refresh_from_db()
    assert notices.step("worker-1") == 0  # not due yet

    deadline_in(switch, timedelta(hours=3))
    assert notices.step("worker-1") == 1

    assert inbox.to() == ["bob@example.org"]
    body = inbox.mails[0].get_content()
    assert "Something waits for you in Team A." in body
    assert f"{PUBLIC}/t/team-a/" in body
    # A holder's mailbox may be read by those the switch is for: no word of it.
    assert "dead" not in body.lower() and switch.name not in body


def test_without_a_mail_server_nothing_is_queued_or_sent(
    settings, addresses, charlie_member, campaign_a
):
    settings.EMAIL_HOST = ""
    services.submit(
        charlie_member,
        services.create_post(membership=charlie_member, campaign=campaign_a, text="Hi"),
    )

    assert notices.step("worker-1") == 0
    assert not MailNotice.objects.exists()


def test_a_refused_mail_is_recorded_and_never_tried_again(
    inbox, addresses, charlie_member, campaign_a
):
    inbox.refuse = True
    services.submit(
        charlie_member,
        services.create_post(membership=charlie_member, campaign=campaign_a, text="Hi"),
    )

    assert notices.step("worker-1") == 0
    inbox.refuse = False
    assert notices.step("worker-1") == 0

    failed = MailNotice.objects.get(user__username="bob")
    assert failed.sent_at is None and "Mailbox unavailable" in failed.error


def test_people_without_an_address_get_no_mail(inbox, alice, bob, charlie_member, campaign_a):
    services.submit(
        charlie_member,
        services.create_post(membership=charlie_member, campaign=campaign_a, text="Hi"),
    )

    assert notices.step("worker-1") == 0
    assert inbox.mails == []


def test_a_person_sets_and_removes_their_address_on_the_security_page(as_bob, bob):
    bad = as_bob.post("/account/notices/", {"email": "bob at example"})
    assert bad.status_code == 400
    assert "Enter a valid email address" in bad.content.decode()

    as_bob.post("/account/notices/", {"email": "bob@example.org"})
    bob.refresh_from_db()
    assert bob.email == "bob@example.org"
    assert "bob@example.org" in as_bob.get("/account/security/").content.decode()

    as_bob.post("/account/notices/", {"email": ""})
    bob.refresh_from_db()
    assert bob.email == ""


def test_the_worker_command_mails_with_the_settings_from_the_environment(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "HOUSEBOAT_DATA_DIR"}
    }
    with smtp_server() as inbox:
        env |= {
            "HOUSEBOAT_DATA_DIR": str(tmp_path),
            "HOUSEBOAT_EMAIL_HOST": "127.0.0.1",
            "HOUSEBOAT_EMAIL_PORT": str(inbox.port),
            "HOUSEBOAT_EMAIL_USE_TLS": "false",
            "HOUSEBOAT_EMAIL_FROM": "desk@campaigns.example.org",
            "HOUSEBOAT_PUBLIC_URL": PUBLIC,
        }

        def run(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)

        assert run(str(HOUSEBOAT), "migrate", "-v0").returncode == 0
        seeded = run(sys.executable, "-m", "tests.core.notices_seed")
        assert seeded.returncode == 0, seeded.stderr
        first = run(str(HOUSEBOAT), "worker", "--once")
        second = run(str(HOUSEBOAT), "worker", "--once")

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert inbox.to() == ["alice@example.org", "bob@example.org"]  # once each
    assert all(mail["From"] == "desk@campaigns.example.org" for mail in inbox.mails)
    assert all(SECRET not in mail.get_content() for mail in inbox.mails)
    assert all("example.org" not in line for line in (first.stderr + first.stdout).splitlines())


def test_editors_are_told_once_when_a_post_changes_after_it_was_sent_for_approval(
    inbox, addresses, charlie_member, campaign_a, mastodon_channel
):
    post = services.submit(
        charlie_member,
        services.create_post(
            membership=charlie_member, campaign=campaign_a, text="One", channels=[mastodon_channel]
        ),
    )
    notices.step("worker-1")
    for words in ("Two", "Three"):  # changed twice before the next round
        variant = post.variants.get(channel=mastodon_channel)
        services.edit_variant(charlie_member, variant, text=words)

    notices.step("worker-1")
    notices.step("worker-1")

    to_bob = [mail.get_content() for mail in inbox.mails if mail["To"] == "bob@example.org"]
    assert len(to_bob) == 2
    assert "was changed after it was sent: read it again" in to_bob[1]
    assert "Three" not in to_bob[1]


def test_the_smtp_password_can_come_from_a_file(tmp_path):
    secret = tmp_path / "smtp_password"
    secret.write_text("s3cret-from-a-file\n", encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "HOUSEBOAT_DATA_DIR", "HOUSEBOAT_EMAIL_PASSWORD"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "houseboat.settings",
        "HOUSEBOAT_DATA_DIR": str(tmp_path / "data"),
        "HOUSEBOAT_EMAIL_HOST": "smtp.example.org",
        "HOUSEBOAT_EMAIL_PASSWORD_FILE": str(secret),
        "HOUSEBOAT_EMAIL_USE_TLS": "true",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_PASSWORD == "
        "'s3cret-from-a-file')"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )

    assert shown.stdout.split() == ["smtp.example.org", "587", "True", "True"], shown.stderr
