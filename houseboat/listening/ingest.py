"""The one ingest pipeline: live reads and file imports both end here.

Records arrive as :class:`~houseboat.connectors.base.RemoteItem` (optionally wrapped
in :class:`Captured`, which adds when the record was captured and its media files)
and go through the same steps, one batch and one transaction at a time:

    normalise → de-duplicate → entities and language → hash → store → roll-ups

Alerts are not raised here: the worker checks what was stored, after it was stored
(see :mod:`houseboat.listening.alerting`).

Everything is set-based: a batch of 2,000 items costs about ten queries, whatever
its size, and nothing is held in memory beyond the batch.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
import tempfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Model
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import Metrics, RemoteItem
from houseboat.listening import entities, language
from houseboat.listening.analytics import Rollups, count_items, team_handles
from houseboat.listening.constants import MediaKind
from houseboat.listening.models import (
    Author,
    Capture,
    Item,
    ItemHashtag,
    ItemMedia,
    MediaBlob,
    MetricSnapshot,
    archive_dir,
    blob_path,
)
from houseboat.listening.records import Captured, Incoming, MediaOpener

BATCH_SIZE = 2000
SQLITE_CACHE_KIB = 64 * 1024
ZERO_DIGEST = "0" * 64
MAX_MEDIA_BYTES = 2 * 1024**3
# Raw payloads are short (about 1.4 kB of JSON a post): level 1 compresses one in 21 µs
# instead of 24 at level 6, for 4 % more bytes (642 instead of 617 on the bench's posts).
# Any level reads back the same way.
ZLIB_LEVEL = 1


@dataclass(slots=True)
class PreparedMedia:
    """A picture, video or file of a record; sha256 is set when its file was copied in."""

    url: str
    kind: str
    alt: str
    sha256: str | None = None
    size: int = 0
    mime_type: str = ""
    new_file: bool = False  # the copy put a new file in the archive (not one already there)


@dataclass(slots=True)
class Prepared:
    """One record ready to store: normalised, with entities, language, hash, media copied.

    Plain values only (no raw payload beyond its compressed bytes), so a batch is cheap
    to hand from the process that reads and prepares to the one that writes.
    """

    key: tuple[str, str]
    url: str
    author: tuple[str, str, str, str] | None  # (id or handle, handle, display name, url)
    author_first_seen: datetime | None
    text: str
    language: str
    created_at: datetime | None
    captured_at: datetime
    reply_to_id: str
    repost_of_id: str
    quote_of_id: str
    hashtags: list[str]
    mentions: list[str]
    links: list[str]
    tag_keys: list[str]  # the hashtags as counted (see entities.tag_key), sorted, once each
    media: list[PreparedMedia]
    metrics: dict[str, int]
    raw: bytes
    raw_sha256: str
    origin: str | None = None


@dataclass
class BatchResult:
    read: int = 0
    items_new: int = 0
    items_known: int = 0
    snapshots_new: int = 0
    media_stored: int = 0


# --- the pure steps (no database) ---------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """Return value as canonical JSON: keys sorted, no spaces, UTF-8.

    The bytes are those of ``json.dumps(value, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False, default=str)``, which every stored SHA-256 was taken over.
    orjson writes the same bytes about 2.5 times faster for what payloads hold
    (strings, integers, booleans, null, plain decimals), so it goes first; where the
    two could differ (a float written with an exponent or as 0.0000…, NaN or an
    infinity, which orjson writes as null, an integer past 64 bits, a key that is not
    a string) the standard library writes the payload instead.
    """
    try:
        body = orjson.dumps(value, option=CANONICAL, default=str)
    except TypeError:
        body = b""
    if not body or b"null" in body or b"0.0000" in body or EXPONENT.search(body):
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        ).encode("utf-8")
    return body


CANONICAL = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)
# Where orjson's bytes may differ from the standard library's: floats with an exponent
# (1e+16 / 1e16, which orjson writes as e and a digit or a minus), tiny ones
# (1e-05 / 0.00001), and null (a NaN becomes null). A text that only looks like these
# ("e-mail", "null") costs the slower path, never a different hash. (A search for
# "e" then a digit or minus is five times faster than one for a digit before it.)
EXPONENT = re.compile(rb"e[-0-9]")


def check(item: RemoteItem) -> str:
    """Return why a record cannot be stored, or "" when it can."""
    if not item.network:
        return "it names no network"
    if not item.remote_id:
        return "it has no id"
    if len(item.remote_id) > 200:
        return "its id is longer than 200 characters"
    return ""


def metrics_dict(metrics: Metrics) -> dict[str, int]:
    """Return the counts the network gave, leaving out those it did not."""
    return {name: value for name, value in vars(metrics).items() if value is not None}


def aware(moment: datetime | None) -> datetime | None:
    """Return the moment with a time zone; a naive one is taken as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def prepare(
    incoming: Incoming, now: datetime, *, max_media_bytes: int = MAX_MEDIA_BYTES
) -> Prepared:
    """Normalise one record: entities and language where missing, raw payload hashed.

    The language is detected only where the source gave none. Media files the
    source carries are copied into the archive here (named by their SHA-256).
    """
    source = incoming if isinstance(incoming, Captured) else Captured(incoming)
    item, restored = source.item, source.restored
    text = item.text or ""
    if restored is not None:
        language_code = restored.language
        hashtags, mentions, links = (
            list(restored.hashtags),
            list(restored.mentions),
            list(restored.links),
        )
        metrics, body, raw_sha256 = dict(restored.metrics), restored.raw_json, restored.raw_sha256
    else:
        language_code = item.language or language.detect(text)
        hashtags = entities.unique(entities.strip_hash(t) for t in item.hashtags)
        hashtags = hashtags or entities.hashtags(text)
        mentions = entities.unique(m.lstrip("@") for m in item.mentions)
        mentions = mentions or entities.mentions(text)
        links = entities.unique(item.links) or entities.links(text)
        metrics = metrics_dict(item.metrics)
        body = canonical_json(dict(item.raw))
        raw_sha256 = hashlib.sha256(body).hexdigest()
    author = None
    if item.author is not None and (remote_id := (item.author.remote_id or item.author.handle)):
        author = (
            remote_id[:200],
            item.author.handle[:255],
            item.author.display_name,
            item.author.url,
        )
    return Prepared(
        key=(item.network, item.remote_id),
        url=item.url,
        author=author,
        author_first_seen=restored.author_first_seen if restored is not None else None,
        text=text,
        language=language_code[:16],
        created_at=aware(item.created_at),
        captured_at=aware(source.captured_at) or now,
        reply_to_id=item.reply_to_id[:255],
        repost_of_id=item.repost_of_id[:255],
        quote_of_id=item.quote_of_id[:255],
        hashtags=hashtags,
        mentions=mentions,
        links=links,
        tag_keys=sorted({entities.tag_key(t) for t in hashtags} - {""}),
        media=prepare_media(source, max_media_bytes),
        metrics=metrics,
        raw=zlib.compress(body, ZLIB_LEVEL),
        raw_sha256=raw_sha256,
        origin=restored.origin if restored is not None else None,
    )


