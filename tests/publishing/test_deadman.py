"""The dead-man switch: prepared, approved, armed, checked in, warned about, released once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors.services import own_site_channel
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent, Membership, hash_token
from houseboat.publishing import deadman, services
from houseboat.publishing.constants import DeadManStatus, DeliveryState, PostStatus
from houseboat.publishing.models import CheckInLink, DeadManSwitch, Delivery, Post
from houseboat.publishing.services import PublishingError
from houseboat.safety.lockdown import lock_down

TEXT = "Our colleague Amal has been detained. Call the ministry: +20 2 0000 0000."
DAY = timedelta(days=1)


def statements(*channels, **changes) -> deadman.Statements:
    values = {
        "name": "If I am detained",
        "text": TEXT,
        "channels": list(channels),
        "texts": {},
        "check_in_every": timedelta(hours=72),
        "warn_before": timedelta(hours=24),
    }
    values.update(changes)
    return deadman.Statements(**values)


def switch_url(name: str, switch: DeadManSwitch) -> str:
    return reverse(f"deadman:{name}", kwargs={"team_slug": "team-a", "pk": switch.pk})


def link_url(token: str) -> str:
    return reverse("deadman:link", args=[token])


def deadline_in(switch: DeadManSwitch, delta: timedelta) -> None:
    """Move an armed switch's deadline (and its warning) as if time had passed."""
    deadline = timezone.now() + delta
    DeadManSwitch.objects.filter(pk=switch.pk).update(
        deadline=deadline, warn_at=deadline - switch.warn_before
    )
    CheckInLink.objects.filter(switch=switch).update(expires_at=deadline)
    switch.refresh_from_db()


def owner_approves(switch: DeadManSwitch) -> None:
    """Approve a switch's statements as the team's first owner: only owners approve."""
    owner = Membership.objects.filter(team_id=switch.team_id, role="owner").earliest("pk")
    deadman.approve(owner, switch)
    switch.refresh_from_db()


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


@pytest.fixture
def alice_member(alice, team_a) -> Membership:
    return Membership.objects.get(user=alice, team=team_a)


@pytest.fixture
def prepared(bob_member, mastodon_channel, telegram_channel) -> DeadManSwitch:
    """Bob's switch, statements for Mastodon and Telegram, not armed yet."""
    return deadman.prepare(bob_member, statements(mastodon_channel, telegram_channel))


@pytest.fixture
def armed(bob_member, alice_member, prepared) -> tuple[DeadManSwitch, str]:
    """Bob's switch, approved by alice (only owners approve statements) and armed."""
    deadman.approve(alice_member, prepared)
    prepared.refresh_from_db()
    token = deadman.arm(bob_member, prepared)
    prepared.refresh_from_db()
    return prepared, token


# --- release: once, on time, through the dispatcher -------------------------------------


def test_the_release_step_runs_in_the_dispatch_lane_before_the_dispatcher():
    steps = settings.HOUSEBOAT_WORKER_LANES["dispatch"]
    assert steps.index("houseboat.publishing.deadman.release_due") < steps.index(
        "houseboat.publishing.dispatch.dispatch_due"
    )


def test_an_armed_switch_releases_nothing_before_its_deadline(armed):
    switch, _ = armed
    deadline_in(switch, timedelta(seconds=30))

    deadman.release_due("worker-1")

    switch.refresh_from_db()
    assert switch.status == DeadManStatus.ARMED
    assert switch.warned_at is not None  # warned, not released
    assert switch.post.status == PostStatus.HELD
    assert not Delivery.objects.exists()


