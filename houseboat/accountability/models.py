"""Demands made of the authorities, what they answered, and what they did.

The status history, the authority's responses, their reviews and the evidence links
are append-only: rows are added, never changed or removed, through the UI, the
command line or the ORM (save on an existing row, delete, and queryset update or
delete all raise). A mistake is corrected by recording a new change that says so.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.accountability.constants import (
    CandidateState,
    DeadlineKind,
    Decision,
    DemandKind,
    Progress,
    ReminderKind,
    Response,
    TargetKind,
    TermKind,
    Verdict,
    Visibility,
)
from houseboat.campaigns.models import Campaign
from houseboat.core.models import Team
from houseboat.listening.models import Item

SHA256_LENGTH = 64
APPEND_ONLY = "The demand's history is append-only: record a new entry instead of changing one."


class AppendOnlyQuerySet(models.QuerySet):
    """Rows of the history can be added and read, never changed or removed in bulk."""

    def update(self, **kwargs):
        raise PermissionDenied(APPEND_ONLY)

    def delete(self):
        raise PermissionDenied(APPEND_ONLY)

    # bulk_update writes through update(); bulk_create only adds, which is allowed.


class AppendOnly(models.Model):
    """A row that is written once."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied(APPEND_ONLY)
        # An insert, never an update: a row given an existing id fails instead of overwriting.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(APPEND_ONLY)


class Term(models.Model):
    """A theme or an affected group, in a two-level vocabulary the team edits."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="demand_terms")
    kind = models.CharField(max_length=10, choices=TermKind.choices)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        limit_choices_to={"parent__isnull": True},
        verbose_name=_("under"),
    )

    class Meta:
        ordering = ["kind", "parent__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "kind", "parent", "name"], name="term_once")
        ]

    def __str__(self) -> str:
        return f"{self.parent.name}: {self.name}" if self.parent_id else self.name


class Target(models.Model):
    """An authority a demand is made of: a person, an office or an institution."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="demand_targets")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=TargetKind.choices, default=TargetKind.INSTITUTION
    )
    # Their accounts, so monitoring finds posts that mention them: "@justice_pv", one a line.
    handles = models.TextField(_("accounts on the networks"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="target_once")]

    def __str__(self) -> str:
        return self.name

    def handle_list(self) -> list[str]:
        return [h.strip().lstrip("@") for h in self.handles.splitlines() if h.strip()]


