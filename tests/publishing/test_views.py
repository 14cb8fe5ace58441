"""The Publish pages as the personas use them: compose, check, approve, list, calendar."""

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from houseboat.connectors import text as text_rules
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent, WorkerHeartbeat
from houseboat.publishing import services
from houseboat.publishing.constants import DeliveryState, ErrorKind, PostStatus
from houseboat.publishing.models import Delivery, Post, Variant

NEW = "/t/team-a/publish/new/"
CHECK = "/t/team-a/publish/check/"
LIST = "/t/team-a/publish/"
REVIEW = "/t/team-a/publish/review/"
CALENDAR = "/t/team-a/publish/calendar/"
LONG = (
    "Sixty days ago, police in Port Verene detained ten reporters from the Riverside Courier "
    "after they published an investigation into the harbour contracts. None of them has been "
    "charged. Three have not seen a lawyer. We ask the Ministry of Justice to release them or "
    "bring them before a judge this week."
)  # 301 characters: too long for X, fine for Mastodon


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form(campaign, *channels, text="Free the Ten!", **extra) -> dict:
    data = {
        "text": text,
        "campaign": campaign.pk if campaign else "",
        "channels": [channel.pk for channel in channels],
        "when": "now",
        "time_zone": "Europe/Berlin",
        "action": "save",
    }
    data.update(extra)
    return data


def queries_for(client, url: str, query: dict | None = None) -> int:
    """How many queries a page takes once the session has settled."""
    client.get(url, query)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, query)
    return len(captured)


@pytest.fixture
def worker_alive(db):
    """A worker seen just now, so pages carry no warning unless a test wants one."""
    now = timezone.now()
    return WorkerHeartbeat.objects.create(name="w", started_at=now, last_seen_at=now)


# --- the whole flow ---------------------------------------------------------------------


