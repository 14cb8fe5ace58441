"""Take a post down everywhere: through the dispatch lane, with the dispatcher's guarantees.

Each network answers with recorded responses shaped as its API reference shows
(tests/fixtures/<network>/); the real connectors and the real HTTP wrapper run.
"""

from datetime import timedelta

import httpx
import pytest
import respx
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from houseboat.campaigns.constants import PostStatus as SiteStatus
from houseboat.campaigns.models import SitePost
from houseboat.connectors.models import Channel
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent, Membership
from houseboat.publishing import dispatch, services, takedown
from houseboat.publishing.constants import DeliveryState, TakedownState
from houseboat.publishing.models import Delivery, Post, TakedownTask, Variant
from tests.connectors.replay import assert_sent, load, response_for, route, transport

MASTODON_ID = "103254193998341330"
BLUESKY_URI = "at://did:plc:u5cwb2mwiv2bfq53cjufe6yn/app.bsky.feed.post/3jzs5j3a2g7vl"
X_ID = "1445880548472328192"
FACEBOOK_ID = "1234567890_9876543210"
TELEGRAM_ID = "311"

CHANNELS = {
    "mastodon": (
        {"base_url": "https://mastodon.social"},
        {"access_token": "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"},
    ),
    "bluesky": (
        {"handle": "campaign.bsky.social"},
        {
            "app_password": "abcd-efgh-ijkl-mnop",
            "access_jwt": "access-jwt-1",
            "refresh_jwt": "refresh-jwt-1",
            "did": "did:plc:u5cwb2mwiv2bfq53cjufe6yn",
        },
    ),
    "x": (
        {"client_id": "rG9n6402A3dbUJKzXTNX4oWHJ"},
        {"access_token": "QUNDRVNTLXRva2VuLTIwMjY6MToxOmF0OjE"},
    ),
    "facebook": (
        {"page_id": "1234567890"},
        {"page_access_token": "EAAGm0PX4ZCpsBAPageToken0123456789"},
    ),
    "telegram": (
        {"chat_id": "@riversideten"},
        {"bot_token": "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"},
    ),
    "whatsapp": ({"phone_number_id": "106540352242922"}, {"access_token": "EAAwhatsapp0123456789"}),
}
REMOTE = {
    "mastodon": (MASTODON_ID, f"https://mastodon.social/@campaign/{MASTODON_ID}", {}),
    "bluesky": (
        BLUESKY_URI,
        "https://bsky.app/profile/campaign.bsky.social/post/3jzs5j3a2g7vl",
        {"uri": BLUESKY_URI, "cid": "bafyreib2rxk3rh6kzwq"},
    ),
    "x": (X_ID, f"https://x.com/campaign/status/{X_ID}", {}),
    "facebook": (FACEBOOK_ID, "https://www.facebook.com/1234567890/posts/9876543210", {}),
    "telegram": (TELEGRAM_ID, f"https://t.me/riversideten/{TELEGRAM_ID}", {}),
    "whatsapp": ("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI", "", {}),
}


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(assert_all_called=False)


@pytest.fixture
def bob_member(bob, team_a) -> Membership:
    return Membership.objects.get(user=bob, team=team_a)


@pytest.fixture
def sent_post(team_a, campaign_a, bob_member):
    """A post that went out on the given networks (and the own site), as the dispatcher
    leaves it: each delivery sent, with the network's id and link."""

    def make(*networks: str, parts: int = 1, own_site: bool = True) -> Post:
        channels = [
            Channel.objects.create(
                team=team_a,
                network=network,
                name=f"{network.title()} — main",
                config=CHANNELS[network][0],
                secrets=CHANNELS[network][1],
            )
            for network in networks
        ]
        post = services.create_post(
            membership=bob_member,
            campaign=campaign_a,
            text="The names of the witnesses, by mistake",
            channels=[c for c in channels if c.network != "whatsapp"],
            own_site=own_site,
        )
        if parts > 1:
            post.variants.update(parts=[f"part {n + 1}" for n in range(parts)])
        services.schedule(bob_member, post)
        for channel in channels:
            if channel.network == "whatsapp":  # sent by hand and marked posted, say
                variant = Variant.objects.create(post=post, channel=channel, text=post.text)
                Delivery.objects.create(variant=variant, text=post.text, due_at=timezone.now())
        for delivery in Delivery.objects.filter(variant__post=post).exclude(
            variant__channel__network="own_site"
        ):
            remote_id, link, extra = REMOTE[delivery.variant.channel.network]
            if delivery.part:  # a thread's later parts: their own ids
                remote_id, link = (
                    remote_id[:-1] + str(delivery.part),
                    link[:-1] + str(delivery.part),
                )
            Delivery.objects.filter(pk=delivery.pk).update(
                state=DeliveryState.SENT,
                remote_id=remote_id,
                remote_url=link,
                extra=extra,
                sent_at=timezone.now(),
            )
        dispatch.dispatch("sender", transport=transport(respx.Router()))  # the own site
        dispatch.refresh_post_status(post.pk)
        post.refresh_from_db()
        return post

    return make


