"""Team pages: members and invitations, roles, the 2FA policy, the audit log."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.core import hooks
from houseboat.core.access import team_view
from houseboat.core.constants import ROLE_DESCRIPTIONS, AuditAction, Capability, Role
from houseboat.core.forms import InvitationForm, JoinForm, RoleForm, TeamSecurityForm
from houseboat.core.models import AuditEvent, Invitation, Membership
from houseboat.core.services import audit

AUDIT_PAGE_SIZE = 50


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Open the only team straight away; list them when there are several."""
    memberships = list(request.user.memberships_with_teams())
    if len(memberships) == 1:
        return redirect("campaigns:index", team_slug=memberships[0].team.slug)
    for membership in memberships:
        membership.waiting = hooks.waiting_for(membership)  # what each team has for them
    return render(request, "core/home.html", {"memberships": memberships})


def members_context(request: HttpRequest, invite_form: InvitationForm) -> dict:
    team = request.team
    return {
        "members": team.memberships.select_related("user"),
        "invitations": team.invitations.pending().select_related("invited_by"),
        "invite_form": invite_form,
        "roles": [(role, ROLE_DESCRIPTIONS[role]) for role in Role],
        "role_choices": Role.choices,
        "can_manage": request.membership.can(Capability.MANAGE_MEMBERS),
    }


@team_view(Capability.VIEW)
@require_safe
def members(request: HttpRequest) -> HttpResponse:
    return render(request, "core/members.html", members_context(request, InvitationForm()))


@never_cache  # the page shows the invitation link, which lets anyone join
@team_view(Capability.MANAGE_MEMBERS)
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    """Create a one-time invitation link and show it once."""
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return render(request, "core/members.html", members_context(request, form), status=400)
    invitation, token = Invitation.issue(
        team=request.team,
        role=form.cleaned_data["role"],
        note=form.cleaned_data["note"],
        invited_by=request.user,
    )
    audit(
        AuditAction.MEMBER_INVITED,
        request=request,
        team=request.team,
        # Not the note: it names the person, the audit log is never rewritten, and an
        # emergency purge must be able to erase it.
        target=f"invitation {invitation.pk}",
        detail=f"as {invitation.get_role_display()}",
    )
    link = request.build_absolute_uri(reverse("core:join", args=[token]))
    context = members_context(request, InvitationForm())
    context.update(new_invitation=invitation, new_link=link)
    return render(request, "core/members.html", context)


@team_view(Capability.MANAGE_MEMBERS)
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.pending(), pk=pk, team=request.team)
    invitation.expires_at = timezone.now()
    invitation.save(update_fields=["expires_at"])
    audit(
        AuditAction.INVITATION_REVOKED,
        request=request,
        team=request.team,
        target=f"invitation {invitation.pk}",
    )
    messages.success(request, _("The invitation link no longer works."))
    return redirect("core:members", team_slug=request.team.slug)


def other_owners(membership: Membership) -> bool:
    return (
        Membership.objects.filter(team=membership.team, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


@team_view(Capability.MANAGE_MEMBERS)
@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a member's role; a team always keeps at least one owner."""
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, team=request.team
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
        return redirect("core:members", team_slug=request.team.slug)
    new_role = form.cleaned_data["role"]
    if membership.role == Role.OWNER and new_role != Role.OWNER and not other_owners(membership):
        messages.error(
            request, _("A team needs at least one owner. Make someone else owner first.")
        )
        return redirect("core:members", team_slug=request.team.slug)
    old_role = membership.get_role_display()
    membership.role = new_role
    membership.save(update_fields=["role"])
    audit(
        AuditAction.ROLE_CHANGED,
        request=request,
        team=request.team,
        target=membership.user.username,
        detail=f"{old_role} → {membership.get_role_display()}",
    )
    messages.success(
        request,
        _("%(user)s is now %(role)s.")
        % {"user": membership.user.username, "role": membership.get_role_display().lower()},
    )
    return redirect("core:members", team_slug=request.team.slug)


@team_view(Capability.MANAGE_MEMBERS)
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, team=request.team
    )
    if membership.role == Role.OWNER and not other_owners(membership):
        messages.error(request, _("The last owner cannot be removed."))
        return redirect("core:members", team_slug=request.team.slug)
    membership.delete()
    audit(
        AuditAction.MEMBER_REMOVED,
        request=request,
        team=request.team,
        target=membership.user.username,
    )
    messages.success(request, _("%(user)s was removed.") % {"user": membership.user.username})
    if membership.user == request.user:
        return redirect("core:home")
    return redirect("core:members", team_slug=request.team.slug)


@team_view(Capability.MANAGE_TEAM)
@require_http_methods(["GET", "POST"])
def team_settings(request: HttpRequest) -> HttpResponse:
    form = TeamSecurityForm(request.POST or None, instance=request.team)
    if request.method == "POST" and form.is_valid():
        form.save()
        state = "required" if request.team.require_2fa else "optional"
        audit(
            AuditAction.TEAM_2FA_POLICY, request=request, team=request.team, detail=f"2FA {state}"
        )
        messages.success(request, _("Team settings saved."))
        return redirect("core:team_settings", team_slug=request.team.slug)
    return render(
        request, "core/team_settings.html", {"form": form}, status=400 if form.errors else 200
    )


@team_view(Capability.VIEW_AUDIT)
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.for_team(request.team).select_related("team")
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page})


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """Follow an invitation: create an account (or use the signed-in one) and join."""
    invitation = Invitation.find_pending(token)
    if invitation is None:
        return render(request, "core/join_invalid.html", status=404)
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                accept(request, invitation, request.user)
            except InvitationSpent:
                return render(request, "core/join_invalid.html", status=404)
            return redirect("campaigns:index", team_slug=invitation.team.slug)
        return render(request, "core/join.html", {"invitation": invitation, "form": None})
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
                accept(request, invitation, user)
        except InvitationSpent:
            return render(request, "core/join_invalid.html", status=404)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to %(team)s.") % {"team": invitation.team.name})
        return redirect("campaigns:index", team_slug=invitation.team.slug)
    return render(
        request,
        "core/join.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


class InvitationSpent(Exception):
    """The invitation was used or revoked between opening the page and sending it."""


def accept(request: HttpRequest, invitation: Invitation, user) -> None:
    """Use the invitation once: a second use of the same link finds it spent."""
    with transaction.atomic():
        claimed = (
            Invitation.objects.pending()
            .filter(pk=invitation.pk)
            .update(accepted_at=timezone.now(), accepted_by=user)
        )
        if claimed != 1:
            raise InvitationSpent
        Membership.objects.get_or_create(
            team=invitation.team, user=user, defaults={"role": invitation.role}
        )
        audit(
            AuditAction.MEMBER_JOINED,
            request=request,
            actor=user,
            team=invitation.team,
            target=user.username,
            detail=f"as {invitation.get_role_display()}",
        )