def test_charlie_drafts_and_submits_and_bob_approves_which_schedules_every_channel(
    as_charlie, as_bob, campaign_a, mastodon_channel, x_channel, own_site
):
    at = timezone.now().astimezone(UTC).replace(second=0, microsecond=0) + timedelta(days=3)
    local = at.astimezone(timezone.get_fixed_timezone(0)).strftime("%Y-%m-%dT%H:%M")
    response = as_charlie.post(
        NEW,
        form(
            campaign_a,
            mastodon_channel,
            x_channel,
            when="at",
            at=local,
            time_zone="UTC",
            action="submit",
        ),
    )

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == PostStatus.PENDING_APPROVAL
    assert not Delivery.objects.exists()
    assert "Free the Ten!" in as_bob.get(REVIEW).content.decode()

    response = as_bob.post(
        f"/t/team-a/publish/{post.pk}/decide/", {"action": "approve", "version": post.version}
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert post.approved_by.username == "bob"
    deliveries = Delivery.objects.select_related("variant__channel")
    assert {d.variant.channel.name for d in deliveries} == {
        "Mastodon — main",
        "X — main",
        "Free the Ten — own site",
    }
    assert {d.due_at for d in deliveries} == {at}
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert [a for a in actions if a.startswith("post_")] == [
        AuditAction.POST_DRAFTED,
        AuditAction.POST_SUBMITTED,
        AuditAction.POST_APPROVED,
        AuditAction.POST_SCHEDULED,
    ]


def test_an_editor_publishes_at_once_from_the_composer(as_bob, campaign_a, mastodon_channel):
    response = as_bob.post(NEW, form(campaign_a, mastodon_channel, action="schedule"))

    assert response.status_code == 302 and response.url == LIST
    assert Post.objects.get().status == PostStatus.SCHEDULED
    due = Delivery.objects.values_list("due_at", flat=True)
    assert all(abs(moment - timezone.now()) < timedelta(minutes=1) for moment in due)
    assert "it goes out to 2 channel(s) within a minute" in told(response)[0]


def test_a_too_long_variant_is_refused_with_a_clear_message_and_nothing_is_scheduled(
    as_bob, campaign_a, mastodon_channel, x_channel
):
    response = as_bob.post(
        NEW, form(campaign_a, mastodon_channel, x_channel, text=LONG, action="schedule")
    )

    post = Post.objects.get()
    assert response.url == f"/t/team-a/publish/{post.pk}/edit/"
    assert any(
        "Too long for X — main: 301 weighted characters, the limit is 280. Shorten it by 21"
        in message
        for message in told(response)
    )
    assert post.status == PostStatus.DRAFT
    assert not Delivery.objects.exists()

    # Fixed for X alone, it goes.
    x_key = f"text_{x_channel.pk}"
    as_bob.post(
        f"/t/team-a/publish/{post.pk}/edit/",
        form(
            campaign_a,
            mastodon_channel,
            x_channel,
            text=LONG,
            action="schedule",
            **{x_key: "Free the Ten!"},
        ),
    )
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert set(Delivery.objects.values_list("text", flat=True)) == {LONG, "Free the Ten!"}


def test_a_contributor_can_never_schedule_or_approve(
    as_charlie, charlie_member, bob_member, campaign_a, mastodon_channel
):
    response = as_charlie.post(NEW, form(campaign_a, mastodon_channel, action="schedule"))
    assert response.status_code == 403
    post = Post.objects.get()
    assert post.status == PostStatus.DRAFT

    services.submit(charlie_member, post)
    assert as_charlie.get(REVIEW).status_code == 403
    for action in ("approve", "send_back", "reject"):
        response = as_charlie.post(
            f"/t/team-a/publish/{post.pk}/decide/", {"action": action, "comment": "mine"}
        )
        assert response.status_code == 403
    post.refresh_from_db()
    assert post.status == PostStatus.PENDING_APPROVAL
    assert not Delivery.objects.exists()

    services.approve(bob_member, post)
    delivery = Delivery.objects.first()
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.UNKNOWN)
    later = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = [
        as_charlie.post(f"/t/team-a/publish/{post.pk}/reschedule/", {"at": later}),
        as_charlie.post(f"/t/team-a/publish/{post.pk}/cancel/"),
        as_charlie.post(
            f"/t/team-a/publish/deliveries/{delivery.pk}/resolve/", {"decision": "send_again"}
        ),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403]
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert set(Delivery.objects.values_list("state", flat=True)) == {
        DeliveryState.SCHEDULED,
        DeliveryState.UNKNOWN,
    }


def test_an_outsider_gets_404_on_every_publishing_page_of_the_team(
    as_mallory, bob_member, campaign_a, mastodon_channel
):
    post = services.create_post(
        membership=bob_member, campaign=campaign_a, text="Secret plan", channels=[mastodon_channel]
    )
    services.schedule(bob_member, post)
    delivery = Delivery.objects.first()
    pages = [LIST, NEW, REVIEW, CALENDAR, f"/t/team-a/publish/{post.pk}/edit/"]
    posts = [
        CHECK,
        NEW,
        f"/t/team-a/publish/{post.pk}/decide/",
        f"/t/team-a/publish/{post.pk}/cancel/",
        f"/t/team-a/publish/{post.pk}/reschedule/",
        f"/t/team-a/publish/deliveries/{delivery.pk}/resolve/",
    ]
    for url in pages:
        response = as_mallory.get(url)
        assert response.status_code == 404, url
        assert b"Secret plan" not in response.content
    for url in posts:
        assert as_mallory.post(url, {"action": "approve", "decision": "posted"}).status_code == 404
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


