"""The Import page: an upload becomes a job the worker runs, with progress, then the file goes."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from houseboat.listening import jobs
from houseboat.listening.constants import ImportJobState
from houseboat.listening.models import Capture, ImportJob, Item, imports_dir
from houseboat.listening.search import search
from tests.listening.samples import ndjson, standard_archive, three_tweet_page

pytestmark = pytest.mark.django_db

URL = "/t/team-a/archive/import/"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def upload(client, name, data, format="x-ndjson", campaign="free-the-ten"):
    return client.post(
        URL, {"campaign": campaign, "format": format, "file": SimpleUploadedFile(name, data)}
    )


def uploaded_files():
    return [p for p in imports_dir().rglob("*") if p.is_file()] if imports_dir().exists() else []


def test_an_upload_is_queued_then_imported_by_the_worker_and_the_file_removed(
    campaign_a, as_bob, tmp_path
):
    response = upload(as_bob, "search.jsonl", ndjson(three_tweet_page()))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/team-a/archive/import/{job.pk}/"
    assert (job.state, job.source_name, job.format) == ("queued", "search.jsonl", "x-ndjson")
    assert job.created_by.username == "bob"
    [stored] = uploaded_files()
    assert stored.name == "search.jsonl"
    assert "media" not in stored.parts  # private folder, never a public media address
    assert "Waiting for the background worker" in as_bob.get(response["Location"]).content.decode()

    assert jobs.run_import_jobs("test-worker") == 1

    job.refresh_from_db()
    assert job.state == ImportJobState.DONE
    assert (job.records_total, job.records_done, job.items_new) == (3, 3, 3)
    assert job.capture.state == "done"
    assert Item.objects.filter(campaign=campaign_a).count() == 3
    assert search(campaign_a, "held").total == 1
    assert uploaded_files() == []
    assert job.upload == ""
    page = as_bob.get(f"/t/team-a/archive/import/{job.pk}/").content.decode()
    assert "Done." in page
    assert "/t/team-a/archive/?campaign=free-the-ten" in page
    assert 'hx-trigger="every 2s"' not in page
    assert jobs.run_import_jobs("test-worker") == 0


def test_progress_is_reported_while_the_import_runs(campaign_a, as_bob, monkeypatch):
    upload(as_bob, "search.jsonl", ndjson(three_tweet_page()))
    seen = []
    real = jobs.run_import

    def watched(**kwargs):
        progress = kwargs["progress"]

        def spy(capture):
            progress(capture)
            job = ImportJob.objects.get()
            seen.append((job.state, job.records_total, job.records_done))

        return real(**{**kwargs, "progress": spy, "batch_size": 2})

    monkeypatch.setattr(jobs, "run_import", watched)
    jobs.run_import_jobs("test-worker")
    # The file is read once: the total is known when it ends, the count grows batch by batch.
    assert seen == [("running", None, 2), ("running", None, 3)]
    assert ImportJob.objects.get().records_total == 3


def test_a_running_job_page_says_how_many_posts_are_in_before_the_total_is_known(
    campaign_a, as_bob
):
    upload(as_bob, "search.jsonl", ndjson(three_tweet_page()))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(state="running", records_done=4000)
    page = as_bob.get(f"/t/team-a/archive/import/{job.pk}/").content.decode()
    assert "Importing: 4,000 posts so far." in page
    assert "If the file turns out to be damaged, none of it is kept." in page


def test_a_running_job_page_polls_and_shows_a_progress_bar(campaign_a, as_bob):
    upload(as_bob, "search.jsonl", ndjson(three_tweet_page()))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(state="running", records_total=10, records_done=4)
    page = as_bob.get(f"/t/team-a/archive/import/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert '<progress max="10" value="4"' in page
    assert "4 of 10 posts (40%)" in page
    partial = as_bob.get(f"/t/team-a/archive/import/{job.pk}/", headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section class="card import-progress"')


def test_the_job_page_names_the_format_for_people_and_groups_large_numbers(campaign_a, as_bob):
    upload(as_bob, "tweets.zip", b"PK", format="x-archive")
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        state="running", records_total=8_800_000, records_done=1_234_567, items_new=1_200_000
    )
    url = f"/t/team-a/archive/import/{job.pk}/"
    page = as_bob.get(url).content.decode()
    assert "X account archive (ZIP)" in page
    assert "x-archive" not in page
    assert "1,234,567 of 8,800,000 posts (14%)" in page
    assert "1,200,000 new so far, 0 already in the archive." in page
    partial = as_bob.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "X account archive (ZIP)" in partial
    ImportJob.objects.filter(pk=job.pk).update(state="done", items_known=2_500)
    page = as_bob.get(url).content.decode()
    assert "1,200,000 new posts in the archive, 2,500 were already there." in page
    assert "1,200,000 new items" in as_bob.get(URL).content.decode()


def test_a_wrong_file_ends_failed_with_the_importers_message_and_imports_nothing(
    campaign_a, as_bob
):
    upload(as_bob, "notes.zip", b"this is not a zip", format="x-archive")
    jobs.run_import_jobs("test-worker")
    job = ImportJob.objects.get()
    assert job.state == ImportJobState.FAILED
    assert "notes.zip is not a ZIP file: expected the ZIP of an X account archive" in job.error
    assert "Nothing was imported." in job.error
    assert not Item.objects.exists()
    assert uploaded_files() == []
    page = as_bob.get(f"/t/team-a/archive/import/{job.pk}/").content.decode()
    assert "The import did not finish." in page
    assert "is not a ZIP file" in page


def test_a_job_whose_worker_died_is_claimed_again_and_resumes_without_duplicates(
    campaign_a, as_bob, tmp_path
):
    archive = standard_archive(tmp_path / "x.zip")
    upload(as_bob, "x.zip", archive.read_bytes(), format="x-archive")
    job = ImportJob.objects.get()
    # A worker claimed it, wrote the first batch and was killed: its leases ran out.
    jobs.claim_job("dead-worker")
    from houseboat.listening.imports import run_import

    with pytest.raises(KeyboardInterrupt):

        def crash(capture):
            if capture.position:
                raise KeyboardInterrupt

        run_import(
            campaign=campaign_a,
            format="x-archive",
            path=imports_dir() / job.upload,
            progress=crash,
            batch_size=1,
        )
    assert Item.objects.count() == 1
    Capture.objects.update(state="running", heartbeat_at=timezone.now() - timedelta(minutes=3))
    assert jobs.run_import_jobs("second-worker") == 0  # its lease still holds
    ImportJob.objects.update(lease_until=timezone.now() - timedelta(seconds=1))

    assert jobs.run_import_jobs("second-worker") == 1

    job.refresh_from_db()
    assert (job.state, job.attempts) == (ImportJobState.DONE, 2)
    assert Item.objects.count() == 3
    assert Capture.objects.count() == 1  # the stopped capture was resumed
    assert uploaded_files() == []


def test_a_viewer_or_contributor_cannot_upload(campaign_a, as_victor, as_charlie):
    for client in (as_victor, as_charlie):
        assert client.get(URL).status_code == 403
        assert upload(client, "search.jsonl", ndjson(three_tweet_page())).status_code == 403
    assert not ImportJob.objects.exists()
    assert uploaded_files() == []


def test_another_team_cannot_see_the_job_nor_import_into_the_campaign(
    campaign_a, as_bob, as_mallory
):
    upload(as_bob, "search.jsonl", ndjson(three_tweet_page()))
    job = ImportJob.objects.get()
    assert as_mallory.get(f"/t/team-a/archive/import/{job.pk}/").status_code == 404
    assert as_mallory.get(f"/t/team-b/archive/import/{job.pk}/").status_code == 404
    refused = as_mallory.post(
        "/t/team-b/archive/import/",
        {
            "campaign": "free-the-ten",
            "format": "x-ndjson",
            "file": SimpleUploadedFile("a.jsonl", b"{}"),
        },
    )
    assert refused.status_code == 400
    assert ImportJob.objects.count() == 1
    assert len(uploaded_files()) == 1  # the refused upload was not kept


def test_the_page_says_which_file_to_choose_for_each_format(campaign_a, as_bob):
    page = as_bob.get(URL).content.decode()
    assert "Which file to choose" in page
    assert "X account archive (ZIP)" in page
    assert "houseboat import houseboat-export FOLDER" in page


def test_an_upload_refused_by_the_csrf_check_is_deleted(campaign_a, bob):
    stale_tab = Client(enforce_csrf_checks=True)
    stale_tab.force_login(bob)
    stale_tab.cookies["csrftoken"] = "a" * 32  # the browser's token changed since the form
    form = {"campaign": "free-the-ten", "format": "x-ndjson", "csrfmiddlewaretoken": "b" * 32}
    file = SimpleUploadedFile("search.jsonl", ndjson(three_tweet_page()))

    refused = stale_tab.post(URL, {**form, "file": file})

    assert refused.status_code == 403
    assert not ImportJob.objects.exists()
    assert uploaded_files() == []


def test_an_upload_that_fails_in_the_middle_of_the_view_is_deleted(campaign_a, as_bob, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(jobs, "queue_import", broken)
    with pytest.raises(RuntimeError):
        upload(as_bob, "search.jsonl", ndjson(three_tweet_page()))

    assert uploaded_files() == []
