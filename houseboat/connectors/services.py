"""What other apps and the command line ask of channels."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import Account, ConnectorError, NetworkUnreachable, SecretsStore
from houseboat.connectors.constants import ChannelStatus, Network
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


def keep_failing_channel(channel: Channel, error: ConnectorError) -> None:
    """Keep a channel whose check failed, marked not working with the reason.

    check_channel has recorded the error; a transient one leaves the status as it was,
    so a channel that never worked is marked failing here rather than "not checked yet".
    """
    channel.record_error(error)
    if channel.status not in (ChannelStatus.NEEDS_RECONNECT, ChannelStatus.FAILING):
        channel.status = ChannelStatus.FAILING
        channel.save(update_fields=["status"])


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


# --- secrets under concurrency: one token renewal per channel at a time -----------------

# Longer than any token request can take (the HTTP wrapper's timeouts), so a lock left by
# a worker that died frees itself; a waiter gives up after the same time.
RENEWAL_LEASE = timedelta(seconds=60)
RENEWAL_POLL = 0.05  # seconds between looks while another process renews


def secrets_store(channel: Channel) -> SecretsStore | None:
    """Give a channel's connector a store that merges and locks against the database."""
    if channel.pk is None:
        return None

    def merge(changes: dict[str, Any], expect: Mapping[str, Any] | None) -> dict[str, Any]:
        channel.secrets = merge_secrets(channel.pk, changes, expect=expect)
        return channel.secrets

    return SecretsStore(
        merge=merge,
        lock=lambda: renewal_lock(channel.pk),
        read=lambda: stored_secrets(channel.pk),
    )


def stored_secrets(channel_pk: int) -> dict[str, Any]:
    """Read a channel's secrets as stored now."""
    found = Channel.objects.filter(pk=channel_pk).values_list("secrets", flat=True).first()
    return dict(found or {})


def merge_secrets(
    channel_pk: int, changes: Mapping[str, Any], *, expect: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Write only the changed keys over the stored secrets; return what is stored now.

    Read and write happen in one transaction that holds the row (PostgreSQL) or the
    database's write lock (SQLite, whose transactions begin IMMEDIATE here), so a key a
    person changed meanwhile is never overwritten with a stale copy. When a key of
    ``expect`` no longer holds its value there (the channel was reconnected meanwhile),
    nothing is written: the person's new credentials win.
    """
    with transaction.atomic():
        channel = Channel.objects.select_for_update().only("pk", "secrets").get(pk=channel_pk)
        stored = dict(channel.secrets or {})
        if expect and any(stored.get(key) != value for key, value in expect.items()):
            return stored
        merged = {**stored, **changes}
        channel.secrets = merged
        channel.save(update_fields=["secrets"])
    return merged


@contextmanager
def renewal_lock(channel_pk: int) -> Iterator[dict[str, Any]]:
    """Hold the channel's token-renewal lock; yield its secrets as read after taking it.

    Across threads and processes: on PostgreSQL a row lock (``SELECT … FOR UPDATE``) held
    by a transaction around the renewal; on SQLite, whose only lock is the whole
    database's, a conditional update of ``renewing_until`` that exactly one process wins,
    released when the renewal ends (or by itself after ``RENEWAL_LEASE``).
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            Channel.objects.select_for_update().only("pk").get(pk=channel_pk)
            yield stored_secrets(channel_pk)
        return
    _take_renewal(channel_pk)
    try:
        yield stored_secrets(channel_pk)
    finally:
        Channel.objects.filter(pk=channel_pk).update(renewing_until=None)


def _take_renewal(channel_pk: int) -> None:
    """Wait until this process holds the channel's renewal mark (SQLite)."""
    give_up = time.monotonic() + RENEWAL_LEASE.total_seconds()
    while True:
        now = timezone.now()
        free = Q(renewing_until__isnull=True) | Q(renewing_until__lt=now)
        if Channel.objects.filter(free, pk=channel_pk).update(renewing_until=now + RENEWAL_LEASE):
            return
        if time.monotonic() > give_up:
            raise NetworkUnreachable(
                "Another worker has been renewing this channel's sign-in for a minute without "
                "finishing. The channel stays connected; the work will be tried again.",
                reason="token renewal lock busy",
            )
        time.sleep(RENEWAL_POLL)
