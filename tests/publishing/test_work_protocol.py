"""The work protocol under pressure: lost leases, crashes before and after a request,
unclear answers, local faults, threads a person settled, and posts read back.

Each test here reproduces a problem of issue 12 that the dispatcher had before.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.db import OperationalError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from houseboat.connectors.base import Connector
from houseboat.connectors.mastodon import connector as mastodon_connector
from houseboat.core import leases
from houseboat.publishing import dispatch, services
from houseboat.publishing.constants import DeliveryState, PostStatus, Resolution
from houseboat.publishing.models import Delivery
from tests.publishing.conftest import come_back, expire_leases
from tests.publishing.networks import as_mastodon_html


def only(post) -> Delivery:
    return Delivery.objects.get(variant__post=post)


def parts_of(post) -> list[Delivery]:
    return list(Delivery.objects.filter(variant__post=post).order_by("part"))


def take_over(delivery: Delivery, by: str = "worker-2") -> None:
    """Act out another worker taking the row over after this one's lease ran out."""
    expire_leases()
    [taken] = dispatch.claim(by)
    assert taken.pk == delivery.pk


# --- a lease that was lost never publishes ----------------------------------------------


def test_a_worker_whose_lease_was_lost_drops_the_delivery_and_never_publishes(
    publish, networks, x, x_channel
):
    post = publish("Day 100 of detention", x_channel)
    [mine] = dispatch.claim("worker-1")
    take_over(mine)  # worker-1 stalled past its lease; worker-2 has the row now

    outcome = dispatch.deliver(mine, dispatch.Connectors(networks.transport))

    assert outcome == dispatch.DROPPED
    assert x.publish_calls == 0  # worker-1 sent nothing
    delivery = only(post)
    assert delivery.state == DeliveryState.SENDING and delivery.lease_owner == "worker-2"
    assert delivery.attempt_started_at is None  # nor marked an attempt of its own


def test_a_lease_lost_in_the_middle_of_a_publish_stops_it_before_the_post_is_made(
    bob_member, campaign_a, networks, mastodon, mastodon_channel, tmp_path
):
    post = post_with_video(bob_member, campaign_a, mastodon_channel, tmp_path)
    mastodon.processing_checks = 1
    [mine] = dispatch.claim("worker-1")
    # While Mastodon processes the video, worker-1's lease is lost to worker-2.
    mastodon.on_media_check = lambda: take_over(mine) if only(post).lease_owner != "worker-2" else 0

    assert dispatch.deliver(mine, dispatch.Connectors(networks.transport)) == dispatch.DROPPED

    assert mastodon.publish_calls == 0 and mastodon.posts == []
    assert only(post).lease_owner == "worker-2"


def test_a_slow_network_keeps_the_lease_alive_so_no_other_worker_takes_the_row(
    bob_member, campaign_a, networks, mastodon, mastodon_channel, tmp_path, monkeypatch, settings
):
    # A lease of one second, a video that takes several to process: the waits renew it.
    settings.HOUSEBOAT_DISPATCH_LEASE_SECONDS = 1
    monkeypatch.setattr(leases, "HEARTBEAT_SECONDS", 0.2)
    monkeypatch.setattr(Connector, "sleep", staticmethod(leases.wait))
    monkeypatch.setattr(mastodon_connector, "MEDIA_WAITS", (1, 1, 1, 1))
    post = post_with_video(bob_member, campaign_a, mastodon_channel, tmp_path)
    mastodon.processing_checks = 3
    others: list[list] = []
    mastodon.on_media_check = lambda: others.append(dispatch.claim("worker-2"))

    assert dispatch.deliver(dispatch.claim("worker-1")[0], dispatch.Connectors(networks.transport))

    assert others == [[], [], [], []]  # every look by another worker found it held
    assert mastodon.publish_calls == 1 and len(mastodon.posts) == 1
    assert only(post).state == DeliveryState.SENT


def post_with_video(bob_member, campaign_a, channel, folder):
    """Schedule a post with one attached file (the fake Mastodon treats it as a video)."""
    picture = folder / "vigil.png"
    Image.new("RGB", (64, 48), "navy").save(picture)
    post = services.create_post(
        membership=bob_member,
        campaign=campaign_a,
        text="The vigil",
        channels=[channel],
        own_site=False,
    )
    services.add_attachment(bob_member, post, picture, alt="The vigil, filmed from the steps")
    return services.schedule(bob_member, post)


# --- the attempt-started mark --------------------------------------------------------------


