"""The Press sources page: the feeds a team follows for the radar, and how each fares.

Everyone in the team may look; those who may manage channels (editors, owners) may
add, pause and resume sources.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.radar import fetching
from houseboat.radar.forms import PressSourceForm
from houseboat.radar.models import PressSource
from houseboat.radar.sources import collection_named, sources_by_collection


def page_url(request: HttpRequest) -> str:
    return reverse("press:sources", kwargs={"team_slug": request.team.slug})


def render_page(request: HttpRequest, form: PressSourceForm | None = None) -> HttpResponse:
    can_manage = request.membership.can(Capability.MANAGE_CHANNELS)
    if can_manage and form is None:
        form = PressSourceForm(team=request.team)
    return render(
        request,
        "radar/press_sources.html",
        {
            "groups": sources_by_collection(request.team),
            "form": form if can_manage else None,
            "can_manage": can_manage,
        },
        status=400 if form is not None and form.errors else 200,
    )


@team_view(Capability.VIEW)
@require_safe
def sources(request: HttpRequest) -> HttpResponse:
    return render_page(request)


@team_view(Capability.MANAGE_CHANNELS)
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    form = PressSourceForm(request.POST, team=request.team)
    if not form.is_valid():
        return render_page(request, form)
    source = form.save(commit=False)
    source.team = request.team
    source.collection = collection_named(request.team, form.cleaned_data["collection_name"])
    source.save()
    messages.success(
        request,
        _("%(name)s added. The worker reads its feed within a few minutes.") % {"name": source},
    )
    return redirect(page_url(request))


@team_view(Capability.MANAGE_CHANNELS)
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(PressSource, pk=pk, team=request.team)
    reason = _("Paused by %(person)s on %(day)s.") % {
        "person": request.user.get_username(),
        "day": f"{timezone.now():%Y-%m-%d}",
    }
    fetching.pause_by_hand(source, reason)
    messages.success(request, _("%(name)s paused.") % {"name": source})
    return redirect(page_url(request))


@team_view(Capability.MANAGE_CHANNELS)
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(PressSource, pk=pk, team=request.team)
    fetching.resume(source)
    messages.success(
        request, _("%(name)s resumed: the worker reads it again now.") % {"name": source}
    )
    return redirect(page_url(request))
