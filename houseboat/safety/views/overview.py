"""The safety page: what protects the team, and where each part lives."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.safety.models import DoNotName


@team_view(Capability.VIEW)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    team = request.team
    return render(
        request,
        "safety/index.html",
        {"names_count": DoNotName.objects.filter(team=team).count()},
    )
