"""Alerts on incoming items, the team's alert words, and the protected details of members."""

from collections import Counter

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from houseboat.core.access import team_view
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.services import audit
from houseboat.safety.alerts import CUE, REPORTED, builtin_terms, language_name
from houseboat.safety.constants import AlertKind, ProtectedKind
from houseboat.safety.forms import AlertTermForm, ProtectedDetailForm
from houseboat.safety.models import Alert, AlertTerm, ProtectedDetail

ALERTS_PAGE_SIZE = 50


@team_view(Capability.VIEW)
@require_safe
def alerts(request: HttpRequest) -> HttpResponse:
    """List the open alerts, newest first; ?state=done lists the acknowledged ones."""
    done = request.GET.get("state") == "done"
    rows = Alert.objects.filter(team=request.team, acknowledged_at__isnull=not done)
    rows = rows.select_related("campaign", "acknowledged_by")
    if done:
        rows = rows.order_by("-acknowledged_at", "-id")
    page = Paginator(rows, ALERTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "safety/alerts.html",
        {
            "page": page,
            "done": done,
            "open_count": Alert.objects.filter(team=request.team).open().count(),
            "can_acknowledge": request.membership.can(Capability.DRAFT),
        },
    )


@team_view(Capability.DRAFT)
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk, team=request.team)
    Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=request.user
    )
    messages.success(request, _("Acknowledged. It stays in the list of acknowledged alerts."))
    return redirect("safety:alerts", team_slug=request.team.slug)


# --- Alert words ------------------------------------------------------------------------------


def section_labels() -> dict[str, str]:
    return {
        AlertKind.THREAT: _("threats"),
        AlertKind.SLUR: _("slurs"),
        CUE: _("doxxing cues (fire only next to a phone number or an address)"),
        REPORTED: _("reported speech (a threat beside these is news, not a threat)"),
    }


def builtin_summary() -> list[dict]:
    """Return the shipped lists per language: how many terms of each kind, and the terms."""
    by_language: dict[str, list] = {}
    for term in builtin_terms():
        by_language.setdefault(term.language, []).append(term)
    summary = []
    for language, terms in sorted(by_language.items()):
        counts = Counter(term.kind for term in terms)
        labels = section_labels()
        summary.append(
            {
                "language": language_name(language),
                "code": language,
                "counts": [(counts[kind], labels[kind].split(" (")[0]) for kind in labels],
                "sections": [
                    (labels[kind], [term.text for term in terms if term.kind == kind])
                    for kind in labels
                ],
            }
        )
    return summary


@team_view(Capability.PUBLISH)
@require_safe
def terms(request: HttpRequest) -> HttpResponse:
    return _terms_page(request, AlertTermForm())


def _terms_page(request: HttpRequest, form: AlertTermForm, status: int = 200) -> HttpResponse:
    terms = list(AlertTerm.objects.filter(team=request.team))
    for term in terms:
        term.language_label = language_name(term.language) if term.language else ""
    return render(
        request,
        "safety/terms.html",
        {
            "terms": terms,
            "form": form,
            "builtin": builtin_summary(),
            "kind_labels": dict(AlertKind.choices),
        },
        status=status,
    )


@team_view(Capability.PUBLISH)
@require_POST
def term_add(request: HttpRequest) -> HttpResponse:
    form = AlertTermForm(request.POST)
    if not form.is_valid():
        return _terms_page(request, form, status=400)
    try:
        with transaction.atomic():
            AlertTerm.objects.create(team=request.team, added_by=request.user, **form.cleaned_data)
    except IntegrityError:
        form.add_error("term", _("This word is already on the team's list."))
        return _terms_page(request, form, status=400)
    messages.success(request, _("Added. Items that arrive from now on are checked for it."))
    return redirect("safety:terms", team_slug=request.team.slug)


@team_view(Capability.PUBLISH)
@require_POST
def term_remove(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(AlertTerm, pk=pk, team=request.team).delete()
    messages.success(request, _("Removed from the team's list."))
    return redirect("safety:terms", team_slug=request.team.slug)


# --- Protected details --------------------------------------------------------------------------


def masked(detail: ProtectedDetail) -> str:
    """Return enough of a detail to recognise it, not enough to use it."""
    value = detail.value
    if detail.kind == ProtectedKind.PHONE:
        digits = [ch for ch in value if ch.isdecimal()]
        return "•" * max(0, len(digits) - 2) + "".join(digits[-2:])
    if detail.kind == ProtectedKind.EMAIL:
        return value[:1] + "•••@" + value.rsplit("@", 1)[-1]
    words = value.split()
    return (words[0] + " " + "•" * 6) if len(words) > 1 else value[:2] + "•" * 6


@team_view(Capability.MANAGE_TEAM)
@require_safe
def protected(request: HttpRequest) -> HttpResponse:
    return _protected_page(request, ProtectedDetailForm())


def _protected_page(
    request: HttpRequest, form: ProtectedDetailForm, status: int = 200
) -> HttpResponse:
    details = [
        {
            "pk": detail.pk,
            "label": detail.label,
            "kind": detail.get_kind_display(),
            "value": masked(detail),
        }
        for detail in ProtectedDetail.objects.filter(team=request.team)
    ]
    return render(
        request, "safety/protected.html", {"details": details, "form": form}, status=status
    )


@team_view(Capability.MANAGE_TEAM)
@require_POST
def protected_add(request: HttpRequest) -> HttpResponse:
    form = ProtectedDetailForm(request.POST)
    if not form.is_valid():
        return _protected_page(request, form, status=400)
    ProtectedDetail.objects.create(
        team=request.team,
        kind=form.cleaned_data["kind"],
        secret={"label": form.cleaned_data["label"], "value": form.cleaned_data["value"]},
        added_by=request.user,
    )
    audit(AuditAction.PROTECTED_DETAIL_ADDED, request=request, team=request.team)
    messages.success(request, _("Added. An incoming item that contains it raises an alert."))
    return redirect("safety:protected", team_slug=request.team.slug)


@team_view(Capability.MANAGE_TEAM)
@require_POST
def protected_remove(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(ProtectedDetail, pk=pk, team=request.team).delete()
    audit(AuditAction.PROTECTED_DETAIL_REMOVED, request=request, team=request.team)
    messages.success(request, _("Removed from the protected list."))
    return redirect("safety:protected", team_slug=request.team.slug)
