"""The Channels page: connect, check, edit and remove the team's accounts."""

from importlib import resources

import markdown
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.connectors import services
from houseboat.connectors.base import ConnectorError
from houseboat.connectors.constants import Network
from houseboat.connectors.forms import ChannelForm
from houseboat.connectors.models import Channel
from houseboat.connectors.registry import CONNECTORS, connector_class
from houseboat.core.access import team_view
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.services import audit

# Networks a person connects on this page; the own site comes with each campaign.
CONNECTABLE = [network for network in CONNECTORS if network != Network.OWN_SITE]
# One line for each network's card: what a team gets from it, in plain words.
TAGLINES = {  # lazy: translated when the page is drawn
    Network.MASTODON: gettext_lazy(
        "Post to your Mastodon account and follow hashtags and mentions."
    ),
    Network.BLUESKY: gettext_lazy(
        "Post to Bluesky with an app password; search and follow mentions."
    ),
    Network.TELEGRAM: gettext_lazy("Post to your Telegram channel through a bot you create."),
    Network.X: gettext_lazy("Post to X. Reading needs a paid X API access level."),
    Network.FACEBOOK: gettext_lazy("Post to a Facebook Page. Groups cannot be reached any more."),
    Network.WHATSAPP: gettext_lazy("Send approved messages to supporters who opted in."),
    Network.RSS: gettext_lazy("Follow a news site or blog: the press side of the conversation."),
    Network.MATRIX: gettext_lazy("Post to a Matrix room your community owns, and follow it."),
}
# Networks whose connect page starts with a sign-in at the network (OAuth) as well.
SIGN_IN_FLOWS: dict[str, str] = {Network.MASTODON: "mastodon:start", Network.X: "x:start"}


def index_url(request: HttpRequest) -> str:
    return reverse("connectors:index", kwargs={"team_slug": request.team.slug})


def doc_html(network: str) -> str:
    """The connector's doc.md (our own text, trusted) as HTML."""
    package = connector_class(network).__module__.rsplit(".", 1)[0]
    text = resources.files(package).joinpath("doc.md").read_text(encoding="utf-8")
    return mark_safe(markdown.markdown(text))  # noqa: S308


def team_channel(request: HttpRequest, pk: int) -> Channel:
    return get_object_or_404(Channel, pk=pk, team=request.team)


def connectable_network(network: str) -> str:
    if network not in CONNECTABLE:
        raise Http404(_("houseboat has no such network."))
    return network


@team_view(Capability.VIEW)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    channels = request.team.channels.order_by("network", "name")
    networks = [
        {
            "key": network,
            "label": Network(network).label,
            "tagline": TAGLINES.get(network, ""),
            "manifest": connector_class(network).manifest,
        }
        for network in CONNECTABLE
    ]
    return render(
        request,
        "connectors/index.html",
        {
            "channels": channels,
            "networks": networks,
            "can_manage": request.membership.can(Capability.MANAGE_CHANNELS),
        },
    )


@team_view(Capability.MANAGE_CHANNELS)
@require_http_methods(["GET", "POST"])
def connect(request: HttpRequest, network: str) -> HttpResponse:
    network = connectable_network(network)
    manifest = connector_class(network).manifest
    form = ChannelForm(request.POST or None, manifest=manifest, initial={"name": manifest["label"]})
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.add_channel(
                team=request.team,
                network=network,
                name=form.cleaned_data["name"],
                values=form.values(),
                created_by=request.user,
            )
        except services.ChannelSetupError as error:
            form.add_error(None, str(error))
        else:
            audit(AuditAction.CHANNEL_ADDED, request=request, team=request.team, target=channel)
            run_check(request, channel)
            return redirect(index_url(request))
    return render(
        request,
        "connectors/connect.html",
        {
            "form": form,
            "manifest": manifest,
            "network": network,
            "doc": doc_html(network),
            "sign_in_url": (
                reverse(SIGN_IN_FLOWS[network], kwargs={"team_slug": request.team.slug})
                if network in SIGN_IN_FLOWS
                else ""
            ),
        },
        status=400 if form.errors else 200,
    )


@team_view(Capability.MANAGE_CHANNELS)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = team_channel(request, pk)
    if channel.network == Network.OWN_SITE:
        raise Http404(_("The own site has nothing to set up here."))
    manifest = channel.manifest
    initial = {"name": channel.name, **channel.config}
    form = ChannelForm(request.POST or None, manifest=manifest, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = channel.secrets or {}
        typed = {k: v for k, v in form.values().items() if v not in ("", None)}
        try:
            config, secrets = services.split_fields(channel.network, {**saved, **typed})
        except services.ChannelSetupError as error:
            form.add_error(None, str(error))
        else:
            channel.name = form.cleaned_data["name"]
            channel.config = {**config, "limits": channel.config.get("limits", {})}
            # What a connector derived from the credentials (a session, a refresh token)
            # stays, unless a credential was replaced: then it belongs to the old one.
            replaced = any(saved.get(name) != value for name, value in secrets.items())
            channel.secrets = secrets if replaced else {**saved, **secrets}
            channel.save()
            audit(
                AuditAction.CHANNEL_ADDED,
                request=request,
                team=request.team,
                target=channel,
                detail="settings changed",
            )
            run_check(request, channel)
            return redirect(index_url(request))
    return render(
        request,
        "connectors/connect.html",
        {
            "form": form,
            "manifest": manifest,
            "channel": channel,
            "doc": doc_html(channel.network),
            "webhook": webhook_setup(request, channel),
        },
        status=400 if form.errors else 200,
    )


def webhook_setup(request: HttpRequest, channel: Channel) -> dict[str, str] | None:
    """What to paste into the network's webhook settings, for networks that call back."""
    if channel.network != Network.WHATSAPP:
        return None
    return {
        "url": request.build_absolute_uri(
            reverse("whatsapp:webhook", kwargs={"channel_id": channel.pk})
        ),
        # Shown to those who manage channels: Meta's dashboard needs it pasted in.
        "verify_token": (channel.secrets or {}).get("verify_token", ""),
    }


def run_check(request: HttpRequest, channel: Channel) -> None:
    """Check the channel and tell the person what the network said."""
    try:
        account = services.check_channel(channel)
    except ConnectorError as error:
        messages.error(request, _("%(channel)s: %(error)s") % {"channel": channel, "error": error})
        return
    audit(AuditAction.CHANNEL_CHECKED, request=request, team=request.team, target=channel)
    text = _("%(channel)s works: signed in as %(handle)s.") % {
        "channel": channel.name,
        "handle": account.handle,
    }
    messages.success(request, " ".join([text, *map(str, account.notes)]))


@team_view(Capability.MANAGE_CHANNELS)
@require_POST
def check(request: HttpRequest, pk: int) -> HttpResponse:
    run_check(request, team_channel(request, pk))
    return redirect(index_url(request))


@team_view(Capability.MANAGE_CHANNELS)
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    channel = team_channel(request, pk)
    if channel.network == Network.OWN_SITE:
        messages.error(request, _("The own site belongs to its campaign and cannot be removed."))
        return redirect(index_url(request))
    audit(AuditAction.CHANNEL_REMOVED, request=request, team=request.team, target=channel)
    channel.delete()
    messages.success(
        request,
        _("%(channel)s removed. Its credentials were deleted from houseboat.")
        % {"channel": channel},
    )
    return redirect(index_url(request))
