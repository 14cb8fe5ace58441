"""Retention: an owner purges a campaign's archive, whole or what is older than a date.

A purge deletes the items, everything hanging off them (hashtag rows, media links,
later captures; the full-text index follows by its triggers on SQLite and its
expression index on PostgreSQL), the media files no item of any campaign still uses,
and rebuilds the campaign's roll-ups from what is left. The chain of custody is never
touched: the purge appends its own record saying how many items went and the cutoff,
and the audit log gets an ``archive_purged`` event.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from houseboat.campaigns.models import Campaign
from houseboat.core.constants import AuditAction
from houseboat.core.models import User
from houseboat.core.services import audit
from houseboat.listening import analytics, custody
from houseboat.listening.imports import houseboat_version
from houseboat.listening.models import (
    Item,
    ItemHashtag,
    ItemMedia,
    MediaBlob,
    MetricSnapshot,
    blob_path,
)

logger = logging.getLogger(__name__)
CHUNK = 1000


@dataclass(frozen=True)
class Purge:
    """What a purge takes: a campaign's items, all of them or those older than ``before``."""

    campaign: Campaign
    before: date | None = None  # None: the whole archive

    @property
    def cutoff(self) -> datetime | None:
        """Return the first moment kept: midnight UTC at the start of ``before``."""
        return datetime.combine(self.before, time.min, tzinfo=UTC) if self.before else None

    def items(self) -> QuerySet[Item]:
        """Return the items this purge deletes.

        An item counts by when it was posted; one whose posting time is unknown, by
        when it was captured.
        """
        items = Item.objects.filter(campaign=self.campaign)
        if self.cutoff is None:
            return items
        return items.filter(
            Q(created_at__lt=self.cutoff) | Q(created_at__isnull=True, captured_at__lt=self.cutoff)
        )

    def describe(self) -> str:
        if self.before is None:
            return "every item"
        return f"items posted before {self.before.isoformat()}"


@dataclass(frozen=True)
class PurgeResult:
    items: int
    media_files: int
    custody_seq: int


def purge_archive(
    purge: Purge, *, actor: User | None = None, request: HttpRequest | None = None
) -> PurgeResult:
    """Delete the items the purge names, record it in custody and audit, then remove files."""
    campaign = purge.campaign
    with transaction.atomic():
        blobs: set[str] = set()
        deleted = 0
        ids = list(purge.items().values_list("id", flat=True))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            blobs.update(
                ItemMedia.objects.filter(item_id__in=chunk, blob__isnull=False).values_list(
                    "blob_id", flat=True
                )
            )
            ItemHashtag.objects.filter(item_id__in=chunk).delete()
            ItemMedia.objects.filter(item_id__in=chunk).delete()
            MetricSnapshot.objects.filter(item_id__in=chunk).delete()
            deleted += Item.objects.filter(id__in=chunk).delete()[1].get("listening.Item", 0)
        unused = sorted(
            blobs
            - set(ItemMedia.objects.filter(blob_id__in=blobs).values_list("blob_id", flat=True))
        )
        MediaBlob.objects.filter(sha256__in=unused).delete()
        rebuild_rollups(campaign)
        label = actor.get_username() if actor else "command line"
        record = custody.append(
            {
                "action": "purge",
                "by": label,
                "team": campaign.team.slug,
                "campaign": campaign.slug,
                "tool": f"houseboat {houseboat_version()}",
                "scope": "all" if purge.before is None else "before",
                "before": purge.cutoff.isoformat() if purge.cutoff else None,
                "items_purged": deleted,
                "media_files_removed": len(unused),
            }
        )
        audit(
            AuditAction.ARCHIVE_PURGED,
            request=request,
            actor=actor,
            team=campaign.team,
            target=campaign.slug,
            detail=f"{deleted} items purged, {purge.describe()}; custody record {record.seq}",
        )
        transaction.on_commit(lambda: remove_files(unused))
    return PurgeResult(deleted, len(unused), record.seq)


def remove_files(names: list[str]) -> None:
    """Remove media files from disk once the rows that named them are gone for good."""
    for sha256 in names:
        # A concurrent import may have stored the same file again in the meantime.
        if MediaBlob.objects.filter(sha256=sha256).exists():
            continue
        path = blob_path(sha256)
        try:
            os.chmod(path, 0o644)
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            logger.warning("Could not remove a purged media file: %s", exc.strerror)


# --- roll-ups -----------------------------------------------------------------------------


def rebuild_rollups(campaign: Campaign) -> None:
    """Count the campaign's roll-ups again from its items, as the ingest pipeline counts them."""
    analytics.rebuild(campaign)
