"""Team pages: calls to action, their tracked links and responses, check-in, funnel, money."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.campaigns.models import Campaign
from houseboat.core.access import team_view
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.services import audit
from houseboat.organizing import fundraising, links, services
from houseboat.organizing.constants import (
    DEFAULT_STALLED_DAYS,
    ActionKind,
    ResponseKind,
    ResponseSource,
)
from houseboat.organizing.csvimport import CSVFileError
from houseboat.organizing.forms import (
    ActionForm,
    LinkForm,
    PaymentUploadForm,
    RecordResponseForm,
)
from houseboat.organizing.funnel import build_funnel
from houseboat.organizing.models import CallToAction, Response, Supporter


def team_campaign(request: HttpRequest, pk) -> Campaign | None:
    return request.team.campaigns.filter(pk=pk).first() if str(pk).isdigit() else None


def chosen_campaign(request: HttpRequest, campaigns: list[Campaign]) -> Campaign | None:
    """The campaign asked for, else the one whose supporters answered last, else the first."""
    asked = team_campaign(request, request.GET.get("campaign"))
    if asked is not None:
        return asked
    latest = (
        Response.objects.filter(campaign__team=request.team)
        .order_by("-created_at")
        .values_list("campaign_id", flat=True)
        .first()
    )
    return next((c for c in campaigns if c.pk == latest), campaigns[0] if campaigns else None)


def team_action(request: HttpRequest, pk: int) -> CallToAction:
    return get_object_or_404(
        CallToAction.objects.select_related("campaign"), pk=pk, campaign__team=request.team
    )


@team_view(Capability.VIEW)
@require_safe
def action_list(request: HttpRequest) -> HttpResponse:
    actions = (
        CallToAction.objects.filter(campaign__team=request.team)
        .select_related("campaign")
        .annotate(answers=Count("responses"))
        .order_by("campaign__name", "-created_at")
    )
    clicks = dict(
        CallToAction.objects.filter(campaign__team=request.team)
        .annotate(n=Sum("links__clicks"))
        .values_list("pk", "n")
    )
    rows = [(a, clicks.get(a.pk) or 0) for a in actions]
    return render(request, "organizing/actions.html", {"rows": rows})


@team_view(Capability.EDIT_CAMPAIGN)
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest) -> HttpResponse:
    campaigns = list(request.team.campaigns.all())
    campaign = team_campaign(request, request.POST.get("campaign") or request.GET.get("campaign"))
    form = ActionForm(request.POST or None, initial={"kind": request.GET.get("kind", "event")})
    if request.method == "POST" and form.is_valid():
        if campaign is None:
            form.add_error(None, _("Choose the campaign this call to action belongs to."))
        else:
            form.instance.campaign = campaign
            form.instance.created_by = request.user
            action = form.save()
            audit(
                AuditAction.ACTION_CREATED, request=request, team=request.team, target=action.title
            )
            messages.success(request, _("Created. Make a tracked link for each place you post it."))
            return redirect("organizing:action", team_slug=request.team.slug, pk=action.pk)
    return render(
        request,
        "organizing/action_form.html",
        {"form": form, "campaigns": campaigns, "campaign": campaign},
        status=400 if form.errors else 200,
    )


def link_form(request: HttpRequest, action: CallToAction, data=None) -> LinkForm:
    posts = action.campaign.posts.order_by("-created_at")[:50]
    return LinkForm(request.team.channels.order_by("network", "name"), posts, data)


@team_view(Capability.VIEW)
@require_safe
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = team_action(request, pk)
    return render(request, "organizing/action.html", action_context(request, action))


def action_context(request: HttpRequest, action: CallToAction, **extra) -> dict:
    counts = dict(action.responses.values_list("kind").annotate(n=Count("id")).order_by())
    link_rows = action.links.select_related("channel", "post").annotate(answers=Count("responses"))
    context = {
        "action": action,
        "counts": [
            (ResponseKind(k).label, counts.get(k, 0)) for k in ResponseKind.values if counts.get(k)
        ],
        "link_rows": [(link, absolute_short_url(request, link)) for link in link_rows],
        "link_form": link_form(request, action),
        "response_form": RecordResponseForm(),
        "payment_form": PaymentUploadForm(),
        "public_url": request.build_absolute_uri(action.public_path()),
        "recent": action.responses.select_related("link", "supporter", "channel")[:20],
    }
    context.update(extra)
    return context


def absolute_short_url(request: HttpRequest, link) -> str:
    """The short link as people will type it: the public address if set, else this server's."""
    url = links.short_url(link)
    return url if "://" in url else request.build_absolute_uri(url)


