"""The team inbox page of a campaign, and what members do to an entry (POST only)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from houseboat.campaigns.models import Campaign
from houseboat.connectors.constants import Network
from houseboat.connectors.models import Channel
from houseboat.core.access import team_view
from houseboat.core.constants import ROLE_CAPABILITIES, Capability
from houseboat.core.models import Membership, User
from houseboat.inbox import services
from houseboat.inbox.constants import EntryFilter, EntryState
from houseboat.inbox.models import InboxEntry, InboxTag
from houseboat.listening.media import attach_media
from houseboat.publishing.constants import PostStatus
from houseboat.publishing.models import Delivery
from houseboat.publishing.services import PublishingError
from houseboat.safety.constants import AlertKind
from houseboat.safety.models import Alert

PER_PAGE = 25


def pick_campaign(request: HttpRequest, slug: str | None) -> tuple[Campaign | None, list]:
    """Return the campaign asked for (404 if not the team's), or the one with the newest
    open entry, or the first; and all the team's campaigns."""
    campaigns = list(request.team.campaigns.order_by("-starts_on", "name"))
    if slug is not None:
        found = next((c for c in campaigns if c.slug == slug), None)
        if found is None:
            raise Http404(_("No such campaign."))
        return found, campaigns
    newest = (
        InboxEntry.objects.filter(team=request.team, state=EntryState.OPEN)
        .values_list("campaign_id", flat=True)
        .first()
    )
    chosen = next((c for c in campaigns if c.pk == newest), campaigns[0] if campaigns else None)
    return chosen, campaigns


def filtered(request: HttpRequest, campaign: Campaign) -> tuple[QuerySet, dict]:
    """Return the campaign's entries the page's filters choose, and the filters."""
    show = request.GET.get("show", EntryFilter.OPEN)
    show = show if show in EntryFilter.values else EntryFilter.OPEN
    network = request.GET.get("network", "")
    tag = request.GET.get("tag", "").strip().casefold()
    entries = InboxEntry.objects.filter(campaign=campaign)
    if show == EntryFilter.DONE:
        entries = entries.filter(state=EntryState.DONE)
    elif show != EntryFilter.ALL:
        entries = entries.filter(state=EntryState.OPEN)
    if show == EntryFilter.MINE:
        entries = entries.filter(assignee=request.user)
    elif show == EntryFilter.UNASSIGNED:
        entries = entries.filter(assignee__isnull=True)
    if network:
        entries = entries.filter(network=network)
    if tag:
        entries = entries.filter(pk__in=InboxTag.objects.filter(tag=tag).values("entry_id"))
    return entries, {"show": show, "network": network, "tag": tag}


@team_view(Capability.VIEW)
@require_safe
def inbox(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """List a campaign's inbox, newest first, with each entry's thread, alerts and actions."""
    campaign, campaigns = pick_campaign(request, slug)
    if campaign is None:
        return render(request, "inbox/inbox.html", {"campaign": None})
    entries, filters = filtered(request, campaign)
    page = Paginator(
        entries.select_related(
            "item__author",
            "answers_item__author",
            "answers_delivery__variant__post",
            "answers_delivery__variant__channel",
            "channel",
            "assignee",
            "done_by",
            "reply_post",
        ).prefetch_related("tags"),
        PER_PAGE,
    ).get_page(request.GET.get("page") or 1)
    shown = list(page.object_list)
    decorate(request, campaign, shown)
    networks = dict(Network.choices)
    counts = InboxEntry.objects.filter(campaign=campaign, state=EntryState.OPEN)
    return render(
        request,
        "inbox/inbox.html",
        {
            "campaign": campaign,
            "campaigns": campaigns,
            "page": page,
            "entries": shown,
            "filters": filters,
            "filter_choices": EntryFilter.choices,
            "networks": [
                (n, networks.get(n, n))
                for n in InboxEntry.objects.filter(campaign=campaign)
                .order_by("network")
                .values_list("network", flat=True)
                .distinct()
            ],
            "tags": InboxTag.objects.filter(entry__campaign=campaign)
            .order_by("tag")
            .values_list("tag", flat=True)
            .distinct(),
            "members": handlers(request.team),
            "open_count": counts.count(),
            "can_handle": request.membership.can(Capability.DRAFT),
            "can_publish": request.membership.can(Capability.PUBLISH),
            "here": request.get_full_path(),
        },
    )


def handlers(team) -> list[User]:
    """Return the team's members who may handle the inbox (not those who only read)."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.DRAFT in caps]
    return [
        m.user for m in Membership.objects.filter(team=team, role__in=roles).select_related("user")
    ]


def decorate(request: HttpRequest, campaign: Campaign, entries: Sequence[InboxEntry]) -> None:
    """Give each entry what the page shows: media (shielded as in the archive), alerts,
    the channels a reply can go out on, and where its reply stands."""
    items = [entry.item for entry in entries]
    attach_media(request.team, items)
    labels = dict(Network.choices)
    kinds = dict(AlertKind.choices)
    alerts = {
        (alert.network, alert.remote_id): alert
        for alert in Alert.objects.filter(
            campaign=campaign, remote_id__in=[item.remote_id for item in items]
        )
    }
    channels: dict[str, list[Channel]] = defaultdict(list)
    for channel in Channel.objects.filter(team=request.team).order_by("name"):
        channels[channel.network].append(channel)
    replies = sent_replies([entry.reply_post_id for entry in entries if entry.reply_post_id])
    for entry in entries:
        entry.network_label = labels.get(entry.network, entry.network)
        alert = alerts.get((entry.network, entry.item.remote_id))
        entry.alert = alert
        entry.alert_kinds = (
            [str(kinds.get(kind, kind)) for kind in alert.kinds.split(",") if kind] if alert else []
        )
        entry.reply_channels = channels.get(entry.network, [])
        entry.reply_delivery = replies.get(entry.reply_post_id)
        # Addresses a network gave back are linked only when they are web addresses.
        entry.answers_link = (
            web_address(entry.answers_delivery.remote_url) if entry.answers_delivery else ""
        )
        entry.reply_link = (
            web_address(entry.reply_delivery.remote_url) if entry.reply_delivery else ""
        )
        entry.tag_text = ", ".join(tag.tag for tag in entry.tags.all())


def web_address(url: str) -> str:
    """Return url when it is an http(s) address, else "" (never a javascript: link)."""
    scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
    return url if scheme in ("http", "https") and url.isprintable() else ""


def sent_replies(post_ids: list[int]) -> dict[int, Delivery]:
    """Return the first part of each reply post, to show whether it went out and where."""
    found: dict[int, Delivery] = {}
    for delivery in Delivery.objects.filter(variant__post_id__in=post_ids, part=0).select_related(
        "variant"
    ):
        found.setdefault(delivery.variant.post_id, delivery)
    return found


# --- actions ---------------------------------------------------------------------------------


def entry_for(request: HttpRequest, pk: int) -> InboxEntry:
    return get_object_or_404(
        InboxEntry.objects.select_related("campaign", "item", "channel"), pk=pk, team=request.team
    )


def back(request: HttpRequest, entry: InboxEntry) -> HttpResponse:
    """Go back to the inbox page the person came from (only an inbox page), at the entry."""
    default = reverse(
        "inbox:inbox", kwargs={"team_slug": request.team.slug, "slug": entry.campaign.slug}
    )
    wanted = request.POST.get("next", "")
    inbox_root = reverse("inbox:inbox", kwargs={"team_slug": request.team.slug})
    if not (
        wanted.startswith(inbox_root)
        and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure())
    ):
        wanted = default
    return redirect(wanted.split("#")[0] + f"#entry-{entry.pk}")


@team_view(Capability.DRAFT)
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give an entry to a member of the team, or to nobody."""
    entry = entry_for(request, pk)
    chosen = request.POST.get("assignee", "")
    assignee = None
    if chosen:
        assignee = User.objects.filter(
            pk=chosen if chosen.isdigit() else None, memberships__team=request.team
        ).first()
        if assignee is None:
            messages.error(request, _("Choose a member of the team."))
            return back(request, entry)
    services.assign(request.membership, entry, assignee)
    messages.success(
        request,
        _("Given to %(who)s.") % {"who": assignee.get_username()}
        if assignee
        else _("Given to nobody: anyone may take it."),
    )
    return back(request, entry)


@team_view(Capability.DRAFT)
@require_POST
def tags(request: HttpRequest, pk: int) -> HttpResponse:
    """Replace an entry's tags with the comma-separated ones given."""
    entry = entry_for(request, pk)
    try:
        services.set_tags(request.membership, entry, request.POST.get("tags", ""))
    except services.InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Tags saved."))
    return back(request, entry)


@team_view(Capability.DRAFT)
@require_POST
def state(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an entry done, or open it again."""
    entry = entry_for(request, pk)
    if request.POST.get("state") == EntryState.OPEN:
        services.reopen(request.membership, entry)
        messages.success(request, _("Opened again."))
    else:
        services.mark_done(request.membership, entry)
        messages.success(request, _("Marked done."))
    return back(request, entry)


@team_view(Capability.DRAFT)
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a reply: scheduled at once for editors, sent for approval for contributors."""
    entry = entry_for(request, pk)
    chosen = request.POST.get("channel", "")
    channel = (
        Channel.objects.filter(team=request.team, pk=chosen).first() if chosen.isdigit() else None
    )
    try:
        post = services.reply(
            request.membership, entry, text=request.POST.get("text", ""), channel=channel
        )
    except (services.InboxError, PublishingError) as error:
        messages.error(request, _("The reply was not sent: %(why)s") % {"why": error})
        return back(request, entry)
    if post.status == PostStatus.PENDING_APPROVAL:
        messages.success(
            request, _("Your reply waits for an editor's approval; it goes out once approved.")
        )
    else:
        messages.success(request, _("Reply queued: the worker sends it within a minute."))
    return back(request, entry)
