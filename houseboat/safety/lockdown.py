"""Lock a team down: everyone signed out everywhere, two-factor sign-in required from now on.

For the day a laptop is seized, a member is arrested, or a password may have
leaked. In one transaction, ``lock_down``:

1. signs every member of the team out of every browser (their sessions in other
   teams too: a session is a person's, not a team's);
2. requires two-factor sign-in for the team, so each member sets up or uses an
   authenticator app at their next sign-in, with a fresh secret: authenticators set up
   but never confirmed are discarded, as a seized browser may have seen their secret;
3. revokes the team's pending invitation links, which may sit in a seized inbox;
4. voids the check-in links of the team's dead-man switches, which may also sit in
   a seized inbox. Safety knows no dead-man switch: the app that keeps them
   (publishing) answers the ``locking_down`` signal, sent inside the transaction. The
   switches stay armed: after an arrest, a statement must still go out if its
   holder cannot check in from the web;
5. records it in the audit log.

What it cannot do: change a password someone has learnt. Whoever signs in first
with a stolen password can set up two-factor sign-in on that account, so after a
lock-down each member should sign in at once and change their password.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from houseboat.core.constants import AuditAction
from houseboat.core.models import Team, User, UserSession
from houseboat.core.otp import discard_unconfirmed_devices
from houseboat.core.services import audit, revoke_sessions

if TYPE_CHECKING:
    from django.http import HttpRequest

# Sent with ``team`` and ``dry_run``. A receiver voids the links a seized device could
# use to keep a dead-man statement quiet (unless ``dry_run``) and returns how many armed
# switches of the team stay armed. Apps connect to it in their AppConfig.ready().
locking_down = Signal()


@dataclass(frozen=True)
class Lockdown:
    """What a lock-down did."""

    members: int
    sessions: int
    invitations: int
    releases: int

    def describe(self) -> str:
        return (
            f"{self.sessions} sessions of {self.members} members ended, 2FA required, "
            f"{self.invitations} invitation links and the check-in links of "
            f"{self.releases} armed dead-man switches revoked"
        )


def revoke_pending_releases(team: Team, *, dry_run: bool = False) -> int:
    """Void the check-in links of the team's dead-man switches; return how many are armed.

    So a seized device cannot check in to keep a statement quiet; the switches stay
    armed. With ``dry_run``, only count them.
    """
    answers = locking_down.send(sender=Team, team=team, dry_run=dry_run)
    return sum(armed for _receiver, armed in answers if isinstance(armed, int))


def preview(team: Team) -> Lockdown:
    """Return what a lock-down would do now, without doing it."""
    members = User.objects.filter(memberships__team=team)
    return Lockdown(
        members=members.count(),
        sessions=UserSession.objects.filter(user__in=members).count(),
        invitations=team.invitations.pending().count(),
        releases=revoke_pending_releases(team, dry_run=True),
    )


def lock_down(team: Team, *, actor: User, request: HttpRequest | None = None) -> Lockdown:
    """Sign every member out everywhere, require 2FA, revoke links; audit it. See the module."""
    with transaction.atomic():
        members = list(User.objects.filter(memberships__team=team).order_by("pk"))
        sessions = sum(revoke_sessions(member) for member in members)
        discard_unconfirmed_devices(members)  # the forced setup must offer a fresh secret
        Team.objects.filter(pk=team.pk).update(require_2fa=True)
        team.require_2fa = True
        invitations = team.invitations.pending().update(expires_at=timezone.now())
        done = Lockdown(
            members=len(members),
            sessions=sessions,
            invitations=invitations,
            releases=revoke_pending_releases(team),
        )
        audit(
            AuditAction.TEAM_LOCKED_DOWN,
            request=request,
            actor=actor,
            team=team,
            detail=done.describe(),
        )
    return done