def run(router: respx.Router, name: str = "worker-1") -> int:
    return takedown.takedown_due(name, transport=transport(router))


def task_on(post: Post, network: str) -> TakedownTask:
    return TakedownTask.objects.get(
        delivery__variant__post=post, delivery__variant__channel__network=network
    )


def line_on(post: Post, network: str) -> takedown.ResultLine:
    return next(line for line in takedown.results(post) if line.network == network)


# --- every network ----------------------------------------------------------------------


def test_a_sent_post_comes_down_on_every_network_and_the_audit_log_says_so(
    sent_post, bob_member, bob, router, client
):
    post = sent_post("mastodon", "bluesky", "x", "facebook", "telegram", "whatsapp")
    site_post = SitePost.objects.get(delivery_key__isnull=False)
    calls = {
        "mastodon": route(router, load("mastodon", "status_delete")),
        "bluesky": route(router, load("bluesky", "delete_record")),
        "x": route(router, load("x", "delete_post")),
        "facebook": route(router, load("facebook", "delete")),
        "telegram": route(router, load("telegram", "delete_message")),
    }

    takedown.request_takedown(bob_member, post)
    assert run(router) == 6  # five networks and the own site; WhatsApp is by hand

    for network, fixture in (
        ("mastodon", "status_delete"),
        ("bluesky", "delete_record"),
        ("x", "delete_post"),
        ("facebook", "delete"),
    ):
        assert calls[network].call_count == 1, network
        assert_sent(calls[network].calls.last.request, load(network, fixture))
        assert task_on(post, network).state == TakedownState.DONE
    assert calls["telegram"].calls.last.request.read() == (
        b'{"chat_id":"@riversideten","message_id":311}'
    )
    assert task_on(post, "own_site").state == TakedownState.DONE
    # The own site: off the page and the feed, a tombstone at its address.
    site_post.refresh_from_db()
    assert site_post.status == SiteStatus.REMOVED
    assert client.get(f"/c/{post.campaign.slug}/posts/{site_post.pk}/").status_code == 410
    assert b"by mistake" not in client.get(post.campaign.feed_url()).content
    # WhatsApp cannot delete: the steps, at once, never "waiting".
    whatsapp = line_on(post, "whatsapp")
    assert whatsapp.state == TakedownState.BY_HAND
    assert "WhatsApp does not let a business delete" in whatsapp.steps[0]
    # Audited: who asked, which post, and what came of it on each channel.
    asked = AuditEvent.objects.get(action=AuditAction.TAKEDOWN_REQUESTED)
    assert asked.actor == bob and f"post {post.pk}" in asked.target
    finished = AuditEvent.objects.get(action=AuditAction.TAKEDOWN_FINISHED)
    assert f"post {post.pk}" in finished.target
    assert "Mastodon — main: taken down" in finished.detail
    assert "Whatsapp — main: must be removed by hand" in finished.detail
    assert post.takedown.finished_at is not None


def test_a_post_already_gone_from_the_network_counts_as_taken_down(sent_post, bob_member, router):
    post = sent_post("mastodon", "x", "facebook", "telegram", own_site=False)
    route(router, load("mastodon", "status_delete_not_found"))  # 404
    route(router, load("x", "delete_post_not_found"))  # 404
    route(router, load("facebook", "delete_gone"))  # 400, code 100 "does not exist"
    route(router, load("telegram", "error_delete_not_found"))

    takedown.request_takedown(bob_member, post)
    run(router)

    assert {t.state for t in TakedownTask.objects.all()} == {TakedownState.DONE}
    assert takedown.settled(post)


