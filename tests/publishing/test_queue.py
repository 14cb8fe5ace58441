"""Each channel's queue: posting times, the next free one (across DST), and using it."""

import re
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent, Membership
from houseboat.publishing import queue, services
from houseboat.publishing.constants import DeliveryState, PostStatus
from houseboat.publishing.models import Delivery, Post, QueueSlot

NEW = "/t/team-a/publish/new/"
TIMES = "/t/team-a/publish/times/"
LONDON = "Europe/London"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def slots(channel, zone: str, *pairs: tuple[int, time]) -> None:
    QueueSlot.objects.bulk_create(
        [QueueSlot(channel=channel, weekday=d, time=t, time_zone=zone) for d, t in pairs]
    )


def occupy(channel, moment: datetime, bob_member, campaign_a) -> Post:
    """Schedule a post on channel at a fixed moment, as an editor would."""
    post = services.create_post(
        membership=bob_member, campaign=campaign_a, text="busy", channels=[channel], own_site=False
    )
    return services.schedule(bob_member, post, at=moment)


def next_local(zone: str, weekdays: set[int], at: time, *, after: datetime) -> datetime:
    """The next wall-clock time at on one of weekdays in zone, worked out plainly."""
    tz = ZoneInfo(zone)
    day = after.astimezone(tz).date()
    for offset in range(8):
        candidate = datetime.combine(day + timedelta(days=offset), at, tzinfo=tz)
        if candidate.weekday() in weekdays and candidate > after:
            return candidate.astimezone(UTC)
    raise AssertionError("no slot within a week")


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the next free slot -----------------------------------------------------------------


def test_next_free_slot_is_the_first_slot_after_now_in_the_slot_zone(mastodon_channel):
    slots(mastodon_channel, "America/New_York", (2, time(9)), (0, time(9)))
    # Monday 12 Jan 2026, 15:00 UTC = 10:00 in New York: Monday's 09:00 has passed.
    found = queue.next_free(mastodon_channel, after=utc(2026, 1, 12, 15))
    assert found == utc(2026, 1, 14, 14)  # Wednesday 09:00 EST


def test_a_slot_taken_by_a_scheduled_post_is_skipped(mastodon_channel, bob_member, campaign_a):
    slots(mastodon_channel, LONDON, (0, time(9)), (0, time(12, 30)))
    occupy(mastodon_channel, utc(2026, 1, 12, 9), bob_member, campaign_a)
    found = queue.next_free(mastodon_channel, after=utc(2026, 1, 12, 8))
    assert found == utc(2026, 1, 12, 12, 30)


def test_a_cancelled_post_frees_its_slot(mastodon_channel, bob_member, campaign_a):
    slots(mastodon_channel, LONDON, (0, time(9)))
    post = occupy(mastodon_channel, utc(2026, 1, 12, 9), bob_member, campaign_a)
    services.cancel(bob_member, post)
    assert queue.next_free(mastodon_channel, after=utc(2026, 1, 12, 8)) == utc(2026, 1, 12, 9)


def test_a_slot_taken_on_another_channel_is_still_free_here(
    mastodon_channel, x_channel, bob_member, campaign_a
):
    slots(mastodon_channel, LONDON, (0, time(9)))
    occupy(x_channel, utc(2026, 1, 12, 9), bob_member, campaign_a)
    assert queue.next_free(mastodon_channel, after=utc(2026, 1, 12, 8)) == utc(2026, 1, 12, 9)


def test_the_queue_wraps_past_the_end_of_the_week(mastodon_channel, bob_member, campaign_a):
    slots(mastodon_channel, LONDON, (0, time(9)), (6, time(18)))
    # Sunday 18 Jan 2026 19:00: Sunday's 18:00 passed, Monday's is next, a week on if taken.
    after = utc(2026, 1, 18, 19)
    assert queue.next_free(mastodon_channel, after=after) == utc(2026, 1, 19, 9)
    occupy(mastodon_channel, utc(2026, 1, 19, 9), bob_member, campaign_a)
    assert queue.next_free(mastodon_channel, after=after) == utc(2026, 1, 25, 18)


