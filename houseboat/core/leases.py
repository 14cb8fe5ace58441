"""One work protocol for every leased job: claim, keep alive, re-check, release.

A job is a row with a ``lease_owner`` and a ``lease_until`` column (a delivery, an
import job, a metric reading). A worker

1. claims rows that are due with :func:`claim` — ``SELECT … FOR UPDATE SKIP LOCKED``
   on PostgreSQL, a conditional UPDATE that must change exactly one row on SQLite —
   and holds each under a short lease (30 s by default);
2. keeps the lease alive while it lives: the process's :class:`Keeper` renews every
   lease it holds every ``HEARTBEAT`` seconds, so a dead worker's rows come back
   within a lease, not after the slowest job's worst case;
3. re-checks and renews the lease immediately before every side effect
   (:meth:`Lease.confirm`, and :func:`before_side_effect` inside a connector, before
   each request that may change something on a network); a lease found lost raises
   :class:`LeaseLost` and the job is dropped, never carried out: the worker that took
   the row over decides;
4. writes its outcome only while it still holds the lease (:meth:`Lease.finish`).

Long waits inside a job (a network processing a video) go through :func:`wait`, which
renews the job's lease between short naps and stops at once if it was lost.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import close_old_connections, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from houseboat.env import envint

logger = logging.getLogger(__name__)

# A lease lasts this long unless renewed; renewed this often while its worker lives.
LEASE_SECONDS = envint("HOUSEBOAT_LEASE_SECONDS", 30)
HEARTBEAT_SECONDS = envint("HOUSEBOAT_LEASE_HEARTBEAT_SECONDS", 10)


class LeaseLost(Exception):
    """This worker no longer holds the job: another took it over, or the lease ran out."""


def owner_name(suffix: str = "") -> str:
    """Return a lease owner unique to this process and thread (and ``suffix``)."""
    name = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    return f"{name}/{suffix}" if suffix else name


def lease_length(seconds: float | None = None) -> timedelta:
    return timedelta(seconds=seconds if seconds is not None else LEASE_SECONDS)


# --- claiming --------------------------------------------------------------------------


def claim(
    queryset: models.QuerySet,
    still_claimable: Q,
    owner: str,
    *,
    values: dict[str, Any],
    order_by: tuple[str, ...] = ("pk",),
    limit: int = 1,
    seconds: float | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Claim up to ``limit`` rows of ``queryset`` for ``owner``; return their ids.

    ``queryset`` selects the rows that are due (it may join other tables);
    ``still_claimable`` is the part of that test on the row itself, re-checked by the
    claiming UPDATE on SQLite. ``values`` are set on each claimed row besides the lease
    (they may read the old row: SET sees the values before the UPDATE). The claim
    commits before this returns, and each row joins the process's :class:`Keeper`.
    """
    now = now or timezone.now()
    values = {**values, "lease_owner": owner, "lease_until": now + lease_length(seconds)}
    model = queryset.model
    for _ in range(5):
        with transaction.atomic():
            if connection.features.has_select_for_update_skip_locked:
                ids = list(
                    queryset.select_for_update(skip_locked=True, of=("self",))
                    .order_by(*order_by)
                    .values_list("pk", flat=True)[:limit]
                )
                seen = len(ids)
                if ids:
                    model.objects.filter(pk__in=ids).update(**values)
            else:
                # SQLite has one writer; the transaction begins IMMEDIATE (see settings),
                # and the one-row check still guards each claim.
                # One UPDATE re-checks every candidate; with one row (a sender's claim)
                # it must change exactly one, or the row went to another worker.
                candidates = list(queryset.order_by(*order_by).values_list("pk", flat=True)[:limit])
                seen = len(candidates)
                changed = model.objects.filter(still_claimable, pk__in=candidates).update(**values)
                ids = []
                if changed == len(candidates):
                    ids = candidates
                elif changed:
                    ids = list(
                        model.objects.filter(
                            pk__in=candidates,
                            lease_owner=owner,
                            lease_until=values["lease_until"],
                        ).values_list("pk", flat=True)
                    )
        if ids or not seen:
            break
        # Another worker took every row we saw first: look again.
    for pk in ids:
        KEEPER.hold(model, pk, owner, seconds)
    return ids


def take_one(queryset: models.QuerySet, **values: Any) -> bool:
    """Move one row with a conditional UPDATE; return whether this call changed it.

    For jobs done inside one transaction (a dead-man release): the UPDATE's condition
    is the lease, and only the caller whose UPDATE changed exactly one row goes on.
    """
    return queryset.update(**values) == 1


