"""Alerts on what the archive stored: a worker step over the items not yet checked.

The ingest pipeline stores items and leaves the threat, slur and doxxing check to
this step, so a big import is not slowed by it (about 70 µs an item) and the check
runs on the worker's other core meanwhile. Each campaign has a checkpoint, the id
of the last item checked; the step reads the items past it in id order, asks the
safety app which raise an alert, and stores those alerts and the new checkpoint in
one transaction. So every item is checked once even across a crash (a check that
did not commit is done again), and the alert's own uniqueness (one per item and
campaign) keeps two workers, or a check done again, from raising it twice.

Why id order is safe: items of one campaign are written batch by batch under a lock
on the campaign's row (see :class:`~houseboat.listening.ingest.Pipeline`), and the
step takes that lock before it reads, so no batch with lower ids can still be on
its way when the step moves the checkpoint past them. The items of an import that
is still running wait until it has finished (a file found bad part-way takes its
items out again); the items after them wait too, so the checkpoint stays simple.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.listening.constants import CaptureKind, CaptureState
from houseboat.listening.models import AlertCheckpoint, Capture, Item

CHECK_BATCH = 2000


def check_new_items(name: str) -> int:
    """Worker step: check up to CHECK_BATCH new items for alerts; return how many were checked."""
    checked = 0
    for campaign in Campaign.objects.select_related("team").order_by("pk"):
        checked += check_campaign(campaign, limit=CHECK_BATCH - checked)
        if checked >= CHECK_BATCH:
            break
    return checked


def check_campaign(campaign: Campaign, *, limit: int = CHECK_BATCH) -> int:
    """Check the campaign's items past its checkpoint (up to limit); return how many."""
    from houseboat.safety.services import raise_alerts

    if limit <= 0:
        return 0
    checkpoint, _ = AlertCheckpoint.objects.get_or_create(campaign=campaign)
    start = checkpoint.item_id
    with transaction.atomic():
        # Waits for a batch of this campaign still being written (its lower ids).
        list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk"))
        rows = list(
            Item.objects.filter(campaign=campaign, id__gt=start)
            .order_by("id")
            .values_list("id", "network", "remote_id", "text", "language", "capture_id")[:limit]
        )
        rows = before_running_imports(rows)
    if not rows:
        return 0
    records = [ItemText(*row[1:5]) for row in rows]
    try:
        with transaction.atomic():
            # The texts are matched before anything is written, so SQLite's write lock
            # is held only for the inserts, not while an import waits for it.
            raise_alerts(campaign.team, campaign, records)
            moved = AlertCheckpoint.objects.filter(pk=checkpoint.pk, item_id=start).update(
                item_id=rows[-1][0]
            )
            if moved != 1:
                raise CheckedMeanwhile
    except CheckedMeanwhile:
        return 0
    return len(rows)


class CheckedMeanwhile(Exception):
    """Another worker moved the checkpoint first: its alerts stand, ours are rolled back."""


def before_running_imports(rows: list[tuple]) -> list[tuple]:
    """Return the rows before the first item of an import still running.

    An import found bad part-way takes its items out again ("nothing was imported"):
    they are checked once the import has finished, not raised on and then removed.
    """
    from houseboat.listening.imports import LEASE

    captures = {row[-1] for row in rows if row[-1] is not None}
    # An import that stopped writing for longer than its lease has crashed: its items
    # stay (it resumes where it stopped), so they are checked.
    running = set(
        Capture.objects.filter(
            pk__in=captures,
            kind=CaptureKind.IMPORT,
            state=CaptureState.RUNNING,
            heartbeat_at__gt=timezone.now() - LEASE,
        ).values_list("pk", flat=True)
    )
    for index, row in enumerate(rows):
        if row[-1] in running:
            return rows[:index]
    return rows


class ItemText:
    """What the safety app reads of a stored item."""

    __slots__ = ("language", "network", "remote_id", "text")

    def __init__(self, network: str, remote_id: str, text: str, language: str):
        self.network, self.remote_id, self.text, self.language = network, remote_id, text, language


def check_all(campaign: Campaign) -> int:
    """Check every item of the campaign not yet checked (for live reads and tests)."""
    total = 0
    while checked := check_campaign(campaign):
        total += checked
    return total
