"""The reading lane's column poll: claim the due columns, read each, store what it read.

One poll of a column is

1. claim it under the worker lease (:func:`houseboat.core.leases.claim`), so two
   workers never read one column at once;
2. ``connector.read(Source(kind, query), cursor)``;
3. store the items through the archive's one ingest pipeline (de-duplicated,
   hashed, searchable; the alert step checks them next), link them to the column,
   and write the new cursor and schedule, all in ONE transaction, only while the
   lease is still ours.

A crash between 2 and 3 leaves the old cursor: the next poll reads the same items
again and the pipeline's de-duplication keeps each once. A page that says the network
holds more (``ReadPage.more``, a burst) makes the column due again at once, so a burst
is read to its end over the next rounds and nothing is skipped. A rate limit
(``RateLimited``, or the limit headers through ``read_budget()``) moves the next poll
to when the network allows it; other failures wait longer each time and, after
``MAX_FAILURES`` in a row, pause the column with the reason in words. A revoked token
or a refused request pauses it at once: trying again cannot help.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from houseboat.connectors.base import (
    AuthRevoked,
    Connector,
    ConnectorError,
    RateLimited,
    ReadPage,
    RemoteItem,
    Source,
)
from houseboat.connectors.constants import Network
from houseboat.connectors.http import AddressRefused
from houseboat.connectors.registry import connector_class
from houseboat.core import leases
from houseboat.listening import alerting
from houseboat.listening.constants import CaptureKind, CaptureState
from houseboat.listening.ingest import Pipeline, check
from houseboat.listening.models import Capture, Column, ColumnItem, Item

logger = logging.getLogger(__name__)

# Columns one round polls at most, so the reading lane's other steps get their turn.
COLUMNS_PER_ROUND = 20
MAX_FAILURES = 5
LONGEST_WAIT = timedelta(hours=6)
LEASE_SECONDS = 120.0


def claimable(now: datetime) -> Q:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return Q(paused=False, next_poll_at__lte=now) & free


def poll_due(name: str) -> int:
    """Worker step: poll every column that is due (up to a round's worth); return how many.

    Each column is claimed just before it is read, so a slow network never holds the
    leases of columns still waiting their turn.
    """
    polled = 0
    for _ in range(COLUMNS_PER_ROUND):
        now = timezone.now()
        ids = leases.claim(
            Column.objects.filter(claimable(now)),
            claimable(now),
            name,
            values={},
            order_by=("next_poll_at", "id"),
            seconds=LEASE_SECONDS,
            now=now,
        )
        if not ids:
            break
        lease = leases.Lease(Column, ids[0], name, LEASE_SECONDS)
        column = Column.objects.select_related("campaign", "channel").get(pk=ids[0])
        try:
            with leases.working_on(lease):
                poll_column(column, lease)
            polled += 1
        except leases.LeaseLost:
            logger.info("Column %s was taken over by another worker", column.pk)
        except Exception as error:
            # Storing failed (nothing of it was kept): count it as a failed read, so the
            # column backs off and, if it keeps failing, is paused with the reason shown.
            logger.exception("Storing what column %s read failed", column.pk)
            failed(
                column, lease, f"houseboat could not store what it read ({type(error).__name__})."
            )
    return polled


def column_connector(column: Column) -> Connector:
    """Build the connector that reads this column: its channel's, or a bare feed reader."""
    if column.channel_id is not None:
        return column.channel.connector()
    return connector_class(Network.RSS)(
        config={"allow_private_network": column.allow_private_network}, secrets={}
    )


def poll_column(column: Column, lease: leases.Lease) -> int:
    """Read one column once and store what came; return how many new items it linked."""
    try:
        connector = column_connector(column)
        page = connector.read(Source(column.kind, column.query), column.cursor)
    except leases.LeaseLost:
        raise
    except RateLimited as error:
        wait_for_limit(column, lease, error)
        return 0
    except AuthRevoked as error:
        pause(column, lease, str(error))
        return 0
    except AddressRefused as error:
        pause(column, lease, refused_text(column, error))
        return 0
    except ConnectorError as error:
        if error.permanent:
            pause(column, lease, str(error))
        else:
            failed(column, lease, str(error))
        return 0
    except Exception as error:
        logger.exception("Reading column %s failed", column.pk)
        failed(column, lease, f"houseboat could not read it ({type(error).__name__}).")
        return 0
    return store_page(column, lease, page, next_poll(column, connector, page))


def refused_text(column: Column, error: AddressRefused) -> str:
    """Say how to let a feed column reach a private address (a channel's text says its own)."""
    if column.channel_id is not None:
        return str(error)
    return (
        f"{error.message.split(',', 1)[0]}. houseboat reads a feed there only if the column "
        "was added allowing the private network (houseboat column add ... "
        "--allow-private-network), because a feed address could otherwise reach the machines "
        "around the server. Remove this column and add it again that way if the feed is yours."
    )


def next_poll(column: Column, connector: Connector, page: ReadPage) -> datetime:
    """When to read the column next: at once after a burst, else after its interval,
    and never before the network's limit resets when its budget is spent."""
    now = timezone.now()
    due = now if getattr(page, "more", False) else now + timedelta(seconds=column.interval_seconds)
    budget = getattr(connector, "read_budget", lambda: None)()
    if budget and budget.get("remaining") is not None and budget["remaining"] <= 0:
        reset_at = budget.get("reset_at")
        if reset_at is not None and reset_at > due:
            due = reset_at
    return due


def store_page(column: Column, lease: leases.Lease, page: ReadPage, due: datetime) -> int:
    """Store the page's items, link them, and move the cursor, in one transaction."""
    good = [item for item in page.items if not check(item)]
    skipped = len(page.items) - len(good)
    linked = 0
    with transaction.atomic():
        if good:
            linked = ingest(column, good, skipped)
        cursor = page.cursor if page.cursor is not None else column.cursor
        done = lease.finish(
            cursor=cursor,
            next_poll_at=due,
            last_polled_at=timezone.now(),
            failures=0,
            last_error="",
            items_seen=F("items_seen") + len(good),
            items_new=F("items_new") + linked,
        )
        if not done:
            # Another worker holds the column now: it reads these items again.
            raise leases.LeaseLost(f"Column {column.pk}: lease lost before storing")
    if linked:
        # A live read is small and already in the worker: its alerts need not wait a round.
        alerting.check_campaign(column.campaign, limit=linked)
    return linked


def ingest(column: Column, items: Sequence[RemoteItem], skipped: int) -> int:
    """Send items through the archive's pipeline as one live capture; link them to the column.

    Return how many the column had not brought in before.
    """
    from houseboat.listening.imports import finish, houseboat_version

    now = timezone.now()
    capture = Capture.objects.create(
        campaign=column.campaign,
        kind=CaptureKind.LIVE,
        format=column.network,
        source_name=f"column {column.pk}: {column.title}"[:255],
        tool_version=f"houseboat {houseboat_version()}, connector {column.network}",
        actor_label="worker",
        state=CaptureState.RUNNING,
        started_at=now,
        heartbeat_at=now,
    )
    Pipeline(column.campaign, capture).write(list(items))
    finish(capture, skipped=skipped)
    return link_items(column, items)


def link_items(column: Column, items: Sequence[RemoteItem]) -> int:
    """Link the stored items to the column (once each); return how many links are new."""
    by_network: dict[str, list[str]] = {}
    for item in items:
        by_network.setdefault(item.network, []).append(item.remote_id)
    ids: list[int] = []
    for network, remote_ids in by_network.items():
        ids += Item.objects.filter(
            campaign=column.campaign, network=network, remote_id__in=remote_ids
        ).values_list("pk", flat=True)
    known = set(
        ColumnItem.objects.filter(column=column, item_id__in=ids).values_list("item_id", flat=True)
    )
    # Oldest first, so the newest item gets the highest link id (read marks rely on it).
    fresh = sorted(set(ids) - known)
    ColumnItem.objects.bulk_create(
        [ColumnItem(column=column, item_id=pk) for pk in fresh], ignore_conflicts=True
    )
    return len(fresh)


# --- when a read fails ----------------------------------------------------------------


def wait_for_limit(column: Column, lease: leases.Lease, error: RateLimited) -> None:
    """Come back when the network said; a rate limit is not a failure of the column."""
    until = max(error.until, timezone.now() + timedelta(seconds=1))
    lease.finish(
        next_poll_at=until,
        last_polled_at=timezone.now(),
        last_error=f"{error} Reading again at {until:%H:%M} UTC."[:600],
    )


def failed(column: Column, lease: leases.Lease, message: str) -> None:
    """Wait longer after each failure in a row; pause the column after MAX_FAILURES."""
    failures = column.failures + 1
    if failures >= MAX_FAILURES:
        pause(
            column,
            lease,
            f"Paused after {failures} failed reads in a row. The last: {message} "
            "Resume the column once that is fixed.",
            failures=failures,
        )
        return
    wait = min(timedelta(seconds=column.interval_seconds * 2**failures), LONGEST_WAIT)
    lease.finish(
        failures=failures,
        last_error=message[:600],
        last_polled_at=timezone.now(),
        next_poll_at=timezone.now() + wait,
    )


def pause(column: Column, lease: leases.Lease, reason: str, *, failures: int | None = None) -> None:
    """Stop polling the column and say why, in words a person can act on."""
    lease.finish(
        paused=True,
        pause_reason=reason[:600],
        last_error=reason[:600],
        last_polled_at=timezone.now(),
        failures=column.failures + 1 if failures is None else failures,
    )
