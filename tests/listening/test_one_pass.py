"""A file is read once: written as it is read, by a second process when large, and a file
found bad part-way still imports nothing."""

import pytest

from houseboat.listening import analytics
from houseboat.listening.alerting import check_new_items
from houseboat.listening.constants import CaptureState
from houseboat.listening.importers import get_importer
from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.imports import run_import
from houseboat.listening.models import (
    AuthorCount,
    Capture,
    HashtagPair,
    HourlyCount,
    Item,
    ItemHashtag,
)
from houseboat.safety.models import Alert
from tests.listening.samples import ndjson, v2_page, v2_tweet, write

pytestmark = pytest.mark.django_db

THREAT = "We know where you live. Stop your campaign."


def pages(count: int, *, first: int = 100, per_page: int = 3) -> list[dict]:
    tweets = [
        v2_tweet(
            str(first + n),
            f"post {n} #FreeTheTen #Justice{n % 2}",
            hashtags=("FreeTheTen", f"Justice{n % 2}"),
            author_id="783214" if n % 3 else "2244994945",
        )
        for n in range(count)
    ]
    return [v2_page(tweets[i : i + per_page]) for i in range(0, count, per_page)]


def rollups(campaign) -> tuple:
    return (
        sorted(HourlyCount.objects.filter(campaign=campaign).values_list("hashtag", "count")),
        sorted(AuthorCount.objects.filter(campaign=campaign).values_list("posts", "reposts")),
        sorted(HashtagPair.objects.filter(campaign=campaign).values_list("tag", "other", "count")),
    )


def test_the_importer_reads_the_file_once(campaign_a, tmp_path, monkeypatch):
    path = write(tmp_path / "s.jsonl", ndjson(*pages(7)))
    importer = get_importer("x-ndjson")
    real, reads = importer.read, []

    def counted(*args, **kwargs):
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "read", counted)
    run_import(campaign=campaign_a, format="x-ndjson", path=path, batch_size=2)
    assert len(reads) == 1
    assert Item.objects.count() == 7


def test_a_second_process_stores_the_same_as_one(campaign_a, team_a, tmp_path):
    path = write(tmp_path / "s.jsonl", ndjson(*pages(11)))
    other = campaign_a.__class__.objects.create(team=team_a, name="Other", slug="other")
    alone = run_import(campaign=campaign_a, format="x-ndjson", path=path, parallel=False)
    paired = run_import(campaign=other, format="x-ndjson", path=path, batch_size=4, parallel=True)
    assert paired.payloads_sha256 == alone.payloads_sha256
    assert (paired.items_new, paired.state) == (11, CaptureState.DONE)
    fields = ("remote_id", "text", "raw_sha256", "hashtags", "author__remote_id", "created_at")
    assert list(Item.objects.filter(campaign=other).order_by("remote_id").values_list(*fields)) == (
        list(Item.objects.filter(campaign=campaign_a).order_by("remote_id").values_list(*fields))
    )
    assert rollups(other) == rollups(campaign_a)


def test_a_bad_line_read_by_the_second_process_is_reported_and_nothing_is_kept(
    campaign_a, tmp_path
):
    path = write(tmp_path / "s.jsonl", ndjson(*pages(9)) + b"{broken\n")
    with pytest.raises(ImportFileError, match="line 4: the line is not valid JSON"):
        run_import(campaign=campaign_a, format="x-ndjson", path=path, batch_size=2, parallel=True)
    assert Item.objects.count() == 0


def test_keep_going_in_the_second_process_counts_what_it_skipped(campaign_a, tmp_path):
    path = write(
        tmp_path / "s.jsonl", ndjson(*pages(6)) + b"{broken\n" + ndjson(*pages(3, first=9))
    )
    capture = run_import(
        campaign=campaign_a,
        format="x-ndjson",
        path=path,
        keep_going=True,
        batch_size=2,
        parallel=True,
    )
    assert (capture.records_skipped, capture.items_new) == (1, 9)


