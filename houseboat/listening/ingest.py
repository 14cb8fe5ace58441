"""The one ingest pipeline: live reads and file imports both end here.

Records arrive as :class:`~houseboat.connectors.base.RemoteItem` (optionally wrapped
in :class:`Captured`, which adds when the record was captured and its media files)
and go through the same steps, one batch and one transaction at a time:

    normalise → de-duplicate → entities and language → hash → store → roll-ups

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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from itertools import islice
from typing import Any, NamedTuple

import orjson
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Model
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import Metrics, RemoteItem
from houseboat.listening import entities, language
from houseboat.listening.constants import MediaKind
from houseboat.listening.models import (
    MAX_PAIRED_TAGS,
    Author,
    AuthorCount,
    Capture,
    HashtagPair,
    HourlyCount,
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


class AlertInput(NamedTuple):
    """What the safety app's alerts read of an item."""

    network: str
    remote_id: str
    text: str
    language: str


@dataclass
class Prepared:
    """One record ready to store: normalised, with entities, language and hash."""

    source: Captured
    key: tuple[str, str]
    text: str
    language: str
    created_at: datetime | None
    captured_at: datetime
    hashtags: list[str]
    mentions: list[str]
    links: list[str]
    metrics: dict[str, int]
    raw: bytes
    raw_sha256: str
    origin: str | None = None

    @property
    def item(self) -> RemoteItem:
        return self.source.item

    @cached_property
    def tag_keys(self) -> list[str]:
        """The hashtags as they are counted (see :func:`entities.tag_key`), sorted, once each."""
        return sorted({entities.tag_key(t) for t in self.hashtags} - {""})


@dataclass
class BatchResult:
    read: int = 0
    items_new: int = 0
    items_known: int = 0
    snapshots_new: int = 0
    media_stored: int = 0
    alerts_new: int = 0


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


def prepare(incoming: Incoming, now: datetime) -> Prepared:
    """Normalise one record: entities and language where missing, raw payload hashed."""
    source = incoming if isinstance(incoming, Captured) else Captured(incoming)
    if source.restored is not None:
        return prepare_restored(source, now)
    item = source.item
    text = item.text or ""
    body = canonical_json(dict(item.raw))
    return Prepared(
        source=source,
        key=(item.network, item.remote_id),
        text=text,
        language=(item.language or language.detect(text))[:16],
        created_at=aware(item.created_at),
        captured_at=aware(source.captured_at) or now,
        hashtags=entities.unique(entities.strip_hash(t) for t in item.hashtags)
        or entities.hashtags(text),
        mentions=entities.unique(m.lstrip("@") for m in item.mentions) or entities.mentions(text),
        links=entities.unique(item.links) or entities.links(text),
        metrics=metrics_dict(item.metrics),
        raw=zlib.compress(body, 6),
        raw_sha256=hashlib.sha256(body).hexdigest(),
    )


def prepare_restored(source: Captured, now: datetime) -> Prepared:
    """Take a restored record's stored fields as they are; derive nothing."""
    item, restored = source.item, source.restored
    assert restored is not None
    return Prepared(
        source=source,
        key=(item.network, item.remote_id),
        text=item.text or "",
        language=restored.language[:16],
        created_at=aware(item.created_at),
        captured_at=aware(source.captured_at) or now,
        hashtags=list(restored.hashtags),
        mentions=list(restored.mentions),
        links=list(restored.links),
        metrics=dict(restored.metrics),
        raw=zlib.compress(restored.raw_json, 6),
        raw_sha256=restored.raw_sha256,
        origin=restored.origin,
    )


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


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


# --- media files --------------------------------------------------------------------------


