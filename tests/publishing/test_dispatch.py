"""The dispatcher: never lost, never twice, in order, and honest about what it cannot tell."""

import os
import signal
import threading
from datetime import timedelta

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from houseboat.campaigns.models import SitePost
from houseboat.connectors.constants import ChannelStatus
from houseboat.connectors.own_site.connector import OwnSiteConnector
from houseboat.core import worker
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent
from houseboat.publishing import dispatch, services
from houseboat.publishing.constants import DeliveryState, ErrorKind, PostStatus, Resolution
from houseboat.publishing.models import Delivery
from tests.publishing.conftest import come_back, crash_once, expire_leases


def only(post) -> Delivery:
    return Delivery.objects.get(variant__post=post)


# --- the plain path -----------------------------------------------------------------


def test_a_due_post_goes_out_to_each_channel_and_the_post_reads_sent(
    publish, run, mastodon, mastodon_channel, own_site
):
    post = publish("Vigil on Friday at the ministry", mastodon_channel, own_site=True)

    assert run() == 2

    post.refresh_from_db()
    assert post.status == PostStatus.SENT
    sent = {d.variant.channel.network: d for d in Delivery.objects.filter(variant__post=post)}
    assert sent["mastodon"].state == DeliveryState.SENT
    assert sent["mastodon"].remote_url == mastodon.posts[0]["url"]
    assert SitePost.objects.get(pk=sent["own_site"].remote_id).body.startswith("Vigil")
    assert AuditEvent.objects.filter(action=AuditAction.DELIVERY_SENT).count() == 2


def test_a_post_scheduled_for_later_waits_for_its_time(publish, run, mastodon, mastodon_channel):
    publish("Tomorrow", mastodon_channel, at=timezone.now() + timedelta(days=1))
    assert run() == 0
    assert mastodon.publish_calls == 0


def test_the_worker_command_dispatches_what_is_due(publish, own_site, monkeypatch):
    # Inside a test's transaction the worker must not close the test's connection.
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    post = publish("Straight to our own page", own_site)
    call_command("worker", once=True)
    assert only(post).state == DeliveryState.SENT


# --- never twice after a crash between the network's answer and our write ----------


def test_mastodon_makes_one_post_when_a_worker_dies_after_it_answered(
    publish, run, mastodon, mastodon_channel, monkeypatch
):
    post = publish("Free the Ten!", mastodon_channel)
    monkeypatch.setattr(dispatch, "record_sent", crash_once(dispatch.record_sent))

    run("worker-1")  # Mastodon posts it; the worker dies before writing that down
    assert only(post).state == DeliveryState.SENDING
    expire_leases()
    run("worker-2")

    delivery = only(post)
    # Not resent under the key (a server with Mastodon's API may ignore it): found.
    assert mastodon.publish_calls == 1
    assert len(mastodon.posts) == 1
    assert delivery.state == DeliveryState.SENT
    assert delivery.remote_id == mastodon.posts[0]["id"]


def test_the_own_site_makes_one_post_when_a_worker_dies_after_it_published(
    publish, run, own_site, monkeypatch
):
    post = publish("Land we own", own_site)
    monkeypatch.setattr(dispatch, "record_sent", crash_once(dispatch.record_sent))

    run("worker-1")
    expire_leases()
    run("worker-2")

    assert SitePost.objects.filter(body="Land we own").count() == 1
    assert only(post).remote_id == str(SitePost.objects.get(body="Land we own").pk)


def test_x_is_not_posted_twice_when_a_worker_dies_after_it_answered(
    publish, run, x, x_channel, monkeypatch
):
    post = publish("Day 100 of detention. https://example.org/petition", x_channel)
    monkeypatch.setattr(dispatch, "record_sent", crash_once(dispatch.record_sent))

    run("worker-1")
    expire_leases()
    run("worker-2")  # X has no idempotency key: it looks at the account's posts first

    delivery = only(post)
    assert x.publish_calls == 1
    assert delivery.state == DeliveryState.SENT
    assert delivery.remote_id == x.posts[0]["id"]


def test_telegram_after_a_crash_asks_a_person_rather_than_risk_a_second_post(
    publish, run, telegram, telegram_channel, monkeypatch
):
    post = publish("Day 100 of detention", telegram_channel)
    monkeypatch.setattr(dispatch, "record_sent", crash_once(dispatch.record_sent))

    run("worker-1")
    expire_leases()
    run("worker-2")  # a bot cannot list the channel's posts: nobody can tell

    delivery = only(post)
    assert telegram.publish_calls == 1
    assert delivery.state == DeliveryState.UNKNOWN
    assert "Check the account" in delivery.last_error
    assert AuditEvent.objects.filter(action=AuditAction.DELIVERY_UNKNOWN).exists()
    post.refresh_from_db()
    # It needs a person, and is listed as unknown ("check before reposting"), never as
    # failed, which would invite posting it again.
    assert post.status == PostStatus.UNKNOWN
    assert post.get_status_display() == "Unknown — check before reposting"


