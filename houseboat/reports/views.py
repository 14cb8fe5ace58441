"""Reports and harvested outcomes: the pages of one campaign."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from houseboat.campaigns.models import Campaign
from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.reports import jobs
from houseboat.reports.constants import ReportState
from houseboat.reports.forms import OutcomeForm, PeriodForm
from houseboat.reports.models import Outcome, Report

REPORTS_LISTED = 20


def campaign_of(request: HttpRequest, slug: str) -> Campaign:
    return get_object_or_404(Campaign, team=request.team, slug=slug)


@team_view(Capability.VIEW)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """List the team's campaigns with their latest reports."""
    campaigns = list(request.team.campaigns.order_by("-starts_on", "name"))
    latest = Report.objects.filter(campaign__team=request.team).select_related("campaign")
    return render(
        request,
        "reports/index.html",
        {
            "campaigns": campaigns,
            "reports": latest.defer("html", "pdf", "csv_zip")[:REPORTS_LISTED],
        },
    )


@team_view(Capability.VIEW)
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_reports(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the period form (editors queue a report) and the campaign's reports."""
    campaign = campaign_of(request, slug)
    may_queue = request.membership.can(Capability.EDIT_CAMPAIGN)
    form = PeriodForm.last_days()
    if request.method == "POST":
        if not may_queue:
            from houseboat.core.access import require

            require(request.membership, Capability.EDIT_CAMPAIGN)
        form = PeriodForm(request.POST)
        if form.is_valid():
            report = jobs.queue_report(
                campaign,
                form.cleaned_data["start"],
                form.cleaned_data["end"],
                get_language() or "en",
                request.user,
            )
            messages.success(request, _("The report is queued: the worker writes it."))
            return redirect("reports:report", request.team.slug, slug, report.pk)
    reports = campaign.reports.defer("html", "pdf", "csv_zip")[:REPORTS_LISTED]
    return render(
        request,
        "reports/campaign.html",
        {"campaign": campaign, "form": form, "reports": reports, "may_queue": may_queue},
        status=400 if request.method == "POST" else 200,
    )


@team_view(Capability.VIEW)
@require_safe
def report_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Show a report job's state, and its files once written."""
    campaign = campaign_of(request, slug)
    report = get_object_or_404(
        Report.objects.defer("html", "pdf", "csv_zip"), campaign=campaign, pk=pk
    )
    has_pdf = Report.objects.filter(pk=pk, pdf__isnull=False).exists()
    return render(
        request,
        "reports/report_job.html",
        {
            "campaign": campaign,
            "report": report,
            "has_pdf": has_pdf,
            "done": report.state == ReportState.DONE,
        },
    )


FILES = {
    "html": ("html", "text/html; charset=utf-8", "html"),
    "pdf": ("pdf", "application/pdf", "pdf"),
    "csv": ("csv_zip", "application/zip", "zip"),
}


@team_view(Capability.VIEW)
@require_safe
def download(request: HttpRequest, slug: str, pk: int, kind: str) -> HttpResponse:
    """Send one of a written report's files, as a download."""
    campaign = campaign_of(request, slug)
    if kind not in FILES:
        raise Http404("No such file.")
    column, content_type, extension = FILES[kind]
    report = get_object_or_404(Report, campaign=campaign, pk=pk, state=ReportState.DONE)
    body = getattr(report, column)
    if not body:
        raise Http404("This report has no such file.")
    response = HttpResponse(
        body.encode() if isinstance(body, str) else bytes(body), content_type=content_type
    )
    # A download, never shown inside houseboat's pages: the report carries its own styles.
    response["Content-Disposition"] = f'attachment; filename="{report.file_stem}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@team_view(Capability.VIEW)
@require_http_methods(["GET", "HEAD", "POST"])
def outcomes(request: HttpRequest, slug: str) -> HttpResponse:
    """List the campaign's harvested outcomes; editors and owners add them."""
    campaign = campaign_of(request, slug)
    may_add = request.membership.can(Capability.EDIT_CAMPAIGN)
    form = OutcomeForm()
    if request.method == "POST":
        from houseboat.core.access import require

        require(request.membership, Capability.EDIT_CAMPAIGN)
        form = OutcomeForm(request.POST)
        if form.is_valid():
            outcome = form.save(commit=False)
            outcome.campaign = campaign
            outcome.created_by = request.user
            outcome.save()
            messages.success(request, _("Outcome recorded. The next report includes it."))
            return redirect("reports:outcomes", request.team.slug, slug)
    return render(
        request,
        "reports/outcomes.html",
        {
            "campaign": campaign,
            "outcomes": Outcome.objects.filter(campaign=campaign),
            "form": form,
            "may_add": may_add,
        },
        status=400 if request.method == "POST" else 200,
    )