def test_statements_go_out_once_when_the_deadline_passes_even_with_two_workers(
    armed, run, mastodon, telegram
):
    switch, _ = armed
    deadline_in(switch, -timedelta(seconds=1))

    assert deadman.release_due("worker-1") == 1
    assert deadman.release_due("worker-2") == 0

    switch.refresh_from_db()
    assert switch.status == DeadManStatus.RELEASED
    assert switch.post.status == PostStatus.SCHEDULED
    deliveries = list(Delivery.objects.filter(variant__post=switch.post))
    assert len(deliveries) == 2
    assert all(
        d.due_at <= timezone.now() and d.state == DeliveryState.SCHEDULED for d in deliveries
    )

    run("worker-1")
    run("worker-2")
    assert mastodon.texts() == [TEXT]
    assert telegram.texts() == [TEXT]
    assert len(events(AuditAction.DEADMAN_RELEASED)) == 1
    assert "bob missed the check-in" in events(AuditAction.DEADMAN_RELEASED)[0].detail


def test_a_worker_that_saw_the_switch_armed_a_moment_late_releases_nothing(armed):
    switch, _ = armed
    deadline_in(switch, -timedelta(seconds=1))
    now = timezone.now()

    # Both workers listed the switch as due; only the first UPDATE changes its row.
    assert deadman.release(switch.pk, now=now) is True
    assert deadman.release(switch.pk, now=now) is False

    assert Delivery.objects.filter(variant__post=switch.post).count() == 2


def test_a_release_that_fails_halfway_leaves_the_switch_armed_for_the_next_round(
    armed, monkeypatch
):
    switch, _ = armed
    deadline_in(switch, -timedelta(seconds=1))

    def broken(*args, **kwargs):
        raise SystemError("the worker died here")

    monkeypatch.setattr(deadman, "schedule_statements", broken)
    assert deadman.release_due("worker-1") == 0
    switch.refresh_from_db()
    assert switch.status == DeadManStatus.ARMED
    assert not Delivery.objects.exists()

    monkeypatch.undo()
    assert deadman.release_due("worker-1") == 1
    assert Delivery.objects.count() == 2


def test_a_release_sends_each_channels_own_words(
    bob_member, alice, mastodon_channel, telegram_channel
):
    own = {telegram_channel.pk: "Amal is detained. Details on our site."}
    switch = deadman.prepare(bob_member, statements(mastodon_channel, telegram_channel, texts=own))
    owner_approves(switch)
    deadman.arm(bob_member, switch)
    deadline_in(switch, -timedelta(seconds=1))

    deadman.release_due("worker-1")

    texts = dict(Delivery.objects.values_list("variant__channel_id", "text"))
    assert texts == {mastodon_channel.pk: TEXT, telegram_channel.pk: own[telegram_channel.pk]}


@pytest.mark.django_db(transaction=True)
# Threads cannot share the suite's in-memory SQLite; the test below races worker
# processes on a SQLite file.
@pytest.mark.backend("postgresql")
def test_two_workers_racing_on_postgresql_release_the_switch_once(armed):
    switch, _ = armed
    deadline_in(switch, -timedelta(seconds=1))
    start = threading.Barrier(4)
    done: list[int] = []
    errors: list[Exception] = []

    def worker(name: str) -> None:
        try:
            start.wait()
            done.append(deadman.release_due(name))
        except Exception as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"worker-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(done) == [0, 0, 0, 1]
    assert Delivery.objects.filter(variant__post=switch.post).count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.DEADMAN_RELEASED).count() == 1


SEED = """
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from houseboat.campaigns.models import Campaign
from houseboat.connectors.models import Channel
from houseboat.core.models import Membership, Team, User
from houseboat.publishing import deadman
team = Team.objects.create(name="Race", slug="race")
bob = User.objects.create_user(username="bob")
member = Membership.objects.create(team=team, user=bob, role="owner")  # approves by arming
campaign = Campaign.objects.create(team=team, name="Race", slug="race", site_public=True)
site = Channel.objects.get(network="own_site", config__campaign_id=campaign.pk)
switch = deadman.prepare(member, deadman.Statements(
    name="race", text="Released once.", channels=[site], texts={},
    check_in_every=timedelta(hours=2), warn_before=timedelta(hours=1)))
deadman.arm(member, switch)
switch.__class__.objects.filter(pk=switch.pk).update(
    deadline=timezone.now() - timedelta(seconds=1))
"""

