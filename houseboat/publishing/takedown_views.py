"""The "Take down everywhere" page: what will happen, the confirmation, the results.

The request goes through ``houseboat.publishing.takedown``, which checks the role again
(editors and owners, as for publishing) and leaves the deleting to the worker's
dispatch lane; the results part of the page asks again every 2 seconds until every
channel has settled.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.publishing import services, takedown
from houseboat.publishing.models import Takedown
from houseboat.publishing.views import page, team_post


def existing(post) -> Takedown | None:
    return Takedown.objects.filter(post=post).select_related("requested_by").first()


def results_context(post) -> dict:
    return {
        "post": post,
        "takedown": existing(post),
        "lines": takedown.results(post),
        "settled": takedown.settled(post),
    }


@team_view(Capability.VIEW)
@require_safe
def show(request: HttpRequest, pk: int) -> HttpResponse:
    """Show what a takedown will do (and the button), or how far it got."""
    post = team_post(request, pk)
    context = results_context(post)
    if request.htmx and context["takedown"] is not None:
        return render(request, "publishing/_takedown_results.html", context)
    context.update(
        preview=takedown.preview(post) if context["takedown"] is None else [],
        possible=takedown.can_take_down(post),
        failed=any(line.state == "failed" for line in context["lines"]),
    )
    return page(request, "publishing/takedown.html", context)


@team_view(Capability.PUBLISH)
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the post to come down everywhere (again: retry what failed)."""
    post = team_post(request, pk)
    try:
        takedown.request_takedown(request.membership, post)
    except services.PublishingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Taking it down. The results appear below as each network answers."),
        )
    return redirect("publishing:takedown", team_slug=request.team.slug, pk=post.pk)
