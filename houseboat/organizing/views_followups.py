"""Team pages: follow-ups to a segment, drafted, checked and sent."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.organizing import followups, segments, services
from houseboat.organizing.constants import FollowUpState
from houseboat.organizing.forms import FollowUpForm
from houseboat.organizing.models import FollowUp, Segment


@team_view(Capability.ORGANIZE)
@require_safe
def follow_up_list(request: HttpRequest) -> HttpResponse:
    rows = [
        (f, followups.summary(f))
        for f in request.team.follow_ups.select_related("segment", "campaign")[:50]
    ]
    return render(request, "organizing/followups.html", {"rows": rows})


def chosen_filters(request: HttpRequest, form: FollowUpForm) -> tuple[dict, Segment | None]:
    data = form.cleaned_data
    segment = None
    if data.get("segment"):
        segment = request.team.segments.filter(pk=data["segment"]).first()
    if segment is not None:
        return segment.filters, segment
    return segments.clean_filters(data), None


@team_view(Capability.ORGANIZE)
@require_http_methods(["GET", "POST"])
def follow_up_create(request: HttpRequest) -> HttpResponse:
    initial = segments.clean_filters(request.GET)
    form = FollowUpForm(
        request.team.campaigns.all(),
        request.team.segments.all(),
        request.POST or None,
        initial=initial,
        rungs=services.ladder(request.team),
    )
    if request.method == "POST" and form.is_valid():
        filters, segment = chosen_filters(request, form)
        if form.cleaned_data.get("save_as") and segment is None:
            segment = Segment.objects.create(
                team=request.team, name=form.cleaned_data["save_as"], filters=filters
            )
        follow_up = FollowUp.objects.create(
            team=request.team,
            campaign=request.team.campaigns.filter(pk=filters.get("campaign") or 0).first(),
            segment=segment,
            filters=filters,
            subject=form.cleaned_data.get("subject", ""),
            text=form.cleaned_data["text"],
            whatsapp_template=form.cleaned_data.get("whatsapp_template", ""),
            whatsapp_language=form.cleaned_data.get("whatsapp_language") or "en",
            created_by=request.user,
        )
        return redirect("organizing:follow_up", team_slug=request.team.slug, pk=follow_up.pk)
    return render(
        request, "organizing/followup_form.html", {"form": form}, status=400 if form.errors else 200
    )


@team_view(Capability.ORGANIZE)
@require_safe
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp, pk=pk, team=request.team)
    draft = follow_up.state == FollowUpState.DRAFT
    return render(
        request,
        "organizing/followup.html",
        {
            "follow_up": follow_up,
            "filters": segments.describe(follow_up.filters, follow_up.team),
            "reach": followups.plan(follow_up)[1] if draft else None,
            "summary": followups.summary(follow_up),
            "problems": follow_up.messages.exclude(error="").values_list("channel_kind", "error")[
                :10
            ],
            "email_ready": followups.email_configured(),
        },
    )


@team_view(Capability.ORGANIZE)
@require_POST
def follow_up_send(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp, pk=pk, team=request.team)
    if follow_up.state != FollowUpState.DRAFT:
        messages.info(request, _("This follow-up is already on its way; it is never sent twice."))
    else:
        counts = followups.queue(follow_up, actor=request.user)
        sent = sum(v for k, v in counts.items() if k not in {"people", "no_consent", "no_route"})
        messages.success(
            request,
            _(
                "%(n)s messages are queued; the worker sends them. %(none)s supporters have "
                "given no consent and get nothing."
            )
            % {"n": sent, "none": counts["no_consent"]},
        )
    return redirect("organizing:follow_up", team_slug=request.team.slug, pk=follow_up.pk)
