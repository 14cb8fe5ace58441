import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.core import devices
from houseboat.core.constants import ROLE_CAPABILITIES, AuditAction, Digits, Role


class User(AbstractUser):
    """A person who signs in. Teams and roles hang off Membership, not the user."""

    # The language chosen in the menu, kept with the account so a new browser or
    # phone opens in it too; empty: the browser's own choice.
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The digits numbers and dates are shown in; empty: the language's usual ones
    # (houseboat.core.digits says which those are).
    digits = models.CharField(
        _("digits"), max_length=10, blank=True, choices=Digits.choices, default=Digits.USUAL
    )

    class Meta:
        db_table = "core_user"

    def memberships_with_teams(self) -> models.QuerySet["Membership"]:
        return self.memberships.select_related("team").order_by("team__name")


class Team(models.Model):
    """A campaign team. Nothing of one team is visible to another."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    require_2fa = models.BooleanField(
        _("require two-factor sign-in"),
        default=False,
        help_text=_("Every member must set up an authenticator app before they can continue."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a team, with the role that decides what they may do."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team"),
        ]
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    def can(self, capability: str) -> bool:
        return capability in ROLE_CAPABILITIES[self.role]


def hash_token(token: str) -> str:
    """Return the SHA-256 of a one-time token; only the hash is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A one-time link that lets a new person join a team with a given role.

    houseboat sends no e-mail: the owner passes the link on over a channel they
    trust. Only a hash of the token is stored, so a copy of the database cannot
    be used to join.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    note = models.CharField(
        _("who it is for"),
        max_length=120,
        help_text=_(
            "A name or nickname so you recognise the invitation. Not shown to anyone else."
        ),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation for {self.note} to {self.team} ({self.role})"

    @classmethod
    def issue(
        cls, *, team: Team, role: str, note: str, invited_by: User
    ) -> tuple["Invitation", str]:
        """Create an invitation and return it with its token (shown once, never stored)."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            team=team,
            role=role,
            note=note,
            invited_by=invited_by,
            token_hash=hash_token(token),
            expires_at=timezone.now() + timedelta(days=settings.HOUSEBOAT_INVITATION_DAYS),
        )
        return invitation, token

    @classmethod
    def find_pending(cls, token: str) -> "Invitation | None":
        return (
            cls.objects.pending()
            .select_related("team")
            .filter(token_hash=hash_token(token))
            .first()
        )


class AuditEventQuerySet(models.QuerySet):
    """Audit events can be added and read, never changed or removed through the ORM."""

    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    def delete(self):
        raise PermissionDenied("The audit log is append-only.")

    def for_team(self, team: Team) -> "AuditEventQuerySet":
        """Events of this team, and sign-in events of its current members."""
        member_ids = team.memberships.values("user_id")
        return self.filter(
            models.Q(team=team) | models.Q(team__isnull=True, actor_id__in=member_ids)
        )


class AuditEvent(models.Model):
    """One line of the append-only audit log: who did what, when, from where."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as text too, so the line still reads right if a username changes.
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")


class UserSession(models.Model):
    """A signed-in browser, so a person can see where they are signed in and end it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} from {self.ip_address or 'unknown address'}"

    @property
    def device(self) -> str:
        """The browser and system in plain words, for example "Firefox on Windows"."""
        return devices.describe(self.user_agent)


class WorkerHeartbeat(models.Model):
    """The last time each lane of each worker process said it was alive."""

    name = models.CharField(max_length=200, unique=True)
    # The lane this heartbeat stands for (core.worker); empty: a worker from before lanes.
    lane = models.CharField(max_length=40, blank=True)
    # The step the lane is in now, if any ("run_import_jobs").
    doing = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class MailNotice(models.Model):
    """One e-mail telling one person that something waits for them; sent at most once.

    ``key`` names what it is about ("approval:12:3"); one row per person and key, so
    the worker never mails the same thing twice. ``attempted_at`` is set, by a
    conditional update, just before the mail leaves: a row attempted once is never
    tried again, even if the worker died before it could record the outcome.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_notices"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="mail_notices")
    key = models.CharField(max_length=200)
    text = models.CharField(max_length=300)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_mail_per_person_and_key")
        ]
        indexes = [models.Index(fields=["attempted_at", "created_at"], name="mail_notice_due")]

    def __str__(self) -> str:
        return f"notice {self.key} for {self.user}"
