"""Outcomes the team harvested, and the M&E reports the worker writes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.campaigns.models import Campaign
from houseboat.reports.constants import ReportState


class Outcome(models.Model):
    """One harvested outcome: who changed what, when, how the campaign helped, who confirms it.

    Outcome harvesting (Wilson-Grau): the change is described first, then the
    campaign's contribution, then a source outside the team that can confirm it.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="outcomes")
    actor = models.CharField(
        _("who changed"),
        max_length=200,
        help_text=_("A person in office, an institution, a newspaper: who did something new."),
    )
    change = models.TextField(_("what changed"))
    happened_on = models.DateField(_("when"))
    contribution = models.TextField(
        _("how the campaign contributed"),
        help_text=_("What the campaign did that plausibly helped bring the change about."),
    )
    confirmed_by = models.TextField(
        _("who confirms it"),
        blank=True,
        help_text=_("A source outside the team, or evidence: a name, a document, an address."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["campaign", "happened_on"])]

    def __str__(self) -> str:
        return f"{self.actor}: {self.change[:60]}"


class Report(models.Model):
    """A campaign's M&E report over a period, written by the worker (HTML, PDF, CSV annex)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    language = models.CharField(max_length=10, default="en")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.QUEUED)
    error = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # Empty when WeasyPrint is not installed: the HTML is still there.
    pdf = models.BinaryField(null=True, blank=True)
    csv_zip = models.BinaryField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "lease_until"])]

    def __str__(self) -> str:
        return f"report of {self.campaign_id} {self.start} to {self.end}"

    @property
    def file_stem(self) -> str:
        return f"report-{self.campaign.slug}-{self.start}-{self.end}"