# --- an answer that never came ------------------------------------------------------


def test_x_after_a_lost_answer_finds_the_post_and_does_not_send_it_again(
    publish, run, x, x_channel
):
    post = publish("Sign the petition", x_channel)
    x.then("drop")  # X posts it, the answer is lost on the way back

    run()
    assert only(post).state == DeliveryState.SCHEDULED  # never again at once: it waits
    come_back()
    run()

    delivery = only(post)
    assert x.publish_calls == 1
    assert delivery.state == DeliveryState.SENT
    assert delivery.remote_id == x.posts[0]["id"]


def test_x_after_a_lost_request_waits_looks_and_sends_once_when_it_is_not_there(
    publish, run, x, x_channel
):
    post = publish("Sign the petition", x_channel)
    x.then("lost")  # the request died before X posted anything; we cannot know that

    run()
    assert x.publish_calls == 1 and only(post).in_doubt
    come_back()
    run()

    delivery = only(post)
    assert x.publish_calls == 2 and len(x.posts) == 1
    assert delivery.state == DeliveryState.SENT
    assert delivery.remote_id == x.posts[0]["id"]


def test_a_same_text_posted_before_the_delivery_started_is_not_taken_for_it(
    publish, run, x, x_channel
):
    x.posts.append(
        {"id": "1", "text": "Sign the petition", "created_at": "2020-01-01T00:00:00.000Z"}
    )
    post = publish("Sign the petition", x_channel)
    x.then("lost")

    run()
    come_back()
    run()

    assert only(post).state == DeliveryState.SENT
    assert only(post).remote_id != "1" and len(x.posts) == 2


def test_when_x_cannot_list_the_posts_the_check_is_tried_again_later(publish, run, x, x_channel):
    x.timeline_works = False
    post = publish("Sign the petition", x_channel)
    x.then("drop")

    run()
    come_back()
    run()

    delivery = only(post)
    assert delivery.state == DeliveryState.SCHEDULED
    assert delivery.in_doubt and delivery.next_attempt_at > timezone.now()
    x.timeline_works = True
    Delivery.objects.update(next_attempt_at=timezone.now())
    run()
    assert only(post).state == DeliveryState.SENT
    assert x.publish_calls == 1


def test_mastodon_after_a_lost_answer_looks_for_the_post_instead_of_resending(
    publish, run, mastodon, mastodon_channel
):
    post = publish("Free the Ten!", mastodon_channel)
    mastodon.then("drop")

    run()
    come_back()
    run()

    assert mastodon.publish_calls == 1 and len(mastodon.posts) == 1
    assert only(post).state == DeliveryState.SENT


def test_mastodon_forgets_keys_after_an_hour_so_an_old_doubt_is_checked_first(
    publish, run, mastodon, mastodon_channel, monkeypatch
):
    post = publish("Free the Ten!", mastodon_channel)
    monkeypatch.setattr(dispatch, "record_sent", crash_once(dispatch.record_sent))
    run("worker-1")
    # Every worker was down for two hours: Mastodon no longer knows the key.
    Delivery.objects.update(first_claimed_at=timezone.now() - timedelta(hours=2))
    mastodon.by_key.clear()
    expire_leases()

    run("worker-2")

    delivery = only(post)
    assert mastodon.publish_calls == 1  # not resent: found among the account's posts
    assert delivery.state == DeliveryState.SENT
    assert delivery.remote_id == mastodon.posts[0]["id"]


# --- leases --------------------------------------------------------------------------


def test_a_live_lease_keeps_other_workers_away(publish, own_site):
    post = publish("Mine", own_site)
    assert [d.pk for d in dispatch.claim("worker-1")] == [only(post).pk]
    assert dispatch.claim("worker-2") == []


def test_an_expired_lease_is_taken_over_by_another_worker(publish, own_site):
    post = publish("Orphaned", own_site)
    [first] = dispatch.claim("worker-1")
    expire_leases()

    [again] = dispatch.claim("worker-2")

    assert again.pk == first.pk
    # Claimed but never tried: it goes out as if nothing had happened.
    assert again.lease_owner == "worker-2" and not again.in_doubt and again.attempts == 0
    # The first worker, back from the dead, can no longer write an outcome over it.
    assert dispatch.fail(first, ErrorKind.ERROR, "late") == DeliveryState.FAILED
    assert only(post).state == DeliveryState.SENDING
    assert only(post).lease_owner == "worker-2"