def prepare_media(source: Captured, max_bytes: int) -> list[PreparedMedia]:
    """Return the record's media, each file the source carries copied into the archive."""
    media = []
    for medium in source.item.media:
        prepared = PreparedMedia(
            url=medium.url,
            kind=medium.kind if medium.kind in MediaKind.values else MediaKind.FILE,
            alt=medium.alt,
        )
        opener = source.media_files.get(medium.url)
        if opener is not None:
            prepared.sha256, prepared.size, prepared.new_file = store_media_file(
                opener, max_bytes=max_bytes
            )
            restored = source.restored
            prepared.mime_type = (
                restored.media_types.get(medium.url, "")
                if restored is not None
                else mimetypes.guess_type(medium.url)[0] or ""
            )
        media.append(prepared)
    return media


def chain_digest(digest: str, records: Iterable[Prepared]) -> str:
    """Extend the payload chain: d_i = SHA-256(d_(i-1) ‖ SHA-256(payload_i)), as bytes."""
    value = bytes.fromhex(digest)
    for record in records:
        value = hashlib.sha256(value + bytes.fromhex(record.raw_sha256)).digest()
    return value.hex()


def batched(records: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Yield lists of up to size records, reading no further ahead than one batch."""
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


# --- media files --------------------------------------------------------------------------


def store_media_file(
    opener: MediaOpener, *, max_bytes: int = MAX_MEDIA_BYTES
) -> tuple[str, int, bool]:
    """Copy a media file into the archive under its SHA-256; return (sha256, size, new).

    ``new`` says the file was not in the archive before.

    The file is written to a temporary name and moved into place, so a crash never
    leaves half a file under a hash name; a file already there is never overwritten.
    """
    tmp_dir = archive_dir() / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir)
    try:
        with os.fdopen(fd, "wb") as out, opener() as stream:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise ValueError(f"a media file is larger than {max_bytes // 1024**2} MB")
                digest.update(chunk)
                out.write(chunk)
        sha256 = digest.hexdigest()
        final = blob_path(sha256)
        if final.exists():
            os.unlink(tmp_name)
            return sha256, size, False
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp_name, 0o444)
        os.replace(tmp_name, final)
        return sha256, size, True
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


# --- the pipeline -------------------------------------------------------------------------


class Pipeline:
    """Write batches of records into one campaign's archive, for one capture.

    Each batch is one transaction of a few set-based statements: look up which keys
    are known, insert the authors not yet met, the new items with ids given up front
    (so their hashtag and media rows need no second look-up), later captures of known
    items, and the roll-ups. The writer of a campaign holds its lock for the batch.
    """

    def __init__(
        self, campaign: Campaign, capture: Capture, *, max_media_bytes: int = MAX_MEDIA_BYTES
    ):
        self.campaign = campaign
        self.capture = capture
        self.digest = capture.payloads_sha256 or ZERO_DIGEST
        self.max_media_bytes = max_media_bytes
        # Authors met in this run: ids of shared rows that are never deleted, so they
        # stay right; bounded, so memory stays flat on archives of millions of accounts.
        self.author_ids: dict[tuple[str, str], int] = {}
        self.team_handles: frozenset[str] | None = None  # read at the first batch
        if connection.vendor == "sqlite":
            # A page cache of 64 MiB instead of SQLite's 2 MiB: the unique and search
            # indexes of a million items no longer fit in 2 MiB, and each insert then
            # reads its index pages back from the file. Bounded, so memory stays flat.
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

    def write(self, batch: Sequence[Incoming | Prepared]) -> BatchResult:
        """Store one batch in one transaction and advance the capture's position past it."""
        now = timezone.now()
        prepared = [
            record
            if isinstance(record, Prepared)
            else prepare(record, now, max_media_bytes=self.max_media_bytes)
            for record in batch
        ]
        digest = chain_digest(self.digest, prepared)
        firsts, repeats = split_repeats(prepared)
        result = BatchResult(read=len(prepared))
        with transaction.atomic():
            self._lock_campaign(now)
            known = self._known([p.key for p in firsts])
            fresh = [p for p in firsts if p.key not in known]
            authors = self._store_authors(fresh, now)
            ids = self._store_items(fresh, authors)
            self._store_hashtags(fresh, ids)
            result.media_stored = self._store_media(fresh, ids)
            known.update({p.key: (ids[p.key], p.raw_sha256) for p in fresh})
            result.snapshots_new = self._store_snapshots(
                [p for p in firsts if p.key not in ids] + repeats, known
            )
            self._forget_unused_files([p for p in prepared if p.key not in ids])
            self._roll_up(fresh, authors)
            result.items_new = len(fresh)
            result.items_known = len(prepared) - len(fresh)
            self._advance(result, digest)
        self.digest = digest
        return result

    # -- the steps, each a few set-based statements

    def _lock_campaign(self, now: datetime) -> None:
        # Two imports into one campaign take turns batch by batch, so the "is it new?"
        # answer stays true until the batch commits, and items get ids in commit order
        # (the alert check relies on it). On SQLite the heartbeat, a write, takes the
        # database's one write lock before anything is read.
        Capture.objects.filter(pk=self.capture.pk).update(heartbeat_at=now)
        if connection.vendor != "sqlite":
            list(
                Campaign.objects.select_for_update()
                .filter(pk=self.campaign.pk)
                .values_list("pk", flat=True)
            )

    def _known(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
        """Return (id, raw_sha256) of the items of this campaign with these keys."""
        by_network: dict[str, list[str]] = defaultdict(list)
        for network, remote_id in keys:
            by_network[network].append(remote_id)
        found: dict[tuple[str, str], tuple[int, str]] = {}
        table = connection.ops.quote_name(Item._meta.db_table)
        with connection.cursor() as cursor:
            for network, remote_ids in by_network.items():
                for start in range(0, len(remote_ids), LOOKUP_CHUNK):
                    chunk = remote_ids[start : start + LOOKUP_CHUNK]
                    # Raw SQL: the ORM's query building costs more than the look-up here.
                    cursor.execute(
                        f"SELECT remote_id, id, raw_sha256 FROM {table} "  # noqa: S608
                        f"WHERE campaign_id = %s AND network = %s "
                        f"AND remote_id IN ({', '.join(['%s'] * len(chunk))})",
                        [self.campaign.pk, network, *chunk],
                    )
                    for remote_id, pk, sha in cursor.fetchall():
                        found[(network, remote_id)] = (pk, sha)
        return found

    def _store_authors(
        self, records: Sequence[Prepared], now: datetime
    ) -> dict[tuple[str, str], int]:
        """Insert unseen authors and return the id of every author of these records."""
        wanted: dict[tuple[str, str], tuple[Any, ...]] = {}
        needed: set[tuple[str, str]] = set()
        for record in records:
            if record.author is None:
                continue
            key = (record.key[0], record.author[0])
            needed.add(key)
            if key not in self.author_ids and key not in wanted:
                wanted[key] = (*key, *record.author[1:], record.author_first_seen or now)
        if len(self.author_ids) + len(wanted) > MAX_AUTHORS_REMEMBERED:
            # Forget the authors of earlier batches, keeping those this batch needs.
            self.author_ids = {k: v for k, v in self.author_ids.items() if k in needed}
        if wanted:
            insert_rows(Author, AUTHOR_COLUMNS, list(wanted.values()))
            by_network: dict[str, list[str]] = defaultdict(list)
            for network, remote_id in wanted:
                by_network[network].append(remote_id)
            for network, remote_ids in by_network.items():
                rows = Author.objects.filter(network=network, remote_id__in=remote_ids)
                for remote_id, pk in rows.values_list("remote_id", "id"):
                    self.author_ids[(network, remote_id)] = pk
        return self.author_ids

    def _store_items(
        self, records: Sequence[Prepared], authors: Mapping[tuple[str, str], int]
    ) -> dict[tuple[str, str], int]:
        """Insert the new items with ids taken up front; return their ids by key."""
        if not records:
            return {}
        ids = dict(zip((r.key for r in records), next_ids(Item, len(records)), strict=True))
        campaign, capture = self.campaign.pk, self.capture.pk
        rows = [
            (
                ids[record.key],
                campaign,
                record.key[0],
                record.key[1],
                record.url,
                authors.get((record.key[0], record.author[0])) if record.author else None,
                record.text,
                record.language,
                record.created_at,
                record.reply_to_id,
                record.repost_of_id,
                record.quote_of_id,
                record.hashtags,
                record.mentions,
                record.links,
                bool(record.media),
                record.metrics,
                record.raw,
                record.raw_sha256,
                record.captured_at,
                capture,
                record.origin,
            )
            for record in records
        ]
        # No conflict is possible (the keys were looked up under the lock): one would
        # be a bug, and fails the batch loudly instead of storing rows without an item.
        insert_rows(Item, ITEM_COLUMNS, rows, conflicts=False)
        return ids

    def _store_hashtags(
        self, records: Sequence[Prepared], ids: Mapping[tuple[str, str], int]
    ) -> None:
        campaign = self.campaign.pk
        rows = [
            (ids[record.key], campaign, tag, record.created_at)
            for record in records
            for tag in record.tag_keys
        ]
        insert_rows(ItemHashtag, ("item", "campaign", "tag", "created_at"), rows, conflicts=False)

    def _store_media(self, records: Sequence[Prepared], ids: Mapping[tuple[str, str], int]) -> int:
        """Attach media to new items; the files were copied into the archive when prepared."""
        links, blobs = [], {}
        for record in records:
            item_id = ids[record.key]
            for position, media in enumerate(record.media):
                if media.sha256 is not None:
                    blobs[media.sha256] = MediaBlob(
                        sha256=media.sha256, size=media.size, mime_type=media.mime_type
                    )
                links.append((item_id, position, media.kind, media.url, media.alt, media.sha256))
        if blobs:
            MediaBlob.objects.bulk_create(blobs.values(), ignore_conflicts=True)
        insert_rows(ItemMedia, ("item", "position", "kind", "url", "alt", "blob"), links)
        return len(blobs)

    def _forget_unused_files(self, records: Sequence[Prepared]) -> None:
        """Remove media files copied in for records that were not new and that nothing uses."""
        copied = {m.sha256 for r in records for m in r.media if m.new_file and m.sha256}
        if not copied:
            return
        used = set(MediaBlob.objects.filter(sha256__in=copied).values_list("sha256", flat=True))
        unused = copied - used
        if unused:
            transaction.on_commit(lambda: remove_unused_files(unused))

    def _store_snapshots(
        self, records: Sequence[Prepared], known: Mapping[tuple[str, str], tuple[int, str]]
    ) -> int:
        """Keep each differing later capture of a known item once; return how many are new."""
        candidates: dict[tuple[int, str], Prepared] = {}
        for record in records:
            if record.key not in known:
                continue
            item_id, first_sha = known[record.key]
            if record.raw_sha256 != first_sha:
                candidates.setdefault((item_id, record.raw_sha256), record)
        if not candidates:
            return 0
        existing = set(
            MetricSnapshot.objects.filter(
                item_id__in={item_id for item_id, _ in candidates},
                raw_sha256__in={sha for _, sha in candidates},
            ).values_list("item_id", "raw_sha256")
        )
        rows = [
            MetricSnapshot(
                item_id=item_id,
                capture=self.capture,
                captured_at=record.captured_at,
                metrics=record.metrics,
                raw=record.raw,
                raw_sha256=sha,
                origin=record.origin,
            )
            for (item_id, sha), record in candidates.items()
            if (item_id, sha) not in existing
        ]
        MetricSnapshot.objects.bulk_create(rows, ignore_conflicts=True)
        return len(rows)

    def _roll_up(self, records: Sequence[Prepared], authors: Mapping[tuple[str, str], int]) -> None:
        """Add the new items to the roll-ups (hours, authors, hashtag pairs)."""
        if self.team_handles is None:
            self.team_handles = team_handles(self.campaign)
        rollups = Rollups(self.team_handles)
        for record in records:
            author = record.author
            rollups.add(
                record.created_at,
                authors.get((record.key[0], author[0])) if author else None,
                bool(record.repost_of_id),
                record.tag_keys,
                network=record.key[0],
                language=record.language,
                links=record.links,
                mentions=record.mentions,
            )
        rollups.save(self.campaign.pk)

    def _advance(self, result: BatchResult, digest: str) -> None:
        Capture.objects.filter(pk=self.capture.pk).update(
            position=F("position") + result.read,
            records_read=F("records_read") + result.read,
            items_new=F("items_new") + result.items_new,
            items_known=F("items_known") + result.items_known,
            snapshots_new=F("snapshots_new") + result.snapshots_new,
            media_stored=F("media_stored") + result.media_stored,
            payloads_sha256=digest,
        )


LOOKUP_CHUNK = 5000  # keys per look-up query, well under SQLite's limit of parameters
MAX_AUTHORS_REMEMBERED = 200_000


def remove_unused_files(names: set[str]) -> None:
    """Remove media files no row names (copied in for a record that turned out known)."""
    for sha256 in names:
        if MediaBlob.objects.filter(sha256=sha256).exists():
            continue  # stored by another import meanwhile
        path = blob_path(sha256)
        try:
            os.chmod(path, 0o644)
            path.unlink()
        except OSError:
            pass  # gone already; a leftover file harms nothing but space


def split_repeats(records: Sequence[Prepared]) -> tuple[list[Prepared], list[Prepared]]:
    """Split a batch into the first record of each key and the repeats after it."""
    seen: set[tuple[str, str]] = set()
    firsts, repeats = [], []
    for record in records:
        (repeats if record.key in seen else firsts).append(record)
        seen.add(record.key)
    return firsts, repeats


def next_ids(model: type[Model], count: int) -> range | list[int]:
    """Take count new primary keys of a table, in order, for rows inserted in this transaction.

    SQLite: the table is AUTOINCREMENT and the caller holds the write lock, so the next
    ids are those after the larger of the sequence and the largest id. PostgreSQL: the
    values are taken from the column's sequence (never handed out twice).
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            cursor.execute(f"SELECT max(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            last = max(row[0] if row else 0, cursor.fetchone()[0] or 0)
            return range(last + 1, last + 1 + count)
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


AUTHOR_COLUMNS = ("network", "remote_id", "handle", "display_name", "url", "first_seen_at")
ITEM_COLUMNS = (
    "id",
    "campaign",
    "network",
    "remote_id",
    "url",
    "author",
    "text",
    "language",
    "created_at",
    "reply_to_id",
    "repost_of_id",
    "quote_of_id",
    "hashtags",
    "mentions",
    "links",
    "has_media",
    "metrics",
    "raw",
    "raw_sha256",
    "captured_at",
    "capture",
    "origin",
)


def insert_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflicts: bool = True,
) -> None:
    """Insert rows with one prepared statement run for all of them (COPY on PostgreSQL).

    ``conflicts``: rows that break a unique constraint are skipped (ON CONFLICT DO
    NOTHING); without it a conflict is an error, and PostgreSQL takes the rows by COPY,
    its fastest way in. Django's bulk_create does the same with per-value work that
    costs more than the database itself on a batch of thousands; here only JSON,
    binary and time values are converted, once each (see :func:`converter`).
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)
    copy = connection.vendor == "postgresql" and not conflicts
    converters = [
        (i, c) for i, f in enumerate(fields) if (c := converter(f, copy=copy)) is not None
    ]
    params = []
    for row in rows:
        values = list(row)
        for i, convert in converters:
            if values[i] is not None:
                values[i] = convert(values[i])
        params.append(values)
    with connection.cursor() as cursor:
        if copy:
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as stream:
                for values in params:
                    stream.write_row(values)
            return
        marks = ", ".join(["%s"] * len(fields))
        tail = " ON CONFLICT DO NOTHING" if conflicts else ""
        # One statement run per row: in-process on SQLite, pipelined by psycopg 3 on
        # PostgreSQL (many-row VALUES was slower there: psycopg parses each long query).
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}){tail}", params)  # noqa: S608


