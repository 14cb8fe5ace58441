"""Team pages: the overview, supporters, their import, and archive authors to add."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.core import crypto
from houseboat.core.access import team_view
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.services import audit
from houseboat.organizing import csvimport, segments, services
from houseboat.organizing.constants import DEFAULT_STALLED_DAYS, SupporterSource
from houseboat.organizing.erase import erase_supporters, export_supporter
from houseboat.organizing.forms import (
    ConsentForm,
    CSVUploadForm,
    FollowUpForm,
    LadderForm,
    MappingForm,
    SupporterForm,
)
from houseboat.organizing.models import Supporter

PAGE_SIZE = 50
UPLOAD_MAX_AGE = 3600


@team_view(Capability.VIEW)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    team = request.team
    campaigns = team.campaigns.order_by("-starts_on", "name")
    return render(
        request,
        "organizing/index.html",
        {
            "attention": services.attention(team),
            "campaigns": campaigns,
            "supporters": Supporter.objects.filter(team=team).count(),
            "rungs": services.ladder(team),
        },
    )


def filter_form(request: HttpRequest) -> FollowUpForm:
    return FollowUpForm(
        request.team.campaigns.all(),
        request.team.segments.all(),
        request.GET or None,
        rungs=services.ladder(request.team),
    )


@team_view(Capability.ORGANIZE)
@require_safe
def supporter_list(request: HttpRequest) -> HttpResponse:
    filters = segments.clean_filters(request.GET)
    people = segments.apply(request.team, filters).prefetch_related("consents")
    page = Paginator(people.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rungs = {r.position: r.name for r in services.ladder(request.team)}
    rows = [(p, rungs.get(p.rung, p.rung), sorted(services.active_consents(p))) for p in page]
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return render(
        request,
        "organizing/supporters.html",
        {
            "page": page,
            "rows": rows,
            "form": filter_form(request),
            "filters": segments.describe(filters, request.team),
            "query": query,
        },
    )


@team_view(Capability.ORGANIZE)
@require_http_methods(["GET", "POST"])
def supporter_add(request: HttpRequest) -> HttpResponse:
    form = SupporterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supporter = services.add_supporter(
                request.team,
                form.cleaned_data["new"],
                source=SupporterSource.MANUAL,
                consent_source=f"added by hand by {request.user.get_username()}",
                wording=form.cleaned_data.get("wording", ""),
            )
        except services.SupporterError as error:
            form.add_error(None, str(error))
        else:
            audit(AuditAction.SUPPORTER_ADDED, request=request, team=request.team, target="1")
            messages.success(request, _("Supporter added."))
            return redirect("organizing:supporter", team_slug=request.team.slug, pk=supporter.pk)
    return render(
        request,
        "organizing/supporter_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def team_supporter(request: HttpRequest, pk: int) -> Supporter:
    return get_object_or_404(Supporter, pk=pk, team=request.team)


@team_view(Capability.ORGANIZE)
@require_safe
def supporter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = team_supporter(request, pk)
    return render(request, "organizing/supporter.html", detail_context(request, supporter))


def detail_context(request: HttpRequest, supporter: Supporter) -> dict:
    rungs = {r.position: r.name for r in services.ladder(request.team)}
    return {
        "supporter": supporter,
        "rung": rungs.get(supporter.rung, supporter.rung),
        "consents": supporter.consents.all(),
        "responses": supporter.responses.select_related("action", "link", "channel")[:100],
        "active": sorted(services.active_consents(supporter)),
        "consent_form": ConsentForm(),
    }


@team_view(Capability.ORGANIZE)
@require_POST
def supporter_consent(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = team_supporter(request, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.record_consent(
                supporter,
                form.cleaned_data["channel"],
                handle=form.cleaned_data.get("handle", ""),
                source=f"{form.cleaned_data['source']} (recorded by {request.user.get_username()})",
                wording=form.cleaned_data["wording"],
            )
        except services.SupporterError as error:
            form.add_error(None, str(error))
    if form.errors:
        context = detail_context(request, supporter)
        context["consent_form"] = form
        return render(request, "organizing/supporter.html", context, status=400)
    messages.success(request, _("Consent recorded."))
    return redirect("organizing:supporter", team_slug=request.team.slug, pk=supporter.pk)


@team_view(Capability.ORGANIZE)
@require_POST
def supporter_export(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = team_supporter(request, pk)
    audit(
        AuditAction.SUPPORTER_EXPORTED,
        request=request,
        team=request.team,
        target=f"supporter {supporter.pk}",
    )
    body = json.dumps(export_supporter(supporter), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="supporter-{supporter.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@team_view(Capability.ORGANIZE)
@require_POST
def supporter_unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = team_supporter(request, pk)
    services.unsubscribe(supporter)
    messages.success(request, _("No more messages will go to this supporter, on any channel."))
    return redirect("organizing:supporter", team_slug=request.team.slug, pk=supporter.pk)


@team_view(Capability.ORGANIZE)
@require_POST
def supporter_erase(request: HttpRequest, pk: int) -> HttpResponse:
    supporter = team_supporter(request, pk)
    if request.POST.get("confirm") != "erase":
        messages.error(request, _("Type erase in the box to confirm. Nothing was erased."))
        return redirect("organizing:supporter", team_slug=request.team.slug, pk=supporter.pk)
    erase_supporters([supporter], request=request)
    messages.success(request, _("The supporter was erased for good."))
    return redirect("organizing:supporters", team_slug=request.team.slug)


# --- CSV import: upload, map the columns and preview, import --------------------------


def upload_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads" / "supporters"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.bin"):
        if now - old.stat().st_mtime > UPLOAD_MAX_AGE:
            old.unlink(missing_ok=True)  # an import that was never finished
    return folder


def keep_upload(data: bytes) -> str:
    """Keep the uploaded file, encrypted, until the person maps its columns."""
    token = secrets.token_hex(16)
    (upload_dir() / f"{token}.bin").write_bytes(crypto.fernet().encrypt(data))
    return token


def read_upload(token: str) -> bytes | None:
    if not token.isalnum() or len(token) != 32:
        return None
    path = upload_dir() / f"{token}.bin"
    if not path.exists():
        return None
    return crypto.fernet().decrypt(path.read_bytes())


def preview(data: bytes, limit: int = 5) -> tuple[list[str], list[list[str]]]:
    text = csvimport.decode(data)
    header = csvimport.read_header(text)
    sample = []
    for _line, cells, _problem in csvimport.rows(text):
        sample.append(cells or [])
        if len(sample) >= limit:
            break
    return header, sample


@team_view(Capability.ORGANIZE)
@require_http_methods(["GET", "POST"])
def supporter_import(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "token" in request.POST:
        return import_mapped(request)
    form = CSVUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(csvimport.MAX_BYTES + 1)
        try:
            header, sample = preview(data)
        except csvimport.CSVFileError as error:
            form.add_error("file", str(error))
        else:
            return render(
                request,
                "organizing/import_map.html",
                {
                    "mapping": MappingForm(header),
                    "header": header,
                    "sample": sample,
                    "token": keep_upload(data),
                    "wording": form.cleaned_data.get("wording", ""),
                    "name": form.cleaned_data["file"].name,
                },
            )
    return render(
        request, "organizing/import.html", {"form": form}, status=400 if form.errors else 200
    )


def import_mapped(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token", "")
    data = read_upload(token)
    if data is None:
        messages.error(
            request, _("The uploaded file is gone (older than an hour?): upload it again.")
        )
        return redirect("organizing:import", team_slug=request.team.slug)
    header, sample = preview(data)
    mapping = MappingForm(header, request.POST)
    if not mapping.is_valid():
        return render(
            request,
            "organizing/import_map.html",
            {
                "mapping": mapping,
                "header": header,
                "sample": sample,
                "token": token,
                "name": request.POST.get("file_name", "")[:100],
                "wording": request.POST.get("wording", "")[:2000],
            },
            status=400,
        )
    name = request.POST.get("file_name", "")[:100] or "CSV file"
    report = csvimport.import_supporters(
        request.team,
        data,
        mapping=mapping.mapping(),
        source_name=f"CSV import of {name} by {request.user.get_username()}",
        wording=request.POST.get("wording", "")[:2000],
    )
    (upload_dir() / f"{token}.bin").unlink(missing_ok=True)
    audit(
        AuditAction.SUPPORTER_ADDED,
        request=request,
        team=request.team,
        target=f"{report.added} supporters",
        detail=f"CSV import, {len(report.bad)} rows refused",
    )
    return render(request, "organizing/import_done.html", {"report": report})


# --- archive authors -----------------------------------------------------------------


@team_view(Capability.ORGANIZE)
@require_http_methods(["GET", "POST"])
def authors(request: HttpRequest) -> HttpResponse:
    """Accounts that engaged in a campaign's archive, to add as supporters."""
    from houseboat.listening.analytics import top_posters
    from houseboat.listening.models import Author, AuthorCount

    campaigns = list(request.team.campaigns.all())
    with_archive = set(
        AuthorCount.objects.filter(campaign__team=request.team).values_list(
            "campaign_id", flat=True
        )
    )
    chosen = next(
        (c for c in campaigns if str(c.pk) == request.GET.get("campaign", "")),
        next((c for c in campaigns if c.pk in with_archive), campaigns[0] if campaigns else None),
    )
    if request.method == "POST" and chosen is not None:
        author = get_object_or_404(Author, pk=request.POST.get("author"))
        return add_author(request, chosen, author)
    rows = []
    # The team's own accounts posted in its archive too: they are not supporters.
    own = {
        (network, handle.lstrip("@").lower())
        for network, handle in request.team.channels.values_list("network", "account_handle")
        if handle
    }
    if chosen is not None:
        for count in top_posters(chosen, limit=60):
            handle = count.author.handle or count.author.remote_id
            if (count.author.network, handle.lstrip("@").lower()) in own:
                continue
            known = handle and services.find_by_handle(request.team, count.author.network, handle)
            rows.append((count, bool(known)))
    return render(
        request,
        "organizing/authors.html",
        {"campaigns": campaigns, "chosen": chosen, "rows": rows},
    )