def test_an_idempotent_delivery_taken_over_is_simply_sent(publish, run, own_site):
    post = publish("Orphaned", own_site)
    dispatch.claim("worker-1")  # and then the worker died
    expire_leases()

    run("worker-2")

    assert only(post).state == DeliveryState.SENT
    assert SitePost.objects.filter(body="Orphaned").count() == 1


def test_sigterm_finishes_the_current_delivery_and_gives_the_rest_back(
    publish, own_site, monkeypatch
):
    posts = [publish(f"Post {n}", own_site) for n in range(3)]
    worker_told = threading.Event()
    real_publish = OwnSiteConnector.publish

    def publish_then_sigterm(self, post):
        os.kill(os.getpid(), signal.SIGTERM)  # systemd stops the worker mid-publish
        return real_publish(self, post)

    monkeypatch.setattr(OwnSiteConnector, "publish", publish_then_sigterm)
    # As `houseboat worker` does: its handler ends the worker after the round.
    before = signal.signal(signal.SIGTERM, lambda *_: worker_told.set())
    try:
        assert dispatch.dispatch("worker-1") == 1
    finally:
        signal.signal(signal.SIGTERM, before)

    first, *rest = [only(post) for post in posts]
    assert first.state == DeliveryState.SENT
    assert [d.state for d in rest] == [DeliveryState.SCHEDULED] * 2
    assert all(d.lease_owner == "" and d.attempts == 0 and not d.in_doubt for d in rest)
    assert worker_told.is_set()


# --- threads -------------------------------------------------------------------------


def test_a_thread_goes_out_in_order_each_part_replying_to_the_one_before(
    publish, run, mastodon, mastodon_channel
):
    post = publish("thread", mastodon_channel, parts=["1/3 One", "2/3 Two", "3/3 Three"])

    run()

    assert mastodon.texts() == ["1/3 One", "2/3 Two", "3/3 Three"]
    ids = [p["id"] for p in mastodon.posts]
    assert [p["in_reply_to_id"] for p in mastodon.posts] == [None, ids[0], ids[1]]
    parts = Delivery.objects.filter(variant__post=post).order_by("part")
    assert [d.remote_id for d in parts] == ids


def test_a_later_part_is_not_due_before_the_earlier_one_is_sent(
    publish, mastodon_channel, monkeypatch
):
    post = publish("thread", mastodon_channel, parts=["1/2 One", "2/2 Two"])
    claimed = dispatch.claim("worker-1")
    assert [d.part for d in claimed] == [0]
    assert dispatch.claim("worker-2") == []
    assert Delivery.objects.get(variant__post=post, part=1).state == DeliveryState.SCHEDULED


def test_a_failed_part_stops_the_rest_of_the_thread_cleanly(
    publish, run, mastodon, mastodon_channel
):
    post = publish("thread", mastodon_channel, parts=["1/3 One", "2/3 Two", "3/3 Three"])
    refused = httpx.Response(422, json={"error": "Validation failed: Text contains spam"})
    mastodon.then("ok", refused)

    run()

    states = list(
        Delivery.objects.filter(variant__post=post).order_by("part").values_list("state", flat=True)
    )
    assert states == [DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.CANCELLED]
    third = Delivery.objects.get(variant__post=post, part=2)
    assert third.error_kind == ErrorKind.EARLIER_PART_FAILED
    assert "part 2 of this thread failed" in third.last_error
    assert mastodon.texts() == ["1/3 One"]
    post.refresh_from_db()
    assert post.status == PostStatus.PARTLY_FAILED


# --- rate limits, transient and permanent failures -----------------------------------


def test_a_rate_limit_defers_the_channel_until_the_network_allows(
    publish, run, mastodon, mastodon_channel, own_site
):
    later = timezone.now() + timedelta(hours=1)
    mastodon.then(httpx.Response(429, headers={"Retry-After": "3600"}, json={"error": "slow"}))
    first = publish("One", mastodon_channel)
    second = publish("Two", mastodon_channel)
    elsewhere = publish("Three", own_site)

    run()

    held = only(first)
    assert held.state == DeliveryState.SCHEDULED
    assert held.error_kind == ErrorKind.RATE_LIMITED and held.attempts == 0
    assert abs((held.next_attempt_at - later).total_seconds()) < 60
    mastodon_channel.refresh_from_db()
    assert mastodon_channel.rate_limited_until == held.next_attempt_at
    assert only(second).state == DeliveryState.SCHEDULED  # the whole channel waits
    assert only(second).attempts == 0
    assert only(elsewhere).state == DeliveryState.SENT  # other channels do not
    assert mastodon.publish_calls == 1


