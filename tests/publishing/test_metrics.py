"""Metrics after publishing: read on a schedule, every reading kept, one channel's
trouble never stopping the others. The networks answer from recorded fixtures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houseboat.connectors.constants import ChannelStatus
from houseboat.connectors.models import Channel
from houseboat.core.models import Team, User
from houseboat.publishing import metrics
from houseboat.publishing.constants import DeliveryState, PostStatus
from houseboat.publishing.models import Delivery, MetricSample, MetricSchedule, Post, Variant
from tests.connectors.replay import assert_sent, load, response_for, route, transport

MASTODON_TOKEN = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
X_TOKEN = "QUNDRVNTLXRva2VuLTIwMjY6MToxOmF0OjE"
X_POST = "1445880548472328192"
X_GONE = "1445880548472328193"
SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(assert_all_called=False)


@pytest.fixture
def mastodon_channel(team_a) -> Channel:
    return Channel.objects.create(
        team=team_a,
        network="mastodon",
        name="Mastodon — main",
        config={"base_url": "https://mastodon.social"},
        secrets={"access_token": MASTODON_TOKEN},
    )


@pytest.fixture
def x_channel(team_a) -> Channel:
    return Channel.objects.create(
        team=team_a,
        network="x",
        name="X — main",
        config={"client_id": "rG9n6402A3dbUJKzXTNX4oWHJ"},
        secrets={"access_token": X_TOKEN, "refresh_token": "b2xkLXJlZnJlc2gtdG9rZW46MToxOnJ0OjE"},
    )


@pytest.fixture
def author(team_a) -> User:
    return User.objects.create_user(username="bob")


def sent(channel: Channel, *remote_ids: str, at: datetime = SENT) -> list[Delivery]:
    """Deliveries of one post that went out on this channel at ``at``."""
    author = User.objects.get(username="bob")
    post = Post.objects.create(
        team=channel.team, author=author, text="Free the Ten", status=PostStatus.SENT
    )
    variant = Variant.objects.create(post=post, channel=channel)
    return Delivery.objects.bulk_create(
        Delivery(
            variant=variant,
            part=index,
            text="Free the Ten",
            state=DeliveryState.SENT,
            due_at=at,
            sent_at=at,
            remote_id=remote_id,
        )
        for index, remote_id in enumerate(remote_ids)
    )


def collect(router: respx.Router, at: datetime, name: str = "worker-1") -> int:
    return metrics.collect(name, now=at, transport=transport(router))


def samples(delivery: Delivery) -> list[tuple]:
    return list(
        MetricSample.objects.filter(delivery=delivery)
        .order_by("captured_at")
        .values_list("replies", "reposts", "likes", "quotes", "views")
    )


def schedule(delivery: Delivery) -> MetricSchedule:
    return MetricSchedule.objects.get(delivery=delivery)


def fixture_answer(network: str, name: str, **headers: str) -> httpx.Response:
    """A recorded answer, with some headers changed (a reset time in the future)."""
    recorded = load(network, name)
    recorded["response"]["headers"] = {**recorded["response"].get("headers", {}), **headers}
    return response_for(recorded)


def test_collecting_is_a_step_of_the_reading_lane():
    assert "houseboat.publishing.metrics.collect_due" in settings.HOUSEBOAT_WORKER_LANES["reading"]


def test_an_hour_after_sending_each_posts_counts_are_kept(
    router, author, mastodon_channel, x_channel
):
    toot, gone_toot = sent(mastodon_channel, "1", "2")
    tweet, gone_tweet = sent(x_channel, X_POST, X_GONE)
    index = route(router, load("mastodon", "statuses_index"))
    lookup = route(router, load("x", "tweets_lookup_metrics"))

    assert collect(router, SENT + HOUR) == 2

    assert_sent(index.calls.last.request, load("mastodon", "statuses_index"))
    assert_sent(lookup.calls.last.request, load("x", "tweets_lookup_metrics"))
    assert index.call_count == 1 and lookup.call_count == 1  # one call per channel
    assert samples(toot) == [(7, 98, 112, None, None)]  # Mastodon reports no views
    assert samples(tweet) == [(1, 4, 17, 2, 880)]
    assert schedule(toot).next_at == SENT + timedelta(hours=6)
    # Posts the network no longer has are no longer asked about.
    for gone in (gone_toot, gone_tweet):
        assert samples(gone) == []
        assert schedule(gone).next_at is None
        assert "no longer on the network" in schedule(gone).last_error


def test_readings_follow_the_schedule_keep_their_history_and_then_stop(
    router, author, mastodon_channel
):
    (toot,) = sent(mastodon_channel, "1")
    index = route(router, load("mastodon", "statuses_index"))

    times = [HOUR, 2 * HOUR, 6 * HOUR, timedelta(days=1), timedelta(days=3)]
    times += [timedelta(days=7), timedelta(days=8), timedelta(days=30)]
    readings = [collect(router, SENT + after) for after in times]

    assert readings == [1, 0, 1, 1, 1, 1, 0, 0]
    assert index.call_count == 5
    assert len(samples(toot)) == 5
    assert [s.captured_at - SENT for s in metrics.history(toot)] == [
        HOUR,
        6 * HOUR,
        timedelta(days=1),
        timedelta(days=3),
        timedelta(days=7),
    ]
    assert schedule(toot).next_at is None


def test_a_late_reading_skips_the_steps_it_overran(router, author, mastodon_channel):
    (toot,) = sent(mastodon_channel, "1")
    route(router, load("mastodon", "statuses_index"))

    assert collect(router, SENT + timedelta(days=2)) == 1

    row = schedule(toot)
    assert (row.step, row.next_at) == (3, SENT + timedelta(days=3))


def test_a_rate_limited_channel_waits_and_the_others_go_on(
    router, author, mastodon_channel, x_channel
):
    (toot,) = sent(mastodon_channel, "1")
    (tweet,) = sent(x_channel, X_POST)
    until = SENT + 3 * HOUR
    slow = fixture_answer(
        "mastodon", "status_create_rate_limited", **{"X-RateLimit-Reset": until.isoformat()}
    )
    index = router.get("https://mastodon.social/api/v1/statuses").mock(return_value=slow)
    route(router, load("x", "tweets_lookup_metrics"))

    assert collect(router, SENT + HOUR) == 1

    assert samples(tweet) == [(1, 4, 17, 2, 880)]
    assert samples(toot) == []
    row = schedule(toot)
    assert (row.step, row.next_at, row.lease_owner) == (0, until, "")
    mastodon_channel.refresh_from_db()
    assert mastodon_channel.rate_limited_until is None  # publishing is not held back

    index.mock(return_value=response_for(load("mastodon", "statuses_index")))
    assert collect(router, until) == 1
    assert samples(toot) == [(7, 98, 112, None, None)]


def test_a_revoked_token_is_shown_on_the_channel_and_the_channel_is_skipped(
    router, author, mastodon_channel, x_channel
):
    (toot,) = sent(mastodon_channel, "1")
    (tweet,) = sent(x_channel, X_POST)
    revoked = router.get("https://mastodon.social/api/v1/statuses").mock(
        return_value=response_for(load("mastodon", "verify_credentials_revoked"))
    )
    route(router, load("x", "tweets_lookup_metrics"))

    assert collect(router, SENT + HOUR) == 1

    assert samples(tweet) == [(1, 4, 17, 2, 880)]
    mastodon_channel.refresh_from_db()
    assert mastodon_channel.status == ChannelStatus.NEEDS_RECONNECT
    assert mastodon_channel.last_error
    assert schedule(toot).next_at == SENT + HOUR + metrics.RECONNECT_WAIT

    # Until someone reconnects it, the channel is not asked again.
    collect(router, SENT + HOUR + metrics.RECONNECT_WAIT)
    assert revoked.call_count == 1
    assert samples(toot) == []


def test_an_unexpected_fault_in_one_channel_does_not_stop_the_others(
    router, author, mastodon_channel, x_channel
):
    (toot,) = sent(mastodon_channel, "1")
    (tweet,) = sent(x_channel, X_POST)
    router.get("https://mastodon.social/api/v1/statuses").mock(side_effect=ZeroDivisionError)
    route(router, load("x", "tweets_lookup_metrics"))

    assert collect(router, SENT + HOUR) == 1
    assert samples(tweet) == [(1, 4, 17, 2, 880)]
    assert schedule(toot).next_at == SENT + HOUR + metrics.RETRY_AFTER


def test_posts_on_channels_that_report_no_metrics_are_not_followed(router, author, team_a):
    telegram = Channel.objects.create(
        team=team_a, network="telegram", name="Telegram", config={"chat_id": "@x"}
    )
    sent(telegram, "17")
    assert "telegram" not in metrics.metric_networks()
    assert collect(router, SENT + HOUR) == 0
    assert not MetricSchedule.objects.exists()


def test_two_workers_never_read_the_same_post_at_once(router, author, mastodon_channel):
    sent(mastodon_channel, "1", "2", "3")
    now = SENT + HOUR
    metrics.enrol(now)

    first = metrics.claim("worker-1", now)
    assert len(first) == 3
    assert metrics.claim("worker-2", now) == []
    # A worker that died holding them lets them go when its lease runs out.
    assert len(metrics.claim("worker-2", now + metrics.LEASE + HOUR)) == 3


def test_the_query_count_does_not_grow_with_the_batch(router, author, mastodon_channel, x_channel):
    route(router, load("mastodon", "statuses_index"))
    route(router, load("x", "tweets_lookup_metrics"))

    def queries_for(count: int) -> int:
        MetricSchedule.objects.all().delete()
        Delivery.objects.all().delete()
        sent(mastodon_channel, *[str(n) for n in range(1, count + 1)])
        sent(x_channel, X_POST, *[str(n) for n in range(count)])
        with CaptureQueriesContext(connection) as captured:
            collect(router, SENT + HOUR)
        return len(captured)

    assert queries_for(3) == queries_for(60)


def test_an_old_post_is_not_enrolled_when_collecting_begins(router, author, mastodon_channel):
    (old,) = sent(mastodon_channel, "1", at=timezone.now() - timedelta(days=30))
    assert metrics.enrol(timezone.now()) == 0
    assert not MetricSchedule.objects.filter(delivery=old).exists()


def test_a_second_team_is_collected_in_the_same_round(router, author, mastodon_channel):
    team_b = Team.objects.create(name="Team B", slug="team-b")
    other = Channel.objects.create(
        team=team_b,
        network="mastodon",
        name="B",
        config={"base_url": "https://mastodon.social"},
        secrets={"access_token": MASTODON_TOKEN},
    )
    (ours,) = sent(mastodon_channel, "1")
    (theirs,) = sent(other, "1")
    index = route(router, load("mastodon", "statuses_index"))

    assert collect(router, SENT + HOUR) == 2
    assert index.call_count == 2  # one call per channel, each with its own token
    assert samples(ours) == samples(theirs) == [(7, 98, 112, None, None)]