def test_a_viewer_sees_the_posts_and_the_calendar_but_changes_nothing(
    as_victor, bob_member, campaign_a, mastodon_channel
):
    post = services.create_post(
        membership=bob_member,
        campaign=campaign_a,
        text="Visible to all",
        channels=[mastodon_channel],
    )
    services.schedule(bob_member, post)

    assert "Visible to all" in as_victor.get(LIST).content.decode()
    assert as_victor.get(CALENDAR).status_code == 200
    assert as_victor.get(NEW).status_code == 403
    assert as_victor.post(NEW, form(campaign_a, mastodon_channel)).status_code == 403
    assert as_victor.post(f"/t/team-a/publish/{post.pk}/cancel/").status_code == 403
    page = as_victor.get(LIST).content.decode()
    assert "Write a post" not in page and "Yes, cancel it" not in page
    assert Post.objects.count() == 1
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


# --- the live check ------------------------------------------------------------------------


def test_the_live_check_counts_what_will_go_out_as_the_network_does(
    as_bob, campaign_a, mastodon_channel, x_channel
):
    text = "Free the Ten 👩🏽‍⚖️"
    response = as_bob.post(
        CHECK, form(campaign_a, mastodon_channel, x_channel, text=text, link="https://ex.org/a")
    )

    page = response.content.decode()
    assert response.status_code == 200
    tagged = "https://ex.org/a?utm_source=x&utm_medium=social&utm_campaign=free-the-ten"
    x_count = text_rules.length(f"{text}\n{tagged}", "weighted", 23)
    assert x_count == 13 + 2 + 1 + 23  # the emoji sequence weighs 2, the URL 23
    assert (
        f'<strong class="used">{x_count}</strong> / <span class="limit">280</span></bdi>'
        " weighted characters"
    ) in page
    assert 'id="count-site" class="counter" hx-swap-oob="true"' in page
    assert "Ready: it fits the 3 channels you chose." in page


def test_the_live_check_and_the_server_agree_on_a_too_long_text(
    as_bob, bob_member, campaign_a, x_channel
):
    page = as_bob.post(CHECK, form(campaign_a, x_channel, text=LONG)).content.decode()
    post = services.create_post(
        membership=bob_member, campaign=campaign_a, text=LONG, channels=[x_channel]
    )
    variant = post.variants.get(channel=x_channel)

    [refusal] = services.variant_problems(variant)
    assert refusal in page
    assert "Not ready yet: fix these first." in page
    assert "Split into a thread of 2 posts" in page


def test_a_thread_is_offered_only_where_the_network_can_take_one(as_bob, campaign_a):
    page = as_bob.post(CHECK, form(campaign_a, text="word " * 4100)).content.decode()
    assert "Too long for Own site of Free the Ten" in page
    assert "Split into a thread" not in page


def test_the_own_site_is_chosen_by_default_and_can_be_left_out(
    as_bob, campaign_a, mastodon_channel
):
    page = as_bob.get(NEW).content.decode()
    assert 'name="skip_own_site"' in page and "Don&#x27;t post this to our own site" in page
    assert f'<option value="{campaign_a.pk}" selected>' in page  # the team's only campaign

    as_bob.post(NEW, form(campaign_a, mastodon_channel))
    as_bob.post(NEW, form(campaign_a, mastodon_channel, skip_own_site="on"))

    first, second = Post.objects.order_by("id")
    assert {v.channel.network for v in first.variants.all()} == {"own_site", "mastodon"}
    assert {v.channel.network for v in second.variants.all()} == {"mastodon"}


def test_a_channels_own_words_are_kept_and_the_message_itself_is_no_variant(
    as_bob, campaign_a, mastodon_channel, x_channel
):
    as_bob.post(
        NEW,
        form(
            campaign_a,
            mastodon_channel,
            x_channel,
            **{
                f"text_{mastodon_channel.pk}": "Longer words for Mastodon",
                f"text_{x_channel.pk}": "Free the Ten!",
            },
        ),
    )
    texts = dict(Variant.objects.values_list("channel__network", "text"))
    assert texts == {"mastodon": "Longer words for Mastodon", "x": "", "own_site": ""}


