"""The chain of custody: an append-only, hash-chained record of every capture.

Each record holds a statement (canonical JSON: who, when, what source, which tool,
the SHA-256 of the source file, a chain over the SHA-256 of every raw payload read,
and the SHA-256 of every media file stored) and the hash of the record before it:

    record_hash = SHA-256(prev_hash ‖ "\\n" ‖ statement)

so editing, removing or reordering any record breaks every hash from there on.
The first record's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from houseboat.listening.ingest import canonical_json
from houseboat.listening.models import Capture, CustodyRecord, Item, MediaBlob

GENESIS = "0" * 64
PAYLOAD_CHAIN = (
    "d0 = 64 zeros; d_i = SHA-256(d_(i-1) || SHA-256(payload_i)) over the bytes of the digests; "
    "payload_i is the canonical JSON (sorted keys, no spaces, UTF-8) of the i-th record read"
)


def chain_hash(prev_hash: str, statement: str) -> str:
    """Return the hash that links a statement to the record before it."""
    return hashlib.sha256(f"{prev_hash}\n{statement}".encode()).hexdigest()


def append(statement: dict[str, Any], *, capture: Capture | None = None) -> CustodyRecord:
    """Append a record to the chain; two writers at once never fork it (seq is unique)."""
    for _attempt in range(10):
        try:
            with transaction.atomic():
                last = CustodyRecord.objects.order_by("-seq").first()
                seq = last.seq + 1 if last else 1
                prev_hash = last.record_hash if last else GENESIS
                now = timezone.now()
                body = canonical_json({**statement, "seq": seq, "at": now.isoformat()})
                text = body.decode("utf-8")
                return CustodyRecord.objects.create(
                    seq=seq,
                    created_at=now,
                    capture=capture,
                    statement=text,
                    prev_hash=prev_hash,
                    record_hash=chain_hash(prev_hash, text),
                )
        except IntegrityError:
            continue  # another writer took this seq first: chain onto theirs
    raise RuntimeError("Could not append to the chain of custody: too many writers at once.")


def capture_statement(capture: Capture) -> dict[str, Any]:
    """Return what the custody record of a finished capture says."""
    campaign = capture.campaign
    media = sorted(
        MediaBlob.objects.filter(uses__item__capture=capture)
        .values_list("sha256", flat=True)
        .distinct()
    )
    return {
        "action": capture.kind,
        "by": capture.actor_label,
        "team": campaign.team.slug,
        "campaign": campaign.slug,
        "capture": capture.pk,
        "format": capture.format,
        "tool": capture.tool_version,
        "source": {
            "name": capture.source_name,
            "sha256": capture.source_sha256,
            "size": capture.source_size,
        },
        "payloads": {
            "count": capture.records_read,
            "chain_sha256": capture.payloads_sha256,
            "chain": PAYLOAD_CHAIN,
        },
        "items_new": capture.items_new,
        "items_known": capture.items_known,
        "snapshots_new": capture.snapshots_new,
        "records_skipped": capture.records_skipped,
        "media_sha256": media,
        # What the import skipped (why, where) and corrected; only when there is something.
        **({"report": capture.report} if capture.report else {}),
    }


def record_capture(capture: Capture) -> CustodyRecord:
    """Write the custody record of a finished capture."""
    return append(capture_statement(capture), capture=capture)


def verify_chain(records: Iterable[CustodyRecord] | None = None) -> list[str]:
    """Check every link of the chain; return the problems found (none: the chain holds)."""
    if records is None:
        records = CustodyRecord.objects.order_by("seq").iterator()
    problems = []
    expected_seq, prev_hash = 1, GENESIS
    for record in records:
        if record.seq != expected_seq:
            problems.append(
                f"Custody record {expected_seq} is missing (the next one is {record.seq})."
            )
        if record.prev_hash != prev_hash:
            problems.append(f"Custody record {record.seq} does not follow the record before it.")
        if chain_hash(record.prev_hash, record.statement) != record.record_hash:
            problems.append(f"Custody record {record.seq} was changed after it was written.")
        else:
            try:
                stated_seq = json.loads(record.statement).get("seq")
            except (ValueError, AttributeError):
                stated_seq = None
            if stated_seq != record.seq:
                problems.append(f"Custody record {record.seq} carries the wrong number.")
        expected_seq, prev_hash = record.seq + 1, record.record_hash
    return problems


def verify_payloads(items: Iterable[Item] | None = None) -> list[str]:
    """Recompute the SHA-256 of stored raw payloads; return the items whose payload changed."""
    if items is None:
        items = Item.objects.only("id", "network", "remote_id", "raw", "raw_sha256").iterator()
    problems = []
    for item in items:
        try:
            body = zlib.decompress(bytes(item.raw))
        except zlib.error:
            problems.append(f"The raw payload of {item} cannot be read.")
            continue
        if hashlib.sha256(body).hexdigest() != item.raw_sha256:
            problems.append(f"The raw payload of {item} does not match its SHA-256.")
    return problems
