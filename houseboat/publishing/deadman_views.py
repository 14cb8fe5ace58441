"""The Dead-man switch pages: prepare statements, approve, arm, check in, disarm.

Every change goes through ``houseboat.publishing.deadman``, which checks the person's
role and place again. The one-time check-in link is the only page open without
signing in: its token is the credential.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.core.access import team_view
from houseboat.core.constants import Capability, Role
from houseboat.core.models import Membership
from houseboat.publishing import deadman, services, zones
from houseboat.publishing.constants import DeadManStatus
from houseboat.publishing.deadman_forms import DeadManForm
from houseboat.publishing.models import DeadManSwitch, Variant
from houseboat.publishing.services import PublishingError


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    """Render a dead-man page in the person's time zone."""
    zone = context.setdefault("zone", zones.zone_for(request))
    with timezone.override(zone):
        return render(request, template, context, status=status)


def duration(value: timedelta) -> str:
    """Say an interval the way a person would: whole days when it is, else hours."""
    hours = int(value.total_seconds() // 3600)
    if hours and hours % 24 == 0:
        days = hours // 24
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}


@dataclass
class SwitchView:
    """A switch as one person sees it: what it says and what they may do with it."""

    switch: DeadManSwitch
    mine: bool
    can_edit: bool
    can_submit: bool
    can_approve: bool
    can_arm: bool
    can_check_in: bool
    can_disarm: bool
    in_warning: bool
    interval: str
    warning: str


def describe(switch: DeadManSwitch, request: HttpRequest) -> SwitchView:
    membership = request.membership
    mine = switch.holder_id == request.user.pk
    editable = switch.status in deadman.EDITABLE
    armed = switch.status == DeadManStatus.ARMED
    now = timezone.now()
    return SwitchView(
        switch=switch,
        mine=mine,
        can_edit=mine and editable,
        can_submit=mine and editable and not switch.is_approved and switch.submitted_at is None,
        can_approve=editable and not switch.is_approved and deadman.reads_all(membership),
        can_arm=mine and editable and (switch.is_approved or deadman.reads_all(membership)),
        can_check_in=mine and armed,
        can_disarm=armed and (mine or membership.can(Capability.MANAGE_TEAM)),
        in_warning=armed and switch.warn_at is not None and switch.warn_at <= now,
        interval=duration(switch.check_in_every),
        warning=duration(switch.warn_before),
    )


def team_switch(request: HttpRequest, pk: int) -> DeadManSwitch:
    return get_object_or_404(deadman.visible_switches(request.membership), pk=pk)


def detail_url(request: HttpRequest, switch: DeadManSwitch) -> str:
    return reverse("deadman:detail", kwargs={"team_slug": request.team.slug, "pk": switch.pk})


def link_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("deadman:link", args=[token]))


# --- list, prepare, change ---------------------------------------------------------------


def owner_names(request: HttpRequest) -> list[str]:
    """The user names of the team's owners: the people who approve statements."""
    owners = Membership.objects.filter(team=request.team, role=Role.OWNER).select_related("user")
    return sorted(m.user.get_username() for m in owners)


def who_approves(request: HttpRequest, switch: DeadManSwitch) -> str:
    """Say who approves these statements and what that means, in the team's case."""
    owners = owner_names(request)
    mine = switch.holder_id == request.user.pk
    if mine and deadman.reads_all(request.membership):
        if owners == [request.user.get_username()]:
            return _(
                "You are the team's only owner: nobody else reads these statements before "
                "they go out. They are approved when you arm the switch."
            )
        return _(
            "Your statements are approved when you arm the switch. The team's other owners "
            "can read them too; no one else can."
        )
    if not mine:
        return _("Only its holder and the team's owners read these statements.")
    if len(owners) == 1:
        return _(
            "Only %(owner)s, the team's only owner, can approve these statements: only the "
            "holder and the owners ever read them. Until %(owner)s approves them, the "
            "switch cannot be armed."
        ) % {"owner": owners[0]}
    return _(
        "An owner (%(owners)s) must approve these statements: only the holder and the "
        "owners ever read them."
    ) % {"owners": ", ".join(owners)}


@team_view(Capability.DRAFT)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    switches = [describe(s, request) for s in deadman.visible_switches(request.membership)]
    return page(
        request,
        "publishing/deadman.html",
        {
            "switches": switches,
            "reads_all": deadman.reads_all(request.membership),
            "owners": owner_names(request),
        },
    )


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    return edit_form(request, None)


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    switch = team_switch(request, pk)
    view = describe(switch, request)
    if not view.can_edit:
        messages.error(
            request,
            _("Only its holder can change a switch, and only while it is not armed."),
        )
        return redirect(detail_url(request, switch))
    return edit_form(request, switch)