def test_the_link_carries_each_channels_utm_parameters(
    as_bob, campaign_a, mastodon_channel, x_channel
):
    as_bob.post(
        NEW,
        form(campaign_a, mastodon_channel, x_channel, link="https://ex.org/p", action="schedule"),
    )
    texts = dict(Delivery.objects.values_list("variant__channel__network", "text"))
    assert texts["x"].endswith(
        "https://ex.org/p?utm_source=x&utm_medium=social&utm_campaign=free-the-ten"
    )
    assert "utm_source=mastodon" in texts["mastodon"]
    assert "utm_source=own_site" in texts["own_site"]


# --- threads -------------------------------------------------------------------------------


def test_splitting_makes_a_numbered_thread_whose_parts_each_fit(as_bob, campaign_a, x_channel):
    link = "https://ex.org/free"
    response = as_bob.post(
        NEW, form(campaign_a, x_channel, text=LONG * 2, link=link, split=str(x_channel.pk))
    )
    post = Post.objects.get()
    variant = post.variants.get(channel=x_channel)

    assert response.url == f"/t/team-a/publish/{post.pk}/edit/#target-{x_channel.pk}"
    assert len(variant.parts) == 3
    assert [part.rsplit(" ", 1)[-1] for part in variant.parts] == ["1/3", "2/3", "3/3"]
    assert services.variant_problems(variant) == []
    for words in services.part_texts(variant):
        assert text_rules.length(words, "weighted", 23) <= 280
    page = as_bob.get(f"/t/team-a/publish/{post.pk}/edit/").content.decode()
    assert page.count(f'name="part_{x_channel.pk}"') == 3
    assert "Make it one post again" in page


def test_edited_thread_parts_are_kept_and_each_goes_out_after_the_one_before(
    as_bob, campaign_a, x_channel
):
    as_bob.post(NEW, form(campaign_a, x_channel, text=LONG * 2, split=str(x_channel.pk)))
    post = Post.objects.get()
    parts = {f"part_{x_channel.pk}": ["First, changed 1/2", "Second 2/2"]}

    as_bob.post(
        f"/t/team-a/publish/{post.pk}/edit/",
        form(campaign_a, x_channel, text=LONG * 2, action="schedule", **parts),
    )

    deliveries = list(Delivery.objects.filter(variant__channel=x_channel).order_by("part"))
    assert [d.text for d in deliveries] == ["First, changed 1/2", "Second 2/2"]
    assert deliveries[1].previous == deliveries[0]


# --- approval --------------------------------------------------------------------------------


def submitted(charlie_member, campaign, *channels, text="Draft by charlie") -> Post:
    post = services.create_post(
        membership=charlie_member, campaign=campaign, text=text, channels=channels
    )
    return services.submit(charlie_member, post)


def test_an_editor_sends_a_post_back_and_its_author_sees_why(
    as_bob, as_charlie, charlie_member, campaign_a, mastodon_channel
):
    post = submitted(charlie_member, campaign_a, mastodon_channel)

    empty = as_bob.post(f"/t/team-a/publish/{post.pk}/decide/", {"action": "send_back"})
    assert "Say what to change" in told(empty)[0]
    as_bob.post(
        f"/t/team-a/publish/{post.pk}/decide/",
        {"action": "send_back", "comment": "Name the ministry, please."},
    )

    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    page = as_charlie.get(f"/t/team-a/publish/{post.pk}/edit/").content.decode()
    assert "An editor sent this back:" in page and "Name the ministry, please." in page
    assert "Name the ministry, please." in as_charlie.get(LIST).content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.POST_SENT_BACK, detail="Name the ministry, please."
    ).exists()


def test_an_editor_rejects_a_post_and_nothing_goes_out(
    as_bob, charlie_member, campaign_a, mastodon_channel
):
    post = submitted(charlie_member, campaign_a, mastodon_channel)

    as_bob.post(
        f"/t/team-a/publish/{post.pk}/decide/", {"action": "reject", "comment": "Off message"}
    )

    post.refresh_from_db()
    assert (post.status, post.review_comment) == (PostStatus.CANCELLED, "Off message")
    assert not Delivery.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.POST_REJECTED).exists()