class Cluster(models.Model):
    """A group of demands the team follows together (for example one UPR cycle's)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="demand_clusters")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="cluster_once")]

    def __str__(self) -> str:
        return self.name


class Demand(models.Model):
    """One thing asked of the authorities, tracked until it is met."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="demands")
    ref = models.CharField(
        _("reference"),
        max_length=120,
        blank=True,
        help_text=_("An outside number where there is one, e.g. a UPR recommendation's."),
    )
    title = models.CharField(_("short title"), max_length=200)
    text = models.TextField(_("verbatim text"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=DemandKind.choices, default=DemandKind.OURS
    )
    made_by = models.CharField(
        _("made by"),
        max_length=200,
        blank=True,
        help_text=_("Who made it: our coalition, a UN body, a recommending state, a court."),
    )
    targets = models.ManyToManyField(Target, through="DemandTarget", related_name="demands")
    raised_on = models.DateField(_("date raised"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    deadline_kind = models.CharField(
        _("the deadline is"),
        max_length=10,
        choices=DeadlineKind.choices,
        default=DeadlineKind.ABSENT,
    )
    specificity = models.PositiveSmallIntegerField(
        _("specificity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 = minimal action … 5 = specific action, as UPR Info rates them."),
    )
    themes = models.ManyToManyField(
        Term, blank=True, related_name="demands_by_theme", limit_choices_to={"kind": "theme"}
    )
    groups = models.ManyToManyField(
        Term, blank=True, related_name="demands_by_group", limit_choices_to={"kind": "group"}
    )
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related demands"))
    clusters = models.ManyToManyField(Cluster, blank=True, related_name="demands")
    visibility = models.CharField(
        _("who sees it"), max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )
    draft = models.BooleanField(_("draft"), default=True)
    # Its origin is evidence: the archived post or story where it was made, and the words.
    origin_item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    origin_sha256 = models.CharField(max_length=SHA256_LENGTH, blank=True)
    origin_quote = models.TextField(_("exact quote"), blank=True)
    # Where an import found it: the file's layout and the columns it had (session, cycle…).
    source = models.JSONField(default=dict, blank=True)
    # Monitoring: words in any language, one a line; the targets' names and accounts are added.
    monitor_terms = models.TextField(_("words to watch for"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["raised_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "ref"],
                condition=~models.Q(ref=""),
                name="demand_ref_once_per_campaign",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}".strip()

    def lead_target(self) -> Target | None:
        link = self.target_links.filter(lead=True).select_related("target").first()
        return link.target if link else None

    def current_change(self) -> StatusChange | None:
        """The latest reviewed and approved status change: the demand's status."""
        return (
            self.changes.filter(review__decision=Decision.APPROVED)
            .order_by("-happened_on", "-recorded_at", "-pk")
            .first()
        )

    def current_response(self) -> AuthorityResponse | None:
        return (
            self.responses.filter(review__decision=Decision.APPROVED)
            .order_by("-responded_on", "-recorded_at", "-pk")
            .first()
        )

    def days_to_deadline(self, today: date | None = None) -> int | None:
        if self.deadline is None:
            return None
        return (self.deadline - (today or timezone.localdate())).days


class DemandTarget(models.Model):
    """A target of a demand; one of them may be the lead."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="target_links")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    lead = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["demand", "target"], name="target_once_per_demand")
        ]

    def __str__(self) -> str:
        return f"{self.target}{' (lead)' if self.lead else ''}"


class Recorded(AppendOnly):
    """What every history row says: when it happened, when it was written, by whom."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as text too, so the history reads right if an account goes; "" = command line.
    recorded_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        abstract = True


class StatusChange(Recorded):
    """One step in a demand's status: progress while open, or a verdict."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="changes")
    progress = models.CharField(max_length=20, choices=Progress.choices, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    happened_on = models.DateField(_("when it happened"))
    rationale = models.TextField(_("why"))

    class Meta:
        ordering = ["happened_on", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(progress="") & ~models.Q(verdict=""))
                | (~models.Q(progress="") & models.Q(verdict="")),
                name="change_is_progress_or_verdict",
            ),
            models.CheckConstraint(condition=~models.Q(rationale=""), name="change_has_rationale"),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id}: {self.state_label}"

    @property
    def state(self) -> str:
        return self.verdict or self.progress

    @property
    def state_label(self) -> str:
        return self.get_verdict_display() if self.verdict else self.get_progress_display()

    @property
    def is_verdict(self) -> bool:
        return bool(self.verdict)


class AuthorityResponse(Recorded):
    """What the authority said, with its date and words: kept apart from progress."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="responses")
    response = models.CharField(max_length=20, choices=Response.choices)
    responded_on = models.DateField(_("when they said it"), null=True, blank=True)
    quote = models.TextField(_("their words"), blank=True)

    class Meta:
        ordering = ["responded_on", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.demand_id}: {self.get_response_display()}"


class Review(AppendOnly):
    """A second member's decision on a recorded change or response, made once."""

    change = models.OneToOneField(
        StatusChange, null=True, blank=True, on_delete=models.CASCADE, related_name="review"
    )
    response = models.OneToOneField(
        AuthorityResponse, null=True, blank=True, on_delete=models.CASCADE, related_name="review"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_label = models.CharField(max_length=150)
    reviewed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(change__isnull=False, response__isnull=True)
                | models.Q(change__isnull=True, response__isnull=False),
                name="review_of_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision} by {self.reviewer_label}"


class EvidenceLink(AppendOnly):
    """An archive item that shows something about a demand, named by its SHA-256.

    ``excerpt`` is the team's quote of the item; ``public_excerpt`` the redacted copy
    a public page may show (empty: the public sees only that a source is archived).
    """

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="evidence")
    change = models.ForeignKey(
        StatusChange, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    response = models.ForeignKey(
        AuthorityResponse,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    # SET_NULL: a retention purge may remove the item; the hash says what it was.
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sha256 = models.CharField(max_length=SHA256_LENGTH)
    excerpt = models.TextField(_("excerpt"), blank=True)
    public_excerpt = models.TextField(_("redacted excerpt for the public"), blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.demand_id}: {self.sha256[:12]}"


class Candidate(models.Model):
    """An archive item monitoring matched to a demand, waiting for a person to decide."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="candidates")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    matched = models.CharField(max_length=300)
    found_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(
        max_length=10, choices=CandidateState.choices, default=CandidateState.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["demand", "item"], name="candidate_once")]

    def __str__(self) -> str:
        return f"{self.demand_id} ← {self.item_id} ({self.state})"


class MonitorCursor(models.Model):
    """How far monitoring has read the archive: the last item id it looked at."""

    name = models.CharField(max_length=40, unique=True)
    last_item_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_item_id}"


class DeadlineReminder(models.Model):
    """A reminder that went out about a deadline, so each goes out once."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    deadline = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    emailed_to = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "kind", "deadline"], name="reminder_once_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.kind}"


class DemandImport(models.Model):
    """A file uploaded for import, kept until a person has seen the preview and said yes."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    source_name = models.CharField(max_length=255)
    data = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    stored_at = models.DateTimeField(null=True, blank=True)
    stored = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.source_name