def test_a_slot_at_exactly_now_is_not_free_any_more(mastodon_channel):
    slots(mastodon_channel, LONDON, (0, time(9)))
    assert queue.next_free(mastodon_channel, after=utc(2026, 1, 12, 9)) == utc(2026, 1, 19, 9)


def test_a_09_00_slot_stays_09_00_london_time_across_the_spring_change(mastodon_channel):
    slots(mastodon_channel, LONDON, (4, time(9)), (0, time(9)))
    # Friday 27 March 2026 is GMT; the clocks go forward on Sunday the 29th.
    assert queue.next_free(mastodon_channel, after=utc(2026, 3, 27, 8)) == utc(2026, 3, 27, 9)
    assert queue.next_free(mastodon_channel, after=utc(2026, 3, 27, 10)) == utc(2026, 3, 30, 8)


def test_a_slot_the_clocks_skip_moves_to_the_first_instant_after_the_gap(mastodon_channel):
    slots(mastodon_channel, LONDON, (6, time(1, 30)))
    # 29 March 2026: 01:00 GMT becomes 02:00 BST; 01:30 does not exist, 02:00 BST does.
    found = queue.next_free(mastodon_channel, after=utc(2026, 3, 28, 12))
    assert found == utc(2026, 3, 29, 1)
    assert found.astimezone(ZoneInfo(LONDON)).strftime("%H:%M %Z") == "02:00 BST"


def test_a_slot_that_happens_twice_takes_the_first_occurrence(mastodon_channel):
    slots(mastodon_channel, LONDON, (6, time(1, 30)))
    # 25 October 2026: 02:00 BST becomes 01:00 GMT; 01:30 happens twice, first in BST.
    found = queue.next_free(mastodon_channel, after=utc(2026, 10, 24, 12))
    assert found == utc(2026, 10, 25, 0, 30)


def test_santiago_midnight_change_skips_and_repeats_the_right_slots(mastodon_channel):
    zone = "America/Santiago"
    slots(mastodon_channel, zone, (6, time(0, 30)), (5, time(23, 30)))
    # 4/5 April 2026 the clocks go back from Sunday 00:00 to Saturday 23:00 (-03 → -04):
    # Saturday 23:30 happens twice; the first one, at -03, is 02:30 UTC.
    assert queue.next_free(mastodon_channel, after=utc(2026, 4, 4, 12)) == utc(2026, 4, 5, 2, 30)
    # 6 September 2026 Sunday 00:00 becomes 01:00 (-04 → -03): 00:30 moves to 01:00 -03,
    # just after Saturday's 23:30 (-04, 03:30 UTC).
    after = utc(2026, 9, 6, 0)
    assert queue.next_free(mastodon_channel, after=after) == utc(2026, 9, 6, 3, 30)
    assert queue.next_free(mastodon_channel, after=utc(2026, 9, 6, 3, 30)) == utc(2026, 9, 6, 4)


def test_a_half_hour_dst_change_moves_a_skipped_slot_to_the_end_of_the_gap(mastodon_channel):
    zone = "Australia/Lord_Howe"  # clocks move by 30 minutes, 02:00 → 02:30
    slots(mastodon_channel, zone, (6, time(2, 10)))
    found = queue.next_free(mastodon_channel, after=utc(2026, 10, 2, 0))
    assert found.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") == "2026-10-04 02:30"


def test_parse_spec_reads_days_ranges_and_words():
    assert queue.parse_spec("mon,wed 09:00") == [(0, time(9)), (2, time(9))]
    assert queue.parse_spec("fri-mon 9:30") == [(d, time(9, 30)) for d in (0, 4, 5, 6)]
    assert [d for d, _t in queue.parse_spec("weekdays 18:00")] == [0, 1, 2, 3, 4]
    with pytest.raises(services.PublishingError, match="“funday” is not a day"):
        queue.parse_spec("funday 09:00")
    with pytest.raises(services.PublishingError, match="not a time of day"):
        queue.parse_spec("mon 25:00")


# --- scheduling from the queue ----------------------------------------------------------