def test_a_thread_comes_down_part_by_part(sent_post, bob_member, router):
    post = sent_post("mastodon", parts=3, own_site=False)
    deleted = router.route(method="DELETE", host="mastodon.social").mock(
        return_value=response_for(load("mastodon", "status_delete"))
    )

    takedown.request_takedown(bob_member, post)
    run(router)

    paths = sorted(call.request.url.path for call in deleted.calls)
    ids = sorted(Delivery.objects.filter(variant__post=post).values_list("remote_id", flat=True))
    assert paths == [f"/api/v1/statuses/{remote_id}" for remote_id in ids]
    line = line_on(post, "mastodon")
    assert (line.state, line.parts, line.done_parts) == (TakedownState.DONE, 3, 3)


# --- the dispatcher's guarantees ----------------------------------------------------------


def test_a_delete_that_timed_out_is_looked_up_before_it_is_sent_again(
    sent_post, bob_member, router
):
    post = sent_post("mastodon", own_site=False)
    delete = router.route(method="DELETE", host="mastodon.social").mock(
        side_effect=httpx.ReadTimeout("no answer")
    )
    lookup = route(router, load("mastodon", "status_get_deleted"))
    takedown.request_takedown(bob_member, post)

    run(router)  # every try times out: it may have been deleted, or not
    task = task_on(post, "mastodon")
    assert task.state == TakedownState.PENDING and task.in_doubt
    assert "houseboat will try again" in task.note
    tries = delete.call_count
    TakedownTask.objects.update(next_attempt_at=timezone.now())  # the wait has passed

    run(router)

    assert lookup.call_count == 1  # looked first: it is gone, so no second delete
    assert delete.call_count == tries
    task.refresh_from_db()
    assert task.state == TakedownState.DONE
    assert "gone when houseboat looked" in task.note


def test_a_post_still_there_after_a_timeout_is_deleted_again(sent_post, bob_member, router):
    post = sent_post("mastodon", own_site=False)
    delete = router.route(method="DELETE", host="mastodon.social").mock(
        side_effect=[httpx.ReadTimeout("no answer")] * 3
        + [response_for(load("mastodon", "status_delete"))]
    )
    still_there = router.route(
        method="GET", host="mastodon.social", path=f"/api/v1/statuses/{MASTODON_ID}"
    ).mock(return_value=response_for(load("mastodon", "status_get")))
    takedown.request_takedown(bob_member, post)
    run(router)
    TakedownTask.objects.update(next_attempt_at=timezone.now())

    run(router)

    assert still_there.call_count == 1
    assert delete.call_count == 4
    assert task_on(post, "mastodon").state == TakedownState.DONE


def test_a_worker_that_died_mid_delete_leaves_it_to_be_looked_up_not_lost(
    sent_post, bob_member, router
):
    post = sent_post("mastodon", own_site=False)
    takedown.request_takedown(bob_member, post)
    # Worker 1 claims the task and marks the attempt started, then dies.
    [task] = takedown.claim("worker-1")
    takedown.lease_of(task).confirm(attempt_started_at=timezone.now())
    TakedownTask.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    delete = route(router, load("mastodon", "status_delete"))
    lookup = route(router, load("mastodon", "status_get_deleted"))

    run(router, "worker-2")

    assert lookup.call_count == 1 and delete.call_count == 0
    assert task_on(post, "mastodon").state == TakedownState.DONE


def test_a_task_claimed_by_one_worker_is_not_claimed_by_another(sent_post, bob_member):
    post = sent_post("mastodon", own_site=False)
    takedown.request_takedown(bob_member, post)
    assert len(takedown.claim("worker-1")) == 1
    assert takedown.claim("worker-2") == []


# --- what a person sees -----------------------------------------------------------------