NEEDS_CONVERSION = {"JSONField", "BinaryField", "DateTimeField"}


def json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # an integer past 64 bits, say: the standard library takes anything
        return json.dumps(value)


def sqlite_datetime(value: datetime) -> str:
    # What Django's SQLite backend stores: naive UTC, str() of the datetime.
    if value.tzinfo is UTC:  # what parsers give: no conversion needed
        return value.replace(tzinfo=None).isoformat(" ")
    return str(value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value)


def converter(field: Any, *, copy: bool = False) -> Callable[[Any], Any] | None:
    """Return how to turn a Python value into what the database driver takes, or None.

    The common cases are done here directly: through Django's field methods they cost
    several times the insert itself (settings and connection look-ups per value). Any
    other field, or another database, goes through the field's own conversion.
    ``copy``: for PostgreSQL's COPY, which reads JSON as text.
    """
    kind = field.get_internal_type()
    if kind not in NEEDS_CONVERSION:
        return None
    vendor = connection.vendor
    plain_json = kind == "JSONField" and field.encoder is None
    if vendor == "sqlite" and settings.USE_TZ:
        if kind == "DateTimeField":
            return sqlite_datetime
        if plain_json:
            return json_text
        if kind == "BinaryField":
            return bytes
    if vendor == "postgresql":
        if kind == "DateTimeField":
            return lambda value: value if value.tzinfo else value.replace(tzinfo=UTC)
        if plain_json:
            if copy:
                return json_text
            from psycopg.types.json import Jsonb

            return lambda value: Jsonb(value, dumps=json_text)
        if kind == "BinaryField":
            return bytes
    real = connections[connection.alias]
    return lambda value: field.get_db_prep_save(value, real)


