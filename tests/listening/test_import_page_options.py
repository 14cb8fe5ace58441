"""The Import page reads files as the command line does: zone, date order, skipped records,
and, for a whole Telegram account, a checklist of its chats."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from houseboat.listening import jobs
from houseboat.listening.constants import ImportJobState
from houseboat.listening.models import ImportJob, Item
from tests.listening.test_telegram_fidelity import account_export

pytestmark = pytest.mark.django_db

URL = "/t/team-a/archive/import/"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def upload(client, name, data, format, **fields):
    return client.post(
        URL,
        {
            "campaign": "free-the-ten",
            "format": format,
            "file": SimpleUploadedFile(name, data),
            **fields,
        },
    )


CHAT = "24/11/2026, 21:05 - Ana: hola\n24/11/2026, 21:06 - Omar: adiós\n"


def test_a_whatsapp_chat_takes_its_time_zone_on_the_page(campaign_a, as_bob):
    page = as_bob.get(URL).content.decode()
    assert 'list="time-zones"' in page
    assert '<option value="America/Bogota">' in page
    upload(as_bob, "_chat.txt", CHAT.encode(), "whatsapp-txt", timezone="America/Bogota")
    assert ImportJob.objects.get().options == {"timezone": "America/Bogota"}
    jobs.run_import_jobs("test-worker")
    item = Item.objects.get(text="hola")
    assert item.created_at.isoformat() == "2026-11-25T02:05:00+00:00"


def test_a_zone_the_format_does_not_take_or_does_not_exist_is_refused(campaign_a, as_bob):
    response = upload(as_bob, "a.jsonl", b"{}", "x-ndjson", timezone="Africa/Cairo")
    assert response.status_code == 400
    assert "Only WhatsApp chats and Telegram exports need a time zone" in response.content.decode()
    response = upload(as_bob, "_chat.txt", CHAT.encode(), "whatsapp-txt", timezone="Mars/Base")
    assert "does not know this time zone" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_job_page_lists_the_skipped_records_by_reason(campaign_a, as_bob):
    lines = [
        json.dumps({"data": [{"id": "1", "text": "Day 100", "lang": "en"}]}),
        "{broken",
        "{broken again",
    ]
    upload(as_bob, "a.jsonl", ("\n".join(lines) + "\n").encode(), "x-ndjson", keep_going="on")
    jobs.run_import_jobs("test-worker")
    job = ImportJob.objects.get()
    assert (job.state, job.records_skipped) == (ImportJobState.DONE, 2)
    page = as_bob.get(f"{URL}{job.pk}/").content.decode()
    assert "Records skipped, and why" in page
    assert "<strong>2</strong> · the line is not valid JSON" in page
    assert "a.jsonl, line 2; a.jsonl, line 3" in page


def test_a_whole_telegram_account_waits_for_its_chats_to_be_chosen(campaign_a, as_bob):
    data = json.dumps(account_export(), indent=1).encode()
    response = upload(as_bob, "result.json", data, "telegram-json")
    job = ImportJob.objects.get()
    assert job.state == ImportJobState.CHOOSING
    assert jobs.run_import_jobs("test-worker") == 0  # the worker leaves it alone
    page = as_bob.get(response["Location"]).content.decode()
    assert "Which chats should go into the archive?" in page
    assert 'value="Free the Ten"' in page and 'value="Old coalition"' in page
    assert 'hx-trigger="every 2s"' not in page  # no polling while ticking
    refused = as_bob.post(response["Location"], {})
    assert "Tick at least one chat" in refused.content.decode()
    as_bob.post(response["Location"], {"chat": ["Free the Ten", "Old coalition", "Nobody"]})
    job.refresh_from_db()
    assert (job.state, job.options) == (
        ImportJobState.QUEUED,
        {"chat": ["Free the Ten", "Old coalition"]},
    )
    jobs.run_import_jobs("test-worker")
    assert Item.objects.count() == 3
    assert not Item.objects.filter(remote_id__startswith="777000222:").exists()


def test_every_chat_can_be_chosen_at_once(campaign_a, as_bob):
    data = json.dumps(account_export()).encode()
    response = upload(as_bob, "result.json", data, "telegram-json")
    as_bob.post(response["Location"], {"all": "yes"})
    jobs.run_import_jobs("test-worker")
    assert Item.objects.count() == 4


def test_an_outsider_cannot_choose_the_chats(campaign_a, as_bob, as_mallory):
    response = upload(as_bob, "result.json", json.dumps(account_export()).encode(), "telegram-json")
    assert as_mallory.post(response["Location"], {"all": "yes"}).status_code == 404
    assert ImportJob.objects.get().state == ImportJobState.CHOOSING
