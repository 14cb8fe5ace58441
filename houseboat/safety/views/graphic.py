"""The graphic media shield: marks, rules, the daily limit, and counting what was seen."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.safety.forms import GraphicMarkForm, GraphicRuleForm, SafetySettingsForm
from houseboat.safety.graphic import exposure_today, is_sha256, mark_graphic, record_reveal
from houseboat.safety.models import GraphicMark, GraphicRule, SafetySettings

MARKS_SHOWN = 50


@team_view(Capability.VIEW)
@require_safe
def graphic(request: HttpRequest) -> HttpResponse:
    return _graphic_page(request)


def _graphic_page(
    request: HttpRequest,
    *,
    settings_form: SafetySettingsForm | None = None,
    rule_form: GraphicRuleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    team = request.team
    settings = SafetySettings.for_team(team)
    return render(
        request,
        "safety/graphic.html",
        {
            "exposure": exposure_today(team, request.user),
            "settings_form": settings_form or SafetySettingsForm(instance=settings),
            "rule_form": rule_form or GraphicRuleForm(),
            "rules": GraphicRule.objects.filter(team=team),
            "marks": GraphicMark.objects.filter(team=team).select_related("marked_by")[
                :MARKS_SHOWN
            ],
            "marks_count": GraphicMark.objects.filter(team=team).count(),
            "can_edit": request.membership.can(Capability.PUBLISH),
            "can_set": request.membership.can(Capability.MANAGE_TEAM),
        },
        status=status,
    )


@team_view(Capability.MANAGE_TEAM)
@require_POST
def graphic_settings(request: HttpRequest) -> HttpResponse:
    form = SafetySettingsForm(request.POST, instance=SafetySettings.for_team(request.team))
    if not form.is_valid():
        return _graphic_page(request, settings_form=form, status=400)
    form.save()
    messages.success(request, _("The daily limit is saved."))
    return redirect("safety:graphic", team_slug=request.team.slug)


@team_view(Capability.PUBLISH)
@require_POST
def graphic_rule_add(request: HttpRequest) -> HttpResponse:
    form = GraphicRuleForm(request.POST)
    if not form.is_valid():
        return _graphic_page(request, rule_form=form, status=400)
    try:
        with transaction.atomic():
            GraphicRule.objects.create(
                team=request.team, added_by=request.user, **form.cleaned_data
            )
    except IntegrityError:
        form.add_error("value", _("The team already has this rule."))
        return _graphic_page(request, rule_form=form, status=400)
    messages.success(request, _("Rule added. Media of items that match it arrive shielded."))
    return redirect("safety:graphic", team_slug=request.team.slug)


@team_view(Capability.PUBLISH)
@require_POST
def graphic_rule_remove(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(GraphicRule, pk=pk, team=request.team).delete()
    messages.success(request, _("Rule removed. Media it marked stay marked."))
    return redirect("safety:graphic", team_slug=request.team.slug)


@team_view(Capability.DRAFT)
@require_POST
def graphic_mark(request: HttpRequest) -> HttpResponse:
    """Mark a picture or video graphic by its hash; go back where the person was."""
    form = GraphicMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That is not a media file's SHA-256: nothing was marked."))
        return redirect("safety:graphic", team_slug=request.team.slug)
    if mark_graphic(
        request.team,
        form.cleaned_data["media_sha256"],
        by=request.user,
        reason=form.cleaned_data["reason"],
    ):
        messages.success(request, _("Marked graphic: it is shown shielded to everyone."))
    else:
        messages.info(request, _("It was already marked graphic."))
    back = form.cleaned_data["next"]
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("safety:graphic", team_slug=request.team.slug)


@team_view(Capability.PUBLISH)
@require_POST
def graphic_unmark(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(GraphicMark, pk=pk, team=request.team).delete()
    messages.success(request, _("No longer marked graphic."))
    return redirect("safety:graphic", team_slug=request.team.slug)


@team_view(Capability.VIEW)
@require_POST
def graphic_seen(request: HttpRequest, sha256: str) -> JsonResponse:
    """Count that the member chose to see a graphic item; answer with today's exposure."""
    if not is_sha256(sha256.lower()):
        raise Http404(_("No such media."))
    return JsonResponse(record_reveal(request.team, request.user, sha256).as_json())
