"""The owner's lock-down page."""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.safety.forms import LockdownForm
from houseboat.safety.lockdown import lock_down, preview


@team_view(Capability.MANAGE_TEAM)
@require_http_methods(["GET", "POST"])
def lockdown(request: HttpRequest) -> HttpResponse:
    """Explain the lock-down; on a confirmed POST, do it and sign this browser out too."""
    team = request.team
    form = LockdownForm(request.POST or None, team_slug=team.slug)
    if request.method == "POST" and form.is_valid():
        done = lock_down(team, actor=request.user, request=request)
        logout(request)
        ended = ngettext(
            "%(count)d session of %(members)d members was ended",
            "%(count)d sessions of %(members)d members were ended",
            done.sessions,
        ) % {"count": done.sessions, "members": done.members}
        messages.warning(
            request,
            _(
                "%(team)s is locked down: %(ended)s, everywhere, this one included. Sign in "
                "again: two-factor sign-in is now required. Then change your password."
            )
            % {"team": team.name, "ended": ended},
        )
        return redirect("core:login")
    return render(
        request,
        "safety/lockdown.html",
        {"form": form, "preview": preview(team)},
        status=400 if form.errors else 200,
    )