# --- undoing a capture --------------------------------------------------------------------

UNDO_CHUNK = 1000


def undo_capture(capture: Capture) -> int:
    """Take out everything a capture stored, so a file found bad part-way imports nothing.

    Removed: the items it stored first (with their hashtag rows, media links and later
    captures), the later captures it added to older items, media files nothing else
    uses, and its part of the roll-ups; its position goes back to the start. Items
    other captures stored first are untouched. Return how many items were removed.
    """
    items = Item.objects.filter(capture=capture)
    with transaction.atomic():
        list(Campaign.objects.select_for_update().filter(pk=capture.campaign_id).values_list("pk"))
        count_items(
            items,
            ItemHashtag.objects.filter(item__capture=capture),
            team_handles(capture.campaign),
        ).save(capture.campaign_id, sign=-1)
        blobs: set[str] = set()
        removed = 0
        MetricSnapshot.objects.filter(capture=capture).delete()
        while ids := list(items.values_list("id", flat=True)[:UNDO_CHUNK]):
            blobs.update(
                ItemMedia.objects.filter(item_id__in=ids, blob__isnull=False).values_list(
                    "blob_id", flat=True
                )
            )
            ItemHashtag.objects.filter(item_id__in=ids).delete()
            ItemMedia.objects.filter(item_id__in=ids).delete()
            MetricSnapshot.objects.filter(item_id__in=ids).delete()
            removed += Item.objects.filter(id__in=ids).delete()[1].get("listening.Item", 0)
        unused = blobs - set(
            ItemMedia.objects.filter(blob_id__in=blobs).values_list("blob_id", flat=True)
        )
        MediaBlob.objects.filter(sha256__in=unused).delete()
        Capture.objects.filter(pk=capture.pk).update(
            position=0,
            records_read=0,
            items_new=0,
            items_known=0,
            snapshots_new=0,
            media_stored=0,
            payloads_sha256="",
        )
        if unused:
            transaction.on_commit(lambda: remove_unused_files(unused))
    return removed