REPORT = """
import django
django.setup()
from houseboat.campaigns.models import SitePost
from houseboat.core.models import AuditEvent
from houseboat.publishing.models import Delivery
print(Delivery.objects.filter(state="sent").count(), SitePost.objects.count(),
      AuditEvent.objects.filter(action="deadman_released").count())
"""


def test_two_worker_processes_on_one_sqlite_file_release_the_switch_once(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "HOUSEBOAT_DATA_DIR"}
    }
    env.update(HOUSEBOAT_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="houseboat.settings")

    def python(*args: str, **kwargs) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, *args], env=env, **kwargs)

    assert python("-m", "houseboat", "migrate", "-v0").wait(120) == 0
    assert python("-c", SEED).wait(60) == 0
    workers = [python("-m", "houseboat", "worker", "--once") for _ in range(2)]
    assert all(worker.wait(120) == 0 for worker in workers)

    report = python("-c", REPORT, stdout=subprocess.PIPE, text=True).communicate(timeout=60)[0]
    assert report.split() == ["1", "1", "1"]  # one delivery sent, one site post, one release


# --- checking in ----------------------------------------------------------------------------


def test_checking_in_on_the_web_moves_the_deadline_and_gives_a_fresh_link(as_bob, armed):
    switch, first_token = armed
    deadline_in(switch, timedelta(hours=2))  # inside the warning window
    DeadManSwitch.objects.filter(pk=switch.pk).update(warned_at=timezone.now())
    before = timezone.now()

    response = as_bob.post(switch_url("check_in", switch))

    assert response.status_code == 200
    assert b"Checked in" in response.content
    new_link = response.context["new_link"]
    assert "/checkin/" in new_link
    switch.refresh_from_db()
    assert before + timedelta(hours=72) <= switch.deadline <= timezone.now() + timedelta(hours=72)
    assert switch.warn_at == switch.deadline - timedelta(hours=24)
    assert switch.warned_at is None
    assert len(events(AuditAction.DEADMAN_CHECKED_IN)) == 1
    # The link given when arming was replaced by the new one.
    old = as_bob.post(link_url(first_token))
    assert old.status_code == 410
    assert b"A newer check-in link replaced this one" in old.content


def test_the_check_in_button_is_on_the_holders_page(as_bob, armed):
    switch, _ = armed
    response = as_bob.get(switch_url("detail", switch))
    assert response.status_code == 200
    assert b"checkin-button" in response.content
    assert switch_url("check_in", switch).encode() in response.content


def test_only_the_holder_checks_in_on_the_web(as_alice, armed):
    switch, _ = armed
    deadline = switch.deadline
    response = as_alice.post(switch_url("check_in", switch))
    assert response.status_code == 403
    switch.refresh_from_db()
    assert switch.deadline == deadline


def test_a_check_in_link_works_once_and_then_says_it_was_used(client, armed):
    switch, token = armed
    deadline_in(switch, timedelta(hours=1))

    asked = client.get(link_url(token))
    assert asked.status_code == 200
    assert b"I am safe" in asked.content
    switch.refresh_from_db()
    assert switch.deadline < timezone.now() + timedelta(hours=2)  # a GET changes nothing

    used = client.post(link_url(token))
    assert used.status_code == 200
    assert b"Checked in" in used.content
    switch.refresh_from_db()
    assert switch.deadline > timezone.now() + timedelta(hours=71)

    for again in (client.post(link_url(token)), client.get(link_url(token))):
        assert again.status_code == 410
        assert b"This check-in link was already used" in again.content

    fresh = used.context["new_link"].split("/checkin/")[1].strip("/")
    assert client.post(link_url(fresh)).status_code == 200
    event = events(AuditAction.DEADMAN_CHECKED_IN)[0]
    assert "one-time link" in event.detail and event.actor is None


