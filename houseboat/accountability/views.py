"""The Demands pages: tracker, timeline, recording, review, import, export, vocabulary.

Viewers read; contributors propose (add demands, record changes and responses, link
evidence, decide about monitoring matches); editors and owners also review, make
demands public and edit the vocabulary. A recorded change or response counts, and
shows in public, only after a second member approves it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.accountability import export, imports
from houseboat.accountability.constants import (
    REMIND_DAYS_BEFORE,
    STATES,
    CandidateState,
    Decision,
    Response,
    Visibility,
)
from houseboat.accountability.forms import (
    ChangeForm,
    ClusterForm,
    DemandForm,
    EvidenceForm,
    FilterForm,
    ImportForm,
    ResponseForm,
    TargetForm,
    TermForm,
)
from houseboat.accountability.models import (
    AuthorityResponse,
    Candidate,
    Cluster,
    Demand,
    DemandImport,
    StatusChange,
    Target,
    Term,
)
from houseboat.accountability.services import (
    DemandError,
    Evidence,
    awaiting_review,
    can_review,
    decide_candidate,
    find_item,
    link_evidence,
    record_change,
    record_response,
    review,
    set_targets,
    state_filter,
    state_of,
    summary,
    visible_demands,
    with_status,
)
from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.models import Campaign
from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.listening.models import CarriedCustodyRecord, CustodyRecord, Item

MAX_UPLOAD = imports.MAX_BYTES


def team_campaign(request: HttpRequest, slug: str) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("team"), team=request.team, slug=slug)


def team_demand(request: HttpRequest, slug: str, pk: int) -> Demand:
    campaign = team_campaign(request, slug)
    return get_object_or_404(visible_demands(request.membership, campaign), pk=pk)


def page_context(request: HttpRequest, campaign: Campaign, **extra) -> dict:
    campaigns = request.team.campaigns.order_by("-starts_on", "name")
    changes, responses = awaiting_review(campaign)
    return {
        "campaign": campaign,
        "campaigns": campaigns,
        "may_propose": request.membership.can(Capability.DRAFT),
        "may_review": can_review(request.membership),
        "waiting": changes.count() + responses.count(),
        # Archive items waiting for a decision, each counted once however many demands.
        "open_candidates": Candidate.objects.filter(
            demand__in=visible_demands(request.membership, campaign),
            state=CandidateState.OPEN,
        )
        .values("item_id")
        .distinct()
        .count(),
        **extra,
    }


# --- Tracker ---------------------------------------------------------------------------------


@team_view(Capability.VIEW)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Open the tracker of the campaign with the most demands (or the first campaign)."""
    campaign = (
        request.team.campaigns.annotate(n=Count("demands")).order_by("-n", "-starts_on").first()
    )
    if campaign is None:
        return render(request, "accountability/no_campaign.html")
    return redirect("accountability:tracker", team_slug=request.team.slug, slug=campaign.slug)


def filtered(demands, form: FilterForm):
    if not form.is_valid():
        return demands
    data, today = form.cleaned_data, timezone.localdate()
    if data["status"]:
        demands = demands.filter(state_filter(data["status"]))
    if data["target"]:
        demands = demands.filter(target_links__target=data["target"])
    if data["theme"]:
        theme = data["theme"]
        demands = demands.filter(Q(themes=theme) | Q(themes__parent=theme))
    soon = today + timedelta(days=REMIND_DAYS_BEFORE)
    deadline = {
        "overdue": Q(deadline__lt=today),
        "soon": Q(deadline__gte=today, deadline__lte=soon),
        "later": Q(deadline__gt=soon),
        "none": Q(deadline__isnull=True),
    }.get(data["deadline"])
    if deadline is not None:
        demands = demands.filter(deadline)
    return demands.distinct()