def test_a_refusal_is_shown_with_its_reason_and_can_be_tried_again(sent_post, bob_member, router):
    post = sent_post("mastodon", own_site=False)
    refused = router.route(method="DELETE", host="mastodon.social").mock(
        return_value=httpx.Response(401, json={"error": "The access token was revoked"})
    )
    takedown.request_takedown(bob_member, post)
    run(router)

    line = line_on(post, "mastodon")
    assert line.state == TakedownState.FAILED
    assert "token was revoked" in line.notes[0]
    assert "reconnect the channel" in line.notes[0]
    assert "The access token was revoked" in line.notes[0]
    finished = AuditEvent.objects.get(action=AuditAction.TAKEDOWN_FINISHED)
    assert "Mastodon — main: failed (The Mastodon token was revoked" in finished.detail

    refused.mock(return_value=response_for(load("mastodon", "status_delete")))
    takedown.request_takedown(bob_member, post)  # asked again: the failed one is retried
    assert task_on(post, "mastodon").state == TakedownState.PENDING
    run(router)
    assert task_on(post, "mastodon").state == TakedownState.DONE
    assert AuditEvent.objects.filter(action=AuditAction.TAKEDOWN_FINISHED).count() == 2


def test_telegram_refusing_an_old_message_gives_the_steps_by_hand(sent_post, bob_member, router):
    post = sent_post("telegram", own_site=False)
    Delivery.objects.update(sent_at=timezone.now() - timedelta(days=3))
    route(router, load("telegram", "error_cant_delete"))
    assert "48 hours" in line_for_preview(post).warning  # said before anyone confirms

    takedown.request_takedown(bob_member, post)
    run(router)

    line = line_on(post, "telegram")
    assert line.state == TakedownState.BY_HAND
    assert "within 48 hours" in line.notes[0]
    assert "Sent more than 48 hours ago" in line.warning
    assert any("Delete for all members" in step for step in line.steps)
    assert line.steps[0].endswith("https://t.me/riversideten/311")


def line_for_preview(post: Post) -> takedown.ResultLine:
    return takedown.preview(post)[0]


def test_a_recent_telegram_message_has_no_48_hour_warning(sent_post):
    post = sent_post("telegram", own_site=False)
    assert line_for_preview(post).warning == ""


def test_unsent_parts_are_cancelled_so_nothing_more_goes_out(sent_post, bob_member):
    post = sent_post("mastodon", parts=2, own_site=False)
    Delivery.objects.filter(part=1).update(state=DeliveryState.SCHEDULED, remote_id="")
    takedown.request_takedown(bob_member, post)
    assert Delivery.objects.get(part=1).state == DeliveryState.CANCELLED
    assert TakedownTask.objects.count() == 1


def test_a_post_nothing_of_which_went_out_cannot_be_taken_down(bob_member, campaign_a):
    post = services.create_post(
        membership=bob_member, campaign=campaign_a, text="Draft only", channels=[]
    )
    with pytest.raises(services.PublishingError, match="nothing to take down"):
        takedown.request_takedown(bob_member, post)


def test_contributor_cannot_take_a_post_down(sent_post, charlie, team_a):
    post = sent_post("mastodon", own_site=False)
    charlie_member = Membership.objects.get(user=charlie, team=team_a)
    with pytest.raises(PermissionDenied):
        takedown.request_takedown(charlie_member, post)
    assert not TakedownTask.objects.exists()


# --- the page -----------------------------------------------------------------------------


def url(post: Post, name: str = "publishing:takedown") -> str:
    return reverse(name, kwargs={"team_slug": post.team.slug, "pk": post.pk})


def test_the_page_says_what_will_happen_before_anything_is_done(sent_post, as_bob):
    post = sent_post("mastodon", "whatsapp")
    page = as_bob.get(url(post)).content.decode()
    assert "Yes, take it down everywhere" in page
    assert "Deleted by houseboat" in page
    assert "Removed from the page and the feed" in page
    assert "Must be removed by hand" in page
    assert not TakedownTask.objects.exists()