def store_media_file(opener: MediaOpener, *, max_bytes: int = MAX_MEDIA_BYTES) -> tuple[str, int]:
    """Copy a media file into the archive under its SHA-256 and return (sha256, size).

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
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_name, 0o444)
            os.replace(tmp_name, final)
        return sha256, size
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


# --- the pipeline -------------------------------------------------------------------------


class Pipeline:
    """Write batches of records into one campaign's archive, for one capture."""

    def __init__(
        self, campaign: Campaign, capture: Capture, *, max_media_bytes: int = MAX_MEDIA_BYTES
    ):
        self.campaign = campaign
        self.capture = capture
        self.digest = capture.payloads_sha256 or ZERO_DIGEST
        self.max_media_bytes = max_media_bytes
        if connection.vendor == "sqlite":
            # A page cache of 64 MiB instead of SQLite's 2 MiB: the unique and search
            # indexes of a million items no longer fit in 2 MiB, and each insert then
            # reads its index pages back from the file. Bounded, so memory stays flat.
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

    def write(self, batch: Sequence[Incoming]) -> BatchResult:
        """Store one batch in one transaction and advance the capture's position past it."""
        now = timezone.now()
        prepared = [prepare(record, now) for record in batch]
        digest = chain_digest(self.digest, prepared)
        firsts, repeats = split_repeats(prepared)
        result = BatchResult(read=len(prepared))
        staged = self._stage_media(firsts)
        with transaction.atomic():
            self._lock_campaign()
            known = self._known([p.key for p in firsts])
            fresh = [p for p in firsts if p.key not in known]
            authors = self._store_authors(fresh)
            self._store_items(fresh, authors)
            new_ids = self._known([p.key for p in fresh])
            inserted = [p for p in fresh if p.key in new_ids]
            known.update(new_ids)
            self._store_hashtags(inserted, new_ids)
            result.media_stored = self._store_media(inserted, new_ids, staged)
            later = [p for p in firsts if p.key not in new_ids] + repeats
            later = [p for p in later if p.key in known]
            result.snapshots_new = self._store_snapshots(later, known)
            self._roll_up(inserted, authors)
            result.alerts_new = self._evaluate_alerts(inserted)
            result.items_new = len(inserted)
            result.items_known = len(prepared) - len(inserted)
            self._advance(result, digest, now)
        self.digest = digest
        return result

    # -- the steps, each a few set-based queries

    def _lock_campaign(self) -> None:
        # Two imports into one campaign take turns batch by batch, so the "is it new?"
        # answer stays true until the batch commits (SQLite has one writer anyway).
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
        for network, remote_ids in by_network.items():
            rows = Item.objects.filter(
                campaign=self.campaign, network=network, remote_id__in=remote_ids
            ).values_list("remote_id", "id", "raw_sha256")
            for remote_id, pk, sha in rows:
                found[(network, remote_id)] = (pk, sha)
        return found

    def _store_authors(self, records: Sequence[Prepared]) -> dict[tuple[str, str], int]:
        """Insert unseen authors and return the id of every author of these records."""
        wanted: dict[tuple[str, str], tuple[Any, ...]] = {}
        now = timezone.now()
        for record in records:
            key = author_key(record.item)
            if key and key not in wanted:
                author = record.item.author
                assert author is not None
                restored = record.source.restored
                first_seen = (
                    restored.author_first_seen
                    if restored is not None and restored.author_first_seen is not None
                    else now
                )
                wanted[key] = (
                    key[0],
                    key[1],
                    author.handle[:255],
                    author.display_name,
                    author.url,
                    first_seen,
                )
        if not wanted:
            return {}
        insert_rows(Author, AUTHOR_COLUMNS, list(wanted.values()))
        ids: dict[tuple[str, str], int] = {}
        by_network: dict[str, list[str]] = defaultdict(list)
        for network, remote_id in wanted:
            by_network[network].append(remote_id)
        for network, remote_ids in by_network.items():
            rows = Author.objects.filter(network=network, remote_id__in=remote_ids)
            for remote_id, pk in rows.values_list("remote_id", "id"):
                ids[(network, remote_id)] = pk
        return ids

    def _store_items(
        self, records: Sequence[Prepared], authors: Mapping[tuple[str, str], int]
    ) -> None:
        rows = []
        for record in records:
            item = record.item
            key = author_key(item)
            rows.append(
                (
                    self.campaign.pk,
                    item.network,
                    item.remote_id,
                    item.url,
                    authors.get(key) if key else None,
                    record.text,
                    record.language,
                    record.created_at,
                    item.reply_to_id[:255],
                    item.repost_of_id[:255],
                    item.quote_of_id[:255],
                    record.hashtags,
                    record.mentions,
                    record.links,
                    bool(item.media),
                    record.metrics,
                    record.raw,
                    record.raw_sha256,
                    record.captured_at,
                    self.capture.pk,
                    record.origin,
                )
            )
        insert_rows(Item, ITEM_COLUMNS, rows)

    def _store_hashtags(
        self, records: Sequence[Prepared], ids: Mapping[tuple[str, str], tuple[int, str]]
    ) -> None:
        rows = []
        for record in records:
            item_id = ids[record.key][0]
            for tag in record.tag_keys:
                rows.append((item_id, self.campaign.pk, tag, record.created_at))
        insert_rows(ItemHashtag, ("item", "campaign", "tag", "created_at"), rows)

    def _stage_media(self, records: Sequence[Prepared]) -> dict[tuple, tuple[str, int]]:
        """Copy the media files of the records not archived yet, before the transaction.

        Copies (up to 2 GiB each) inside it held SQLite's write lock for their whole
        length. Files are stored under their SHA-256, so a copy the transaction then does
        not use is harmless; the rows that point at them are written inside it.
        """
        if not any(record.source.media_files for record in records):
            return {}
        known = self._known([record.key for record in records])
        staged = {}
        for record in records:
            if record.key in known:
                continue
            for media in record.item.media:
                opener = record.source.media_files.get(media.url)
                if opener is not None and (record.key, media.url) not in staged:
                    staged[(record.key, media.url)] = store_media_file(
                        opener, max_bytes=self.max_media_bytes
                    )
        return staged

    def _store_media(
        self,
        records: Sequence[Prepared],
        ids: Mapping[tuple[str, str], tuple[int, str]],
        staged: Mapping[tuple, tuple[str, int]],
    ) -> int:
        """Attach media to new items; their files were copied into the archive before."""
        links, blobs = [], {}
        for record in records:
            item_id = ids[record.key][0]
            for position, media in enumerate(record.item.media):
                sha256 = None
                opener = record.source.media_files.get(media.url)
                if opener is not None:
                    found = staged.get((record.key, media.url))
                    sha256, size = found or store_media_file(  # a record that raced us
                        opener, max_bytes=self.max_media_bytes
                    )
                    restored = record.source.restored
                    blobs[sha256] = MediaBlob(
                        sha256=sha256,
                        size=size,
                        mime_type=restored.media_types.get(media.url, "")
                        if restored is not None
                        else mimetypes.guess_type(media.url)[0] or "",
                    )
                kind = media.kind if media.kind in MediaKind.values else MediaKind.FILE
                links.append((item_id, position, kind, media.url, media.alt, sha256))
        MediaBlob.objects.bulk_create(blobs.values(), ignore_conflicts=True)
        insert_rows(ItemMedia, ("item", "position", "kind", "url", "alt", "blob"), links)
        return len(blobs)

    def _store_snapshots(
        self, records: Sequence[Prepared], known: Mapping[tuple[str, str], tuple[int, str]]
    ) -> int:
        """Keep each differing later capture of a known item once; return how many are new."""
        candidates: dict[tuple[int, str], Prepared] = {}
        for record in records:
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
        """Add the new items to the roll-ups (hours, authors, hashtag pairs), one upsert each."""
        counts: Counter[tuple[datetime, str]] = Counter()
        posts: Counter[int] = Counter()
        reposts: Counter[int] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        for record in records:
            tags = record.tag_keys
            if record.created_at is not None:
                hour = hour_of(record.created_at)
                counts[(hour, "")] += 1
                for tag in tags:
                    counts[(hour, tag)] += 1
            key = author_key(record.item)
            if key and key in authors:
                posts[authors[key]] += 1
                if record.item.repost_of_id:
                    reposts[authors[key]] += 1
            paired = tags[:MAX_PAIRED_TAGS]
            for tag in paired:
                for other in paired:
                    if other != tag:
                        pairs[(tag, other)] += 1
        campaign = self.campaign.pk
        if counts:
            add_hourly_counts(campaign, counts)
        upsert_counts(
            AuthorCount,
            ("campaign_id", "author_id"),
            ("posts", "reposts"),
            [(campaign, a, n, reposts[a]) for a, n in sorted(posts.items())],
        )
        upsert_counts(
            HashtagPair,
            ("campaign_id", "tag", "other"),
            ("count",),
            [(campaign, tag, other, n) for (tag, other), n in sorted(pairs.items())],
        )

    def _evaluate_alerts(self, records: Sequence[Prepared]) -> int:
        """Raise harassment, threat and doxxing alerts on what is new (the last step)."""
        from houseboat.safety.alerts import raise_alerts

        return raise_alerts(
            self.campaign.team,
            self.campaign,
            [AlertInput(p.key[0], p.key[1], p.text, p.language) for p in records],
        )

    def _advance(self, result: BatchResult, digest: str, now: datetime) -> None:
        Capture.objects.filter(pk=self.capture.pk).update(
            position=F("position") + result.read,
            records_read=F("records_read") + result.read,
            items_new=F("items_new") + result.items_new,
            items_known=F("items_known") + result.items_known,
            snapshots_new=F("snapshots_new") + result.snapshots_new,
            media_stored=F("media_stored") + result.media_stored,
            payloads_sha256=digest,
            heartbeat_at=now,
        )