def test_composer_queue_gives_each_channel_its_own_next_free_time(
    as_bob, campaign_a, mastodon_channel, x_channel, own_site, bob_member
):
    every_day = set(range(7))
    slots(mastodon_channel, LONDON, *[(d, time(9)) for d in every_day])
    slots(x_channel, "Asia/Tokyo", *[(d, time(18)) for d in every_day])
    now = timezone.now()
    # Mastodon's next 09:00 is taken already, so it goes at the one after.
    taken = next_local(LONDON, every_day, time(9), after=now)
    occupy(mastodon_channel, taken, bob_member, campaign_a)
    response = as_bob.post(
        NEW,
        {
            "text": "Vigil at the harbour, Friday 18:00",
            "campaign": campaign_a.pk,
            "channels": [mastodon_channel.pk, x_channel.pk],
            "when": "queue",
            "time_zone": "Europe/Berlin",
            "action": "schedule",
        },
    )
    assert response.status_code == 302
    post = Post.objects.exclude(text="busy").get()
    assert post.status == PostStatus.SCHEDULED and post.queued
    due = {
        d.variant.channel_id: d.due_at
        for d in Delivery.objects.filter(variant__post=post).select_related("variant")
    }
    mastodon_at = next_local(LONDON, every_day, time(9), after=taken)
    x_at = next_local("Asia/Tokyo", every_day, time(18), after=now)
    assert due[mastodon_channel.pk] == mastodon_at
    assert due[x_channel.pk] == x_at
    assert due[own_site.pk] == min(mastodon_at, x_at)  # the own site goes with the earliest
    assert post.scheduled_at == min(mastodon_at, x_at)
    message = " ".join(told(response))
    assert "Added to the queue" in message and "Mastodon — main" in message
    berlin = mastodon_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert berlin.strftime("%H:%M") in message  # shown in the person's zone
    listing = as_bob.get("/t/team-a/publish/").content.decode()
    assert "from the queue:" in listing


