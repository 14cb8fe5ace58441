"""The do-not-name list, and a page to check a post before it goes into the composer."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.core.access import team_view
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.services import audit
from houseboat.safety.forms import DoNotNameForm, RiskCheckForm
from houseboat.safety.models import DoNotName
from houseboat.safety.services import review_post


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    """Review a post's text and pictures as the composer will, keeping nothing."""
    form = RiskCheckForm(request.POST or None, request.FILES or None)
    risks = None
    if request.method == "POST" and form.is_valid():
        risks = _review_uploads(request, form.cleaned_data["text"], form.cleaned_data["media"])
    return render(
        request,
        "safety/check.html",
        {"form": form, "risks": risks, "marked": _marked(form, risks)},
        status=400 if form.errors else 200,
    )


def _review_uploads(request: HttpRequest, text: str, uploads: list) -> list:
    with tempfile.TemporaryDirectory(prefix="houseboat-check-") as folder:
        paths = []
        for number, upload in enumerate(uploads):
            # The person's file name, not a path: only its last part is kept.
            path = Path(folder) / f"{number}-{Path(upload.name).name or 'upload'}"
            with open(path, "wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            paths.append(path)
        risks = review_post(text, paths, team=request.team)
    return [
        {"risk": risk, "file": risk.path.name.split("-", 1)[-1] if risk.path else ""}
        for risk in risks
    ]


def _marked(form: RiskCheckForm, risks: list | None) -> list[tuple[str, bool]]:
    """Return the text cut into (piece, is_risky) runs, to show risks in place."""
    if not risks or not form.is_valid():
        return []
    text = form.cleaned_data["text"]
    pieces, position = [], 0
    spans = sorted(entry["risk"].span for entry in risks if entry["risk"].span)
    for start, end in spans:
        if start < position:
            continue
        pieces += [(text[position:start], False), (text[start:end], True)]
        position = end
    pieces.append((text[position:], False))
    return [piece for piece in pieces if piece[0]]


@team_view(Capability.PUBLISH)
@require_safe
def names(request: HttpRequest) -> HttpResponse:
    return _names_page(request, DoNotNameForm())


def _names_page(request: HttpRequest, form: DoNotNameForm, status: int = 200) -> HttpResponse:
    entries = DoNotName.objects.filter(team=request.team).select_related("added_by")
    return render(request, "safety/names.html", {"entries": entries, "form": form}, status=status)


@team_view(Capability.PUBLISH)
@require_POST
def name_add(request: HttpRequest) -> HttpResponse:
    existing = [entry.name for entry in DoNotName.objects.filter(team=request.team)]
    form = DoNotNameForm(request.POST, existing=existing)
    if not form.is_valid():
        return _names_page(request, form, status=400)
    DoNotName.objects.create(
        team=request.team,
        name=form.cleaned_data["name"],
        note=form.cleaned_data["note"],
        added_by=request.user,
    )
    # The audit log is not encrypted: it records that the list changed, never the name.
    audit(AuditAction.DO_NOT_NAME_ADDED, request=request, team=request.team)
    messages.success(request, _("Added. Posts that name them will be flagged before publishing."))
    return redirect("safety:names", team_slug=request.team.slug)


@team_view(Capability.PUBLISH)
@require_POST
def name_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(DoNotName, pk=pk, team=request.team)
    entry.delete()
    audit(AuditAction.DO_NOT_NAME_REMOVED, request=request, team=request.team)
    messages.success(request, _("Removed from the do-not-name list."))
    return redirect("safety:names", team_slug=request.team.slug)