@team_view(Capability.VIEW)
@require_safe
def tracker(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = team_campaign(request, slug)
    every = with_status(visible_demands(request.membership, campaign))
    form = FilterForm(request.GET or None, team=request.team)
    demands = list(
        filtered(every, form)
        .prefetch_related("target_links__target", "themes")
        .order_by(F("deadline").asc(nulls_last=True), "pk")
    )
    for demand in demands:
        demand.state = state_of(demand)
        demand.state_label = STATES[demand.state]
        demand.days_left = demand.days_to_deadline()
        demand.response_label = (
            Response(demand.current_response).label if demand.current_response else ""
        )
    _counts, line = summary(every)
    today = timezone.localdate()
    open_with_deadline = [
        d
        for d in with_status(every.filter(deadline__isnull=False, draft=False))
        if not d.current_verdict and d.deadline <= today + timedelta(days=REMIND_DAYS_BEFORE)
    ]
    return render(
        request,
        "accountability/tracker.html",
        page_context(
            request,
            campaign,
            demands=demands,
            form=form,
            summary_line=line,
            overdue=[d for d in open_with_deadline if d.deadline < today],
            due_soon=[d for d in open_with_deadline if d.deadline >= today],
            filtered=form.is_bound,
        ),
    )


# --- One demand --------------------------------------------------------------------------------


def timeline(demand: Demand) -> list[dict]:
    """Return the demand's story in date order: changes, responses, evidence, own posts."""
    events = []
    for change in demand.changes.select_related("review").prefetch_related("evidence__item"):
        events.append({"on": change.happened_on, "kind": "change", "entry": change})
    for answer in demand.responses.select_related("review").prefetch_related("evidence"):
        on = answer.responded_on or timezone.localdate(answer.recorded_at)
        events.append({"on": on, "kind": "response", "entry": answer})
    for link in demand.evidence.filter(change=None, response=None).select_related("item"):
        on = link.item.created_at.date() if link.item and link.item.created_at else None
        events.append(
            {"on": on or timezone.localdate(link.added_at), "kind": "evidence", "entry": link}
        )
    since = demand.raised_on or timezone.localdate(demand.created_at)
    posts = demand.campaign.site_posts.filter(
        status=PostStatus.PUBLISHED, published_at__date__gte=since - timedelta(days=14)
    )
    for post in posts:
        events.append({"on": timezone.localdate(post.published_at), "kind": "post", "entry": post})
    events.sort(key=lambda e: (e["on"], e["kind"] != "change"))
    return events


@team_view(Capability.VIEW)
@require_safe
def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    demand = team_demand(request, slug, pk)
    current = demand.current_change()
    return render(
        request,
        "accountability/detail.html",
        page_context(
            request,
            demand.campaign,
            demand=demand,
            current=current,
            current_response=demand.current_response(),
            events=timeline(demand),
            targets=demand.target_links.select_related("target").order_by("-lead", "pk"),
            candidates=demand.candidates.filter(state=CandidateState.OPEN).select_related(
                "item__author"
            ),
            change_form=ChangeForm(demand=demand),
            response_form=ResponseForm(),
        ),
    )


def save_demand(request: HttpRequest, form: DemandForm, campaign: Campaign) -> Demand:
    with transaction.atomic():
        demand = form.save(commit=False)
        demand.campaign = campaign
        if demand.pk is None:
            demand.created_by = request.user
        sha = form.cleaned_data["origin_sha256"].strip().lower()
        if sha:
            demand.origin_item = find_item(campaign, sha)
            demand.origin_sha256 = demand.origin_item.raw_sha256
        demand.save()
        form.save_m2m()
        demand.related.set(form.cleaned_data["related"])
        demand.target_links.exclude(target__name__in=form.target_names()).delete()
        set_targets(demand, form.target_names())
    return demand


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = team_campaign(request, slug)
    return demand_form(request, campaign, Demand(campaign=campaign))


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    demand = team_demand(request, slug, pk)
    if demand.visibility == Visibility.PUBLIC and not can_review(request.membership):
        messages.error(request, _("This demand is public: an editor or owner changes it."))
        return redirect(demand_url(demand))
    return demand_form(request, demand.campaign, demand)


def demand_form(request: HttpRequest, campaign: Campaign, demand: Demand) -> HttpResponse:
    form = DemandForm(
        request.POST or None,
        instance=demand,
        campaign=campaign,
        may_publish=can_review(request.membership),
        visible=visible_demands(request.membership, campaign),
    )
    if request.method == "POST" and form.is_valid():
        try:
            demand = save_demand(request, form, campaign)
        except DemandError as error:
            form.add_error("origin_sha256", str(error))
        else:
            messages.success(request, _("Demand saved."))
            return redirect(demand_url(demand))
    return render(
        request,
        "accountability/form.html",
        page_context(request, campaign, form=form, demand=demand),
        status=400 if form.errors else 200,
    )


def demand_url(demand: Demand) -> str:
    return reverse(
        "accountability:detail",
        kwargs={
            "team_slug": demand.campaign.team.slug,
            "slug": demand.campaign.slug,
            "pk": demand.pk,
        },
    )


def evidence_from(campaign: Campaign, refs: list[str], public_excerpt: str = "") -> list:
    return [Evidence(find_item(campaign, ref), public_excerpt=public_excerpt) for ref in refs]


def record_or_refuse(
    request: HttpRequest, demand: Demand, form, what: str, save: Callable[[], object]
) -> HttpResponse:
    """Save a valid change or response and go back to the demand; else show the form again."""
    if form.is_valid():
        try:
            save()
        except DemandError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Recorded. It counts once another member reviews it."))
            return redirect(demand_url(demand))
    return render(
        request,
        "accountability/record.html",
        page_context(request, demand.campaign, demand=demand, form=form, what=what),
        status=400,
    )


@team_view(Capability.DRAFT)
@require_POST
def change(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record a status change; it waits for a second member's review."""
    demand = team_demand(request, slug, pk)
    form = ChangeForm(request.POST, demand=demand)

    def save() -> None:
        evidence = evidence_from(
            demand.campaign, form.evidence_refs(), form.cleaned_data["public_excerpt"]
        )
        record_change(
            demand,
            **form.axis(),
            happened_on=form.cleaned_data["happened_on"],
            rationale=form.cleaned_data["rationale"],
            evidence=evidence,
            by=request.user,
        )

    return record_or_refuse(request, demand, form, "change", save)


@team_view(Capability.DRAFT)
@require_POST
def respond(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record what the authority answered; it waits for a second member's review."""
    demand = team_demand(request, slug, pk)
    form = ResponseForm(request.POST)

    def save() -> None:
        record_response(
            demand,
            response=form.cleaned_data["response"],
            responded_on=form.cleaned_data["responded_on"],
            quote=form.cleaned_data["quote"],
            evidence=evidence_from(demand.campaign, form.evidence_refs()),
            by=request.user,
        )

    return record_or_refuse(request, demand, form, "response", save)


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def evidence(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Find an archive item and link it to the demand as evidence."""
    from houseboat.listening.search import search  # the archive's own search

    demand = team_demand(request, slug, pk)
    form = EvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = find_item(demand.campaign, form.cleaned_data["sha256"])
            link_evidence(
                demand,
                [Evidence(item, form.cleaned_data["excerpt"], form.cleaned_data["public_excerpt"])],
                by=request.user,
            )
        except DemandError as error:
            form.add_error("sha256", str(error))
        else:
            messages.success(request, _("Evidence linked."))
            return redirect(demand_url(demand))
    query = request.GET.get("q", "").strip()
    results = search(demand.campaign, query, page=1) if query else None
    return render(
        request,
        "accountability/evidence.html",
        page_context(
            request, demand.campaign, demand=demand, form=form, query=query, results=results
        ),
        status=400 if form.errors else 200,
    )


@team_view(Capability.DRAFT)
@require_POST
def candidate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Keep a monitoring match as evidence or dismiss it; the status stays as it is."""
    campaign = team_campaign(request, slug)
    match = get_object_or_404(
        Candidate.objects.select_related("demand", "item"),
        pk=pk,
        demand__in=visible_demands(request.membership, campaign),
    )
    try:
        decide_candidate(match, keep=request.POST.get("keep") == "1", by=request.user)
    except DemandError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Kept as evidence.") if request.POST.get("keep") == "1" else _("Dismissed."),
        )
    if request.POST.get("next") == "review":
        return redirect("accountability:review", team_slug=request.team.slug, slug=slug)
    return redirect(demand_url(match.demand))


# --- Review ------------------------------------------------------------------------------------


@team_view(Capability.VIEW)
@require_safe
def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = team_campaign(request, slug)
    visible = visible_demands(request.membership, campaign)
    changes, responses = awaiting_review(campaign)
    return render(
        request,
        "accountability/review.html",
        page_context(
            request,
            campaign,
            changes=changes.filter(demand__in=visible).prefetch_related("evidence"),
            responses=responses.filter(demand__in=visible),
            found=by_item(
                Candidate.objects.filter(demand__in=visible, state=CandidateState.OPEN)
                .select_related("demand", "item__author")
                .order_by("item_id", "demand_id")[:500]
            ),
        ),
    )


def by_item(candidates) -> list[dict]:
    """Group monitoring matches by archive item: one item, the demands it may concern."""
    groups: dict[int, dict] = {}
    for match in candidates:
        groups.setdefault(match.item_id, {"item": match.item, "matches": []})["matches"].append(
            match
        )
    return sorted(groups.values(), key=lambda g: g["item"].created_at or timezone.now())


def decide(request: HttpRequest, entry) -> HttpResponse:
    decision = request.POST.get("decision", "")
    try:
        review(
            entry,
            membership=request.membership,
            decision=decision,
            note=request.POST.get("note", ""),
        )
    except DemandError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Approved: it now counts, and shows on the public tracker if the demand is public.")
            if decision == Decision.APPROVED
            else _("Declined: it stays in the history, marked declined, and never counts."),
        )
    return redirect(
        "accountability:review", team_slug=request.team.slug, slug=entry.demand.campaign.slug
    )


@team_view(Capability.PUBLISH)
@require_POST
def review_change(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = team_campaign(request, slug)
    entry = get_object_or_404(
        StatusChange.objects.select_related("demand__campaign"), pk=pk, demand__campaign=campaign
    )
    return decide(request, entry)


@team_view(Capability.PUBLISH)
@require_POST
def review_response(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = team_campaign(request, slug)
    entry = get_object_or_404(
        AuthorityResponse.objects.select_related("demand__campaign"),
        pk=pk,
        demand__campaign=campaign,
    )
    return decide(request, entry)


# --- Import ------------------------------------------------------------------------------------


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a file; the next page shows what it holds before anything is stored."""
    campaign = team_campaign(request, slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is larger than 50 MB; split it into parts."))
        else:
            pending = DemandImport.objects.create(
                campaign=campaign,
                source_name=upload.name[:255],
                data=upload.read(),
                created_by=request.user,
            )
            return redirect(
                "accountability:import_preview",
                team_slug=request.team.slug,
                slug=campaign.slug,
                pk=pending.pk,
            )
    return render(
        request,
        "accountability/import.html",
        page_context(request, campaign, form=form),
        status=400 if form.errors else 200,
    )


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Show the layout, the counts and every bad row; store the good rows on confirmation."""
    campaign = team_campaign(request, slug)
    pending = get_object_or_404(
        DemandImport, pk=pk, campaign=campaign, created_by=request.user, stored_at__isnull=True
    )
    try:
        parsed = imports.read(bytes(pending.data), campaign=campaign)
    except imports.ImportFileError as error:
        return render(
            request,
            "accountability/import_preview.html",
            page_context(request, campaign, pending=pending, error=str(error)),
            status=400,
        )
    if request.method == "POST":
        stored = imports.store(parsed, campaign, by=request.user)
        # The file has served; keep only its name and how many demands it gave.
        DemandImport.objects.filter(pk=pending.pk).update(
            stored_at=timezone.now(), stored=len(stored), data=b""
        )
        messages.success(
            request,
            _("Stored %(n)d demands as drafts. Responses from the file wait for review.")
            % {"n": len(stored)},
        )
        return redirect("accountability:tracker", team_slug=request.team.slug, slug=campaign.slug)
    return render(
        request,
        "accountability/import_preview.html",
        page_context(
            request,
            campaign,
            pending=pending,
            parsed=parsed,
            # Lists, not Counters: a template looks a Counter's methods up as its keys.
            counts={key: c.most_common(8) for key, c in parsed.counts().items()},
            sample=parsed.rows[:10],
        ),
    )


# --- Export ------------------------------------------------------------------------------------


def exported(request: HttpRequest, slug: str):
    campaign = team_campaign(request, slug)
    demands = export.prepared(visible_demands(request.membership, campaign).order_by("pk"))
    return campaign, demands


@team_view(Capability.VIEW)
@require_safe
def export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, demands = exported(request, slug)
    response = HttpResponse(export.to_csv(demands), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-demands.csv"'
    return response


@team_view(Capability.VIEW)
@require_safe
def export_json(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, demands = exported(request, slug)
    response = HttpResponse(
        export.to_json(demands, campaign=campaign), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-demands.json"'
    return response


# --- Vocabulary, targets and clusters ------------------------------------------------------------


@team_view(Capability.PUBLISH)
@require_http_methods(["GET", "POST"])
def vocabulary(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit the team's themes, affected groups, targets and clusters."""
    campaign = team_campaign(request, slug)
    forms = {
        "term": TermForm(None, team=request.team, prefix="term"),
        "target": TargetForm(None, prefix="target"),
        "cluster": ClusterForm(None, prefix="cluster"),
    }
    which = request.POST.get("which")
    if request.method == "POST" and which in forms:
        bound = {
            "term": lambda: TermForm(request.POST, team=request.team, prefix="term"),
            "target": lambda: TargetForm(request.POST, prefix="target"),
            "cluster": lambda: ClusterForm(request.POST, prefix="cluster"),
        }[which]()
        forms[which] = bound
        if bound.is_valid():
            thing = bound.save(commit=False)
            thing.team = request.team
            if taken(thing):
                bound.add_error("name", _("The team already has this name here."))
            else:
                thing.save()
                messages.success(request, _("Added."))
                return redirect(request.path)
    return render(
        request,
        "accountability/vocabulary.html",
        page_context(
            request,
            campaign,
            forms=forms,
            themes=Term.objects.filter(team=request.team, kind="theme", parent=None),
            groups=Term.objects.filter(team=request.team, kind="group", parent=None),
            targets=Target.objects.filter(team=request.team),
            clusters=Cluster.objects.filter(team=request.team).annotate(n=Count("demands")),
        ),
        status=400 if any(f.errors for f in forms.values()) else 200,
    )


def taken(thing) -> bool:
    model = type(thing)
    same = model.objects.filter(team=thing.team, name=thing.name)
    if model is Term:
        same = same.filter(kind=thing.kind, parent=thing.parent)
    return same.exists()


# --- Custody -----------------------------------------------------------------------------------


@team_view(Capability.VIEW)
@require_safe
def custody(request: HttpRequest, sha256: str) -> HttpResponse:
    """Show an archive item named by its SHA-256 and the custody record of its capture."""
    item = (
        Item.objects.filter(campaign__team=request.team, raw_sha256=sha256.lower())
        .select_related("author", "capture", "campaign")
        .first()
    )
    if item is None:
        raise Http404(_("No item of this team's archive has this SHA-256."))
    record = CustodyRecord.objects.filter(capture=item.capture).first() if item.capture else None
    carried = (
        CarriedCustodyRecord.objects.filter(record_hash=item.origin).first()
        if item.origin
        else None
    )
    return render(
        request,
        "accountability/custody.html",
        {"item": item, "record": record, "carried": carried, "said": statement_of(record)},
    )


def statement_of(record: CustodyRecord | None) -> dict:
    """The custody statement's main facts, for a sentence a person can read."""
    if record is None:
        return {}
    try:
        data = json.loads(record.statement)
    except ValueError:
        return {}
    source = data.get("source") or {}
    return {
        "by": data.get("by") or "",
        "format": data.get("format") or "",
        "file": source.get("name") or "" if isinstance(source, dict) else "",
        "file_sha256": source.get("sha256") or "" if isinstance(source, dict) else "",
    }