def split_repeats(records: Sequence[Prepared]) -> tuple[list[Prepared], list[Prepared]]:
    """Split a batch into the first record of each key and the repeats after it."""
    seen: set[tuple[str, str]] = set()
    firsts, repeats = [], []
    for record in records:
        (repeats if record.key in seen else firsts).append(record)
        seen.add(record.key)
    return firsts, repeats


def author_key(item: RemoteItem) -> tuple[str, str] | None:
    """Return (network, id) of the item's author; the handle stands in for a missing id."""
    author = item.author
    if author is None:
        return None
    remote_id = (author.remote_id or author.handle)[:200]
    return (item.network, remote_id) if remote_id else None


AUTHOR_COLUMNS = ("network", "remote_id", "handle", "display_name", "url", "first_seen_at")
ITEM_COLUMNS = (
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


def insert_rows(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows, skipping those that break a unique constraint, with one executemany.

    Django's bulk_create does the same with per-value work that costs more than the
    database itself on a batch of thousands; here only JSON, binary and time values
    are converted, once each (see :func:`converter`).
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    head = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(f.column) for f in fields)}) VALUES "
    )
    marks = f"({', '.join(['%s'] * len(fields))})"
    converters = [(i, c) for i, f in enumerate(fields) if (c := converter(f)) is not None]
    params = []
    for row in rows:
        values = list(row)
        for i, convert in converters:
            if values[i] is not None:
                values[i] = convert(values[i])
        params.append(values)
    with connection.cursor() as cursor:
        # One statement run per row: in-process on SQLite, pipelined by psycopg 3 on
        # PostgreSQL (many-row VALUES was slower there: psycopg parses each long query).
        cursor.executemany(f"{head}{marks} ON CONFLICT DO NOTHING", params)


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