@team_view(Capability.EDIT_CAMPAIGN)
@require_POST
def link_create(request: HttpRequest, pk: int) -> HttpResponse:
    action = team_action(request, pk)
    form = link_form(request, action, request.POST)
    if not form.is_valid():
        context = action_context(request, action, link_form=form)
        return render(request, "organizing/action.html", context, status=400)
    data = form.cleaned_data
    link = links.make_link(
        action,
        channel=data["channel_obj"],
        post=data["post_obj"],
        source=data.get("source", "").strip().lower(),
        label=data.get("label", ""),
    )
    messages.success(
        request, _("Tracked link ready: %(url)s") % {"url": absolute_short_url(request, link)}
    )
    return redirect("organizing:action", team_slug=request.team.slug, pk=action.pk)


@team_view(Capability.CHECK_IN)
@require_POST
def response_record(request: HttpRequest, pk: int) -> HttpResponse:
    """An organiser records what someone did (a signature on paper, a donation in cash)."""
    action = team_action(request, pk)
    form = RecordResponseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        supporter = None
        if data.get("supporter"):
            supporter = Supporter.objects.filter(team=request.team, pk=data["supporter"]).first()
            if supporter is None:
                form.add_error("supporter", _("No supporter of this team has that number."))
    if not form.is_valid():
        context = action_context(request, action, response_form=form)
        return render(request, "organizing/action.html", context, status=400)
    link = links.link_for_code(action, data.get("link", "").strip())
    amount = data.get("amount")
    services.record_response(
        supporter,
        action=action,
        kind=data["kind"],
        source=ResponseSource.ORGANISER,
        link=link,
        channel=link.channel if link else None,
        post=link.post if link else None,
        amount_cents=int(amount * 100) if amount and data["kind"] == ResponseKind.DONATED else None,
        currency=data.get("currency", "") if data["kind"] == ResponseKind.DONATED else "",
        confirmed_at=timezone.now(),
    )
    messages.success(request, _("Recorded."))
    return redirect("organizing:action", team_slug=request.team.slug, pk=action.pk)


@team_view(Capability.ORGANIZE)
@require_POST
def payment_import(request: HttpRequest, pk: int) -> HttpResponse:
    action = team_action(request, pk)
    form = PaymentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        context = action_context(request, action, payment_form=form)
        return render(request, "organizing/action.html", context, status=400)
    try:
        report = fundraising.import_payments(action, form.cleaned_data["file"].read())
    except CSVFileError as error:
        form.add_error("file", str(error))
        context = action_context(request, action, payment_form=form)
        return render(request, "organizing/action.html", context, status=400)
    audit(
        AuditAction.DONATIONS_IMPORTED,
        request=request,
        team=request.team,
        target=action.title,
        detail=f"{report.added} added, {report.repeated} already there, {len(report.bad)} refused",
    )
    context = action_context(request, action, payment_report=report)
    return render(request, "organizing/action.html", context)


# --- check-in: a phone-sized page for the door ----------------------------------------


def checkin_rows(action: CallToAction) -> list[tuple[Response, bool]]:
    attended = set(
        action.responses.filter(kind=ResponseKind.ATTENDED, supporter__isnull=False).values_list(
            "supporter_id", flat=True
        )
    )
    rsvps = action.responses.filter(kind=ResponseKind.RSVP).select_related("supporter")
    return [(r, r.supporter_id in attended) for r in rsvps.order_by("created_at")]