def test_the_review_queue_shows_each_channel_as_it_will_go_out_with_its_problems(
    as_bob, charlie_member, campaign_a, x_channel
):
    post = submitted(charlie_member, campaign_a, x_channel, text="Short")
    Variant.objects.filter(post=post, channel=x_channel).update(text=LONG)

    page = as_bob.get(REVIEW).content.decode()

    assert "From charlie" in page
    assert "Too long for X — main" in page
    response = as_bob.post(
        f"/t/team-a/publish/{post.pk}/decide/", {"action": "approve", "version": post.version}
    )
    assert "cannot be scheduled yet" in told(response)[0]
    assert not Delivery.objects.exists()


# --- the list ------------------------------------------------------------------------------


def scheduled(bob_member, campaign, *channels, text="Scheduled words", at=None) -> Post:
    post = services.create_post(
        membership=bob_member, campaign=campaign, text=text, channels=channels
    )
    return services.schedule(bob_member, post, at=at)


def test_the_list_shows_each_channels_delivery_state(
    as_bob, bob_member, campaign_a, mastodon_channel, x_channel, telegram_channel
):
    post = scheduled(bob_member, campaign_a, mastodon_channel, x_channel, telegram_channel)
    by_network = {
        d.variant.channel.network: d for d in Delivery.objects.select_related("variant__channel")
    }
    Delivery.objects.filter(pk=by_network["mastodon"].pk).update(
        state=DeliveryState.SENT, remote_url="https://social.example/@ft/1", sent_at=timezone.now()
    )
    Delivery.objects.filter(pk=by_network["x"].pk).update(
        state=DeliveryState.FAILED,
        error_kind=ErrorKind.AUTH_REVOKED,
        last_error="The X token was revoked: reconnect the channel.",
    )
    Delivery.objects.filter(pk=by_network["telegram"].pk).update(
        state=DeliveryState.UNKNOWN, error_kind=ErrorKind.OUTCOME_UNKNOWN
    )

    page = as_bob.get(LIST).content.decode()

    assert f'id="post-{post.pk}"' in page
    assert 'href="https://social.example/@ft/1"' in page
    assert "The X token was revoked: reconnect the channel." in page
    assert "Reconnect the channel on the Channels page" in page
    assert "Check on the network before reposting" in page
    assert "It went out" in page and "Post it again" in page
    assert "Scheduled" in page  # the own site has not gone yet


def test_an_unknown_delivery_is_settled_by_a_person_with_the_posts_link(
    as_bob, bob_member, campaign_a, telegram_channel
):
    scheduled(bob_member, campaign_a, telegram_channel)
    delivery = Delivery.objects.get(variant__channel=telegram_channel)
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.UNKNOWN)

    response = as_bob.post(
        f"/t/team-a/publish/deliveries/{delivery.pk}/resolve/",
        {"decision": "posted", "remote_url": "https://t.me/freetheten/77", "next": LIST},
    )

    assert response.url == LIST
    delivery.refresh_from_db()
    assert (delivery.state, delivery.remote_url) == (
        DeliveryState.SENT,
        "https://t.me/freetheten/77",
    )
    assert AuditEvent.objects.filter(action=AuditAction.DELIVERY_RESOLVED).exists()


def test_post_it_again_puts_an_unknown_delivery_back_in_the_queue(
    as_bob, bob_member, campaign_a, telegram_channel
):
    scheduled(bob_member, campaign_a, telegram_channel)
    delivery = Delivery.objects.get(variant__channel=telegram_channel)
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.UNKNOWN)

    as_bob.post(f"/t/team-a/publish/deliveries/{delivery.pk}/resolve/", {"decision": "send_again"})

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SCHEDULED


