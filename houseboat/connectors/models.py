import httpx
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.connectors.base import Connector, ConnectorError, Manifest, RateLimited
from houseboat.connectors.constants import ChannelStatus, Network
from houseboat.connectors.registry import connector_class
from houseboat.core.crypto import EncryptedJSONField
from houseboat.core.models import Team


class Channel(models.Model):
    """A team's account on one network (or its own site), with its encrypted credentials."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="channels")
    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    name = models.CharField(
        _("name"),
        max_length=120,
        help_text=_("How the team recognises this channel, e.g. “Mastodon — main account”."),
    )
    # Plain settings: base URL, chat or page id, API version, limits read from the server.
    config = models.JSONField(default=dict, blank=True)
    # Tokens and passwords: encrypted with a key kept outside the database.
    secrets = EncryptedJSONField(default=dict, blank=True)
    account_handle = models.CharField(max_length=200, blank=True)
    account_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=ChannelStatus.choices, default=ChannelStatus.UNCHECKED
    )
    last_error = models.CharField(max_length=600, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    # A token renewal in progress (SQLite's stand-in for a row lock: see
    # houseboat.connectors.services.renewal_lock); empty when none runs.
    renewing_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["network", "name"]
        indexes = [models.Index(fields=["team", "network"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_network_display()})"

    @property
    def manifest(self) -> Manifest:
        return connector_class(self.network).manifest

    def connector(self, *, transport: httpx.BaseTransport | None = None) -> Connector:
        """Build this channel's connector; refreshed tokens are merged back here, one
        renewal at a time (``houseboat.connectors.services.secrets_store``)."""
        from houseboat.connectors.services import secrets_store  # services builds on models

        return connector_class(self.network)(
            config=self.config,
            secrets=self.secrets or {},
            store=secrets_store(self),
            transport=transport,
        )

    @property
    def is_rate_limited(self) -> bool:
        return bool(self.rate_limited_until and self.rate_limited_until > timezone.now())

    def record_success(self, *, handle: str = "", url: str = "") -> None:
        """Remember that the last call worked (and who the account is, after a check)."""
        self.status = ChannelStatus.OK
        self.last_error = ""
        fields = ["status", "last_error"]
        if handle:
            self.account_handle, self.account_url = handle, url
            self.last_checked_at = timezone.now()
            fields += ["account_handle", "account_url", "last_checked_at"]
        self.save(update_fields=fields)

    def record_error(self, error: ConnectorError) -> None:
        """Show the error on the Channels page; a revoked token marks it for reconnecting.

        A transient failure (even of a token refresh) never disconnects a channel.
        """
        self.last_error = str(error)[:600]
        self.last_error_at = timezone.now()
        if error.kind == "auth_revoked":
            self.status = ChannelStatus.NEEDS_RECONNECT
        elif error.permanent:
            self.status = ChannelStatus.FAILING
        fields = ["last_error", "last_error_at", "status"]
        if isinstance(error, RateLimited):
            self.rate_limited_until = error.until
            fields.append("rate_limited_until")
        self.save(update_fields=fields)