def test_only_a_hash_of_the_link_is_stored(armed):
    switch, token = armed
    link = CheckInLink.objects.get(switch=switch, revoked_at__isnull=True)
    assert token not in link.token_hash
    assert link.token_hash == hash_token(token)


def test_a_link_past_the_deadline_says_it_is_too_late(client, armed):
    switch, token = armed
    deadline_in(switch, -timedelta(seconds=1))

    expired = client.post(link_url(token))
    assert expired.status_code == 410
    assert b"expired at the deadline" in expired.content

    deadman.release_due("worker-1")
    released = client.get(link_url(token))
    assert released.status_code == 410
    assert b"statements were released" in released.content


def test_a_check_in_racing_the_release_loses_clearly(bob_member, armed):
    switch, _ = armed
    deadline_in(switch, -timedelta(seconds=1))
    with pytest.raises(PublishingError, match="Too late"):
        deadman.check_in(bob_member, switch)


def test_an_unknown_link_is_not_found(client, db):
    response = client.get(link_url("not-a-real-token"))
    assert response.status_code == 404
    assert b"does not work" in response.content


def test_the_link_page_needs_no_sign_in_and_shows_no_team(client, armed):
    _, token = armed
    response = client.get(link_url(token))
    assert response.status_code == 200
    assert b"Team A" not in response.content
    assert TEXT.encode() not in response.content
    assert "no-store" in response["Cache-Control"]


# --- the owners' warning ----------------------------------------------------------------------


def test_the_owner_warning_appears_in_the_window_and_not_before(
    as_alice, as_bob, as_charlie, armed
):
    switch, _ = armed
    page = reverse("campaigns:index", kwargs={"team_slug": "team-a"})

    deadline_in(switch, timedelta(hours=25))  # an hour before the 24-hour window
    assert b"deadman-banner" not in as_alice.get(page).content
    assert deadman.release_due("worker-1") == 0
    assert events(AuditAction.DEADMAN_WARNING) == []

    deadline_in(switch, timedelta(hours=23))
    owner = as_alice.get(page).content.decode()
    assert "deadman-banner" in owner
    assert "bob has not checked in" in owner
    assert "Check in: your dead-man switch" in as_bob.get(page).content.decode()
    assert b"deadman-banner" not in as_charlie.get(page).content  # not an owner, not the holder

    assert deadman.release_due("worker-1") == 1
    assert deadman.release_due("worker-2") == 0  # warned once per deadline
    (warning,) = events(AuditAction.DEADMAN_WARNING)
    assert warning.team_id == switch.team_id and "bob has not checked in" in warning.detail


def test_a_check_in_ends_the_warning(as_alice, bob_member, armed):
    switch, _ = armed
    deadline_in(switch, timedelta(hours=2))
    deadman.check_in(bob_member, switch)
    page = reverse("campaigns:index", kwargs={"team_slug": "team-a"})
    assert b"deadman-banner" not in as_alice.get(page).content


# --- approval and roles --------------------------------------------------------------------


def test_a_contributor_cannot_arm_a_switch_whose_statements_are_unapproved(
    as_charlie, charlie_member, alice_member, mastodon_channel
):
    switch = deadman.prepare(charlie_member, statements(mastodon_channel))
    with pytest.raises(PublishingError, match="An owner must approve"):
        deadman.arm(charlie_member, switch)

    response = as_charlie.post(switch_url("arm", switch), follow=True)
    assert b"An owner must approve" in response.content
    switch.refresh_from_db()
    assert switch.status == DeadManStatus.DRAFT
    assert not CheckInLink.objects.exists()

    deadman.submit(charlie_member, switch)
    deadman.approve(alice_member, switch)
    switch.refresh_from_db()
    deadman.arm(charlie_member, switch)
    switch.refresh_from_db()
    assert switch.status == DeadManStatus.ARMED
    assert switch.approved_by_id == alice_member.user_id