def test_an_editor_cancels_a_scheduled_post(as_bob, bob_member, campaign_a, mastodon_channel):
    post = scheduled(
        bob_member, campaign_a, mastodon_channel, at=timezone.now() + timedelta(days=1)
    )

    response = as_bob.post(f"/t/team-a/publish/{post.pk}/cancel/")

    post.refresh_from_db()
    assert post.status == PostStatus.CANCELLED
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.CANCELLED}
    assert "2 part(s) that had not gone out were stopped" in told(response)[0]


def test_a_scheduled_post_cannot_be_edited_only_cancelled(
    as_bob, bob_member, campaign_a, mastodon_channel
):
    post = scheduled(bob_member, campaign_a, mastodon_channel)
    response = as_bob.get(f"/t/team-a/publish/{post.pk}/edit/")
    assert response.url == LIST
    assert "cancel it to change it" in told(response)[0]


def test_the_list_takes_the_same_few_queries_for_many_posts(
    as_bob,
    bob_member,
    campaign_a,
    mastodon_channel,
    x_channel,
    worker_alive,
    django_assert_max_num_queries,
):
    scheduled(bob_member, campaign_a, mastodon_channel, x_channel, text="Post 0")
    one = queries_for(as_bob, LIST)
    # The page's own: posts, their count, variants, deliveries, heartbeat, waiting count;
    # the rest is sign-in, session and the base page's, the same on every page.
    assert one <= 16
    for number in range(1, 15):
        scheduled(bob_member, campaign_a, mastodon_channel, x_channel, text=f"Post {number}")

    with django_assert_max_num_queries(one):
        page = as_bob.get(LIST).content.decode()
    assert page.count('class="card post-card') == 15


# --- the calendar --------------------------------------------------------------------------


def test_the_calendar_shows_posts_in_the_viewers_time_zone(
    as_bob, bob_member, campaign_a, mastodon_channel
):
    at = datetime(timezone.now().year + 1, 6, 1, 23, 30, tzinfo=UTC)
    scheduled(bob_member, campaign_a, mastodon_channel, text="Late in London", at=at)

    tokyo = as_bob.get(CALENDAR, {"date": f"{at.year}-06-02", "tz": "Asia/Tokyo"})
    page = tokyo.content.decode()
    # 23:30 UTC on 1 June is 08:30 on 2 June in Tokyo: that day's box holds the post.
    day = page.split(f'aria-label="{at.astimezone(ZoneInfo("Asia/Tokyo")):%A %-d %B}"')[1]
    day = day.split('class="cal-day')[0]
    assert "08:30" in day and "Late in London" in day
    london = as_bob.get(CALENDAR, {"date": f"{at.year}-06-01", "tz": "UTC"}).content.decode()
    day = london.split(f'aria-label="{at:%A %-d %B}"')[1].split('class="cal-day')[0]
    assert "23:30" in day and "Late in London" in day


def test_the_month_view_places_a_post_on_its_day(as_bob, bob_member, campaign_a, mastodon_channel):
    at = datetime(timezone.now().year + 1, 2, 14, 10, 0, tzinfo=UTC)
    scheduled(bob_member, campaign_a, mastodon_channel, text="Valentine vigil", at=at)

    page = as_bob.get(CALENDAR, {"view": "month", "date": f"{at.year}-02-01", "tz": "UTC"})

    assert "Valentine vigil" in page.content.decode()
    assert f"February {at.year}" in page.content.decode()


def test_the_calendar_takes_the_same_few_queries_for_many_posts(
    as_bob,
    bob_member,
    campaign_a,
    mastodon_channel,
    x_channel,
    worker_alive,
    django_assert_max_num_queries,
):
    start = datetime(timezone.now().year + 1, 3, 1, 9, 0, tzinfo=UTC)
    query = {"view": "month", "date": f"{start.year}-03-01", "tz": "UTC"}
    scheduled(bob_member, campaign_a, mastodon_channel, x_channel, at=start)
    one = queries_for(as_bob, CALENDAR, query)
    assert one <= 14  # channels, deliveries, heartbeat, waiting count, and the base page's
    for day in range(1, 20):
        scheduled(
            bob_member, campaign_a, mastodon_channel, x_channel, at=start + timedelta(days=day)
        )

    with django_assert_max_num_queries(one):
        page = as_bob.get(CALENDAR, query).content.decode()
    assert page.count('class="cal-entry') == 20


