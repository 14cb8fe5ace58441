"""Supporters, their consent, calls to action, tracked links, responses and follow-ups.

Personal fields (name, handles, e-mail, notes) sit in one encrypted column,
``Supporter.personal``; what must be filtered on (language, area, tags, rung) sits
beside it in plain columns. Lookups by name or handle go through keyed digests
(HMAC of the normalised text), never through the text itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.campaigns.models import Campaign
from houseboat.connectors.models import Channel
from houseboat.core.crypto import EncryptedJSONField
from houseboat.core.models import Team
from houseboat.organizing.constants import (
    ActionKind,
    ContactChannel,
    FollowUpState,
    MessageState,
    ResponseKind,
    ResponseSource,
    SupporterSource,
)
from houseboat.publishing.models import Post


class Supporter(models.Model):
    """A person the team may contact, under a display name the team chose.

    ``personal`` holds {"name", "handles": {network: handle}, "email", "notes"},
    encrypted at rest. No address, no IP and no coordinates are ever stored.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="supporters")
    personal = EncryptedJSONField(default=dict)
    name_digest = models.CharField(max_length=64, db_index=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    area = models.CharField(
        _("area"),
        max_length=120,
        blank=True,
        help_text=_("A neighbourhood, town or region in words. Never a map position."),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    source = models.CharField(max_length=10, choices=SupporterSource.choices)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="supporters"
    )
    # Sign-ups wait for the person to confirm before anyone may write to them.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    rung = models.PositiveSmallIntegerField(default=0)
    rung_reached_at = models.DateTimeField(default=timezone.now)
    last_active_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "rung", "rung_reached_at"]),
            models.Index(fields=["team", "name_digest"]),
        ]

    def __str__(self) -> str:
        return f"supporter {self.pk}"

    @property
    def name(self) -> str:
        return str((self.personal or {}).get("name", ""))

    @property
    def handles(self) -> dict[str, str]:
        return dict((self.personal or {}).get("handles") or {})

    @property
    def email(self) -> str:
        return str((self.personal or {}).get("email") or self.handles.get("email", ""))

    @property
    def notes(self) -> str:
        return str((self.personal or {}).get("notes", ""))


class SupporterHandle(models.Model):
    """A keyed digest of one of a supporter's handles, to find them again without the text."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="handle_rows")
    network = models.CharField(max_length=20)
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "network", "digest"], name="supporter_handle_once_per_team"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network} handle of supporter {self.supporter_id}"


class Consent(models.Model):
    """How a supporter agreed to be contacted on one channel: when, where and to what words."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(max_length=10, choices=ContactChannel.choices)
    given_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(_("where it was given"), max_length=200)
    wording = models.TextField(_("the words they agreed to"), blank=True)
    # A sign-up's e-mail consent counts only once the link in the e-mail was followed.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["channel", "-given_at"]
        indexes = [models.Index(fields=["supporter", "channel"])]

    def __str__(self) -> str:
        return f"consent to {self.channel} of supporter {self.supporter_id}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.withdrawn_at is None