def edit_form(request: HttpRequest, switch: DeadManSwitch | None) -> HttpResponse:
    zone = zones.zone_for(request)
    channels = deadman.publishable_channels(request.team)
    form = DeadManForm(
        request.POST if request.method == "POST" else None,
        channels=channels,
        zone=zone,
        switch=switch,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if switch is None:
                switch = deadman.prepare(request.membership, form.statements())
                messages.success(request, saved_message(request))
            else:
                deadman.update(request.membership, switch, form.statements())
                messages.success(request, _("Saved. Changed statements need approval again."))
        except PublishingError as error:
            form.add_error(None, str(error))
        else:
            zones.remember_zone(request, form.zone)
            return redirect(detail_url(request, switch))
    return page(
        request,
        "publishing/deadman_form.html",
        {"form": form, "switch": switch, "channels": channels, "zone": form.zone},
        status=400 if form.errors else 200,
    )


def saved_message(request: HttpRequest) -> str:
    if deadman.reads_all(request.membership):
        return _("Saved. Read the statements once more, then arm the switch.")
    return _("Saved. An owner must approve the statements before you can arm the switch.")


# --- one switch ----------------------------------------------------------------------------


@dataclass
class Statement:
    variant: Variant
    texts: list[str]
    problems: list[str]


def statements(switch: DeadManSwitch) -> list[Statement]:
    return [
        Statement(variant, services.part_texts(variant), services.variant_problems(variant))
        for variant in deadman.statement_variants(switch)
    ]


def show(
    request: HttpRequest, switch: DeadManSwitch, *, new_link: str = "", status: int = 200
) -> HttpResponse:
    switch.refresh_from_db()
    return page(
        request,
        "publishing/deadman_detail.html",
        {
            "view": describe(switch, request),
            "switch": switch,
            "statements": statements(switch),
            "new_link": new_link,
            "who_approves": who_approves(request, switch),
        },
        status=status,
    )


@team_view(Capability.DRAFT)
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return show(request, team_switch(request, pk))


def act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    """Do one change to a switch and return to its page, with the outcome said."""
    switch = team_switch(request, pk)
    try:
        action(request.membership, switch)
    except PublishingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(detail_url(request, switch))


@team_view(Capability.DRAFT)
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return act(request, pk, deadman.submit, _("The owners have been asked to approve them."))


@team_view(Capability.MANAGE_TEAM)
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return act(request, pk, deadman.approve, _("Approved. Its holder can now arm the switch."))


@team_view(Capability.DRAFT)
@require_POST
def disarm(request: HttpRequest, pk: int) -> HttpResponse:
    return act(
        request, pk, deadman.disarm, _("Disarmed. Nothing will be released; old links are void.")
    )


@team_view(Capability.DRAFT)
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    switch = team_switch(request, pk)
    try:
        deadman.delete(request.membership, switch)
    except PublishingError as error:
        messages.error(request, str(error))
        return redirect(detail_url(request, switch))
    messages.success(request, _("The switch and its statements were deleted."))
    return redirect("deadman:index", team_slug=request.team.slug)


@team_view(Capability.DRAFT)
@require_POST
def arm(request: HttpRequest, pk: int) -> HttpResponse:
    switch = team_switch(request, pk)
    try:
        token = deadman.arm(request.membership, switch)
    except PublishingError as error:
        messages.error(request, str(error))
        return redirect(detail_url(request, switch))
    messages.success(request, _("Armed. Check in before the deadline, every time."))
    return show(request, switch, new_link=link_url(request, token))


@team_view(Capability.DRAFT)
@require_POST
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    switch = team_switch(request, pk)
    try:
        token = deadman.check_in(request.membership, switch)
    except PublishingError as error:
        messages.error(request, str(error))
        return redirect(detail_url(request, switch))
    messages.success(request, _("Checked in. The deadline has moved."))
    return show(request, switch, new_link=link_url(request, token))


# --- the one-time link (no sign-in: the token is the credential) ----------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """Check in with a one-time link: GET asks, POST checks in.

    A GET changes nothing, because messengers open links to draw a preview.
    """
    try:
        if request.method == "GET":
            found = deadman.find_link(token)
            return page(request, "publishing/deadman_link.html", {"switch": found.switch})
        switch, fresh = deadman.check_in_with_link(token)
    except deadman.LinkRefused as refused:
        return page(
            request,
            "publishing/deadman_link.html",
            {"refused": refused.message},
            status=410 if refused.gone else 404,
        )
    except DeadManSwitch.DoesNotExist:
        raise Http404 from None
    return page(
        request,
        "publishing/deadman_link.html",
        {"switch": switch, "checked_in": True, "new_link": link_url(request, fresh)},
    )