def test_a_bad_line_after_batches_were_written_takes_them_out_again(campaign_a, tmp_path):
    earlier = write(tmp_path / "earlier.jsonl", ndjson(*pages(2, first=900)))
    run_import(campaign=campaign_a, format="x-ndjson", path=earlier)
    before = rollups(campaign_a)
    # Batches of 2: six posts are written before the broken last line is met.
    path = write(tmp_path / "s.jsonl", ndjson(*pages(6), v2_page([v2_tweet("900", "known")])))
    path.write_bytes(path.read_bytes() + b'{"data": [{"id": "7", "text": ')
    with pytest.raises(ImportFileError, match="cut off"):
        run_import(campaign=campaign_a, format="x-ndjson", path=path, batch_size=2)
    assert sorted(Item.objects.values_list("remote_id", flat=True)) == ["900", "901"]
    assert ItemHashtag.objects.count() == 4  # the earlier file's two posts, two tags each
    assert rollups(campaign_a) == before
    failed = Capture.objects.get(source_name="s.jsonl")
    assert (failed.state, failed.position, failed.items_new) == (CaptureState.FAILED, 0, 0)
    assert "Nothing was imported" in failed.error or "cut off" in failed.error


def test_the_fixed_file_then_imports_whole(campaign_a, tmp_path):
    path = write(tmp_path / "s.jsonl", ndjson(*pages(6)) + b"{broken\n")
    with pytest.raises(ImportFileError):
        run_import(campaign=campaign_a, format="x-ndjson", path=path, batch_size=2)
    path.write_bytes(ndjson(*pages(6)))
    capture = run_import(campaign=campaign_a, format="x-ndjson", path=path, batch_size=2)
    assert (capture.items_new, Item.objects.count()) == (6, 6)
    assert HourlyCount.objects.get(campaign=campaign_a, hashtag="").count == 6


def test_the_alert_check_waits_for_an_import_still_running(campaign_a, tmp_path, monkeypatch):
    path = write(tmp_path / "s.jsonl", ndjson(v2_page([v2_tweet("1", THREAT)])) + b"{broken\n")
    from houseboat.listening import imports

    real_undo, checked = imports.undo_capture, []

    def check_then_undo(capture):
        checked.append(check_new_items("worker-1"))  # the worker, while the import runs
        return real_undo(capture)

    monkeypatch.setattr(imports, "undo_capture", check_then_undo)
    with pytest.raises(ImportFileError):
        run_import(campaign=campaign_a, format="x-ndjson", path=path)
    assert checked == [0]
    assert Alert.objects.count() == 0
    assert check_new_items("worker-1") == 0


def test_a_purge_recounts_the_rollups_as_ingest_counted_them(campaign_a, tmp_path):
    run_import(
        campaign=campaign_a, format="x-ndjson", path=write(tmp_path / "s.jsonl", ndjson(*pages(8)))
    )
    counted = rollups(campaign_a)
    analytics.rebuild(campaign_a)
    assert rollups(campaign_a) == counted


def test_authors_forgotten_between_batches_are_looked_up_again(campaign_a, tmp_path, monkeypatch):
    from houseboat.listening import ingest

    monkeypatch.setattr(ingest, "MAX_AUTHORS_REMEMBERED", 1)
    path = write(tmp_path / "s.jsonl", ndjson(*pages(9)))
    run_import(campaign=campaign_a, format="x-ndjson", path=path, batch_size=2)
    assert not Item.objects.filter(author__isnull=True).exists()
    assert sorted(Item.objects.values_list("author__remote_id", flat=True).distinct()) == [
        "2244994945",
        "783214",
    ]


def test_the_items_of_an_import_that_crashed_long_ago_are_checked(campaign_a, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    path = write(tmp_path / "s.jsonl", ndjson(v2_page([v2_tweet("1", THREAT)])))
    capture = run_import(campaign=campaign_a, format="x-ndjson", path=path)
    # As after kill -9: still marked running, silent for longer than the import's lease.
    Capture.objects.filter(pk=capture.pk).update(
        state=CaptureState.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    assert check_new_items("worker-1") == 1
    assert Alert.objects.count() == 1
