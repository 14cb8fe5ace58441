"""The reading lane's column poll, against a Mastodon tag timeline on a real socket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from houseboat.connectors.base import Connector
from houseboat.connectors.models import Channel
from houseboat.core import worker
from houseboat.listening import columns, polling
from houseboat.listening.constants import CaptureKind
from houseboat.listening.models import Capture, Column, ColumnItem, CustodyRecord, Item
from houseboat.safety.models import Alert
from tests.connectors.fixture_server import serving
from tests.listening.mastodon_server import (
    RATE_LIMITED,
    REVOKED,
    UNAVAILABLE,
    MastodonServer,
    mastodon,
    status,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server():
    with mastodon() as running:
        yield running


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """The HTTP wrapper's retry naps between attempts take no time here."""
    monkeypatch.setattr(Connector, "sleep", staticmethod(lambda seconds: None))


def tag_column(campaign, server: MastodonServer, **fields) -> Column:
    channel = Channel.objects.create(
        team=campaign.team,
        network="mastodon",
        name="Mastodon — main",
        config={"base_url": server.base_url, "allow_private_network": True},
        secrets={"access_token": "a-token-for-the-test-server"},
    )
    return Column.objects.create(
        campaign=campaign, channel=channel, kind="hashtag", query="cats", **fields
    )


def make_due(column: Column) -> None:
    Column.objects.filter(pk=column.pk).update(next_poll_at=timezone.now())


def texts(column: Column) -> list[str]:
    return sorted(
        Item.objects.filter(column_links__column=column).values_list("text", flat=True),
        key=lambda text: int(text.split()[2]),
    )


def numbers(column: Column) -> list[int]:
    return [int(text.split()[2]) for text in texts(column)]


def test_a_column_stores_new_posts_once_and_its_cursor_survives_a_restart(campaign_a, server):
    server.post(1, 2, 3)
    column = tag_column(campaign_a, server)

    assert polling.poll_due("worker-1") == 1
    assert numbers(column) == [1, 2, 3]
    column.refresh_from_db()
    assert column.cursor == status(3)["id"]
    assert column.items_new == 3 and column.failures == 0
    assert column.next_poll_at > timezone.now() + timedelta(seconds=60)

    # Not due yet: nothing is read.
    assert polling.poll_due("worker-1") == 0

    # A new worker process (a restart) reads from the stored cursor, not from the start.
    server.post(4, 5)
    make_due(column)
    assert polling.poll_due("worker-2") == 1
    assert server.seen[-1].endswith(f"min_id={status(3)['id']}")
    assert numbers(column) == [1, 2, 3, 4, 5]
    assert Item.objects.filter(campaign=campaign_a).count() == 5
    # Each read that brought items is a live capture with its custody record.
    captures = Capture.objects.filter(campaign=campaign_a, kind=CaptureKind.LIVE)
    assert captures.count() == 2
    assert CustodyRecord.objects.filter(capture__in=captures).count() == 2