def test_rows_a_dead_worker_claimed_but_never_tried_go_out_as_plain_scheduled_posts(
    publish, run, telegram, telegram_channel
):
    # On the Telegram Bot API a kill -9 once left 26 rows "unknown" though 3 had gone
    # out. A row claimed but never tried is not in doubt.
    posts = [publish(f"Day {n}", telegram_channel) for n in range(5)]
    assert len(dispatch.claim("worker-1", limit=5)) == 5  # and then it was killed
    expire_leases()

    run("worker-2")

    assert [only(post).state for post in posts] == [DeliveryState.SENT] * 5
    assert telegram.publish_calls == 5
    assert not any(only(post).in_doubt for post in posts)


def test_a_row_whose_attempt_had_started_is_in_doubt_when_taken_over(publish, x, x_channel):
    post = publish("Day 100", x_channel)
    [mine] = dispatch.claim("worker-1")
    dispatch.lease_of(mine).confirm(attempt_started_at=timezone.now())  # then killed
    expire_leases()

    [again] = dispatch.claim("worker-2")

    assert again.in_doubt and again.attempt_started_at is None
    assert only(post).lease_owner == "worker-2"


def test_the_attempt_mark_is_committed_before_the_request_leaves(
    publish, networks, x, x_channel, monkeypatch
):
    post = publish("Day 100", x_channel)
    seen = []
    real = type(x_channel.connector()).publish

    def spy(self, outgoing):
        seen.append(Delivery.objects.get(variant__post=post).attempt_started_at)
        return real(self, outgoing)

    monkeypatch.setattr(type(x_channel.connector()), "publish", spy)
    dispatch.dispatch("worker-1", transport=networks.transport)

    assert seen[0] is not None
    assert only(post).state == DeliveryState.SENT and only(post).attempt_started_at is None


# --- an unclear answer waits, looks, then decides -------------------------------------------


def test_a_gateway_timeout_after_the_post_was_made_leaves_one_post_however_often_it_comes(
    publish, run, mastodon, mastodon_channel
):
    # A proxy that answers 504 after the server made the post: today 24 copies.
    post = publish("Free the Ten!", mastodon_channel)
    gateway = httpx.Response(504, text="<html>504 Gateway Time-out</html>")

    def made_then_504(request):
        mastodon.create(request)
        return gateway

    mastodon.router.post(f"{mastodon.base_url}/api/v1/statuses").mock(side_effect=made_then_504)
    for _ in range(5):
        run()
        come_back()

    assert len(mastodon.posts) == 1
    assert only(post).state == DeliveryState.SENT
    assert only(post).remote_id == mastodon.posts[0]["id"]


def test_an_unclear_answer_is_never_retried_at_once(publish, run, mastodon, mastodon_channel):
    post = publish("Free the Ten!", mastodon_channel)
    mastodon.then(httpx.Response(502, text="Bad gateway"))

    run()
    run()  # the same round again: the row waits

    assert mastodon.publish_calls == 1
    delivery = only(post)
    assert delivery.state == DeliveryState.SCHEDULED and delivery.in_doubt
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=10)


# --- local faults are not "may have been posted" ---------------------------------------------


def test_a_missing_media_file_fails_with_its_reason_and_sends_nothing(
    bob_member, campaign_a, run, mastodon, mastodon_channel, tmp_path
):
    post = post_with_video(bob_member, campaign_a, mastodon_channel, tmp_path)
    post.attachments.get().file.delete(save=False)  # the data folder lost the file

    run()

    delivery = only(post)
    assert delivery.state == DeliveryState.FAILED  # not "unknown": nothing left
    assert "is missing from houseboat's data folder" in delivery.last_error
    assert mastodon.publish_calls == 0 and not delivery.in_doubt


def test_a_database_error_before_the_request_leaves_is_not_taken_for_a_possible_post(
    publish, run, x, x_channel, monkeypatch
):
    post = publish("Day 100", x_channel)
    real = dispatch.outgoing
    calls = []

    def broken_once(delivery):
        calls.append(delivery.pk)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(delivery)

    monkeypatch.setattr(dispatch, "outgoing", broken_once)
    run("worker-1")
    expire_leases()
    run("worker-2")

    delivery = only(post)
    assert delivery.state == DeliveryState.SENT and not delivery.in_doubt
    assert x.publish_calls == 1


def test_a_fault_inside_a_connector_before_any_request_is_tried_again_not_in_doubt(
    publish, run, x, x_channel, monkeypatch
):
    post = publish("Day 100", x_channel)

    def broken(self, outgoing):
        raise KeyError("id")

    monkeypatch.setattr(type(x_channel.connector()), "publish", broken)
    run()

    delivery = only(post)
    assert delivery.state == DeliveryState.SCHEDULED and not delivery.in_doubt
    assert x.publish_calls == 0


