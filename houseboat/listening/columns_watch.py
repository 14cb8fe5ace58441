"""The deletion watch: notice when an item a column brought in is gone from its network.

A post that is deleted, or whose account is suspended, after the team archived it is
often the evidence that matters most. A reading-lane step asks each column's channel,
in small batches, whether the column's recent items are still there
(``connector.gone(ids)``); those that are not are marked ``gone_at`` and
``gone_reason``, the archived copy is kept as it is, and the chain of custody records
what the network said and when. Each item is asked about again after
``RECHECK_AFTER``, for ``WATCH_DAYS`` after it was captured.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from houseboat.connectors.base import ConnectorError, NotSupported, RateLimited
from houseboat.core import leases
from houseboat.listening import custody
from houseboat.listening.constants import GoneReason
from houseboat.listening.models import Column, ColumnItem, Item

logger = logging.getLogger(__name__)

WATCH_BATCH = 20  # items asked about per column and round: each may be one request
COLUMNS_PER_ROUND = 5
WATCH_DAYS = 14
RECHECK_AFTER = timedelta(hours=6)
LEASE_SECONDS = 120.0


def claimable(now) -> Q:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return Q(channel__isnull=False, paused=False) & free


def watch_gone(name: str) -> int:
    """Worker step: ask the networks about a batch of recent items per column; return how many."""
    now = timezone.now()
    ids = leases.claim(
        # A subquery, not a join with DISTINCT: PostgreSQL locks no rows of a DISTINCT.
        Column.objects.filter(
            claimable(now), pk__in=Column.objects.filter(due_items(now)).values("pk")
        ),
        claimable(now),
        name,
        values={"watched_at": now},
        order_by=(F("watched_at").asc(nulls_first=True), "id"),
        limit=COLUMNS_PER_ROUND,
        seconds=LEASE_SECONDS,
        now=now,
    )
    asked = 0
    for pk in ids:
        lease = leases.Lease(Column, pk, name, LEASE_SECONDS)
        column = Column.objects.select_related("campaign__team", "channel").get(pk=pk)
        try:
            with leases.working_on(lease):
                asked += watch_column(column, lease)
        except leases.LeaseLost:
            logger.info("Column %s was taken over by another worker", pk)
    return asked


def due_items(now) -> Q:
    """Columns holding an item not known gone, captured lately, not asked about lately."""
    return Q(
        column_items__item__gone_at__isnull=True,
        column_items__item__captured_at__gte=now - timedelta(days=WATCH_DAYS),
    ) & (
        Q(column_items__checked_at__isnull=True)
        | Q(column_items__checked_at__lt=now - RECHECK_AFTER)
    )


def watch_column(column: Column, lease: leases.Lease) -> int:
    """Ask the column's channel about a batch of its items; mark and record those gone."""
    now = timezone.now()
    batch = list(
        ColumnItem.objects.filter(
            Q(checked_at__isnull=True) | Q(checked_at__lt=now - RECHECK_AFTER),
            column=column,
            item__gone_at__isnull=True,
            item__captured_at__gte=now - timedelta(days=WATCH_DAYS),
        )
        .select_related("item")
        .order_by(F("checked_at").asc(nulls_first=True), "-id")[:WATCH_BATCH]
    )
    if not batch:
        lease.finish()
        return 0
    try:
        gone = ask(column, [link.item.remote_id for link in batch])
    except RateLimited as error:
        lease.finish(watched_at=error.until)  # the watch waits; the items are asked later
        return 0
    except ConnectorError as error:
        logger.info("The deletion watch of column %s could not ask: %s", column.pk, error)
        lease.finish()
        return 0
    with transaction.atomic():
        marked = mark_gone(column, [link.item for link in batch], gone, now)
        ColumnItem.objects.filter(pk__in=[link.pk for link in batch]).update(checked_at=now)
        if not lease.finish(gone_seen=F("gone_seen") + marked):
            raise leases.LeaseLost(f"Column {column.pk}: lease lost before storing")
    return len(batch)


def ask(column: Column, remote_ids: list[str]) -> dict[str, str]:
    """Ask the channel's connector which of these ids are gone; {} if it cannot tell."""
    gone_of = getattr(column.channel.connector(), "gone", None)
    if gone_of is None:  # a connector from before the watch
        return {}
    try:
        gone = gone_of(remote_ids)
    except NotSupported:  # this network cannot tell
        return {}
    return {remote_id: reason for remote_id, reason in gone.items() if remote_id in remote_ids}


def mark_gone(column: Column, items: list[Item], gone: dict[str, str], now) -> int:
    """Mark the gone items (once) and write one custody record for them; return how many."""
    newly = []
    for item in items:
        reason = gone.get(item.remote_id)
        if reason is None:
            continue
        if reason not in GoneReason.values:
            reason = GoneReason.DELETED
        if Item.objects.filter(pk=item.pk, gone_at__isnull=True).update(
            gone_at=now, gone_reason=reason
        ):
            newly.append((item, reason))
    if newly:
        custody.append(
            {
                "action": "gone",
                "by": "worker",
                "team": column.campaign.team.slug,
                "campaign": column.campaign.slug,
                "network": column.network,
                "column": column.pk,
                "seen_at": now.isoformat(),
                "items": [
                    {"remote_id": item.remote_id, "reason": reason, "raw_sha256": item.raw_sha256}
                    for item, reason in newly
                ],
            }
        )
    return len(newly)