def test_queue_with_a_channel_without_times_queues_nothing_and_links_the_page(
    as_bob, campaign_a, mastodon_channel, x_channel
):
    slots(mastodon_channel, LONDON, (0, time(9)))
    response = as_bob.post(
        NEW,
        {
            "text": "Vigil",
            "campaign": campaign_a.pk,
            "channels": [mastodon_channel.pk, x_channel.pk],
            "when": "queue",
            "time_zone": LONDON,
            "action": "schedule",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "X — main has no posting times yet" in page
    assert f'href="{TIMES}{x_channel.pk}/"' in page
    assert "Vigil" in page  # the words are still there to send once times are set
    assert not Post.objects.exists() and not Delivery.objects.exists()


def test_service_refuses_the_queue_for_a_channel_without_times(
    bob_member, campaign_a, mastodon_channel
):
    post = services.create_post(
        membership=bob_member, campaign=campaign_a, text="Hi", channels=[mastodon_channel],
        queued=True,
    )  # fmt: skip
    with pytest.raises(queue.NoQueueSlots, match="Mastodon — main has no posting times yet"):
        services.schedule(bob_member, post)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and not Delivery.objects.exists()


def test_contributor_queue_waits_for_approval_and_takes_the_slot_after_it(
    as_charlie, as_bob, campaign_a, mastodon_channel, own_site
):
    slots(mastodon_channel, LONDON, *[(d, time(9)) for d in range(7)])
    response = as_charlie.post(
        NEW,
        {
            "text": "Free the Ten",
            "campaign": campaign_a.pk,
            "channels": [mastodon_channel.pk],
            "when": "queue",
            "time_zone": LONDON,
            "action": "schedule",  # a contributor's page has no such button; try anyway
        },
    )
    post = Post.objects.get()
    assert post.status == PostStatus.DRAFT and post.queued
    assert not Delivery.objects.exists()
    as_charlie.post(
        f"/t/team-a/publish/{post.pk}/edit/",
        {
            "text": "Free the Ten",
            "campaign": campaign_a.pk,
            "channels": [mastodon_channel.pk],
            "when": "queue",
            "time_zone": LONDON,
            "action": "submit",
        },
    )
    post.refresh_from_db()
    assert post.status == PostStatus.PENDING_APPROVAL and not Delivery.objects.exists()
    assert response.status_code in (302, 403)

    as_bob.post(
        f"/t/team-a/publish/{post.pk}/decide/", {"action": "approve", "version": post.version}
    )
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    first = Delivery.objects.get(variant__channel=mastodon_channel)
    assert first.due_at == next_local(LONDON, set(range(7)), time(9), after=post.approved_at)


def test_contributor_cannot_schedule_a_queued_post_through_the_service(
    charlie_member, campaign_a, mastodon_channel
):
    slots(mastodon_channel, LONDON, (0, time(9)))
    post = services.create_post(
        membership=charlie_member, campaign=campaign_a, text="Hi", channels=[mastodon_channel],
        queued=True,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.schedule(charlie_member, post)
    assert not Delivery.objects.exists()


# --- the posting times page ------------------------------------------------------------


def test_editor_sees_suggested_times_and_saving_them_is_audited(as_bob, mastodon_channel):
    page = as_bob.get(f"{TIMES}{mastodon_channel.pk}/").content.decode()
    assert "These are suggested times, not saved yet" in page
    assert not QueueSlot.objects.exists()
    data = {"rows": "3", "time_zone": LONDON, "action": "save"}
    for i, at in enumerate(["09:00", "12:30", "18:00"]):
        data[f"time-{i}"] = at
        data[f"day-{i}"] = ["0", "1", "2", "3", "4"]
    response = as_bob.post(f"{TIMES}{mastodon_channel.pk}/", data)
    assert response.status_code == 302
    assert QueueSlot.objects.filter(channel=mastodon_channel, time_zone=LONDON).count() == 15
    event = AuditEvent.objects.get(action=AuditAction.QUEUE_SLOTS_CHANGED)
    assert event.actor.username == "bob" and event.team == mastodon_channel.team
    assert "Mon-Fri 09:00, 12:30, 18:00" in event.detail
    listing = as_bob.get(TIMES).content.decode()
    assert "Mon-Fri 09:00, 12:30, 18:00" in listing


def test_a_bad_time_saves_nothing_and_keeps_what_was_typed(as_bob, mastodon_channel):
    slots(mastodon_channel, LONDON, (0, time(9)))
    data = {
        "rows": "2",
        "time_zone": LONDON,
        "action": "save",
        "time-0": "10:00",
        "day-0": ["0"],
        "time-1": "25:99",
        "day-1": ["2"],
    }
    response = as_bob.post(f"{TIMES}{mastodon_channel.pk}/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "“25:99” is not a time of day" in page and 'value="10:00"' in page
    assert queue.slots_of(mastodon_channel) == [(0, time(9))]
    assert not AuditEvent.objects.filter(action=AuditAction.QUEUE_SLOTS_CHANGED).exists()


def test_a_time_without_days_is_refused(as_bob, mastodon_channel):
    data = {"rows": "1", "time_zone": LONDON, "action": "save", "time-0": "10:00"}
    response = as_bob.post(f"{TIMES}{mastodon_channel.pk}/", data)
    assert response.status_code == 400
    assert "Tick at least one day for 10:00" in response.content.decode()
    assert not QueueSlot.objects.exists()


def test_contributor_cannot_change_posting_times(as_charlie, charlie_member, mastodon_channel):
    assert as_charlie.get(TIMES).status_code == 200
    response = as_charlie.post(
        f"{TIMES}{mastodon_channel.pk}/",
        {"rows": "1", "time-0": "09:00", "day-0": ["0"], "time_zone": LONDON},
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        queue.set_slots(charlie_member, mastodon_channel, [(0, time(9))], LONDON)
    assert not QueueSlot.objects.exists()


def test_another_team_cannot_see_or_change_posting_times(
    as_mallory, mallory, team_b, mastodon_channel
):
    assert as_mallory.get(f"{TIMES}{mastodon_channel.pk}/").status_code == 404
    response = as_mallory.post(
        f"{TIMES}{mastodon_channel.pk}/",
        {"rows": "1", "time-0": "09:00", "day-0": ["0"], "time_zone": LONDON},
    )
    assert response.status_code == 404
    with pytest.raises(mastodon_channel.DoesNotExist):
        queue.set_slots(
            Membership.objects.get(user=mallory, team=team_b),
            mastodon_channel,
            [(0, time(9))],
            LONDON,
        )
    assert not QueueSlot.objects.exists()


# --- the command line -------------------------------------------------------------------


def houseboat_post(*args: str) -> str:
    out = StringIO()
    call_command("post", *args, stdout=out)
    return out.getvalue()


def test_posting_times_from_the_command_line(bob, mastodon_channel):
    pk = str(mastodon_channel.pk)
    out = houseboat_post("slots", pk, "--as=bob", "--add", "mon-fri 09:00", "--tz", LONDON)
    assert "Mon-Fri 09:00" in out
    houseboat_post("slots", pk, "--as=bob", "--remove", "fri 09:00")
    assert sorted(d for d, _t in queue.slots_of(mastodon_channel)) == [0, 1, 2, 3]
    assert "Mon-Thu 09:00 (Europe/London)" in houseboat_post("slots", pk, "--list")
    assert AuditEvent.objects.filter(action=AuditAction.QUEUE_SLOTS_CHANGED).count() == 2
    with pytest.raises(CommandError, match="not a day"):
        houseboat_post("slots", pk, "--as=bob", "--add", "someday 09:00")


def test_contributor_cannot_change_posting_times_from_the_command_line(charlie, mastodon_channel):
    with pytest.raises(CommandError, match="cannot publish"):
        houseboat_post("slots", str(mastodon_channel.pk), "--as=charlie", "--add", "mon 09:00")
    assert not QueueSlot.objects.exists()


def test_post_create_queue_schedules_at_the_next_free_slot(bob, campaign_a, mastodon_channel):
    slots(mastodon_channel, LONDON, *[(d, time(7, 15)) for d in range(7)])
    out = houseboat_post(
        "create", "--team=team-a", "--as=bob", "--text=Vigil", f"--channel={mastodon_channel.pk}",
        "--no-own-site", "--queue", "--schedule",
    )  # fmt: skip
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.SCHEDULED
    assert delivery.due_at == next_local(
        LONDON, set(range(7)), time(7, 15), after=delivery.created_at
    )
    assert "Mastodon — main" in out and "from the queue" in out


def test_post_create_queue_without_times_says_what_to_do(bob, campaign_a, mastodon_channel):
    with pytest.raises(CommandError, match="houseboat post slots"):
        houseboat_post(
            "create", "--team=team-a", "--as=bob", "--text=Vigil",
            f"--channel={mastodon_channel.pk}", "--no-own-site", "--queue", "--schedule",
        )  # fmt: skip
    assert not Delivery.objects.exists()
    assert not Post.objects.exists()


def test_next_free_uses_the_date_the_slot_zone_is_on(mastodon_channel):
    # 23:30 UTC Sunday is already Monday 08:30 in Tokyo: Monday 09:00 Tokyo is 30 minutes on.
    slots(mastodon_channel, "Asia/Tokyo", (0, time(9)))
    after = utc(2026, 1, 11, 23, 30)
    assert date(2026, 1, 11).weekday() == 6
    assert queue.next_free(mastodon_channel, after=after) == utc(2026, 1, 12, 0)


def test_calendar_week_shows_free_posting_times_faintly_but_not_taken_ones(
    as_bob, mastodon_channel, bob_member, campaign_a
):
    every_day = set(range(7))
    slots(mastodon_channel, LONDON, *[(d, time(9)) for d in every_day])
    first = next_local(LONDON, every_day, time(9), after=timezone.now())
    second = next_local(LONDON, every_day, time(9), after=first)
    occupy(mastodon_channel, first, bob_member, campaign_a)
    day = second.astimezone(ZoneInfo(LONDON)).date().isoformat()
    page = as_bob.get(
        "/t/team-a/publish/calendar/", {"view": "week", "date": day, "tz": LONDON}
    ).content.decode()
    free = re.findall(r'<p class="cal-free"[^>]*><time datetime="([^"]+)"', page)
    assert second.astimezone(ZoneInfo(LONDON)).isoformat() in free
    assert first.astimezone(ZoneInfo(LONDON)).isoformat() not in free
    assert f'href="{TIMES}"' in page
