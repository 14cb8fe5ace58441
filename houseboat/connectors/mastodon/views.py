"""“Sign in with Mastodon”: register houseboat on the person's server, then OAuth.

The person names their server; houseboat registers itself there as an app
(POST /api/v1/apps) and sends them to the server's own approval page. The server
sends them back with a one-time code, which houseboat trades for a token and
keeps, encrypted, in a new channel. houseboat never sees the password.
"""

import hmac
import secrets
from typing import Any

import httpx
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from houseboat.connectors import services
from houseboat.connectors.base import ConnectorError
from houseboat.connectors.mastodon.connector import MastodonConnector, normalise_base_url
from houseboat.core import crypto
from houseboat.core.access import team_view
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.services import audit

# Tests put a transport here that answers from recorded fixtures; None means the network.
TRANSPORT: httpx.BaseTransport | None = None
# One sign-in at a time per browser session: starting again replaces the last one.
SESSION_KEY = "mastodon_sign_in"


class StartForm(forms.Form):
    instance = forms.CharField(
        label=gettext_lazy("Your Mastodon server"),
        max_length=300,
        help_text=gettext_lazy(
            "The address of the server your account is on, e.g. mastodon.social."
        ),
    )
    name = forms.CharField(
        label=gettext_lazy("Channel name"),
        max_length=120,
        help_text=gettext_lazy("How the team recognises this channel, e.g. “Mastodon — main”."),
    )

    def clean_instance(self) -> str:
        try:
            return normalise_base_url(self.cleaned_data["instance"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


def connector_for(base_url: str, **secret_values: str) -> MastodonConnector:
    # Secrets given here are scrubbed from any error message the server's answer makes.
    return MastodonConnector(
        config={"base_url": base_url}, secrets=secret_values, transport=TRANSPORT
    )


def own_url(request: HttpRequest, name: str) -> str:
    """One of these views' paths, wherever the lead mounted them (the namespace may nest)."""
    namespace = request.resolver_match.namespace if request.resolver_match else "mastodon"
    return reverse(f"{namespace}:{name}", kwargs={"team_slug": request.team.slug})


def callback_url(request: HttpRequest) -> str:
    """The absolute address Mastodon sends the person back to."""
    return request.build_absolute_uri(own_url(request, "callback"))


def start_page(
    request: HttpRequest, form: StartForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "error": error,
        "start_url": own_url(request, "start"),
        "paste_url": reverse(
            "connectors:connect", kwargs={"team_slug": request.team.slug, "network": "mastodon"}
        ),
    }
    return render(request, "connectors/mastodon_start.html", context, status=status)


@team_view(Capability.MANAGE_CHANNELS)
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Ask for the server, register houseboat there and send the person to approve it."""
    form = StartForm(request.POST or None, initial={"name": "Mastodon"})
    if request.method != "POST" or not form.is_valid():
        return start_page(request, form, status=400 if form.errors else 200)
    instance = form.cleaned_data["instance"]
    redirect_uri = callback_url(request)
    connector = connector_for(instance)
    try:
        app = connector.register_app(redirect_uri)
    except ConnectorError as error:
        message = _("houseboat could not register itself on %(server)s: %(error)s") % {
            "server": instance,
            "error": error,
        }
        return start_page(request, form, error=message, status=400)
    state = secrets.token_urlsafe(32)
    request.session[SESSION_KEY] = {
        "team": request.team.slug,
        "instance": instance,
        "name": form.cleaned_data["name"],
        "client_id": app["client_id"],
        # The session table is not encrypted; the client secret is, like channel secrets.
        "client_secret": crypto.encrypt(app["client_secret"]),
        "redirect_uri": redirect_uri,
        "state": state,
    }
    return redirect(
        connector.authorize_url(client_id=app["client_id"], redirect_uri=redirect_uri, state=state)
    )


def denied_message(request: HttpRequest) -> str:
    if request.GET.get("error") == "access_denied":
        return _(
            "You did not allow houseboat to use the account, so nothing was connected. "
            "Start again if that was a mistake."
        )
    return _("Mastodon could not finish the sign-in (%(reason)s). Start again.") % {
        "reason": request.GET.get("error_description") or request.GET.get("error")
    }


def pending_sign_in(request: HttpRequest) -> dict[str, Any] | None:
    """The sign-in this browser started for this team, if the state matches; used once."""
    pending = request.session.pop(SESSION_KEY, None)
    if not isinstance(pending, dict) or pending.get("team") != request.team.slug:
        return None
    if not hmac.compare_digest(str(pending.get("state", "")), request.GET.get("state", "")):
        return None
    return pending


@team_view(Capability.MANAGE_CHANNELS)
@require_safe
def callback(request: HttpRequest) -> HttpResponse:
    """Trade the server's code for a token, create the channel and check it."""
    pending = pending_sign_in(request)
    form = StartForm(initial={"instance": (pending or {}).get("instance", ""), "name": "Mastodon"})
    if request.GET.get("error"):
        return start_page(request, form, error=denied_message(request), status=400)
    if pending is None:
        message = _("This sign-in was not started here, or it has expired. Start again.")
        return start_page(request, form, error=message, status=400)
    if not request.GET.get("code"):
        message = _("Mastodon sent no sign-in code back. Start again.")
        return start_page(request, form, error=message, status=400)
    try:
        client_secret = crypto.decrypt(pending["client_secret"])
        connector = connector_for(pending["instance"], client_secret=client_secret)
        token = connector.exchange_code(
            client_id=pending["client_id"],
            client_secret=client_secret,
            redirect_uri=pending["redirect_uri"],
            code=request.GET["code"],
        )
    except (ConnectorError, crypto.EncryptionKeyError) as error:
        message = _("The sign-in at %(server)s did not work: %(error)s") % {
            "server": pending["instance"],
            "error": error,
        }
        return start_page(request, form, error=message, status=400)
    channel = services.add_channel(
        team=request.team,
        network="mastodon",
        name=pending["name"],
        values={"base_url": pending["instance"], "access_token": token},
        created_by=request.user,
    )
    audit(AuditAction.CHANNEL_ADDED, request=request, team=request.team, target=channel.name)
    try:
        account = services.check_channel(channel, transport=TRANSPORT)
    except ConnectorError as error:
        messages.error(request, _("%(channel)s: %(error)s") % {"channel": channel, "error": error})
    else:
        messages.success(
            request,
            _("%(channel)s connected: signed in as %(handle)s.")
            % {"channel": channel.name, "handle": account.handle},
        )
    return redirect(reverse("connectors:index", kwargs={"team_slug": request.team.slug}))