def test_an_unreachable_network_is_retried_with_growing_waits_then_given_up(
    publish, run, mastodon, mastodon_channel, settings
):
    settings.HOUSEBOAT_DISPATCH_MAX_ATTEMPTS = 3
    mastodon.router.routes.clear()
    mastodon.router.post(f"{mastodon.base_url}/api/v1/statuses").mock(
        side_effect=httpx.ConnectError("connection refused")
    )
    post = publish("Free the Ten!", mastodon_channel)
    waits = []
    for _ in range(3):
        Delivery.objects.update(next_attempt_at=timezone.now())
        run()
        delivery = only(post)
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - timezone.now())

    assert delivery.state == DeliveryState.FAILED
    assert delivery.error_kind == ErrorKind.UNREACHABLE
    assert "Gave up after 3 attempts" in delivery.last_error
    assert "could not be reached" in delivery.last_error
    assert waits[1] > waits[0]


def test_a_permanent_failure_shows_the_networks_reason_and_what_to_do(
    publish, run, mastodon, mastodon_channel
):
    mastodon.then(httpx.Response(401, json={"error": "The access token was revoked"}))
    post = publish("Free the Ten!", mastodon_channel)

    run()

    delivery = only(post)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.error_kind == ErrorKind.AUTH_REVOKED
    assert "reconnect the channel" in delivery.last_error
    assert "The access token was revoked" in delivery.last_error
    mastodon_channel.refresh_from_db()
    assert mastodon_channel.status == ChannelStatus.NEEDS_RECONNECT
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    assert AuditEvent.objects.filter(action=AuditAction.DELIVERY_FAILED).exists()


def test_a_delivery_whose_channel_was_removed_fails_with_a_reason(publish, run, mastodon_channel):
    post = publish("Free the Ten!", mastodon_channel)
    mastodon_channel.delete()

    run()

    delivery = only(post)
    assert delivery.state == DeliveryState.FAILED
    assert "channel was removed" in delivery.last_error


def test_a_fault_inside_a_connector_after_a_request_left_is_a_publish_that_may_have_worked(
    publish, run, x, x_channel, monkeypatch
):
    post = publish("Sign the petition", x_channel)
    real = type(x_channel.connector()).publish

    def broken(self, post):
        real(self, post)
        raise KeyError("id")

    monkeypatch.setattr(type(x_channel.connector()), "publish", broken)
    run()

    delivery = only(post)
    assert delivery.state == DeliveryState.SCHEDULED and delivery.in_doubt
    monkeypatch.setattr(type(x_channel.connector()), "publish", real)
    come_back()
    run()
    assert only(post).state == DeliveryState.SENT and x.publish_calls == 1


# --- a person decides ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "state", "calls"),
    [
        (Resolution.POSTED, DeliveryState.SENT, 0),
        (Resolution.SEND_AGAIN, DeliveryState.SENT, 1),
        (Resolution.DROP, DeliveryState.FAILED, 0),
    ],
)
def test_a_person_settles_an_unknown_delivery(
    publish, run, telegram, telegram_channel, bob_member, decision, state, calls
):
    post = publish("Day 100", telegram_channel)
    telegram.then("lost")
    run()
    come_back()
    run()
    assert only(post).state == DeliveryState.UNKNOWN

    services.resolve_unknown(bob_member, only(post), decision)
    run()

    assert only(post).state == state
    assert telegram.publish_calls == 1 + calls
    assert AuditEvent.objects.filter(action=AuditAction.DELIVERY_RESOLVED).exists()


def test_cancelling_stops_what_has_not_gone_out(publish, run, own_site, bob_member):
    post = publish("Never mind", own_site, at=timezone.now() + timedelta(hours=1))
    assert services.cancel(bob_member, post) == 1
    Delivery.objects.update(due_at=timezone.now())
    assert run() == 0
    post.refresh_from_db()
    assert post.status == PostStatus.CANCELLED
    assert only(post).state == DeliveryState.CANCELLED


def test_an_unexpected_answer_from_a_network_without_a_key_is_looked_into_before_resending(
    publish, run, x, x_channel
):
    post = publish("Sign the petition", x_channel)
    x.then(httpx.Response(404, text="<html>Not here</html>"))  # a proxy, perhaps

    run()
    assert x.publish_calls == 1 and only(post).in_doubt
    come_back()
    run()

    assert x.publish_calls == 2 and len(x.posts) == 1  # looked, not there: sent once
    assert only(post).state == DeliveryState.SENT
