"""The ingest pipeline: one path for live reads and imports, de-duplicated, resumable."""

import hashlib
import zlib
from datetime import UTC, datetime

import pytest

from houseboat.connectors.base import Metrics, RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.listening.constants import CaptureState
from houseboat.listening.imports import ImportStopped, capture_live, run_import
from houseboat.listening.ingest import Pipeline, canonical_json
from houseboat.listening.models import (
    Author,
    Capture,
    HourlyCount,
    Item,
    ItemHashtag,
    ItemMedia,
    MetricSnapshot,
)
from tests.listening.samples import LATER, ndjson, three_tweet_page, v2_page, v2_tweet, write

pytestmark = pytest.mark.django_db


def remote(remote_id: str, text: str, **kwargs) -> RemoteItem:
    return RemoteItem(
        network="mastodon",
        remote_id=remote_id,
        text=text,
        created_at=kwargs.pop("created_at", datetime(2024, 5, 28, 10, 5, tzinfo=UTC)),
        author=kwargs.pop("author", RemoteAuthor("109", "@ana@example.social", "Ana")),
        raw=kwargs.pop("raw", {"id": remote_id, "content": text}),
        **kwargs,
    )


def counts() -> dict[str, int]:
    return {
        "items": Item.objects.count(),
        "authors": Author.objects.count(),
        "hashtags": ItemHashtag.objects.count(),
        "media": ItemMedia.objects.count(),
        "snapshots": MetricSnapshot.objects.count(),
        "hourly": sum(HourlyCount.objects.values_list("count", flat=True)),
    }


def test_live_read_items_are_stored_with_entities_found_in_their_text(campaign_a):
    capture = capture_live(
        campaign=campaign_a,
        items=[
            remote("1", "Day 100 #FreeTheTen with @bea@example.org — see https://example.org/ten."),
            remote(
                "2", "Nothing to extract here", media=[RemoteMedia("https://example.social/a.png")]
            ),
        ],
        network="mastodon",
        source="hashtag FreeTheTen",
    )
    assert capture.state == CaptureState.DONE
    assert capture.items_new == 2
    first = Item.objects.get(remote_id="1")
    assert first.hashtags == ["FreeTheTen"]
    assert first.mentions == ["bea@example.org"]
    assert first.links == ["https://example.org/ten"]
    assert first.author.handle == "@ana@example.social"
    assert first.raw_payload() == {"id": "1", "content": first.text}
    assert Item.objects.get(remote_id="2").has_media
    assert list(ItemHashtag.objects.values_list("tag", flat=True)) == ["freetheten"]


def test_tags_a_record_carries_are_kept_and_not_guessed_from_text(campaign_a):
    capture_live(
        campaign=campaign_a,
        items=[remote("1", "words #notthis", hashtags=["#Given"], mentions=["@someone"])],
        network="mastodon",
        source="test",
    )
    item = Item.objects.get()
    assert item.hashtags == ["Given"]
    assert item.mentions == ["someone"]


def test_a_record_without_an_id_is_skipped_by_a_live_capture(campaign_a):
    capture = capture_live(
        campaign=campaign_a, items=[remote("", "no id"), remote("2", "ok")], network="m", source="t"
    )
    assert capture.items_new == 1
    assert capture.records_skipped == 1


def test_reimport_adds_nothing_and_loses_nothing(campaign_a, tmp_path):
    path = write(tmp_path / "search.jsonl", ndjson(three_tweet_page()))
    first = run_import(campaign=campaign_a, format="x-ndjson", path=path)
    before = counts()
    assert before["items"] == 3
    second = run_import(campaign=campaign_a, format="x-ndjson", path=path)
    assert counts() == before
    assert (second.items_new, second.items_known, second.snapshots_new) == (0, 3, 0)
    assert first.pk != second.pk


def test_the_same_post_twice_in_one_batch_is_stored_once(campaign_a):
    items = [remote("1", "same"), remote("1", "same")]
    capture = capture_live(campaign=campaign_a, items=items, network="mastodon", source="t")
    assert Item.objects.count() == 1
    assert (capture.items_new, capture.items_known) == (1, 1)


def test_a_newer_capture_keeps_the_metric_history(campaign_a, tmp_path):
    old = write(tmp_path / "old.jsonl", ndjson(v2_page([v2_tweet("11", "Free them", likes=1)])))
    new = write(
        tmp_path / "new.jsonl",
        ndjson(v2_page([v2_tweet("11", "Free them", likes=40)], retrieved_at=LATER)),
    )
    run_import(campaign=campaign_a, format="x-ndjson", path=old)
    later = run_import(campaign=campaign_a, format="x-ndjson", path=new)
    item = Item.objects.get()
    assert item.metrics["likes"] == 1  # the first capture is never changed
    snapshot = item.snapshots.get()
    assert snapshot.metrics["likes"] == 40
    assert snapshot.captured_at == datetime(2024, 5, 29, 12, tzinfo=UTC)
    assert snapshot.capture == later
    assert later.snapshots_new == 1
    # The newer capture imported again adds no second snapshot.
    run_import(campaign=campaign_a, format="x-ndjson", path=new)
    assert MetricSnapshot.objects.count() == 1


