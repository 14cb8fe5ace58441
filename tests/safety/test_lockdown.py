"""The owner's lock-down: everyone signed out everywhere, 2FA required, links revoked, audited."""

from django.contrib.sessions.models import Session

from houseboat.core.constants import AuditAction, Role
from houseboat.core.models import AuditEvent, Invitation, Membership, UserSession
from houseboat.safety.lockdown import lock_down, revoke_pending_releases
from tests.conftest import client_for


def test_an_owner_locks_the_team_down(as_alice, as_bob, as_charlie, alice, team_a, campaign_a):
    other_browser_of_bob = client_for(Membership.objects.get(role=Role.EDITOR).user)
    Invitation.issue(team=team_a, role=Role.VIEWER, note="Sam", invited_by=alice)

    response = as_alice.post("/t/team-a/safety/lockdown/", {"confirm": "team-a"})

    assert response.status_code == 302 and response.url == "/login/"
    team_a.refresh_from_db()
    assert team_a.require_2fa
    assert not Invitation.objects.pending().exists()
    for client in (as_alice, as_bob, as_charlie, other_browser_of_bob):
        answer = client.get("/t/team-a/")
        assert answer.status_code == 302 and answer.url.startswith("/login/")
    event = AuditEvent.objects.get(action=AuditAction.TEAM_LOCKED_DOWN)
    assert event.actor == alice and event.team == team_a
    assert event.detail.startswith("4 sessions of 3 members ended, 2FA required, 1 invitation")


def test_the_login_page_says_what_happened(as_alice, team_a):
    response = as_alice.post("/t/team-a/safety/lockdown/", {"confirm": "team-a"}, follow=True)
    assert "Team A is locked down" in response.content.decode()


def test_members_sign_in_again_into_two_factor_set_up(as_alice, bob, team_a):
    as_alice.post("/t/team-a/safety/lockdown/", {"confirm": "team-a"})
    fresh = client_for(bob)
    answer = fresh.get("/t/team-a/")
    assert answer.status_code == 302 and answer.url == "/account/two-factor/"


def test_another_teams_members_stay_signed_in(as_alice, as_mallory, team_a):
    as_alice.post("/t/team-a/safety/lockdown/", {"confirm": "team-a"})
    assert as_mallory.get("/t/team-b/").status_code == 200


def test_a_member_of_two_teams_is_signed_out_of_both(as_alice, bob, team_a, team_b):
    Membership.objects.create(team=team_b, user=bob, role=Role.VIEWER)
    as_bob = client_for(bob)
    as_alice.post("/t/team-a/safety/lockdown/", {"confirm": "team-a"})
    assert as_bob.get("/t/team-b/").status_code == 302
    assert not UserSession.objects.filter(user=bob).exists()


def test_a_wrong_confirmation_does_nothing(as_alice, as_bob, team_a):
    response = as_alice.post("/t/team-a/safety/lockdown/", {"confirm": "Team A"})
    assert response.status_code == 400
    assert "nothing was done" in response.content.decode()
    team_a.refresh_from_db()
    assert not team_a.require_2fa
    assert as_bob.get("/t/team-a/").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.TEAM_LOCKED_DOWN).exists()


def test_only_an_owner_can_lock_down(as_bob, team_a):
    assert as_bob.get("/t/team-a/safety/lockdown/").status_code == 403
    assert as_bob.post("/t/team-a/safety/lockdown/", {"confirm": "team-a"}).status_code == 403
    team_a.refresh_from_db()
    assert not team_a.require_2fa


def test_the_page_says_what_will_happen(as_alice, bob, charlie):
    page = as_alice.get("/t/team-a/safety/lockdown/").content.decode()
    assert "Every member (3 people)" in page
    assert "type the team's short name" in page


def test_lock_down_as_a_service_ends_sessions_in_the_session_store(alice, bob, team_a):
    client_for(bob)
    assert Session.objects.count() == 1
    done = lock_down(team_a, actor=alice)
    assert (done.members, done.sessions, done.releases) == (2, 1, 0)
    assert Session.objects.count() == 0


def test_a_team_without_armed_switches_has_no_releases_to_revoke(team_a):
    # Armed switches keep running with their links voided: see tests/publishing/test_deadman.py.
    assert revoke_pending_releases(team_a) == 0
