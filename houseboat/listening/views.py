"""The archive's pages: search with filters, for every member of the team."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from houseboat.connectors.constants import Network
from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.listening.forms import ArchiveSearchForm
from houseboat.listening.models import Capture
from houseboat.listening.search import search


def latest_archive(team) -> str | None:
    """Return the slug of the team's campaign whose archive last took something in."""
    latest = Capture.objects.filter(campaign__team=team).order_by("-created_at", "-id")
    return latest.values_list("campaign__slug", flat=True).first()


@team_view(Capability.VIEW)
@require_safe
def archive(request: HttpRequest) -> HttpResponse:
    """Search one campaign's archive; the first campaign when none is chosen."""
    campaigns = list(request.team.campaigns.order_by("-starts_on", "name"))
    if not campaigns:
        return render(request, "listening/archive.html", {"form": None, "results": None})
    data = request.GET.copy()
    if data.get("campaign") not in {c.slug for c in campaigns}:
        data["campaign"] = latest_archive(request.team) or campaigns[0].slug
    form = ArchiveSearchForm(data, campaigns=campaigns)
    results = None
    campaign = next(c for c in campaigns if c.slug == data["campaign"])
    if form.is_valid():
        fields = form.cleaned_data
        results = search(
            campaign,
            fields["q"],
            network=fields["network"] or None,
            author=fields["author"] or None,
            hashtag=fields["hashtag"] or None,
            since=fields["since"],
            until=fields["until"],
            has_media=form.has_media(),
            language=fields["language"] or None,
            page=request.GET.get("page") or 1,
        )
        labels = dict(Network.choices)
        for item in results.items:
            item.network_label = labels.get(item.network, item.network)
    return render(
        request,
        "listening/archive.html",
        {
            "form": form,
            "results": results,
            "campaign": campaign,
            "asked": form.is_bound
            and any(
                value not in (None, "")
                for key, value in form.cleaned_data.items()
                if key != "campaign"
            ),
        },
        status=200 if results is not None else 400,
    )
