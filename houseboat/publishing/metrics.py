"""After publishing: read each sent post's counts back from its network, on a schedule.

Every sent delivery on a channel whose connector declares ``"metrics"`` gets a
``MetricSchedule`` row; a reading is due 1 hour, 6 hours, 1 day, 3 days and 7 days
after it was sent, then collecting stops. Every reading is kept as a ``MetricSample``,
so the analysis can draw how a post travelled.

The worker step claims due rows with a lease (as the dispatcher does), asks each
channel's connector for the counts of its posts in one call per batch, and writes
the samples and the next due times in a few set-based queries. One channel's trouble
never stops the others: a network that asks to slow down is asked again when it
allows; a revoked token is shown on the Channels page and the channel is skipped until
someone reconnects it.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

import httpx
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from houseboat.connectors.base import (
    AuthRevoked,
    ConnectorError,
    Metrics,
    NotSupported,
    PermissionMissing,
    RateLimited,
)
from houseboat.connectors.constants import ChannelStatus
from houseboat.connectors.models import Channel
from houseboat.connectors.registry import CONNECTORS, manifest
from houseboat.core import leases
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery, MetricSample, MetricSchedule

logger = logging.getLogger(__name__)

# When readings are due, counted from the moment the post went out.
SCHEDULE: tuple[timedelta, ...] = (
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(days=1),
    timedelta(days=3),
    timedelta(days=7),
)
# Posts sent longer ago than the last reading (and a day's grace for a stopped worker)
# are not enrolled: an install that gains this feature does not read its whole past.
ENROL_WINDOW = SCHEDULE[-1] + timedelta(days=1)
# Rows one worker claims at a time, and the posts one connector call asks about.
BATCH = 200
CHUNK = 100
# Short, renewed by the worker's heartbeat while it lives (houseboat.core.leases).
LEASE = timedelta(seconds=30)
# After a failure that is not a rate limit, try a channel's rows again this much later.
RETRY_AFTER = timedelta(minutes=30)
# A channel waiting to be reconnected is looked at again this much later.
RECONNECT_WAIT = timedelta(hours=6)


@cache
def metric_networks() -> tuple[str, ...]:
    """Return the networks whose connector declares that it reports metrics."""
    return tuple(network for network in CONNECTORS if "metrics" in manifest(network)["can"])


def next_due(sent_at: datetime, step: int, now: datetime) -> tuple[int, datetime | None]:
    """Return the step after ``step`` whose time is still ahead, and when it is due.

    A reading that came late (a stopped worker) skips the steps it overran, so a post
    is never read twice in a row for steps that are both past.
    """
    for later in range(step + 1, len(SCHEDULE)):
        due = sent_at + SCHEDULE[later]
        if due > now:
            return later, due
    return len(SCHEDULE), None


# --- enrol and claim ----------------------------------------------------------------------


def enrol(now: datetime, *, limit: int = BATCH * 5) -> int:
    """Give each recently sent delivery on a metrics channel its schedule row."""
    fresh = list(
        Delivery.objects.filter(
            state=DeliveryState.SENT,
            sent_at__gte=now - ENROL_WINDOW,
            metric_schedule__isnull=True,
            variant__channel__network__in=metric_networks(),
        )
        .exclude(remote_id="")
        .values_list("pk", "sent_at")[:limit]
    )
    rows = [
        MetricSchedule(delivery_id=pk, step=0, next_at=sent_at + SCHEDULE[0])
        for pk, sent_at in fresh
    ]
    # Two workers may enrol the same delivery; the one-per-delivery key keeps one row.
    MetricSchedule.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _due(now: datetime) -> Q:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return Q(next_at__lte=now) & free


def claim(name: str, now: datetime, *, limit: int = BATCH) -> list[MetricSchedule]:
    """Claim up to ``limit`` due rows for this worker and return them with their posts.

    The UPDATE re-checks that each row is still free, so a row another worker took in
    between is not taken twice; the lease lets a crashed worker's rows be taken again.
    """
    lease_owner = f"{name}:{uuid.uuid4().hex}"
    ids = leases.claim(
        MetricSchedule.objects.filter(_due(now)),
        _due(now),
        lease_owner,
        values={},
        order_by=("next_at", "pk"),
        limit=limit,
        seconds=LEASE.total_seconds(),
        now=now,
    )
    if not ids:
        return []
    return list(
        MetricSchedule.objects.filter(lease_owner=lease_owner)
        .select_related("delivery__variant__channel")
        .order_by("delivery_id")
    )


# --- collect ------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a round decided: samples to write and rows to move on."""

    now: datetime
    samples: list[MetricSample] = field(default_factory=list)
    rows: list[MetricSchedule] = field(default_factory=list)

    def sampled(self, row: MetricSchedule, counts: Metrics) -> None:
        """Keep a reading and move the row to its next step (or end it)."""
        delivery = row.delivery
        self.samples.append(
            MetricSample(
                delivery=delivery,
                captured_at=self.now,
                replies=counts.replies,
                reposts=counts.reposts,
                likes=counts.likes,
                quotes=counts.quotes,
                views=counts.views,
            )
        )
        row.step, row.next_at = next_due(delivery.sent_at or self.now, row.step, self.now)
        self.done(row, "")

    def stop(self, row: MetricSchedule, reason: str) -> None:
        """End collecting for this row, saying why."""
        row.next_at = None
        self.done(row, reason)

    def later(self, row: MetricSchedule, at: datetime, reason: str) -> None:
        """Ask again at ``at``, unless that is past the last reading: then stop."""
        sent_at = row.delivery.sent_at or self.now
        if at > sent_at + ENROL_WINDOW:
            self.stop(row, reason)
            return
        row.next_at = at
        self.done(row, reason)

    def done(self, row: MetricSchedule, reason: str) -> None:
        row.last_error = reason[:600]
        row.lease_owner, row.lease_until = "", None
        self.rows.append(row)


