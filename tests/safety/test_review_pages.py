"""The do-not-name page and the post check page."""

import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile

from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent
from houseboat.safety.models import DoNotName
from tests.safety import samples


def test_an_editor_adds_a_name_and_the_audit_log_does_not_repeat_it(as_bob, team_a):
    response = as_bob.post(
        "/t/team-a/safety/names/add/", {"name": "  Amina   Saleh ", "note": "family asked"}
    )
    assert response.status_code == 302
    entry = DoNotName.objects.get(team=team_a)
    assert (entry.name, entry.note) == ("Amina Saleh", "family asked")
    event = AuditEvent.objects.get(action=AuditAction.DO_NOT_NAME_ADDED)
    assert "Amina" not in f"{event.target} {event.detail}"
    page = as_bob.get("/t/team-a/safety/names/")
    assert "Amina Saleh" in page.content.decode()


def test_the_same_name_in_another_spelling_of_case_or_accents_is_refused(as_bob, team_a):
    DoNotName.objects.create(team=team_a, name="José Martínez")
    response = as_bob.post("/t/team-a/safety/names/add/", {"name": "JOSE MARTINEZ"})
    assert response.status_code == 400
    assert "already on the list" in response.content.decode()
    assert DoNotName.objects.count() == 1


def test_an_editor_removes_a_name(as_bob, team_a):
    entry = DoNotName.objects.create(team=team_a, name="Amina Saleh")
    response = as_bob.post(f"/t/team-a/safety/names/{entry.pk}/remove/")
    assert response.status_code == 302
    assert not DoNotName.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DO_NOT_NAME_REMOVED).exists()


def test_a_contributor_cannot_read_the_list(as_charlie, team_a):
    DoNotName.objects.create(team=team_a, name="Amina Saleh")
    response = as_charlie.get("/t/team-a/safety/names/")
    assert response.status_code == 403
    assert b"Amina" not in response.content


def test_another_teams_entry_cannot_be_removed(as_mallory, team_a, alice):
    entry = DoNotName.objects.create(team=team_a, name="Amina Saleh")
    assert as_mallory.post(f"/t/team-a/safety/names/{entry.pk}/remove/").status_code == 404
    assert DoNotName.objects.filter(pk=entry.pk).exists()


def test_the_check_page_shows_each_risk_in_place(as_charlie, team_a):
    DoNotName.objects.create(team=team_a, name="Amina Saleh")
    response = as_charlie.post(
        "/t/team-a/safety/check/", {"text": "Amina Saleh: call +20 10 1234 5678"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<mark>Amina Saleh</mark>" in page
    assert "<mark>+20 10 1234 5678</mark>" in page
    assert "do-not-name list" in page


def test_the_check_page_reviews_an_uploaded_photo_and_keeps_nothing(
    as_charlie, tmp_path, monkeypatch
):
    photo = samples.camera_jpeg(tmp_path / "march.jpg")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    upload = SimpleUploadedFile("march.jpg", photo.read_bytes(), content_type="image/jpeg")
    response = as_charlie.post("/t/team-a/safety/check/", {"text": "", "media": [upload]})
    page = response.content.decode()
    assert "march.jpg carries a GPS position" in page
    assert list(scratch.iterdir()) == []


def test_the_check_page_says_when_nothing_was_found(as_charlie):
    response = as_charlie.post("/t/team-a/safety/check/", {"text": "March on 12 May at 14:30"})
    assert "Nothing found" in response.content.decode()


def test_an_empty_check_asks_for_something_to_check(as_charlie):
    response = as_charlie.post("/t/team-a/safety/check/", {"text": " "})
    assert response.status_code == 400
