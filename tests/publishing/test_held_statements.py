"""A held dead-man statement reaches no one but its holder and the team's owners.

Bob (editor) holds the switch; charlie (contributor) and victor (viewer) must not read
its statements through any path that copies, previews, shows or exports a post.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from houseboat.publishing import deadman
from houseboat.publishing.models import Attachment, DeadManSwitch
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


def test_the_command_line_lists_shows_and_exports_no_held_statement(tmp_path):
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
        [sys.executable, "-m", "tests.publishing.held_seed"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    post_id = seed.stdout.strip()
    assert post_id.isdigit(), seed.stderr

    listed = houseboat("post", "list", "--team=team-a")
    shown = houseboat("post", "show", post_id)
    site = houseboat("export-site", "--campaign=free-the-ten", f"--out={tmp_path / 'site'}")
    archive = houseboat("export", "--campaign=free-the-ten", f"--out={tmp_path / 'archive'}")

    assert listed.returncode == 0 and SECRET not in listed.stdout
    assert shown.returncode != 0
    assert SECRET not in shown.stdout + shown.stderr
    assert "only its holder and the team's owners" in shown.stderr
    assert site.returncode == 0 and archive.returncode == 0, site.stderr + archive.stderr
    for written in [
        *tmp_path.joinpath("site").rglob("*"),
        *tmp_path.joinpath("archive").rglob("*"),
    ]:
        if written.is_file():
            assert SECRET.encode() not in written.read_bytes(), written