def collect_channel(
    channel: Channel | None,
    rows: Sequence[MetricSchedule],
    outcome: Outcome,
    transport: httpx.BaseTransport | None = None,
) -> None:
    """Read the counts of one channel's claimed posts, a chunk per call.

    Errors end here, recorded on the rows (and the channel, where a person must act);
    they never reach the other channels.
    """
    now = outcome.now
    if channel is None:
        for row in rows:
            outcome.stop(row, "The channel was removed.")
        return
    if channel.status == ChannelStatus.NEEDS_RECONNECT:
        for row in rows:
            outcome.later(row, now + RECONNECT_WAIT, channel.last_error or "Reconnect the channel.")
        return
    if channel.is_rate_limited:
        for row in rows:
            outcome.later(row, channel.rate_limited_until, "Waiting for the network's rate limit.")
        return
    pending = list(rows)
    try:
        connector = channel.connector(transport=transport)
        while pending:
            chunk, rest = pending[:CHUNK], pending[CHUNK:]
            found = connector.metrics([row.delivery.published() for row in chunk])
            for row in chunk:
                counts = found.get(row.delivery.remote_id)
                if counts is None:
                    outcome.stop(row, "The post is no longer on the network (deleted or hidden).")
                else:
                    outcome.sampled(row, counts)
            pending = rest
    except RateLimited as error:
        # Not recorded on the channel: reading counts must not hold back publishing.
        for row in pending:
            outcome.later(row, error.until, str(error))
    except (AuthRevoked, PermissionMissing) as error:
        channel.record_error(error)
        for row in pending:
            outcome.later(row, now + RECONNECT_WAIT, str(error))
    except NotSupported as error:
        for row in pending:
            outcome.stop(row, str(error))
    except ConnectorError as error:
        for row in pending:
            outcome.later(row, now + RETRY_AFTER, str(error))
    except Exception:
        logger.exception("Reading metrics of channel %s failed unexpectedly", channel.pk)
        for row in pending:
            outcome.later(row, now + RETRY_AFTER, "houseboat hit an internal error; it will retry.")


def collect(
    name: str, *, now: datetime | None = None, transport: httpx.BaseTransport | None = None
) -> int:
    """Enrol, claim one batch, read it channel by channel, write the results; return
    how many readings were kept."""
    now = now or timezone.now()
    enrol(now)
    rows = claim(name, now)
    if not rows:
        return 0
    owner = rows[0].lease_owner  # before the outcome clears it on each row
    by_channel: dict[int | None, list[MetricSchedule]] = defaultdict(list)
    for row in rows:
        by_channel[row.delivery.variant.channel_id].append(row)
    outcome = Outcome(now)
    for channel_rows in by_channel.values():
        collect_channel(channel_rows[0].delivery.variant.channel, channel_rows, outcome, transport)
    with transaction.atomic():
        # Only rows this worker still holds: one whose lease was lost is another's now.
        held = set(
            MetricSchedule.objects.select_for_update()
            .filter(pk__in=[row.pk for row in outcome.rows], lease_owner=owner)
            .values_list("pk", flat=True)
        )
        kept = {row.delivery_id for row in outcome.rows if row.pk in held}
        samples = [sample for sample in outcome.samples if sample.delivery_id in kept]
        MetricSample.objects.bulk_create(samples)
        MetricSchedule.objects.bulk_update(
            [row for row in outcome.rows if row.pk in held],
            ["step", "next_at", "last_error", "lease_owner", "lease_until"],
        )
    for row in rows:
        leases.KEEPER.drop(MetricSchedule, row.pk, owner)
    return len(samples)


def collect_due(worker_name: str) -> int:
    """Worker step: keep the counts of sent posts that are due a reading."""
    return collect(worker_name)


def history(delivery: Delivery) -> list[MetricSample]:
    """Return every reading of one delivery, oldest first."""
    return list(MetricSample.objects.filter(delivery=delivery).order_by("captured_at", "pk"))
