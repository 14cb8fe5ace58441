"""The safety page: what protects the team, and where each part lives."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.safety.alerts import builtin_terms, language_name
from houseboat.safety.graphic import exposure_today
from houseboat.safety.models import Alert, AlertTerm, DoNotName, GraphicMark, ProtectedDetail


@team_view(Capability.VIEW)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Show each safety part with its state, linking to the pages the member may open."""
    team = request.team
    can = request.membership.can
    context = {
        "open_alerts": Alert.objects.filter(team=team).open().count(),
        "exposure": exposure_today(team, request.user),
        "marks_count": GraphicMark.objects.filter(team=team).count(),
        "list_languages": sorted({language_name(term.language) for term in builtin_terms()}),
    }
    if can(Capability.PUBLISH):
        context["names_count"] = DoNotName.objects.filter(team=team).count()
        context["terms_count"] = AlertTerm.objects.filter(team=team).count()
    if can(Capability.MANAGE_TEAM):
        context["protected_count"] = ProtectedDetail.objects.filter(team=team).count()
    return render(request, "safety/index.html", context)