# --- a thread continues after "it was posted" --------------------------------------------------


def test_a_thread_continues_under_the_part_a_person_marked_posted_with_its_link(
    publish, run, telegram, telegram_channel, bob_member
):
    post = publish("thread", telegram_channel, parts=["1/2 One", "2/2 Two"])
    telegram.then("lost")
    run()
    come_back()
    run()  # a bot cannot look: a person must
    first, second = parts_of(post)
    assert first.state == DeliveryState.UNKNOWN

    services.resolve_unknown(
        bob_member, first, Resolution.POSTED, remote_url="https://t.me/freetheten/4521"
    )
    run()

    first, second = parts_of(post)
    assert first.remote_id == "4521"
    assert second.state == DeliveryState.SENT
    assert telegram.posts[-1]["reply_to"] == "4521"


def test_marking_a_thread_part_posted_without_its_link_is_refused_with_what_to_do(
    publish, run, telegram, telegram_channel, bob_member
):
    post = publish("thread", telegram_channel, parts=["1/2 One", "2/2 Two"])
    telegram.then("lost")
    run()
    come_back()
    run()
    first, _ = parts_of(post)

    with pytest.raises(services.PublishingError, match="Paste the link of the post"):
        services.resolve_unknown(bob_member, first, Resolution.POSTED)
    with pytest.raises(services.PublishingError, match="cannot find the post's number"):
        services.resolve_unknown(
            bob_member, first, Resolution.POSTED, remote_url="https://t.me/freetheten"
        )

    assert parts_of(post)[0].state == DeliveryState.UNKNOWN  # nothing changed
    run()
    assert parts_of(post)[1].state == DeliveryState.SCHEDULED  # and nothing replied to ""


def test_a_later_part_waits_while_the_part_before_it_has_no_post_id(publish, telegram_channel):
    post = publish("thread", telegram_channel, parts=["1/2 One", "2/2 Two"])
    Delivery.objects.filter(variant__post=post, part=0).update(state=DeliveryState.SENT)

    assert dispatch.claim("worker-1") == []


# --- unknown is listed as unknown -----------------------------------------------------------------


def test_an_unknown_delivery_is_listed_as_unknown_not_failed(
    publish, run, telegram, telegram_channel, as_bob
):
    post = publish("Day 100", telegram_channel)
    telegram.then("lost")
    run()
    come_back()
    run()

    post.refresh_from_db()
    assert post.status == PostStatus.UNKNOWN
    page = as_bob.get("/t/team-a/publish/?shown=attention").content.decode()
    assert "Unknown — check before reposting" in page
    assert "post-status-failed" not in page


# --- check-before-resend finds the post as the network shows it back ------------------------------


def test_a_mastodon_post_with_a_content_warning_and_a_remote_mention_is_found_not_resent(
    publish, run, mastodon, mastodon_channel
):
    post = publish("Thank you @amnesty@mastodon.social for standing with us", mastodon_channel)
    post.variants.update(options={"content_warning": "Detention"})
    mastodon.then("drop")  # made, but the answer never came

    run()
    come_back()
    run()

    assert mastodon.publish_calls == 1 and len(mastodon.posts) == 1
    assert only(post).state == DeliveryState.SENT
    assert only(post).remote_id == mastodon.posts[0]["id"]


WORD = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=8)


@given(
    words=st.lists(WORD, min_size=1, max_size=6),
    mentions=st.lists(st.tuples(WORD, st.sampled_from(["mastodon.social", "kolektiva.social"]))),
)
def test_a_text_and_mastodons_rendering_of_it_compare_equal(words, mentions):
    text = " ".join([*words, *(f"@{name}@{host}" for name, host in mentions)])
    shown = mastodon_connector.html_to_text(f"<p>{as_mastodon_html(text)}</p>")[0]
    assert dispatch.normalise(shown) == dispatch.normalise(text)


def test_a_busy_mastodon_account_is_read_back_page_by_page_to_find_the_post(
    publish, run, mastodon, mastodon_channel
):
    post = publish("Free the Ten!", mastodon_channel)
    mastodon.then("drop")
    run()
    for n in range(90):  # the team went on posting from elsewhere meanwhile
        mastodon.create(
            httpx.Request("POST", "https://social.example", data={"status": f"other {n}"})
        )
    come_back()
    run()

    assert mastodon.publish_calls == 1 and mastodon.texts().count("Free the Ten!") == 1
    assert only(post).state == DeliveryState.SENT
