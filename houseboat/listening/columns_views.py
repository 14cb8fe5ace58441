"""The board: a campaign's live columns side by side, each refreshing itself.

Every member sees the board and marks columns read (for themselves); who may edit
campaigns adds, moves, pauses, resumes and removes columns. A column of another
team's campaign is a 404, as everything of another team is.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from houseboat.connectors.models import Channel
from houseboat.core.access import require, team_view
from houseboat.core.constants import Capability
from houseboat.listening import columns, media
from houseboat.listening.constants import ColumnKind
from houseboat.listening.models import Column, ColumnItem, Item

# Items a column shows; older ones are in the archive.
SHOWN = 30
ACTIONS = {"pause", "resume", "remove", "left", "right"}


class ColumnForm(forms.Form):
    """What a new column reads: a kind, through a channel (or a feed's address)."""

    kind = forms.ChoiceField(label=gettext_lazy("Reads"), choices=ColumnKind.choices)
    channel = forms.ChoiceField(label=gettext_lazy("Through the channel"), required=False)
    query = forms.CharField(
        label=gettext_lazy("Hashtag, words, account, list or feed address"),
        required=False,
        max_length=500,
    )
    allow_private_network = forms.BooleanField(
        label=gettext_lazy(
            "A feed on this machine or the local network (only if you know why you need it)"
        ),
        required=False,
    )

    def __init__(self, *args, channels: list[Channel], **kwargs):
        super().__init__(*args, **kwargs)
        self.channels = {str(c.pk): c for c in channels}
        self.fields["channel"].choices = [
            ("", _("None (a feed)")),
            *((str(c.pk), c.name) for c in channels),
        ]


def team_campaign(request: HttpRequest, slug: str | None):
    """The team's campaign by slug (when none is named, the first with columns); else 404."""
    campaigns = list(request.team.campaigns.order_by("-starts_on", "name"))
    if not campaigns:
        return None, campaigns
    if not slug:
        # The first campaign that has a board, so Listen opens on columns, not on a form.
        with_columns = set(
            Column.objects.filter(campaign__team=request.team).values_list("campaign", flat=True)
        )
        return next((c for c in campaigns if c.pk in with_columns), campaigns[0]), campaigns
    for campaign in campaigns:
        if campaign.slug == slug:
            return campaign, campaigns
    raise Http404(_("No such campaign in this team."))


def team_column(request: HttpRequest, pk: int) -> Column:
    column = (
        Column.objects.select_related("campaign", "channel")
        .filter(pk=pk, campaign__team=request.team)
        .first()
    )
    if column is None:
        raise Http404(_("No such column in this team."))
    return column


@team_view(Capability.VIEW)
@require_safe
def board(request: HttpRequest) -> HttpResponse:
    """Show a campaign's columns side by side."""
    campaign, campaigns = team_campaign(request, request.GET.get("campaign"))
    shown = []
    if campaign is not None:
        for column in columns.board(campaign):
            shown.append(column_context(request, column))
    channels = list(Channel.objects.filter(team=request.team).order_by("name"))
    return render(
        request,
        "listening/board.html",
        {
            "campaign": campaign,
            "campaigns": campaigns,
            "columns": shown,
            "form": ColumnForm(channels=channels),
        },
    )


def column_context(request: HttpRequest, column: Column) -> dict:
    """What one column shows: its newest items (in one language, if asked), unread marks."""
    language = request.GET.get(f"lang{column.pk}", request.GET.get("lang", "")).strip()[:16]
    links = ColumnItem.objects.filter(column=column).order_by("-id")
    if language:
        links = links.filter(item__language=language)
    rows = list(links.values_list("id", "item_id")[:SHOWN])
    items_by_id = {
        item.pk: item
        for item in Item.objects.filter(pk__in=[item_id for _, item_id in rows]).select_related(
            "author"
        )
    }
    read_through = columns.read_through(column, request.user)
    items = []
    for link_id, item_id in rows:
        item = items_by_id[item_id]
        item.unread = link_id > read_through
        items.append(item)
    media.attach_media(request.team, items)
    attach_alerts(column, items)
    languages = sorted(
        {
            code
            for code in Item.objects.filter(column_links__column=column)
            .exclude(language="")
            .values_list("language", flat=True)
            .distinct()[:20]
        }
    )
    return {
        "column": column,
        "items": items,
        "state": columns.column_state(column),
        "unread": sum(1 for item in items if item.unread),
        "language": language,
        "languages": languages,
    }


def attach_alerts(column: Column, items: list[Item]) -> None:
    """Set ``item.alert`` to the open safety alert raised on the item, if any."""
    from houseboat.safety.models import Alert

    keys = {(item.network, item.remote_id) for item in items}
    found = {}
    if keys:
        alerts = Alert.objects.open().filter(
            campaign=column.campaign, remote_id__in=[remote_id for _, remote_id in keys]
        )
        found = {(a.network, a.remote_id): a for a in alerts}
    for item in items:
        item.alert = found.get((item.network, item.remote_id))


@team_view(Capability.VIEW)
@require_safe
def column_body(request: HttpRequest, pk: int) -> HttpResponse:
    """One column's items, for the board's refresh every few seconds."""
    column = team_column(request, pk)
    return render(request, "listening/_column.html", {"c": column_context(request, column)})


@team_view(Capability.EDIT_CAMPAIGN)
@require_POST
def column_add(request: HttpRequest) -> HttpResponse:
    """Add a column to the campaign's board from the form."""
    campaign, _campaigns = team_campaign(request, request.POST.get("campaign"))
    if campaign is None:
        raise Http404(_("Create a campaign first."))
    channels = list(Channel.objects.filter(team=request.team))
    form = ColumnForm(request.POST, channels=channels)
    if form.is_valid():
        data = form.cleaned_data
        channel = form.channels.get(data["channel"]) if data["channel"] else None
        try:
            column = columns.add_column(
                campaign,
                kind=data["kind"],
                query=data["query"],
                channel=channel,
                allow_private_network=data["allow_private_network"],
                created_by=request.user,
            )
        except columns.ColumnError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Column added: %(title)s. It fills at the worker's next round.")
                % {"title": column.title},
            )
    else:
        messages.error(request, _("Choose what the column reads."))
    return back_to_board(request, campaign.slug)


@team_view(Capability.VIEW)
@require_POST
def column_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Mark a column read (anyone, for themselves), or move, pause, resume, remove it."""
    column = team_column(request, pk)
    if action == "read":
        columns.mark_read(column, request.user)
        if request.headers.get("HX-Request"):
            return render(request, "listening/_column.html", {"c": column_context(request, column)})
        return back_to_board(request, column.campaign.slug)
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    require(request.membership, Capability.EDIT_CAMPAIGN)
    if action == "pause":
        columns.pause_column(column, _("Paused by %(name)s.") % {"name": request.user.username})
    elif action == "resume":
        columns.resume_column(column)
    elif action == "remove":
        columns.remove_column(column)
        messages.success(request, _("Column removed. What it read stays in the archive."))
    else:
        columns.move_column(column, -1 if action == "left" else 1)
    return back_to_board(request, column.campaign.slug)


def back_to_board(request: HttpRequest, slug: str) -> HttpResponse:
    url = reverse("listening:board", kwargs={"team_slug": request.team.slug})
    return redirect(f"{url}?campaign={slug}")
