import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from houseboat.core.constants import AuditAction, Role
from houseboat.core.models import AuditEvent, Invitation, Membership, User
from tests.conftest import client_for


def invite(client: Client, team, role=Role.EDITOR, note="Sam from the legal clinic") -> str:
    response = client.post(f"/t/{team.slug}/members/invite/", {"note": note, "role": role})
    assert response.status_code == 200
    return re.search(r'value="(http://testserver/join/[^"]+)"', response.content.decode()).group(1)


def test_owner_invites_and_the_link_makes_a_member_with_that_role(as_alice, team_a):
    link = invite(as_alice, team_a)
    newcomer = Client()
    form = newcomer.get(link)
    assert b"Join Team A" in form.content
    joined = newcomer.post(
        link,
        {
            "username": "sam",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
        },
    )
    assert joined.status_code == 302
    assert Membership.objects.get(user__username="sam", team=team_a).role == Role.EDITOR
    assert AuditEvent.objects.filter(action=AuditAction.MEMBER_JOINED, team=team_a).exists()
    assert newcomer.get(f"/t/{team_a.slug}/").status_code == 200


def test_an_invitation_link_works_once(as_alice, team_a):
    link = invite(as_alice, team_a)
    data = {
        "username": "sam",
        "password1": "a long passphrase 42",
        "password2": "a long passphrase 42",
    }
    Client().post(link, data)
    second = Client().post(link, {**data, "username": "sam2"})
    assert second.status_code == 404
    assert not User.objects.filter(username="sam2").exists()


def test_an_expired_invitation_does_not_work(as_alice, team_a):
    link = invite(as_alice, team_a)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().get(link)
    assert response.status_code == 404
    assert b"does not work" in response.content


def test_only_a_hash_of_the_invitation_token_is_stored(as_alice, team_a):
    link = invite(as_alice, team_a)
    token = link.rstrip("/").rsplit("/", 1)[1]
    stored = Invitation.objects.get()
    assert token not in stored.token_hash
    assert Invitation.find_pending(token) == stored


def test_a_bad_join_form_keeps_the_invitation_usable(as_alice, team_a):
    link = invite(as_alice, team_a)
    response = Client().post(link, {"username": "sam", "password1": "short", "password2": "other"})
    assert response.status_code == 400
    assert Invitation.objects.pending().count() == 1
    assert not User.objects.filter(username="sam").exists()


def test_a_signed_in_person_joins_with_their_account(as_alice, team_a, mallory):
    link = invite(as_alice, team_a, role=Role.VIEWER)
    response = client_for(mallory).post(link)
    assert response.status_code == 302
    assert Membership.objects.get(user=mallory, team=team_a).role == Role.VIEWER


def test_owner_revokes_an_invitation(as_alice, team_a):
    link = invite(as_alice, team_a)
    invitation = Invitation.objects.get()
    as_alice.post(f"/t/{team_a.slug}/invitations/{invitation.pk}/revoke/")
    assert Client().get(link).status_code == 404


@pytest.mark.parametrize("persona", ["as_bob", "as_charlie", "as_victor"])
def test_only_owners_invite_and_change_roles(persona, request, team_a, charlie):
    client = request.getfixturevalue(persona)
    target = Membership.objects.get(user=charlie)
    assert (
        client.post(
            f"/t/{team_a.slug}/members/invite/", {"note": "x", "role": Role.OWNER}
        ).status_code
        == 403
    )
    response = client.post(f"/t/{team_a.slug}/members/{target.pk}/role/", {"role": Role.OWNER})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == Role.CONTRIBUTOR
    assert not Invitation.objects.exists()


def test_contributor_cannot_make_themselves_owner(as_charlie, charlie, team_a):
    own = Membership.objects.get(user=charlie)
    response = as_charlie.post(f"/t/{team_a.slug}/members/{own.pk}/role/", {"role": Role.OWNER})
    assert response.status_code == 403
    assert b"cannot invite members and change roles" in response.content
    own.refresh_from_db()
    assert own.role == Role.CONTRIBUTOR


def test_owner_changes_a_role_and_it_is_audited(as_alice, team_a, charlie):
    target = Membership.objects.get(user=charlie)
    as_alice.post(f"/t/{team_a.slug}/members/{target.pk}/role/", {"role": Role.EDITOR})
    target.refresh_from_db()
    assert target.role == Role.EDITOR
    event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGED)
    assert event.target == "charlie" and "Contributor → Editor" in event.detail


def test_an_unknown_role_is_refused(as_alice, team_a, charlie):
    target = Membership.objects.get(user=charlie)
    as_alice.post(f"/t/{team_a.slug}/members/{target.pk}/role/", {"role": "emperor"})
    target.refresh_from_db()
    assert target.role == Role.CONTRIBUTOR


def test_the_last_owner_cannot_step_down_or_be_removed(as_alice, alice, team_a):
    own = Membership.objects.get(user=alice)
    as_alice.post(f"/t/{team_a.slug}/members/{own.pk}/role/", {"role": Role.VIEWER})
    as_alice.post(f"/t/{team_a.slug}/members/{own.pk}/remove/")
    own.refresh_from_db()
    assert own.role == Role.OWNER


def test_removed_member_loses_access(as_alice, team_a, bob):
    target = Membership.objects.get(user=bob)
    as_alice.post(f"/t/{team_a.slug}/members/{target.pk}/remove/")
    assert client_for(bob).get(f"/t/{team_a.slug}/").status_code == 404


def test_owner_cannot_touch_another_teams_member(as_alice, team_a, mallory):
    theirs = Membership.objects.get(user=mallory)
    assert (
        as_alice.post(
            f"/t/{team_a.slug}/members/{theirs.pk}/role/", {"role": Role.VIEWER}
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.role == Role.OWNER


def test_owner_reads_the_audit_log_with_who_what_when_and_where(as_alice, team_a, charlie):
    target = Membership.objects.get(user=charlie)
    as_alice.post(f"/t/{team_a.slug}/members/{target.pk}/role/", {"role": Role.VIEWER})
    page = as_alice.get(f"/t/{team_a.slug}/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "changed a role" in text and "charlie" in text and "127.0.0.1" in text


def test_audit_log_is_for_owners_only(as_bob, team_a):
    assert as_bob.get(f"/t/{team_a.slug}/audit/").status_code == 403


def test_audit_log_shows_nothing_of_another_team(as_alice, as_mallory, team_a, team_b):
    as_mallory.post(
        f"/t/{team_b.slug}/members/invite/", {"note": "Team B recruit", "role": Role.VIEWER}
    )
    page = as_alice.get(f"/t/{team_a.slug}/audit/")
    assert b"Team B recruit" not in page.content
    assert b"mallory" not in page.content


def test_audit_events_cannot_be_changed_or_deleted(alice, team_a):
    from houseboat.core.services import audit

    event = audit(AuditAction.LOGIN, actor=alice)
    event.detail = "rewritten"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(detail="rewritten")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_members_page_query_count_does_not_grow_with_members(
    as_alice, team_a, django_assert_max_num_queries
):
    for n in range(15):
        Membership.objects.create(
            team=team_a, user=User.objects.create(username=f"m{n}"), role=Role.VIEWER
        )
    with django_assert_max_num_queries(12):
        assert as_alice.get(f"/t/{team_a.slug}/members/").status_code == 200
