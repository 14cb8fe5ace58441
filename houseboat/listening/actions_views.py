"""Actions and their response: the ranked list, a dated event's form, one action's page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.core.access import team_view
from houseboat.core.charts import Series, bar_chart, line_chart
from houseboat.core.constants import Capability
from houseboat.listening import actions
from houseboat.listening.dashboards_views import csv_response, query_without_csv
from houseboat.listening.models import DatedEvent
from houseboat.listening.views import latest_archive

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DatedEventForm(forms.ModelForm):
    """A march, a hearing, a press conference: when it started and ended."""

    class Meta:
        model = DatedEvent
        fields = ["name", "kind", "starts_at", "ends_at", "notes"]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("The end comes before the start: check the two times."))
        return data


def chosen_campaign(request: HttpRequest):
    """Return the campaign asked for (?campaign=slug), else the one last archived into."""
    campaigns = list(request.team.campaigns.order_by("-starts_on", "name"))
    if not campaigns:
        return None, []
    slug = request.GET.get("campaign") or request.POST.get("campaign")
    if slug not in {c.slug for c in campaigns}:
        slug = latest_archive(request.team) or campaigns[0].slug
    return next(c for c in campaigns if c.slug == slug), campaigns


def hours_asked(request: HttpRequest) -> int:
    try:
        hours = int(request.GET.get("hours", actions.DEFAULT_HOURS))
    except ValueError:
        return actions.DEFAULT_HOURS
    return hours if hours in actions.HOURS_CHOICES else actions.DEFAULT_HOURS


@team_view(Capability.VIEW)
@require_safe
def action_list(request: HttpRequest) -> HttpResponse:
    """List the campaign's actions ranked by response, with the form for a dated event."""
    campaign, campaigns = chosen_campaign(request)
    context = {"campaign": campaign, "campaigns": campaigns, "hours": hours_asked(request)}
    if campaign is not None:
        found = actions.all_actions(campaign)
        context["ranked"] = actions.ranked(campaign, found, context["hours"])
        context["form"] = DatedEventForm()
    context["hours_choices"] = actions.HOURS_CHOICES
    return render(request, "listening/actions.html", context)


@team_view(Capability.DRAFT)
@require_POST
def event_add(request: HttpRequest) -> HttpResponse:
    """Enter a dated event of the campaign as an action."""
    campaign, _campaigns = chosen_campaign(request)
    if campaign is None:
        raise Http404("No campaign.")
    form = DatedEventForm(request.POST)
    if not form.is_valid():
        found = actions.all_actions(campaign)
        return render(
            request,
            "listening/actions.html",
            {
                "campaign": campaign,
                "campaigns": [campaign],
                "hours": actions.DEFAULT_HOURS,
                "hours_choices": actions.HOURS_CHOICES,
                "ranked": actions.ranked(campaign, found, actions.DEFAULT_HOURS),
                "form": form,
            },
            status=400,
        )
    event = form.save(commit=False)
    event.campaign = campaign
    event.created_by = request.user
    event.save()
    messages.success(request, _("Added. Its response page compares the hours before and after."))
    url = reverse("listening:action", args=[request.team.slug, f"event-{event.pk}"])
    return redirect(f"{url}?campaign={campaign.slug}")


@team_view(Capability.EDIT_CAMPAIGN)
@require_POST
def event_remove(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(DatedEvent, pk=pk, campaign__team=request.team)
    slug = event.campaign.slug
    event.delete()
    messages.success(request, _("Removed. The archive itself is unchanged."))
    return redirect(reverse("listening:actions", args=[request.team.slug]) + f"?campaign={slug}")


@team_view(Capability.VIEW)
@require_http_methods(["GET", "HEAD"])
def action_response(request: HttpRequest, ref: str) -> HttpResponse:
    """Show the conversation before, during and after one action; ?csv=KEY for its numbers."""
    campaign, _campaigns = chosen_campaign(request)
    action = actions.find_action(campaign, ref) if campaign else None
    if action is None:
        raise Http404("No such action in this campaign.")
    result = actions.response(campaign, action, hours_asked(request))
    charts = response_charts(result, rtl=get_language_bidi())
    wanted = request.GET.get("csv")
    if wanted:
        if wanted not in charts:
            raise Http404("No such chart.")
        return csv_response(charts[wanted], f"{campaign.slug}-{ref}")
    event = None
    if ref.startswith("event-"):
        event = DatedEvent.objects.get(pk=int(ref.split("-", 1)[1]))
    return render(
        request,
        "listening/action_response.html",
        {
            "campaign": campaign,
            "r": result,
            "charts": charts,
            "event": event,
            "hours_choices": actions.HOURS_CHOICES,
            "csv_query": query_without_csv(request),
            "windows": window_rows(result),
        },
    )


def window_rows(result: actions.Response) -> list[dict]:
    """Return the before, during and after rows of the response table."""
    labels = {"before": _("Before (baseline)"), "during": _("During"), "after": _("After")}
    rows = []
    for key, label in labels.items():
        since, until = getattr(result.windows, key)
        hours = max(1, int((until - since).total_seconds() // 3600))
        posts = result.volume[key]
        rows.append(
            {
                "key": key,
                "label": label,
                "since": since,
                "until": until,
                "posts": posts,
                "per_hour": round(posts / hours, 1),
                "new_accounts": result.new_accounts[key],
            }
        )
    return rows


def response_charts(result: actions.Response, *, rtl: bool) -> dict:
    """Draw the response page's charts: posts per hour around the action, and the windows."""
    w = result.windows
    hours = [hour for hour, _n in result.hourly]
    marks = []
    if w.during[0] in hours:
        marks.append((hours.index(w.during[0]), _("start")))
    if w.after[0] in hours:
        marks.append((hours.index(w.after[0]), _("end")))
    volume = line_chart(
        "hourly",
        _("Posts per hour around the action"),
        _("Posts per UTC hour, from %(n)s hours before the start to %(n)s hours after the end.")
        % {"n": result.hours},
        [hour.strftime("%Y-%m-%d %H:00") for hour in hours],
        [Series(_("posts"), [n for _hour, n in result.hourly])],
        rtl=rtl,
        area=True,
        x_heading=_("hour (UTC)"),
        marks=marks,
        ticks=[hour.strftime("%m-%d %H:00") for hour in hours],
    )
    names = {"before": _("before"), "during": _("during"), "after": _("after")}
    windows = bar_chart(
        "windows",
        _("Posts and new accounts, before, during and after"),
        _("Posts in each window, and accounts that posted in the campaign for the first time."),
        [(names[k], result.volume[k]) for k in ("before", "during", "after")],
        rtl=rtl,
        label_heading=_("window"),
        value_heading=_("posts"),
    )
    windows.header.append(_("new accounts"))
    for row, key in zip(windows.rows, ("before", "during", "after"), strict=True):
        row.append(result.new_accounts[key])
    return {"hourly": volume, "windows": windows}
