"""A held dead-man statement reaches no one but its holder and the team's owners.

Bob (editor) holds the switch; charlie (contributor) and victor (viewer) must not read
its statements through any path that copies, previews, shows or exports a post. Then
charlie holds one, and bob (editor) must not read it on the dead-man pages or in the
command line either: only the owners approve statements, because only they read them.
"""

import html
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from houseboat.core.models import Membership
from houseboat.publishing import deadman
from houseboat.publishing.models import Attachment, DeadManSwitch
from houseboat.publishing.services import PublishingError
from tests.publishing.held_seed import SECRET
from tests.publishing.test_deadman import statements

HOUSEBOAT = Path(sys.executable).with_name("houseboat")


@pytest.fixture
def held(bob_member, own_site, campaign_a) -> DeadManSwitch:
    """Bob's prepared switch: its statements held, with a picture."""
    switch = deadman.prepare(bob_member, statements(own_site, text=SECRET, campaign=campaign_a))
    picture = Attachment(post=switch.post, mime_type="image/png")
    picture.file.save("statement.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"\0" * 64), save=True)
    return switch


def test_write_it_again_does_not_copy_another_members_held_statement(as_charlie, held):
    page = as_charlie.get(f"/t/team-a/publish/new/?from={held.post_id}").content.decode()

    assert SECRET not in page


def test_even_the_holder_cannot_copy_a_held_statement_out_of_its_switch(as_bob, held):
    page = as_bob.get(f"/t/team-a/publish/new/?from={held.post_id}").content.decode()

    assert SECRET not in page


def test_the_composer_of_a_held_statement_is_not_found_for_other_members(as_charlie, held):
    assert as_charlie.get(f"/t/team-a/publish/{held.post_id}/edit/").status_code == 404


def test_the_post_list_and_the_calendar_do_not_show_a_held_statement(as_charlie, as_alice, held):
    for client in (as_charlie, as_alice):
        for url in (
            "/t/team-a/publish/",
            "/t/team-a/publish/?show=all",
            "/t/team-a/publish/calendar/",
        ):
            assert SECRET not in client.get(url).content.decode(), url


def test_the_live_check_does_not_read_a_held_statements_pictures(as_charlie, held):
    picture = held.post.attachments.get()
    response = as_charlie.post(
        "/t/team-a/publish/check/", {"post": held.post_id, "text": "Hello", "when": "now"}
    )

    assert Path(picture.file.name).name not in response.content.decode()


def test_a_held_statements_picture_is_shown_to_its_holder_and_the_owners_only(
    as_alice, as_bob, as_charlie, as_victor, held
):
    url = f"/t/team-a/publish/attachments/{held.post.attachments.get().pk}/"

    assert as_bob.get(url).status_code == 200
    assert as_alice.get(url).status_code == 200
    assert as_charlie.get(url).status_code == 404
    assert as_victor.get(url).status_code == 404


def test_the_public_page_and_feed_carry_no_held_statement(client, held, campaign_a):
    for url in ("/c/free-the-ten/", "/c/free-the-ten/feed.atom"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url


@pytest.mark.parametrize("holder", ["bob", "charlie"])
def test_the_command_line_lists_shows_and_exports_no_held_statement(tmp_path, holder):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "HOUSEBOAT_DATA_DIR"}
    }
    env["HOUSEBOAT_DATA_DIR"] = str(tmp_path / "data")

    def houseboat(*args: str) -> subprocess.CompletedProcess:
        command = [str(HOUSEBOAT), *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert houseboat("migrate", "-v0").returncode == 0
    seed = subprocess.run(
        [sys.executable, "-m", "tests.publishing.held_seed", holder],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    post_id = seed.stdout.strip()
    assert post_id.isdigit(), seed.stderr
    other = "charlie" if holder == "bob" else "bob"  # the editor, when charlie holds it

    listed = houseboat("post", "list", "--team=team-a")
    shown = houseboat("post", "show", post_id)
    approved = houseboat("post", "approve", post_id, f"--as={other}")
    cancelled = houseboat("post", "cancel", post_id, f"--as={other}")
    site = houseboat("export-site", "--campaign=free-the-ten", f"--out={tmp_path / 'site'}")
    archive = houseboat("export", "--campaign=free-the-ten", f"--out={tmp_path / 'archive'}")

    assert listed.returncode == 0 and SECRET not in listed.stdout
    assert shown.returncode != 0
    assert SECRET not in shown.stdout + shown.stderr
    assert "only its holder and the team's owners" in shown.stderr
    for refused in (approved, cancelled):
        assert refused.returncode != 0, refused.stdout
        assert SECRET not in refused.stdout + refused.stderr
    assert site.returncode == 0 and archive.returncode == 0, site.stderr + archive.stderr
    for written in [
        *tmp_path.joinpath("site").rglob("*"),
        *tmp_path.joinpath("archive").rglob("*"),
    ]:
        if written.is_file():
            assert SECRET.encode() not in written.read_bytes(), written


# --- the dead-man pages: charlie's switch, read by its holder and the owners only -----------

DEADMAN = "/t/team-a/publish/deadman/"


@pytest.fixture
def charlies(charlie_member, own_site, campaign_a) -> DeadManSwitch:
    """Charlie's prepared switch, sent for approval: its statements held."""
    switch = deadman.prepare(
        charlie_member,
        statements(own_site, text=SECRET, campaign=campaign_a, name="If Charlie is taken"),
    )
    deadman.submit(charlie_member, switch)
    return switch


def test_an_editor_reads_another_members_held_statement_on_no_dead_man_page(as_bob, charlies):
    for url in (DEADMAN, f"{DEADMAN}{charlies.pk}/", f"{DEADMAN}{charlies.pk}/edit/"):
        response = as_bob.get(url, follow=True)
        page = response.content.decode()
        assert SECRET not in page, url
        assert "If Charlie is taken" not in page, url
    assert as_bob.get(f"{DEADMAN}{charlies.pk}/").status_code == 404


def test_an_editor_cannot_act_on_another_members_switch_or_read_it_in_the_answer(as_bob, charlies):
    for action in ("submit", "approve", "arm", "check-in", "disarm", "delete", "edit"):
        response = as_bob.post(f"{DEADMAN}{charlies.pk}/{action}/", follow=True)
        assert response.status_code in (403, 404), action
        assert SECRET not in response.content.decode(), action
    charlies.refresh_from_db()
    assert not charlies.is_approved


def test_an_editor_cannot_approve_a_switch_in_the_service_either(bob_member, charlies):
    with pytest.raises((DeadManSwitch.DoesNotExist, PermissionDenied)):
        deadman.approve(bob_member, charlies)
    assert list(deadman.visible_switches(bob_member)) == []


def test_the_owner_reads_and_approves_a_held_statement(as_alice, charlies):
    page = as_alice.get(f"{DEADMAN}{charlies.pk}/").content.decode()
    assert SECRET in page
    assert "Approve the statements" in page
    assert "If Charlie is taken" in as_alice.get(DEADMAN).content.decode()

    as_alice.post(f"{DEADMAN}{charlies.pk}/approve/")

    charlies.refresh_from_db()
    assert charlies.is_approved and charlies.approved_by.username == "alice"


def test_the_holder_reads_their_own_held_statement(as_charlie, charlies):
    assert SECRET in as_charlie.get(f"{DEADMAN}{charlies.pk}/").content.decode()
    assert SECRET in as_charlie.get(f"{DEADMAN}{charlies.pk}/edit/").content.decode()


def test_an_editors_own_statements_wait_for_an_owner_before_arming(bob_member, alice, held):
    with pytest.raises(PublishingError, match="An owner must approve"):
        deadman.arm(bob_member, held)
    deadman.approve(Membership.objects.get(user=alice), held)
    held.refresh_from_db()

    deadman.arm(bob_member, held)

    held.refresh_from_db()
    assert held.approved_by.username == "alice"


def read(client, url: str) -> str:
    """The page's words as a person reads them (``'`` rather than ``&#x27;``)."""
    return html.unescape(client.get(url).content.decode())


def test_the_page_says_who_approves_and_why_editors_see_no_other_switch(as_alice, as_bob, held):
    assert "shown only to its holder and the team's owners" in read(as_bob, DEADMAN)

    page = read(as_bob, f"{DEADMAN}{held.pk}/")
    assert "Only alice, the team's only owner, can approve these statements" in page


def test_a_team_with_one_owner_who_holds_the_switch_is_told_no_one_else_reads_it(
    as_alice, alice, own_site
):
    owner = Membership.objects.get(user=alice)
    switch = deadman.prepare(owner, statements(own_site, text=SECRET))

    page = read(as_alice, f"{DEADMAN}{switch.pk}/")

    assert "You are the team's only owner" in page
    assert "Approve and arm the switch" in page