def converter(field: Any) -> Callable[[Any], Any] | None:
    """Return how to turn a Python value into what the database driver takes, or None.

    The common cases are done here directly: through Django's field methods they cost
    several times the insert itself (settings and connection look-ups per value). Any
    other field, or another database, goes through the field's own conversion.
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
            from psycopg.types.json import Jsonb

            return lambda value: Jsonb(value, dumps=json_text)
        if kind == "BinaryField":
            return bytes
    real = connections[connection.alias]
    return lambda value: field.get_db_prep_save(value, real)


def upsert_counts(
    model: type[Model], keys: Sequence[str], counts: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Add rows of counts to a roll-up table: one INSERT … ON CONFLICT DO UPDATE, run per row.

    Rows must come sorted by their keys, so two writers take row locks in the same order.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*keys, *counts]
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in counts)
    # Table and column names come from the model through Django's quoting; values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


def add_hourly_counts(campaign_id: int, counts: Mapping[tuple[datetime, str], int]) -> None:
    """Add to the hourly counts with one INSERT … ON CONFLICT DO UPDATE (SQLite and PostgreSQL)."""
    table = connection.ops.quote_name(HourlyCount._meta.db_table)
    count = connection.ops.quote_name("count")
    # Table and column names come from Django's own quoting, values are parameters.
    sql = (
        f"INSERT INTO {table} (campaign_id, hour, hashtag, {count}) VALUES (%s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (campaign_id, hour, hashtag) "
        f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    adapt = connection.ops.adapt_datetimefield_value
    # Sorted, so two writers always take row locks in the same order.
    rows = [(campaign_id, adapt(hour), tag, n) for (hour, tag), n in sorted(counts.items())]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