def test_an_editor_reschedules_from_the_calendar_in_their_zone(
    as_bob, bob_member, campaign_a, mastodon_channel
):
    post = scheduled(
        bob_member, campaign_a, mastodon_channel, at=timezone.now() + timedelta(days=1)
    )
    year = timezone.now().year + 1

    response = as_bob.post(
        f"/t/team-a/publish/{post.pk}/reschedule/",
        {"at": f"{year}-01-15T09:00", "time_zone": "America/New_York", "next": CALENDAR},
    )

    assert response.url == CALENDAR
    moved = datetime(year, 1, 15, 14, 0, tzinfo=UTC)
    assert set(Delivery.objects.values_list("due_at", flat=True)) == {moved}
    assert AuditEvent.objects.filter(action=AuditAction.POST_RESCHEDULED).exists()


def test_a_reschedule_to_a_skipped_hour_is_refused(
    as_bob, bob_member, campaign_a, mastodon_channel
):
    post = scheduled(
        bob_member, campaign_a, mastodon_channel, at=timezone.now() + timedelta(days=1)
    )
    before = list(Delivery.objects.values_list("due_at", flat=True))

    response = as_bob.post(
        f"/t/team-a/publish/{post.pk}/reschedule/",
        {"at": f"{timezone.now().year + 1}-03-14T02:30", "time_zone": "America/New_York"},
    )

    assert "does not exist in America/New_York" in told(response)[0]
    assert list(Delivery.objects.values_list("due_at", flat=True)) == before


# --- the worker warning ----------------------------------------------------------------------


BANNER = "No worker is running: scheduled posts will not go out."


def test_publishing_pages_warn_when_no_worker_was_seen(as_bob):
    for url in (LIST, NEW, REVIEW, CALENDAR):
        page = as_bob.get(url).content.decode()
        assert BANNER in page, url
        assert "houseboat worker" in page and "houseboat serve --with-worker" in page


def test_a_worker_seen_lately_silences_the_warning_and_an_old_one_does_not(as_bob, worker_alive):
    assert BANNER not in as_bob.get(LIST).content.decode()

    WorkerHeartbeat.objects.update(last_seen_at=timezone.now() - timedelta(minutes=3))
    assert BANNER in as_bob.get(LIST).content.decode()


def test_publish_is_in_the_navigation_and_marked_on_its_pages(as_bob):
    page = as_bob.get(CALENDAR).content.decode()
    assert f'<a href="{LIST}" aria-current="page">Publish</a>' in page


# --- pictures -------------------------------------------------------------------------------