def test_a_crash_between_read_and_store_reads_again_and_keeps_each_item_once(
    campaign_a, server, monkeypatch
):
    server.post(1, 2)
    column = tag_column(campaign_a, server)

    def crash(*args, **kwargs):
        raise SystemExit("the worker died while storing")

    monkeypatch.setattr(polling, "link_items", crash)
    with pytest.raises(SystemExit):
        polling.poll_due("worker-1")
    column.refresh_from_db()
    assert column.cursor is None
    assert not Item.objects.exists()

    # The dead worker's lease runs out; another worker reads the same posts again.
    monkeypatch.undo()
    Column.objects.filter(pk=column.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert polling.poll_due("worker-2") == 1
    assert numbers(column) == [1, 2]
    assert Item.objects.count() == 2
    assert ColumnItem.objects.filter(column=column).count() == 2


def test_an_item_two_columns_read_is_stored_once_and_shown_in_both(campaign_a, server):
    server.post(1)
    first = tag_column(campaign_a, server)
    second = Column.objects.create(
        campaign=campaign_a, channel=first.channel, kind="hashtag", query="#cats", position=1
    )
    assert polling.poll_due("worker-1") == 2
    assert Item.objects.count() == 1
    assert numbers(first) == numbers(second) == [1]


def test_a_burst_larger_than_a_page_is_read_to_its_end_across_polls(campaign_a, server):
    server.post(0)
    column = tag_column(campaign_a, server, cursor=status(0)["id"])
    # More than one read takes: the reader reads up to 5 pages of 40, then says "more",
    # and the column, due again at once, is read again in the same round.
    server.post(*range(1, 246))

    assert polling.poll_due("worker-1") == 2

    assert numbers(column) == list(range(1, 246))
    assert any(url.endswith(f"min_id={status(200)['id']}") for url in server.seen)
    assert server.seen[-1].endswith(f"min_id={status(240)['id']}")
    column.refresh_from_db()
    assert column.cursor == status(245)["id"]


def test_a_page_that_says_more_makes_the_column_due_again_at_once(campaign_a, server):
    column = tag_column(campaign_a, server)
    page = polling.ReadPage(items=[], cursor=None)
    object.__setattr__(page, "more", True)  # what a connector says in a burst
    later = polling.next_poll(column, Connector(config={}, secrets={}), page)
    assert later <= timezone.now()
    quiet = polling.next_poll(column, Connector(config={}, secrets={}), polling.ReadPage([], None))
    assert quiet > timezone.now() + timedelta(seconds=column.interval_seconds - 5)


def test_a_rate_limit_moves_the_next_poll_to_when_the_network_allows(campaign_a, server):
    reset = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    limited = {**RATE_LIMITED, "headers": {**RATE_LIMITED["headers"]}}
    limited["headers"]["X-RateLimit-Reset"] = reset.isoformat().replace("+00:00", "Z")
    server.answer_next(limited)
    column = tag_column(campaign_a, server)

    polling.poll_due("worker-1")
    column.refresh_from_db()
    assert column.next_poll_at == reset
    assert column.failures == 0 and not column.paused
    assert "slow down" in column.last_error
    assert polling.poll_due("worker-1") == 0  # not before the reset


def test_failures_back_off_longer_each_time_then_pause_the_column_with_its_reason(
    campaign_a, server
):
    column = tag_column(campaign_a, server, interval_seconds=60)
    server.answer_next(UNAVAILABLE, times=3 * polling.MAX_FAILURES)  # 3 attempts a poll
    waits = []
    for _ in range(polling.MAX_FAILURES - 1):
        before = timezone.now()
        polling.poll_due("worker-1")
        column.refresh_from_db()
        waits.append((column.next_poll_at - before).total_seconds())
        make_due(column)
    assert [round(w / 60) for w in waits] == [2, 4, 8, 16]
    assert "server error (503)" in column.last_error and not column.paused

    polling.poll_due("worker-1")
    column.refresh_from_db()
    assert column.paused
    assert column.pause_reason.startswith("Paused after 5 failed reads in a row.")
    assert "server error (503)" in column.pause_reason
    make_due(column)
    assert polling.poll_due("worker-1") == 0  # a paused column is not read


def test_a_revoked_token_pauses_the_column_at_once(campaign_a, server):
    server.answer_next(REVOKED)
    column = tag_column(campaign_a, server)
    polling.poll_due("worker-1")
    column.refresh_from_db()
    assert column.paused and column.failures == 1
    assert "reconnect" in column.pause_reason.lower()


def test_the_reading_lane_polls_columns_and_raises_alerts_on_what_they_read(campaign_a, server):
    from houseboat.safety.models import AlertTerm

    AlertTerm.objects.create(team=campaign_a.team, term="Post number 2", kind="threat")
    server.post(1, 2)
    column = tag_column(campaign_a, server)
    steps = worker.load_lane("reading")
    assert polling.poll_due in steps
    worker.run(once=True, interval=0, stop=__import__("threading").Event(), lanes=["reading"])
    assert numbers(column) == [1, 2]
    assert Alert.objects.filter(campaign=campaign_a, remote_id=status(2)["id"]).exists()


FEED = (Path(__file__).resolve().parents[1] / "fixtures/rss/rss20_cdata.xml").read_text()


@pytest.fixture
def feed_server():
    fixture = {
        "request": {"method": "GET", "url": "http://feeds.example/feed.xml"},
        "response": {
            "status": 200,
            "headers": {"Content-Type": "application/rss+xml"},
            "text": FEED,
        },
    }
    with serving([fixture]) as running:
        yield f"{running.base_url}/feed.xml"


def test_a_feed_column_on_a_private_address_is_paused_unless_allowed(campaign_a, feed_server):
    guarded = columns.add_column(campaign_a, kind="feed", query=feed_server)
    allowed = columns.add_column(
        campaign_a, kind="feed", query=feed_server, allow_private_network=True
    )
    assert polling.poll_due("worker-1") == 2
    guarded.refresh_from_db()
    allowed.refresh_from_db()
    assert guarded.paused and guarded.column_items.count() == 0
    assert guarded.pause_reason.startswith("127.0.0.1 is a private or local address")
    assert "--allow-private-network" in guarded.pause_reason
    assert not allowed.paused and allowed.column_items.count() == 2
    assert set(Item.objects.values_list("network", flat=True)) == {"rss"}


def test_a_spent_read_budget_waits_for_the_limit_to_reset(campaign_a, server):
    column = tag_column(campaign_a, server)
    reset = timezone.now() + timedelta(hours=2)

    class Spent(Connector):
        def read_budget(self):
            return {"remaining": 0, "reset_at": reset}

    class Plenty(Connector):
        def read_budget(self):
            return {"remaining": 250, "reset_at": reset}

    page = polling.ReadPage(items=[], cursor=None)
    assert polling.next_poll(column, Spent(config={}, secrets={}), page) == reset
    assert polling.next_poll(column, Plenty(config={}, secrets={}), page) < reset


def test_a_read_that_cannot_be_stored_counts_as_a_failure_and_the_round_goes_on(
    campaign_a, server, monkeypatch
):
    server.post(1)
    broken = tag_column(campaign_a, server)
    fine = Column.objects.create(
        campaign=campaign_a, channel=broken.channel, kind="hashtag", query="cats", position=1
    )
    real_link_items = polling.link_items

    def fails_for_the_first(column, items):
        if column.pk == broken.pk:
            raise ValueError("disk full")
        return real_link_items(column, items)

    monkeypatch.setattr(polling, "link_items", fails_for_the_first)
    assert polling.poll_due("worker-1") == 1
    broken.refresh_from_db()
    assert broken.failures == 1 and "could not store what it read" in broken.last_error
    assert broken.cursor is None and broken.column_items.count() == 0
    assert numbers(fine) == [1]