@team_view(Capability.CHECK_IN)
@require_safe
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    action = team_action(request, pk)
    rows = checkin_rows(action)
    return render(
        request,
        "organizing/checkin.html",
        {
            "action": action,
            "rows": rows,
            "arrived": sum(1 for _r, here in rows if here),
            "walk_ins": action.responses.filter(
                kind=ResponseKind.ATTENDED, supporter__isnull=True
            ).count(),
        },
    )


@team_view(Capability.CHECK_IN)
@require_POST
def checkin_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """Check a person in (or confirm their RSVP); a walk-in without an RSVP counts too."""
    action = team_action(request, pk)
    what = request.POST.get("what", "")
    rsvp = None
    if request.POST.get("rsvp"):
        rsvp = get_object_or_404(action.responses, pk=request.POST["rsvp"], kind=ResponseKind.RSVP)
    if what == "confirm" and rsvp is not None:
        Response.objects.filter(pk=rsvp.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        )
    elif what == "arrived":
        supporter = rsvp.supporter if rsvp else None
        already = (
            supporter
            and action.responses.filter(kind=ResponseKind.ATTENDED, supporter=supporter).exists()
        )
        if not already:
            services.record_response(
                supporter,
                action=action,
                kind=ResponseKind.ATTENDED,
                source=ResponseSource.ORGANISER,
                link=rsvp.link if rsvp else None,
                channel=rsvp.channel if rsvp else None,
                post=rsvp.post if rsvp else None,
                confirmed_at=timezone.now(),
            )
    next_page = (
        "organizing:checkin" if request.POST.get("back") == "checkin" else "organizing:action"
    )
    return redirect(next_page, team_slug=request.team.slug, pk=action.pk)


# --- funnel and fundraising ----------------------------------------------------------


@team_view(Capability.VIEW)
@require_safe
def funnel(request: HttpRequest) -> HttpResponse:
    campaigns = list(request.team.campaigns.all())
    campaign = chosen_campaign(request, campaigns)
    channels = list(request.team.channels.order_by("network", "name"))
    channel = next((c for c in channels if str(c.pk) == request.GET.get("channel")), None)
    try:
        days = max(1, min(int(request.GET.get("stalled", DEFAULT_STALLED_DAYS)), 3650))
    except ValueError:
        days = DEFAULT_STALLED_DAYS
    result = (
        build_funnel(campaign, channel_id=channel.pk if channel else None, stalled_days=days)
        if campaign
        else None
    )
    stalled = []
    if result and request.membership.can(Capability.ORGANIZE):
        stalled = list(Supporter.objects.filter(pk__in=result.stalled_ids[:50]))
    return render(
        request,
        "organizing/funnel.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "channels": channels,
            "channel": channel,
            "days": days,
            "funnel": result,
            "stalled": stalled,
            "by_channel": channel_breakdown(campaign) if campaign else [],
        },
    )


def channel_breakdown(campaign: Campaign) -> list[dict]:
    """Responses of a campaign per channel that brought them."""
    return list(
        Response.objects.filter(campaign=campaign)
        .values("channel__name", "link__source")
        .annotate(
            answers=Count("id"),
            people=Count("supporter", distinct=True),
            attended=Count("id", filter=Q(kind=ResponseKind.ATTENDED)),
        )
        .order_by("-answers")
    )


@team_view(Capability.VIEW)
@require_safe
def money(request: HttpRequest) -> HttpResponse:
    campaigns = list(request.team.campaigns.all())
    campaign = chosen_campaign(request, campaigns)
    totals = fundraising.totals(campaign) if campaign else None
    donation_actions = (
        campaign.actions.filter(kind=ActionKind.DONATION)
        if campaign
        else CallToAction.objects.none()
    )
    return render(
        request,
        "organizing/money.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "totals": totals,
            "donation_actions": donation_actions,
        },
    )


@team_view(Capability.VIEW)
@require_safe
def money_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk, team=request.team)
    response = HttpResponse(
        fundraising.export_csv(campaign), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="donations-{campaign.slug}.csv"'
    return response