def test_changed_statements_need_approval_again(charlie_member, alice_member, mastodon_channel):
    switch = deadman.prepare(charlie_member, statements(mastodon_channel))
    deadman.approve(alice_member, switch)
    switch.refresh_from_db()

    deadman.update(charlie_member, switch, statements(mastodon_channel, text="Other words."))

    switch.refresh_from_db()
    assert not switch.is_approved
    with pytest.raises(PublishingError, match="An owner must approve"):
        deadman.arm(charlie_member, switch)


def test_a_contributor_cannot_approve(as_charlie, charlie_member, mastodon_channel):
    switch = deadman.prepare(charlie_member, statements(mastodon_channel))
    assert as_charlie.post(switch_url("approve", switch)).status_code == 403
    switch.refresh_from_db()
    assert not switch.is_approved


def test_a_contributor_sees_only_their_own_switches(as_charlie, as_bob, as_alice, prepared):
    assert as_charlie.get(switch_url("detail", prepared)).status_code == 404
    index = reverse("deadman:index", kwargs={"team_slug": "team-a"})
    assert b"If I am detained" not in as_charlie.get(index).content
    assert b"If I am detained" in as_bob.get(index).content  # the holder
    assert b"If I am detained" in as_alice.get(index).content  # an owner


def test_a_viewer_cannot_open_the_dead_man_pages(as_victor, prepared):
    index = reverse("deadman:index", kwargs={"team_slug": "team-a"})
    assert as_victor.get(index).status_code == 403


def test_an_outsider_gets_404_on_every_page_of_a_switch(as_mallory, armed):
    switch, _ = armed
    deadline = switch.deadline
    for name in ("detail", "edit"):
        assert as_mallory.get(switch_url(name, switch)).status_code == 404, name
    for name in ("check_in", "arm", "disarm", "delete", "submit", "approve", "edit"):
        response = as_mallory.post(switch_url(name, switch))
        assert response.status_code == 404, name
        assert b"If I am detained" not in response.content
    switch.refresh_from_db()
    assert (switch.status, switch.deadline) == (DeadManStatus.ARMED, deadline)


def test_statements_too_long_for_a_channel_cannot_be_armed(bob_member, x_channel):
    switch = deadman.prepare(bob_member, statements(x_channel, text="Free Amal. " * 40))
    with pytest.raises(PublishingError, match="could not go out"):
        deadman.arm(bob_member, switch)


def test_held_statements_cannot_be_scheduled_from_the_posts_pages(bob_member, prepared):
    with pytest.raises(PublishingError):
        services.schedule(bob_member, prepared.post)
    with pytest.raises(PublishingError):
        services.approve(bob_member, prepared.post)
    assert not Delivery.objects.exists()


def test_a_first_deadline_in_the_past_is_refused_when_arming(bob_member, alice, mastodon_channel):
    switch = deadman.prepare(
        bob_member, statements(mastodon_channel, deadline=timezone.now() - DAY)
    )
    owner_approves(switch)
    with pytest.raises(PublishingError, match="has passed"):
        deadman.arm(bob_member, switch)


def test_a_warning_as_long_as_the_interval_is_refused(bob_member, mastodon_channel):
    with pytest.raises(PublishingError, match="shorter than the check-in interval"):
        deadman.prepare(
            bob_member,
            statements(mastodon_channel, check_in_every=DAY, warn_before=DAY),
        )


# --- the pages ------------------------------------------------------------------------------


def test_preparing_on_the_web_keeps_each_channels_own_words(
    as_bob, mastodon_channel, telegram_channel
):
    response = as_bob.post(
        reverse("deadman:new", kwargs={"team_slug": "team-a"}),
        {
            "name": "If I am detained",
            "text": TEXT,
            "channels": [mastodon_channel.pk, telegram_channel.pk],
            f"text_{telegram_channel.pk}": "Telegram's own words.",
            "check_in_hours": "48",
            "warn_hours": "12",
            "first_deadline": "",
            "time_zone": "Europe/Berlin",
        },
    )
    switch = DeadManSwitch.objects.get()
    assert response.status_code == 302 and response.url == switch_url("detail", switch)
    assert switch.check_in_every == timedelta(hours=48)
    assert switch.post.status == PostStatus.HELD
    texts = dict(switch.post.variants.values_list("channel_id", "text"))
    assert texts == {mastodon_channel.pk: "", telegram_channel.pk: "Telegram's own words."}


