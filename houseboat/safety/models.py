"""What the safety app keeps: the do-not-name list, alert terms and alerts, graphic marks.

Lists that would hurt someone if the database were seized are encrypted at rest
with the keys outside it (houseboat.core.crypto): the names on the do-not-name
list and the team members' own phone numbers and addresses. Encrypted columns
cannot be searched, so these lists are read whole and matched in Python; they
are short.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.core.crypto import EncryptedJSONField
from houseboat.core.models import Team
from houseboat.safety.constants import (
    DEFAULT_GRAPHIC_DAILY_LIMIT,
    AlertKind,
    GraphicRuleKind,
    ProtectedKind,
    Severity,
    TermKind,
)

SHA256_LENGTH = 64


class DoNotName(models.Model):
    """A person who must not be named in the team's posts (a detainee's family, a witness)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="do_not_name")
    name = EncryptedJSONField(_("name"))
    note = EncryptedJSONField(_("why"), blank=True, default="")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("do-not-name entry")

    def __str__(self) -> str:
        return f"do-not-name entry {self.pk} of {self.team}"


class AlertTerm(models.Model):
    """A word or phrase the team adds to the built-in alert lists."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="alert_terms")
    language = models.CharField(
        _("language"), max_length=16, blank=True, help_text=_("Empty: every language.")
    )
    term = models.CharField(_("word or phrase"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=TermKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["language", "kind", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "language", "kind", "term"], name="alert_term_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} term {self.term!r} ({self.language or 'any language'})"


class ProtectedDetail(models.Model):
    """A team member's phone number, address or other detail: an alert if it turns up.

    ``secret`` holds {"label": ..., "value": ...}, encrypted.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="protected_details")
    kind = models.CharField(_("kind"), max_length=10, choices=ProtectedKind.choices)
    secret = EncryptedJSONField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"protected {self.kind} {self.pk} of {self.team}"

    @property
    def label(self) -> str:
        return str((self.secret or {}).get("label", ""))

    @property
    def value(self) -> str:
        return str((self.secret or {}).get("value", ""))


class AlertQuerySet(models.QuerySet):
    def open(self) -> AlertQuerySet:
        return self.filter(acknowledged_at__isnull=True)


class Alert(models.Model):
    """An incoming item that matched a threat, a slur or a team member's detail.

    The item is referred to by its network and id, not by a foreign key into the
    archive, so the two apps stay apart; ``matches`` holds the explanations.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="alerts")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="alerts"
    )
    network = models.CharField(max_length=20)
    remote_id = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.HIGH)
    kinds = models.CharField(max_length=40, blank=True)  # "threat,doxxing", for filtering
    matches = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "network", "remote_id"], name="alert_once_per_item"
            )
        ]
        indexes = [models.Index(fields=["team", "acknowledged_at", "created_at"])]

    def __str__(self) -> str:
        return f"alert on {self.network}:{self.remote_id}"

    @property
    def kinds_list(self) -> list[str]:
        """The kinds of what matched, in words."""
        return [str(AlertKind(kind).label) for kind in self.kinds.split(",") if kind]


class GraphicMark(models.Model):
    """A picture or video, by its SHA-256, that the team shows shielded."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="graphic_marks")
    media_sha256 = models.CharField(max_length=SHA256_LENGTH)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "media_sha256"], name="graphic_mark_once")
        ]

    def __str__(self) -> str:
        return f"graphic {self.media_sha256[:12]}"


class GraphicRule(models.Model):
    """Media of incoming items with this hashtag, word or column count as graphic."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="graphic_rules")
    kind = models.CharField(_("rule"), max_length=10, choices=GraphicRuleKind.choices)
    value = models.CharField(_("value"), max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["team", "kind", "value"], name="graphic_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"


class GraphicExposure(models.Model):
    """One graphic item a member chose to see, once per day."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    media_sha256 = models.CharField(max_length=SHA256_LENGTH)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user", "day", "media_sha256"], name="exposure_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} saw {self.media_sha256[:12]} on {self.day}"


class SafetySettings(models.Model):
    """A team's safety settings; a team without a row has the defaults."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="safety_settings")
    graphic_daily_limit = models.PositiveSmallIntegerField(
        _("graphic items a day before a break is suggested"),
        default=DEFAULT_GRAPHIC_DAILY_LIMIT,
        help_text=_(
            "Each member sees a suggestion to take a break after revealing this many "
            "graphic pictures or videos in a day. 0 turns the suggestion off."
        ),
    )

    def __str__(self) -> str:
        return f"safety settings of {self.team}"

    @classmethod
    def for_team(cls, team: Team) -> SafetySettings:
        """Return the team's settings, unsaved defaults when it has none."""
        return cls.objects.filter(team=team).first() or cls(team=team)


class MediaRegions(models.Model):
    """The regions blurred in one attached picture, and where its unblurred copy is kept.

    ``regions`` is a list of {"x0", "y0", "x1", "y1"} in pixels of the upright picture,
    with "source" ("detected" or "hand"), "score" and "blur" (false: kept as checked,
    shown as it is). ``source_name`` names the sanitised but unblurred picture, encrypted
    in the private folder (houseboat.safety.regions), until the post has gone out;
    empty once it was deleted.
    """

    attachment = models.OneToOneField(
        "publishing.Attachment", on_delete=models.CASCADE, related_name="media_regions"
    )
    regions = models.JSONField(default=list, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    # True once the face detector ran on the picture (at upload, or from the editor).
    faces_checked = models.BooleanField(default=False)
    source_name = models.CharField(max_length=100, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("face regions of a picture")
        verbose_name_plural = _("face regions of pictures")

    def __str__(self) -> str:
        return f"regions of attachment {self.attachment_id}"

    @property
    def detected_count(self) -> int:
        return sum(1 for region in self.regions if region.get("source") == "detected")

    @property
    def blurred_count(self) -> int:
        return sum(1 for region in self.regions if region.get("blur", True))
