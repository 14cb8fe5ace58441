"""What other apps and the command line ask of channels."""

from __future__ import annotations

from typing import Any

import httpx
from django.db import transaction

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import Account, ConnectorError
from houseboat.connectors.constants import Network
from houseboat.connectors.models import Channel
from houseboat.connectors.registry import connector_class
from houseboat.core.models import Team, User


class ChannelSetupError(ValueError):
    """The settings given for a new channel are incomplete or wrong."""


def split_fields(network: str, values: dict[str, Any]) -> tuple[dict, dict]:
    """Sort submitted values into plain settings and secrets, as the manifest declares."""
    manifest = connector_class(network).manifest
    config, secrets, missing = {}, {}, []
    for spec in manifest["settings"] + manifest["credentials"]:
        value = values.get(spec["name"])
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if spec.get("required", spec in manifest["credentials"]) and not spec.get("default"):
                missing.append(spec["label"])
            continue
        (secrets if spec["secret"] else config)[spec["name"]] = value
    if values.get("allow_private_network"):
        config["allow_private_network"] = True
    if missing:
        raise ChannelSetupError(f"Fill in: {', '.join(missing)}.")
    return config, secrets


def check_channel(channel: Channel, *, transport: httpx.BaseTransport | None = None) -> Account:
    """Ask the network who the channel's account is; record the answer or the error."""
    connector = channel.connector(transport=transport)
    try:
        account = connector.check()
    except ConnectorError as error:
        channel.record_error(error)
        raise
    if account.limits:
        channel.config["limits"] = dict(account.limits)
        channel.save(update_fields=["config"])
    channel.record_success(handle=account.handle, url=account.url)
    return account


@transaction.atomic
def add_channel(
    *,
    team: Team,
    network: str,
    name: str,
    values: dict[str, Any],
    created_by: User | None,
) -> Channel:
    """Create a channel from submitted values (not checked yet: call check_channel)."""
    config, secrets = split_fields(network, values)
    return Channel.objects.create(
        team=team,
        network=network,
        name=name.strip() or connector_class(network).manifest["label"],
        config=config,
        secrets=secrets,
        created_by=created_by,
    )


def own_site_channel(campaign: Campaign) -> Channel:
    """The campaign's own-site channel, created the first time it is asked for."""
    channel = Channel.objects.filter(
        team=campaign.team, network=Network.OWN_SITE, config__campaign_id=campaign.pk
    ).first()
    if channel is None:
        channel = Channel.objects.create(
            team=campaign.team,
            network=Network.OWN_SITE,
            name=f"{campaign.name} — own site",
            config={"campaign_id": campaign.pk},
        )
        check_channel(channel)  # no network involved: it records the public address
    return channel