def test_an_editor_takes_it_down_and_sees_the_results(sent_post, as_bob, router, bob):
    post = sent_post("mastodon", "whatsapp")
    response = as_bob.post(url(post, "publishing:takedown_confirm"))
    assert response.status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.TAKEDOWN_REQUESTED).actor == bob

    waiting = as_bob.get(url(post), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in waiting  # asks again until every channel settled
    assert "Waiting for the worker" in waiting
    route(router, load("mastodon", "status_delete"))
    run(router)
    done = as_bob.get(url(post), headers={"HX-Request": "true"}).content.decode()
    assert "every 2s" not in done
    assert "Taken down" in done
    assert "Remove it by hand:" in done


def test_contributor_may_look_but_not_take_down(sent_post, as_charlie):
    post = sent_post("mastodon")
    assert (
        "Only editors and owners can take a post down" in as_charlie.get(url(post)).content.decode()
    )
    assert as_charlie.post(url(post, "publishing:takedown_confirm")).status_code == 403
    assert not TakedownTask.objects.exists()


def test_outsider_gets_404(sent_post, as_mallory):
    post = sent_post("mastodon")
    assert as_mallory.get(url(post)).status_code == 404
    assert as_mallory.post(url(post, "publishing:takedown_confirm")).status_code == 404


def test_the_post_list_offers_the_takedown_on_a_sent_post(sent_post, as_bob):
    post = sent_post("mastodon")
    listing = as_bob.get(reverse("publishing:index", kwargs={"team_slug": post.team.slug}))
    assert url(post) in listing.content.decode()


def test_the_post_list_shows_a_channel_taken_down_without_its_dead_link(
    sent_post, as_bob, bob_member, router
):
    post = sent_post("mastodon", own_site=False)
    route(router, load("mastodon", "status_delete"))
    takedown.request_takedown(bob_member, post)
    run(router)
    listing = as_bob.get(reverse("publishing:index", kwargs={"team_slug": post.team.slug}))
    page = listing.content.decode()
    assert "Taken down: see the results" in page
    assert f"https://mastodon.social/@campaign/{MASTODON_ID}" not in page


def test_a_network_that_says_wait_no_time_at_all_does_not_keep_a_round_going(
    sent_post, bob_member, router
):
    post = sent_post("mastodon", own_site=False)
    limited = router.route(method="DELETE", host="mastodon.social").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "0"}, json={"error": "Slow down"})
    )
    takedown.request_takedown(bob_member, post)

    assert run(router) == 1  # tried once this round, then left for the next

    task = task_on(post, "mastodon")
    assert task.state == TakedownState.PENDING
    assert "slow down" in task.note
    assert task.attempts == 0  # waiting for a limit is not failing
    assert limited.call_count == 3  # the HTTP wrapper's own short retries, once


def test_a_part_being_sent_when_asked_is_taken_down_once_it_lands(sent_post, bob_member, router):
    post = sent_post("mastodon", own_site=False)
    Delivery.objects.update(state=DeliveryState.SENDING)  # a sender has it in hand
    deleted = route(router, load("mastodon", "status_delete"))
    takedown.request_takedown(bob_member, post)

    assert run(router) == 0  # not while it is on its way
    Delivery.objects.update(state=DeliveryState.SENT)  # it landed
    run(router)

    assert deleted.call_count == 1
    assert task_on(post, "mastodon").state == TakedownState.DONE


def test_a_part_that_went_back_to_the_queue_is_stopped_before_it_goes_out(
    sent_post, bob_member, router
):
    post = sent_post("mastodon", own_site=False)
    Delivery.objects.update(state=DeliveryState.SENDING, remote_id="")
    takedown.request_takedown(bob_member, post)
    Delivery.objects.update(state=DeliveryState.SCHEDULED)  # its attempt failed: to retry

    run(router)

    assert Delivery.objects.get().state == DeliveryState.CANCELLED
    task = task_on(post, "mastodon")
    assert (task.state, task.note) == (TakedownState.DONE, "It never went out.")
    assert not router.calls


def test_a_part_waiting_after_an_unclear_answer_is_stopped_and_left_to_a_person(
    sent_post, bob_member
):
    post = sent_post("mastodon", own_site=False)
    Delivery.objects.update(state=DeliveryState.SCHEDULED, remote_id="", in_doubt=True)

    takedown.request_takedown(bob_member, post)

    assert Delivery.objects.get().state == DeliveryState.CANCELLED  # never sent again
    line = line_on(post, "mastodon")
    assert line.state == TakedownState.BY_HAND
    assert "could not tell whether this part went out" in line.notes[0]
    assert line.steps[0].startswith("Open the post while signed in")