def add_author(request: HttpRequest, campaign, author) -> HttpResponse:
    handles = {}
    handle = author.handle or author.remote_id
    try:
        network, handle = services.clean_handle(author.network, handle)
        handles[network] = handle
    except services.SupporterError:
        pass  # a network or handle houseboat cannot write to: the name is enough
    new = services.NewSupporter(name=author.display_name or handle or _("Unnamed"), handles=handles)
    try:
        supporter = services.add_supporter(
            request.team,
            new,
            source=SupporterSource.ARCHIVE,
            consent_source="",
            campaign=campaign,
        )
    except services.SupporterError as error:
        messages.error(request, str(error))
        return redirect(f"{request.path}?campaign={campaign.pk}")
    audit(
        AuditAction.SUPPORTER_ADDED,
        request=request,
        team=request.team,
        target="1",
        detail="from the archive",
    )
    messages.success(
        request,
        _(
            "Added. Taking part in a conversation is not consent to be contacted: record "
            "consent on their page only once they have agreed."
        ),
    )
    return redirect("organizing:supporter", team_slug=request.team.slug, pk=supporter.pk)


# --- the ladder ----------------------------------------------------------------------


@team_view(Capability.EDIT_CAMPAIGN)
@require_http_methods(["GET", "POST"])
def ladder_edit(request: HttpRequest) -> HttpResponse:
    rungs = services.ladder(request.team)
    initial = "\n".join(
        r.name if r.position == 0 else f"{r.name}: {', '.join(r.kinds)} x {r.min_count}"
        for r in rungs
    )
    form = LadderForm(request.POST or None, initial={"rungs": initial})
    if request.method == "POST" and form.is_valid():
        services.set_ladder(request.team, form.cleaned_data["rungs"])
        messages.success(request, _("Ladder saved; every supporter's rung was worked out again."))
        return redirect("organizing:index", team_slug=request.team.slug)
    return render(
        request,
        "organizing/ladder.html",
        {"form": form, "rungs": rungs, "stalled_days": DEFAULT_STALLED_DAYS},
        status=400 if form.errors else 200,
    )
