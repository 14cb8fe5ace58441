"""Alerts on imported items are raised by the worker after the items are stored, once each."""

import sqlite3
from contextlib import closing

import pytest

from houseboat.campaigns.models import Campaign
from houseboat.core.worker import load_lane
from houseboat.listening.alerting import check_campaign, check_new_items
from houseboat.listening.imports import run_import
from houseboat.listening.models import AlertCheckpoint, Item
from houseboat.safety.models import Alert
from tests.core.test_cli import houseboat
from tests.listening.samples import ndjson, v2_page, v2_tweet, write

pytestmark = pytest.mark.django_db

THREAT = "We know where you live. Stop your campaign."
ORDINARY = "The trial of the Ten resumes on Monday at 9:00."


def page_file(tmp_path, name: str, *tweets: tuple[str, str]):
    page = v2_page([v2_tweet(tweet_id, text) for tweet_id, text in tweets])
    return write(tmp_path / name, ndjson(page))


def test_an_import_stores_its_items_and_leaves_the_alert_check_to_the_worker(campaign_a, tmp_path):
    path = page_file(tmp_path, "a.jsonl", ("1", THREAT), ("2", ORDINARY))
    run_import(campaign=campaign_a, format="x-ndjson", path=path)
    assert Item.objects.count() == 2
    assert Alert.objects.count() == 0
    assert check_new_items("worker-1") == 2
    alert = Alert.objects.get()
    assert (alert.remote_id, alert.team, alert.campaign) == ("1", campaign_a.team, campaign_a)


def test_the_step_checks_each_item_once_and_then_finds_nothing_to_do(campaign_a, tmp_path):
    run_import(
        campaign=campaign_a, format="x-ndjson", path=page_file(tmp_path, "a.jsonl", ("1", THREAT))
    )
    assert check_new_items("worker-1") == 1
    assert check_new_items("worker-1") == 0
    run_import(
        campaign=campaign_a,
        format="x-ndjson",
        path=page_file(tmp_path, "b.jsonl", ("1", THREAT), ("3", "Stop or we will kill you")),
    )
    assert check_new_items("worker-1") == 1  # only item 3 is new
    assert sorted(Alert.objects.values_list("remote_id", flat=True)) == ["1", "3"]


def test_a_check_done_again_from_an_old_checkpoint_raises_no_second_alert(campaign_a, tmp_path):
    run_import(
        campaign=campaign_a, format="x-ndjson", path=page_file(tmp_path, "a.jsonl", ("1", THREAT))
    )
    check_new_items("worker-1")
    # As after a crash between the alert and the checkpoint: the same items come round again.
    AlertCheckpoint.objects.filter(campaign=campaign_a).update(item_id=0)
    assert check_new_items("worker-1") == 1
    assert Alert.objects.count() == 1


def test_each_campaign_has_its_own_checkpoint(campaign_a, team_b, tmp_path):
    campaign_b = Campaign.objects.create(team=team_b, name="Harbour", slug="harbour")
    run_import(
        campaign=campaign_a, format="x-ndjson", path=page_file(tmp_path, "a.jsonl", ("1", THREAT))
    )
    run_import(
        campaign=campaign_b, format="x-ndjson", path=page_file(tmp_path, "b.jsonl", ("1", THREAT))
    )
    assert check_campaign(campaign_a) == 1
    assert Alert.objects.filter(campaign=campaign_b).count() == 0
    assert check_new_items("worker-1") == 1
    assert Alert.objects.filter(campaign=campaign_b).count() == 1


def test_the_step_reads_at_most_its_batch_and_goes_on_next_round(campaign_a, tmp_path):
    tweets = [(str(n), THREAT if n % 2 else ORDINARY) for n in range(1, 8)]
    run_import(campaign=campaign_a, format="x-ndjson", path=page_file(tmp_path, "a.jsonl", *tweets))
    assert check_campaign(campaign_a, limit=3) == 3
    assert check_campaign(campaign_a, limit=3) == 3
    assert check_campaign(campaign_a, limit=3) == 1
    assert Alert.objects.count() == 4


def test_the_alert_step_runs_in_the_reading_lane():
    assert check_new_items in load_lane("reading")


def test_the_worker_command_raises_the_alert_of_an_imported_threat(tmp_path):
    data = tmp_path / "data"
    assert houseboat("migrate", "-v0", data_dir=data).returncode == 0
    houseboat("team", "create", "Harbour Watch", data_dir=data)
    houseboat("campaign", "create", "--team", "harbour-watch", "--name", "Open", data_dir=data)
    path = page_file(tmp_path, "a.jsonl", ("1", THREAT), ("2", ORDINARY))
    done = houseboat("import", "x-ndjson", str(path), "--campaign", "open", data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "The background worker (houseboat worker) checks the new items" in done.stdout
    worker = houseboat("worker", "--once", data_dir=data)
    assert worker.returncode == 0, worker.stderr
    with closing(sqlite3.connect(data / "houseboat.sqlite3")) as db:
        alerts = db.execute("SELECT network, remote_id FROM safety_alert").fetchall()
    assert alerts == [("x", "1")]