def test_the_form_refuses_a_warning_longer_than_the_interval(as_bob, mastodon_channel):
    response = as_bob.post(
        reverse("deadman:new", kwargs={"team_slug": "team-a"}),
        {
            "name": "x",
            "text": TEXT,
            "channels": [mastodon_channel.pk],
            "check_in_hours": "12",
            "warn_hours": "24",
        },
    )
    assert response.status_code == 400
    assert b"make it shorter than 12 hours" in response.content
    assert not DeadManSwitch.objects.exists()


def test_arming_on_the_web_shows_the_link_once(as_bob, alice, prepared):
    owner_approves(prepared)
    response = as_bob.post(switch_url("arm", prepared))
    assert response.status_code == 200
    assert b"Your one-time check-in link" in response.content
    assert b"Your one-time check-in link" not in as_bob.get(switch_url("detail", prepared)).content


def test_the_owner_may_disarm_anyones_switch(as_alice, armed):
    switch, token = armed
    response = as_alice.post(switch_url("disarm", switch))
    assert response.status_code == 302
    switch.refresh_from_db()
    assert switch.status == DeadManStatus.DISARMED and switch.deadline is None
    assert b"was disarmed" in as_alice.post(link_url(token)).content


def test_deleting_a_switch_deletes_its_held_statements(as_bob, prepared):
    post_pk = prepared.post_id
    assert as_bob.post(switch_url("delete", prepared)).status_code == 302
    assert not DeadManSwitch.objects.exists()
    assert not Post.objects.filter(pk=post_pk).exists()


# --- the safety lock-down ---------------------------------------------------------------------


def test_revoke_pending_releases_voids_the_links_and_keeps_the_switch_armed(
    client, alice, team_a, armed, mallory, team_b
):
    switch, token = armed
    other = Membership.objects.get(user=mallory, team=team_b)
    site = own_site_channel(Campaign.objects.create(team=team_b, name="B", slug="b"))
    theirs = deadman.prepare(other, statements(site))
    their_token = deadman.arm(other, theirs)

    assert deadman.revoke_pending_releases(team_a) == 1

    switch.refresh_from_db()
    assert switch.status == DeadManStatus.ARMED
    assert client.post(link_url(token)).status_code == 410  # a seized phone cannot check in
    assert client.post(link_url(their_token)).status_code == 200  # another team is untouched
    # The holder can still check in from the web, and a missed deadline still releases.
    holder = Membership.objects.get(user=switch.holder, team=team_a)
    assert deadman.check_in(holder, switch)
    deadline_in(switch, -timedelta(seconds=1))
    assert deadman.release_due("worker-1") > 0


def test_a_safety_lock_down_revokes_check_in_links_but_not_the_switches(alice, team_a, armed):
    switch, _ = armed
    done = lock_down(team_a, actor=alice)

    assert done.releases == 1
    switch.refresh_from_db()
    assert switch.status == DeadManStatus.ARMED
    assert not CheckInLink.objects.filter(revoked_at__isnull=True, used_at__isnull=True).exists()
    (event,) = events(AuditAction.TEAM_LOCKED_DOWN)
    assert "check-in links of 1 armed dead-man switches revoked" in event.detail


def test_held_statements_are_not_in_the_teams_post_list(as_victor, as_bob, prepared):
    words = prepared.post.variants.first().part_texts()[0]
    for client in (as_victor, as_bob):
        page = client.get("/t/team-a/publish/?show=").content.decode()
        assert words not in page
    assert "Dead-man switch" in as_bob.get("/t/team-a/publish/").content.decode()
