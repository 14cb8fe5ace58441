"""“Sign in with X”: connect a channel with OAuth 2.0 and PKCE, without pasting tokens.

The organiser gives the app's Client ID (and Client Secret, for a confidential app);
houseboat sends them to X to approve, then trades the code X sends back for tokens.
The state and the PKCE verifier wait in the (server-side) session meanwhile, with the
client secret encrypted as the channel's credentials are.
"""

from __future__ import annotations

import secrets
import time

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
from houseboat.connectors.constants import Network
from houseboat.connectors.models import Channel
from houseboat.connectors.views import doc_html, index_url, run_check
from houseboat.connectors.x.connector import XConnector, authorize_url, pkce_pair
from houseboat.core.access import team_view
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.crypto import decrypt, encrypt
from houseboat.core.services import audit

SESSION_KEY = "x_sign_in"
# Long enough to sign in at X and approve; the session row is not kept for weeks meanwhile.
SIGN_IN_SECONDS = 15 * 60


class SignInForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, initial="X")
    client_id = forms.CharField(label=gettext_lazy("Client ID"), max_length=200)
    client_secret = forms.CharField(
        label=gettext_lazy("Client Secret"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Only for a Web App, Automated App or bot. Leave empty otherwise."),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, callback: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_id"].help_text = _(
            "From the app's “Keys and tokens” page, under OAuth 2.0. In the app's “User "
            "authentication settings”, set “Read and write” and add this Callback URI: %(url)s"
        ) % {"url": callback}


def callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(
        reverse("x:callback", kwargs={"team_slug": request.team.slug})
    )


def connect_again(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("x:start", kwargs={"team_slug": request.team.slug}))


@team_view(Capability.MANAGE_CHANNELS)
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Ask for the app's client id, then send the organiser to X to approve houseboat."""
    redirect_uri = callback_uri(request)
    form = SignInForm(request.POST or None, callback=redirect_uri)
    if request.method == "POST" and form.is_valid():
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = {
            "team": request.team.slug,
            "started": time.time(),
            "state": state,
            "verifier": verifier,
            "redirect_uri": redirect_uri,
            "name": form.cleaned_data["name"],
            "client_id": form.cleaned_data["client_id"].strip(),
            "client_secret": encrypt(form.cleaned_data["client_secret"].strip()),
        }
        return redirect(
            authorize_url(
                client_id=form.cleaned_data["client_id"].strip(),
                redirect_uri=redirect_uri,
                state=state,
                challenge=challenge,
            )
        )
    return render(
        request,
        "connectors/connect.html",
        {
            "form": form,
            "manifest": XConnector.manifest,
            "network": Network.X,
            "doc": doc_html(Network.X),
        },
        status=400 if form.errors else 200,
    )


@team_view(Capability.MANAGE_CHANNELS)
@require_safe
def callback(request: HttpRequest) -> HttpResponse:
    """X sends the organiser back here with a code: trade it, save the channel, check it."""
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        pending["client_secret"] = decrypt(pending["client_secret"])
    state = request.GET.get("state", "")
    if (
        not pending
        or pending["team"] != request.team.slug
        or time.time() - pending["started"] > SIGN_IN_SECONDS
        or not secrets.compare_digest(state.encode(), pending["state"].encode())
    ):
        messages.error(
            request, _("This sign-in with X did not start here or has expired. Start again.")
        )
        return connect_again(request)
    if "code" not in request.GET:
        messages.error(
            request,
            _("X did not give access (%(error)s). Nothing was connected.")
            % {"error": request.GET.get("error", _("no reason given"))[:100]},
        )
        return connect_again(request)
    try:
        tokens = token_connector(pending).exchange_code(
            code=request.GET["code"],
            code_verifier=pending["verifier"],
            redirect_uri=pending["redirect_uri"],
        )
    except ConnectorError as error:
        messages.error(request, _("X did not finish the sign-in: %(error)s") % {"error": error})
        return connect_again(request)
    channel = save_channel(request, pending, tokens)
    run_check(request, channel)
    return redirect(index_url(request))


def token_connector(pending: dict) -> XConnector:
    """A connector holding only the app's keys, to trade the code for tokens."""
    keys = {"client_secret": pending["client_secret"]} if pending["client_secret"] else {}
    return XConnector(config={"client_id": pending["client_id"]}, secrets=keys)


def save_channel(request: HttpRequest, pending: dict, tokens: dict) -> Channel:
    """Create the channel with its tokens; keep the granted scopes and the expiry beside them."""
    values = {
        "client_id": pending["client_id"],
        "client_secret": pending["client_secret"],
        "access_token": tokens["access_token"],
        "refresh_token": tokens.get("refresh_token", ""),
    }
    channel = services.add_channel(
        team=request.team,
        network=Network.X,
        name=pending["name"],
        values=values,
        created_by=request.user,
    )
    extra = {key: tokens[key] for key in ("scope", "expires_at") if key in tokens}
    if extra:
        channel.secrets = {**channel.secrets, **extra}
        channel.save(update_fields=["secrets"])
    audit(AuditAction.CHANNEL_ADDED, request=request, team=request.team, target=channel)
    return channel