class LadderRung(models.Model):
    """One step of the team's ladder of engagement, reached by a rule on responses.

    A supporter is on the highest rung whose rule holds: at least ``min_count``
    responses of any of ``kinds``. The first rung (position 0) has no rule.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="ladder_rungs")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=60)
    kinds = models.JSONField(_("responses that count"), default=list, blank=True)
    min_count = models.PositiveSmallIntegerField(_("how many"), default=1)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["team", "position"], name="rung_position_once")
        ]

    def __str__(self) -> str:
        return self.name


class CallToAction(models.Model):
    """Something the campaign asks people to do, with a public page on the own site."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("kind"), max_length=10, choices=ActionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what to say on the public page"), blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    place_private = models.BooleanField(
        _("place shared privately"),
        default=False,
        help_text=_("The public page says the place is shared with confirmed supporters only."),
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    target_url = models.URLField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("The donation page, or what to share."),
    )
    goal = models.PositiveIntegerField(_("goal (signatures)"), null=True, blank=True)
    is_open = models.BooleanField(_("open for answers"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def public_path(self) -> str:
        from django.urls import reverse

        return reverse("act:action", kwargs={"slug": self.campaign.slug, "pk": self.pk})


class TrackedLink(models.Model):
    """A short link to an action for one channel or post; counts clicks, never who clicked."""

    action = models.ForeignKey(CallToAction, on_delete=models.CASCADE, related_name="links")
    code = models.CharField(max_length=16, unique=True)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="tracked_links"
    )
    # The network the link was made for, kept when a channel is removed.
    source = models.CharField(_("where it is posted"), max_length=40)
    label = models.CharField(_("label"), max_length=120, blank=True)
    clicks = models.PositiveIntegerField(default=0)
    last_clicked_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code


class Response(models.Model):
    """One thing a person did for an action, tied to who (if known) and what brought them."""

    action = models.ForeignKey(CallToAction, on_delete=models.CASCADE, related_name="responses")
    # Denormalised for the funnel: one index answers a campaign's whole ladder.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    # Erasing a supporter keeps their responses as anonymous counts.
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    kind = models.CharField(max_length=12, choices=ResponseKind.choices)
    link = models.ForeignKey(
        TrackedLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=12, choices=ResponseSource.choices)
    amount_cents = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # A payment's id in the provider's file: the same line imported twice counts once.
    external_ref = models.CharField(max_length=120, blank=True)
    # RSVPs wait for an organiser to confirm (and learn the private place).
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "supporter", "kind", "created_at"]),
            models.Index(fields=["action", "kind"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="payment_once_per_action",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.action_id}"

    @property
    def amount(self) -> str:
        if self.amount_cents is None:
            return ""
        return f"{self.amount_cents / 100:.2f} {self.currency}".strip()


class PendingConfirmation(models.Model):
    """A sign-up's e-mail confirmation: only a hash of the link's token is kept."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="confirmations")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"confirmation of supporter {self.supporter_id}"


class Segment(models.Model):
    """A saved choice of supporters (by rung, tag, language, area, consent, stall)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(_("name"), max_length=120)
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FollowUp(models.Model):
    """A message to a segment, sent on the channels each supporter consented to."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="follow_ups")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    filters = models.JSONField(default=dict, blank=True)
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    text = models.TextField(_("message"))
    whatsapp_template = models.CharField(
        _("WhatsApp template"),
        max_length=200,
        blank=True,
        help_text=_("WhatsApp only carries templates Meta approved; the message fills its {{1}}."),
    )
    whatsapp_language = models.CharField(max_length=16, default="en", blank=True)
    state = models.CharField(
        max_length=10, choices=FollowUpState.choices, default=FollowUpState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject or self.text[:40]


class FollowUpMessage(models.Model):
    """One follow-up to one supporter on one channel, claimed by a worker with a lease."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="messages")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    channel_kind = models.CharField(max_length=10, choices=ContactChannel.choices)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=MessageState.choices, default=MessageState.QUEUED
    )
    idempotency_key = models.CharField(max_length=64, unique=True)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set just before the request leaves: a row abandoned after this may have gone out.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    remote_id = models.CharField(max_length=200, blank=True)
    # What the network reported afterwards (WhatsApp: delivered, read, failed).
    delivery_status = models.CharField(max_length=20, blank=True)
    error = models.CharField(max_length=600, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "supporter", "channel_kind"], name="follow_up_once_per_channel"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"follow-up {self.follow_up_id} to {self.supporter_id} on {self.channel_kind}"


class SignupThrottle(models.Model):
    """Sign-ups of a campaign's public form per ten minutes: a limit that stores no visitor."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "window"], name="signup_window_once")
        ]

    def __str__(self) -> str:
        return f"{self.count} sign-ups from {self.window:%H:%M}"