# --- holding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lease:
    """One claimed row, held by ``owner`` while the lease lasts."""

    model: type[models.Model]
    pk: int
    owner: str
    seconds: float | None = None
    # Extra conditions the row must still meet (its state, say).
    held: Q = field(default_factory=Q)

    def rows(self, now: datetime | None = None) -> models.QuerySet:
        """This row, only while this worker still holds an unexpired lease on it."""
        mine = self.model.objects.filter(self.held, pk=self.pk, lease_owner=self.owner)
        return mine.filter(lease_until__gt=now) if now is not None else mine

    def renew(self, **values: Any) -> bool:
        """Push the lease on (and set ``values``) if still held; return whether it was."""
        now = timezone.now()
        until = now + lease_length(self.seconds)
        return self.rows(now).update(lease_until=until, **values) == 1

    def confirm(self, **values: Any) -> None:
        """Re-check and renew the lease before a side effect; raise LeaseLost if it is gone.

        The UPDATE commits on its own (outside any transaction), so ``values`` (an
        attempt-started mark, say) are on disk before the side effect begins.
        """
        if not self.renew(**values):
            KEEPER.drop(self.model, self.pk, self.owner)
            raise LeaseLost(f"{self.model.__name__} {self.pk}: lease lost to another worker")

    def finish(self, **values: Any) -> bool:
        """Write the outcome and give the lease up, only if still held; return whether."""
        KEEPER.drop(self.model, self.pk, self.owner)
        return self.rows().update(lease_owner="", lease_until=None, **values) == 1


# --- the current job, for connectors ----------------------------------------------------------

_current = threading.local()


@dataclass
class Job:
    """The job a thread works on: its lease, and whether a request may have left."""

    lease: Lease
    request_left: bool = False


@contextmanager
def working_on(lease: Lease) -> Iterator[Job]:
    """Make ``lease`` this thread's current job while the block runs."""
    previous = getattr(_current, "job", None)
    job = _current.job = Job(lease)
    try:
        yield job
    finally:
        _current.job = previous


def current() -> Job | None:
    return getattr(_current, "job", None)


def before_side_effect() -> None:
    """Re-check and renew the current job's lease (if any); raise LeaseLost if lost.

    The HTTP wrapper calls this before each request that may change something on a
    network, so a worker that lost its job never makes a post; from here on a fault
    may come after the network acted.
    """
    job = current()
    if job is not None:
        job.lease.confirm()
        job.request_left = True


def wait(seconds: float) -> None:
    """Sleep, renewing the current job's lease between naps; raise LeaseLost if lost."""
    job = current()
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, HEARTBEAT_SECONDS))
        if job is not None:
            job.lease.confirm()


# --- keeping leases alive ------------------------------------------------------------------------


class Keeper:
    """Renews every lease this process holds, every ``HEARTBEAT_SECONDS``, while it lives.

    A worker that dies stops renewing: its rows are free again within one lease.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[tuple[type[models.Model], int, str], float | None] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def hold(self, model: type[models.Model], pk: int, owner: str, seconds: float | None) -> None:
        with self._lock:
            self._held[(model, pk, owner)] = seconds

    def drop(self, model: type[models.Model], pk: int, owner: str) -> None:
        with self._lock:
            self._held.pop((model, pk, owner), None)

    def held(self) -> list[tuple[type[models.Model], int, str, float | None]]:
        with self._lock:
            return [(*key, seconds) for key, seconds in self._held.items()]

    def renew_all(self) -> int:
        """Renew every held lease that is still ours (one UPDATE per model and owner)."""
        groups: dict[tuple[type[models.Model], str, float | None], list[int]] = {}
        for model, pk, owner, seconds in self.held():
            groups.setdefault((model, owner, seconds), []).append(pk)
        renewed = 0
        now = timezone.now()
        for (model, owner, seconds), pks in groups.items():
            mine = model.objects.filter(pk__in=pks, lease_owner=owner, lease_until__gt=now)
            renewed += mine.update(lease_until=now + lease_length(seconds))
            if renewed < len(pks):  # forget the ones that are no longer ours
                kept = set(
                    model.objects.filter(pk__in=pks, lease_owner=owner).values_list("pk", flat=True)
                )
                for pk in set(pks) - kept:
                    self.drop(model, pk, owner)
        return renewed

    def start(self, interval: float | None = None) -> None:
        """Start the renewing thread (once per process)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run,
                args=(interval or HEARTBEAT_SECONDS,),
                name="houseboat-lease-keeper",
                daemon=True,
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=30)
        self._thread = None

    def _run(self, interval: float) -> None:
        try:
            while not self._stop.wait(interval):
                try:
                    close_old_connections()
                    self.renew_all()
                except Exception:
                    logger.exception("Renewing leases failed; trying again in %ss", interval)
        finally:
            connection.close()


KEEPER = Keeper()