def photo_with_gps() -> SimpleUploadedFile:
    """A JPEG that says where it was taken, as phone photos do."""
    image = Image.new("RGB", (64, 48), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("IMG_vigil_amina.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_picture_is_stripped_of_its_location_and_goes_only_where_pictures_can(
    as_bob, as_mallory, campaign_a, mastodon_channel
):
    as_bob.post(NEW, {**form(campaign_a, mastodon_channel), "upload": photo_with_gps()})
    post = Post.objects.get()
    picture = post.attachments.get()

    assert picture.mime_type == "image/jpeg"
    assert "amina" not in picture.file.name and "vigil" not in picture.file.name
    with Image.open(picture.file.path) as stored:
        assert not stored.getexif()
    assert list(post.variants.get(channel=mastodon_channel).media.all()) == [picture]
    # The own site shows pictures too (on its page and in its feed).
    assert list(post.variants.get(channel__network="own_site").media.all()) == [picture]

    page = as_bob.get(f"/t/team-a/publish/{post.pk}/edit/").content.decode()
    assert "Describe picture 1 for people who cannot see it" in page
    assert "has no description" in page  # a note, not a refusal
    as_bob.post(
        f"/t/team-a/publish/{post.pk}/edit/",
        form(campaign_a, mastodon_channel, **{f"alt_{picture.pk}": "Candles outside the Courier"}),
    )
    picture.refresh_from_db()
    assert picture.alt == "Candles outside the Courier"

    url = f"/t/team-a/publish/attachments/{picture.pk}/"
    assert as_bob.get(url).status_code == 200
    assert as_mallory.get(url).status_code == 404


def test_a_file_that_is_not_a_picture_is_refused_and_the_words_are_kept(
    as_bob, campaign_a, mastodon_channel
):
    fake = SimpleUploadedFile("notes.pdf", b"%PDF-1.4 secret notes", content_type="application/pdf")
    response = as_bob.post(NEW, {**form(campaign_a, mastodon_channel), "upload": fake})

    post = Post.objects.get()
    assert post.text == "Free the Ten!"
    assert not post.attachments.exists()
    assert any("notes.pdf was not attached" in message for message in told(response))


def test_a_picture_can_be_removed_before_the_post_goes_out(as_bob, campaign_a, mastodon_channel):
    as_bob.post(NEW, {**form(campaign_a, mastodon_channel), "upload": photo_with_gps()})
    post = Post.objects.get()
    picture = post.attachments.get()
    path = picture.file.path

    as_bob.post(
        f"/t/team-a/publish/{post.pk}/edit/",
        form(campaign_a, mastodon_channel, **{f"remove_{picture.pk}": "on"}),
    )

    assert not post.attachments.exists()
    assert not Path(path).exists()


def test_writing_a_post_again_chooses_only_the_channels_it_missed(
    as_bob, bob_member, campaign_a, mastodon_channel, x_channel
):
    post = scheduled(bob_member, campaign_a, mastodon_channel, x_channel, text="Missed on X")
    Delivery.objects.exclude(variant__channel=x_channel).update(state=DeliveryState.SENT)
    Delivery.objects.filter(variant__channel=x_channel).update(
        state=DeliveryState.FAILED, error_kind=ErrorKind.AUTH_REVOKED
    )

    page = as_bob.get(f"{NEW}?from={post.pk}").content.decode()

    assert "Missed on X" in page
    chosen = re.findall(r'name="channels" value="(\d+)"[^>]*checked', page)
    assert chosen == [str(x_channel.pk)]
    assert re.search(r'name="skip_own_site"[^>]*checked', page)  # the own site has it


def test_the_live_check_warns_of_a_phone_number_but_does_not_refuse_the_post(
    as_bob, campaign_a, mastodon_channel
):
    text = "Call Amina on +44 7700 900123 for the vigil"
    page = as_bob.post(CHECK, form(campaign_a, mastodon_channel, text=text)).content.decode()

    assert "Before it goes out, check that this is safe to publish:" in page
    assert "+44 7700 900123" in page
    as_bob.post(NEW, form(campaign_a, mastodon_channel, text=text, action="schedule"))
    assert Post.objects.get().status == PostStatus.SCHEDULED


@pytest.mark.parametrize("in_memory", [True, False])
def test_a_damaged_picture_is_refused_without_naming_a_server_path(
    as_bob, campaign_a, mastodon_channel, settings, in_memory
):
    if not in_memory:
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django keeps it in a temporary file
    damaged = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\xff" * 40
    upload = SimpleUploadedFile("vigil.png", damaged, content_type="image/png")

    response = as_bob.post(NEW, {**form(campaign_a, mastodon_channel), "upload": upload})

    [message] = [m for m in told(response) if "was not attached" in m]
    assert message.startswith("vigil.png was not attached: vigil.png looks like a PNG")
    assert "tmp" not in message and "/" not in message and "upload" not in message
