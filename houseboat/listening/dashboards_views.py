"""The dashboard page: one campaign's archive in charts, each with its numbers and CSV."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from houseboat.core.access import team_view
from houseboat.core.charts import Chart
from houseboat.core.constants import Capability
from houseboat.core.daterange import validate_day
from houseboat.listening import dashboards
from houseboat.listening.views import latest_archive

PERIOD_CHOICES = [
    ("all", _("The whole archive")),
    ("1d", _("Its last day")),
    ("7d", _("Its last 7 days")),
    ("30d", _("Its last 30 days")),
    ("90d", _("Its last 90 days")),
    ("custom", _("Between two days")),
]


class DashboardForm(forms.Form):
    """Which campaign and which period the dashboard shows."""

    campaign = forms.ChoiceField(label=_("Campaign"))
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],
    )
    until = forms.DateField(
        label=_("To (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [(c.slug, c.name) for c in campaigns]


def csv_response(chart: Chart, campaign_slug: str) -> HttpResponse:
    """Return a chart's numbers as a CSV download."""
    response = HttpResponse(chart.csv(), content_type="text/csv; charset=utf-8")
    name = f"{campaign_slug}-{chart.key}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def query_without_csv(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("csv", None)
    return query.urlencode()


@team_view(Capability.VIEW)
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show a campaign's dashboard for a period; ?csv=KEY downloads one chart's numbers."""
    campaigns = list(request.team.campaigns.order_by("-starts_on", "name"))
    if not campaigns:
        return render(request, "listening/dashboard.html", {"form": None})
    data = request.GET.copy()
    if data.get("campaign") not in {c.slug for c in campaigns}:
        data["campaign"] = latest_archive(request.team) or campaigns[0].slug
    form = DashboardForm(data, campaigns=campaigns)
    campaign = next(c for c in campaigns if c.slug == data["campaign"])
    context = {"form": form, "campaign": campaign, "csv_query": query_without_csv(request)}
    if not form.is_valid():
        return render(request, "listening/dashboard.html", context, status=400)
    fields = form.cleaned_data
    period = dashboards.resolve_period(
        campaign, fields["period"] or "all", fields["since"], fields["until"]
    )
    if period is not None:
        context.update(dashboards.dashboard(campaign, period, rtl=get_language_bidi()))
        context["period"] = period
        wanted = request.GET.get("csv")
        if wanted:
            chart = context["charts"].get(wanted)
            if chart is None:
                raise Http404("No such chart.")
            return csv_response(chart, campaign.slug)
    return render(request, "listening/dashboard.html", context)
