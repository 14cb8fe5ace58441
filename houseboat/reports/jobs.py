"""Report jobs: queued from the page, written by the worker in the imports lane.

The worker claims one queued report (or one whose worker stopped renewing its lease)
with the house's lease protocol (:mod:`houseboat.core.leases`), writes it, and
records the HTML, the PDF and the CSV annex only while it still holds the lease.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.core import leases
from houseboat.reports import render
from houseboat.reports.constants import ReportState
from houseboat.reports.models import Report

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 3
LONGEST_PERIOD = timedelta(days=3 * 366)


def check_period(start: date, end: date) -> str:
    """Return what is wrong with a period, in words, or "" when it is fine."""
    if end < start:
        return "The period ends before it starts: check the two dates."
    if end - start > LONGEST_PERIOD:
        return "Choose a period of at most three years."
    return ""


def queue_report(campaign: Campaign, start: date, end: date, language: str, user=None) -> Report:
    """Create the queued report job."""
    return Report.objects.create(
        campaign=campaign, start=start, end=end, language=language, requested_by=user
    )


def claimable(now) -> Q:
    return Q(state=ReportState.QUEUED) | Q(state=ReportState.RUNNING, lease_until__lt=now)


def claim_report(name: str) -> Report | None:
    """Claim the oldest queued report, or one whose worker stopped renewing its lease."""
    now = timezone.now()
    ids = leases.claim(
        Report.objects.filter(claimable(now)),
        claimable(now),
        name,
        values={
            "state": ReportState.RUNNING,
            "attempts": F("attempts") + 1,
            "started_at": Coalesce("started_at", Value(now, DateTimeField())),
            "error": "",
        },
        order_by=("created_at", "id"),
        seconds=LEASE.total_seconds(),
        now=now,
    )
    return Report.objects.select_related("campaign").get(pk=ids[0]) if ids else None


def lease_of(report: Report) -> leases.Lease:
    return leases.Lease(
        Report,
        report.pk,
        report.lease_owner,
        seconds=LEASE.total_seconds(),
        held=Q(state=ReportState.RUNNING),
    )


def run_report_jobs(name: str) -> int:
    """Worker step: claim one queued report and write it."""
    report = claim_report(name)
    if report is None:
        return 0
    try:
        write(report)
    except leases.LeaseLost:
        logger.warning("Report %s: the lease was lost; left to the worker that has it", report.pk)
    return 1


def write(report: Report) -> None:
    """Write the report's HTML, PDF and annex; end it done or failed."""
    if report.attempts > MAX_ATTEMPTS:
        end(report, ReportState.FAILED, "The report stopped several times without finishing.")
        return
    try:
        made = render.render(report.campaign, report.start, report.end, report.language)
    except Exception:
        logger.exception("Report %s failed unexpectedly", report.pk)
        end(
            report, ReportState.FAILED, "The report failed unexpectedly; the worker's log has more."
        )
        return
    end(
        report,
        ReportState.DONE,
        made.pdf_error,
        html=made.html,
        pdf=made.pdf,
        csv_zip=made.csv_zip,
    )


def end(report: Report, state: str, error: str, **values: Any) -> None:
    """Record the report's end, only while this worker still holds it."""
    if not lease_of(report).finish(state=state, error=error, finished_at=timezone.now(), **values):
        raise leases.LeaseLost(f"Report {report.pk}: the lease ran out before its end")
    report.refresh_from_db()
