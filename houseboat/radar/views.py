"""The radar page: the press and the archive on a campaign's issue, side by side, with CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from houseboat.campaigns.models import Campaign
from houseboat.core.access import team_view
from houseboat.core.charts import Series, line_chart
from houseboat.core.constants import Capability
from houseboat.core.daterange import validate_day
from houseboat.radar.compare import (
    Comparison,
    compare,
    comparison_tables,
    table_csv,
    tables_zip,
)
from houseboat.radar.models import IssueQuery

DEFAULT_DAYS = 30
# A longer period reads every story and matching post of it: a year is the most one page asks.
MAX_DAYS = 366
MAX_TERMS = 50


def split_terms(text: str) -> list[str]:
    """Return the keywords and #hashtags of a comma- or line-separated list, without repeats."""
    seen, out = set(), []
    for part in text.replace("\n", ",").split(","):
        term = " ".join(part.split())
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            out.append(term)
    return out


class PeriodForm(forms.Form):
    """Which issue and which days the radar compares (a GET form)."""

    query = forms.TypedChoiceField(label=_("Issue"), coerce=int, required=False)
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

    def __init__(self, *args, queries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["query"].choices = [(q.pk, q.name) for q in queries]

    def clean(self):
        data = super().clean()
        until = data.get("until") or datetime.now(UTC).date()
        since = data.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            raise forms.ValidationError(_("The first day comes after the last: swap them."))
        if (until - since).days >= MAX_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(days)d days at a time.") % {"days": MAX_DAYS}
            )
        data["since"], data["until"] = since, until
        return data


class IssueForm(forms.Form):
    """The words that name the issue, saved for the campaign."""

    name = forms.CharField(label=_("Name"), max_length=200)
    terms = forms.CharField(
        label=_("Keywords and #hashtags"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Separated by commas, in every language the issue is told in: riot, émeute, #Vigil."
        ),
    )

    def clean_terms(self) -> list[str]:
        terms = split_terms(self.cleaned_data["terms"])
        if not terms:
            raise forms.ValidationError(_("Write at least one keyword or #hashtag."))
        if len(terms) > MAX_TERMS:
            raise forms.ValidationError(_("At most %(n)d terms.") % {"n": MAX_TERMS})
        return terms


def campaign_of(request: HttpRequest, slug: str) -> Campaign:
    """Return the team's campaign, or 404 (never another team's)."""
    return get_object_or_404(Campaign, team=request.team, slug=slug)


def period_of(since: date, until: date) -> tuple[datetime, datetime]:
    start = datetime.combine(since, time(), tzinfo=UTC)
    return start, datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)


def charts_of(comparison: Comparison, rtl: bool) -> dict:
    """Draw each side's volume per day, and the two sides' shares on one chart."""
    days = [d.date.isoformat() for d in comparison.press.days]
    charts = {}
    for side, title in (
        (comparison.press, _("Press stories on the issue, per day")),
        (comparison.social, _("Posts on the issue, per day")),
    ):
        charts[side.name] = line_chart(
            f"volume_{side.name}",
            str(title),
            str(_("How many documents of this side matched the issue each day (UTC).")),
            days,
            [Series(str(_("on the issue")), [d.matched for d in side.days])],
            rtl=rtl,
            area=True,
            x_heading=str(_("Day")),
        )
    charts["share"] = line_chart(
        "share",
        str(_("Share of all each side collected, per day (%)")),
        str(_("Of every story the press feeds brought in, and every post in the archive.")),
        days,
        [
            Series(str(_("press")), [round(100 * d.share, 1) for d in comparison.press.days]),
            Series(
                str(_("social media")), [round(100 * d.share, 1) for d in comparison.social.days]
            ),
        ],
        rtl=rtl,
        x_heading=str(_("Day")),
    )
    return charts


def csv_download(body: str | bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@team_view(Capability.VIEW)
@require_safe
def radar(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the radar for a period; ?csv=all downloads every table as a ZIP, ?csv=NAME one."""
    campaign = campaign_of(request, slug)
    queries = list(campaign.issue_queries.order_by("-created_at", "-id"))
    form = PeriodForm(request.GET, queries=queries)
    context = {
        "campaign": campaign,
        "form": form,
        "issue_form": IssueForm(),
        "can_edit": request.membership.can(Capability.EDIT_CAMPAIGN),
        "queries": queries,
    }
    if not form.is_valid():
        return render(request, "radar/radar.html", context, status=400)
    chosen = form.cleaned_data["query"]
    query = next((q for q in queries if q.pk == chosen), queries[0] if queries else None)
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    context.update(query=query, since=since, until=until)
    if query is None:
        return render(request, "radar/radar.html", context)
    comparison = compare(query, *period_of(since, until))
    tables = comparison_tables(comparison)
    charts = charts_of(comparison, get_language_bidi())
    wanted = request.GET.get("csv")
    if wanted:
        return download(wanted, tables, charts, f"{campaign.slug}-radar-{since}-{until}")
    params = request.GET.copy()
    params.pop("csv", None)
    params["query"], params["since"], params["until"] = query.pk, since, until
    context.update(
        comparison=comparison,
        charts=charts,
        csv_query=params.urlencode(),
        table_names=list(tables),
        since_text=since.isoformat(),
        until_text=until.isoformat(),
        sides=[comparison.press, comparison.social],
    )
    return render(request, "radar/radar.html", context)


def download(wanted: str, tables: dict, charts: dict, stem: str) -> HttpResponse:
    if wanted == "all":
        return csv_download(tables_zip(tables), f"{stem}.zip", "application/zip")
    if wanted in tables:
        header, rows = tables[wanted]
        return csv_download(
            table_csv(header, rows), f"{stem}-{wanted}.csv", "text/csv; charset=utf-8"
        )
    chart = next((c for c in charts.values() if c.key == wanted), None)
    if chart is None:
        raise Http404("No such table.")
    return csv_download(chart.csv(), f"{stem}-{wanted}.csv", "text/csv; charset=utf-8")


@team_view(Capability.EDIT_CAMPAIGN)
@require_POST
def issue_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Save the words that name the campaign's issue; the newest is the radar's default."""
    campaign = campaign_of(request, slug)
    form = IssueForm(request.POST)
    if not form.is_valid():
        queries = list(campaign.issue_queries.order_by("-created_at", "-id"))
        context = {
            "campaign": campaign,
            "form": PeriodForm({}, queries=queries),
            "issue_form": form,
            "can_edit": True,
            "queries": queries,
        }
        return render(request, "radar/radar.html", context, status=400)
    query = IssueQuery.objects.create(
        campaign=campaign, name=form.cleaned_data["name"], terms=form.cleaned_data["terms"]
    )
    url = reverse("radar:radar", args=[request.team.slug, campaign.slug])
    return redirect(f"{url}?query={query.pk}")