def test_hourly_counts_add_up_overall_and_per_hashtag(campaign_a, tmp_path):
    path = write(tmp_path / "search.jsonl", ndjson(three_tweet_page()))
    run_import(campaign=campaign_a, format="x-ndjson", path=path)
    rows = {
        (row.hour.hour, row.hashtag): row.count
        for row in HourlyCount.objects.filter(campaign=campaign_a)
    }
    assert rows == {
        (10, ""): 1,
        (10, "freetheten"): 1,
        (11, ""): 2,
        (11, "freetheten"): 2,
        (11, "pressfreedom"): 1,
    }


def test_items_of_one_campaign_do_not_collide_with_another(campaign_a, team_a, tmp_path):
    other = campaign_a.__class__.objects.create(team=team_a, name="Other", slug="other")
    path = write(tmp_path / "search.jsonl", ndjson(three_tweet_page()))
    run_import(campaign=campaign_a, format="x-ndjson", path=path)
    run_import(campaign=other, format="x-ndjson", path=path)
    assert Item.objects.filter(campaign=other).count() == 3
    assert Author.objects.count() == 2  # authors are shared network identities


def test_a_stopped_import_resumes_where_it_stopped_without_duplicates(
    campaign_a, tmp_path, monkeypatch
):
    tweets = [
        v2_tweet(str(100 + n), f"post {n} #FreeTheTen", hashtags=("FreeTheTen",)) for n in range(7)
    ]
    path = write(tmp_path / "search.jsonl", ndjson(v2_page(tweets[:4]), v2_page(tweets[4:])))
    real_write = Pipeline.write
    calls = []

    def crash_on_third_batch(self, batch):
        calls.append(len(batch))
        if len(calls) == 3:
            raise OSError("No space left on device")
        return real_write(self, batch)

    monkeypatch.setattr(Pipeline, "write", crash_on_third_batch)
    with pytest.raises(ImportStopped, match=r"stopped after 4 records.*No space left"):
        run_import(campaign=campaign_a, format="x-ndjson", path=path, batch_size=2)
    stopped = Capture.objects.get()
    assert (stopped.state, stopped.position) == (CaptureState.FAILED, 4)
    assert Item.objects.count() == 4

    monkeypatch.setattr(Pipeline, "write", real_write)
    resumed = run_import(campaign=campaign_a, format="x-ndjson", path=path, batch_size=2)
    assert resumed.pk == stopped.pk
    assert resumed.state == CaptureState.DONE
    assert (resumed.records_read, resumed.items_new, resumed.items_known) == (7, 7, 0)
    assert Item.objects.count() == 7
    assert HourlyCount.objects.get(hashtag="").count == 7


def test_payload_chain_is_the_same_whether_resumed_or_not(
    campaign_a, team_a, tmp_path, monkeypatch
):
    tweets = [v2_tweet(str(100 + n), f"post {n}") for n in range(5)]
    path = write(tmp_path / "search.jsonl", ndjson(v2_page(tweets)))
    other = campaign_a.__class__.objects.create(team=team_a, name="Other", slug="other")
    whole = run_import(campaign=other, format="x-ndjson", path=path, batch_size=2)

    real_write = Pipeline.write
    calls = []

    def crash_once(self, batch):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk gone")
        return real_write(self, batch)

    monkeypatch.setattr(Pipeline, "write", crash_once)
    with pytest.raises(ImportStopped):
        run_import(campaign=campaign_a, format="x-ndjson", path=path, batch_size=2)
    monkeypatch.setattr(Pipeline, "write", real_write)
    resumed = run_import(campaign=campaign_a, format="x-ndjson", path=path, batch_size=2)
    assert resumed.payloads_sha256 == whole.payloads_sha256 != "0" * 64


def test_raw_payloads_are_stored_compressed_as_canonical_json(campaign_a):
    raw = {"b": 1, "a": "é"}
    capture_live(campaign=campaign_a, items=[remote("1", "x", raw=raw)], network="m", source="t")
    item = Item.objects.get()
    assert zlib.decompress(bytes(item.raw)) == canonical_json(raw) == '{"a":"é","b":1}'.encode()
    assert item.raw_sha256 == hashlib.sha256(canonical_json(raw)).hexdigest()


def test_metrics_keep_only_what_the_network_gave(campaign_a):
    capture_live(
        campaign=campaign_a,
        items=[remote("1", "x", metrics=Metrics(likes=3, reposts=None))],
        network="m",
        source="t",
    )
    assert Item.objects.get().metrics == {"likes": 3}


def test_the_language_is_detected_offline_when_the_source_does_not_give_it(campaign_a):
    capture_live(
        campaign=campaign_a,
        items=[
            remote("1", "Liberen a los diez periodistas detenidos sin cargos desde mayo"),
            remote("2", "Free the ten journalists held without charge", language="en"),
            remote("3", "#FreeTheTen ✊"),
        ],
        network="mastodon",
        source="test",
    )
    languages = dict(Item.objects.values_list("remote_id", "language"))
    assert languages == {"1": "es", "2": "en", "3": ""}  # too little text to guess is no guess
