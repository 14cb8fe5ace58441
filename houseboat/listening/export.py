"""The portable export of a campaign's archive, and its verification.

``houseboat export`` writes a folder any program can read (JSON Lines, plain media
files, a manifest), ``houseboat verify`` checks one, and ``houseboat import
houseboat-export`` restores one into another install. The layout is explained in
the README.txt written into every export (see :data:`README`).

An export is written to a hidden folder beside the target and renamed into place
at the end, so a crash never leaves a half export under the chosen name. Its
files are listed with their SHA-256 and size in ``manifest.json`` (and, for
``sha256sum -c``, in ``SHA256SUMS``); the SHA-256 of the manifest itself goes into
this install's chain of custody.

Items, authors and media come out in an order that depends only on their content
(time, then network and id compared byte by byte), so exporting a restored
archive again gives the same items.jsonl, authors.jsonl and media files.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.db import connection
from django.db.models import F, Prefetch
from django.db.models.functions import Collate
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.listening import custody
from houseboat.listening.imports import houseboat_version
from houseboat.listening.ingest import canonical_json
from houseboat.listening.models import (
    Author,
    CarriedCustodyRecord,
    CustodyRecord,
    Item,
    ItemMedia,
    MetricSnapshot,
    blob_path,
)

FORMAT = "houseboat-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
README_FILE = "README.txt"
ITEMS = "items.jsonl"
ITEMS_PARQUET = "items.parquet"
PARQUET_ROWS = 5000  # rows per row group: a few MB in memory, whatever the archive's size
AUTHORS = "authors.jsonl"
CUSTODY = "custody.jsonl"
MEDIA = "media"
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
CHUNK = 1 << 20
MAX_PROBLEMS = 200


class ExportError(Exception):
    """The export cannot be written or read; the message says why and what to do."""


# --- small helpers ------------------------------------------------------------------------


def iso(moment: datetime | None) -> str | None:
    """Return a moment as ISO 8601 in UTC, or None."""
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def json_line(value: Any) -> bytes:
    """Return one JSON Lines line: keys sorted, UTF-8, no spaces, a newline."""
    return (
        json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        + b"\n"
    )


class HashingFile:
    """A file being written, with its SHA-256 and size taken on the way."""

    def __init__(self, path: Path):
        self.path = path
        self.stream: IO[bytes] = path.open("wb")
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.digest.update(data)
        self.size += len(data)

    def close(self) -> tuple[str, int]:
        self.stream.close()
        return self.digest.hexdigest(), self.size


def payload_fields(compressed: bytes, sha256: str, problems: list[str], where: str) -> dict:
    """Return the raw payload as nested JSON, or as base64 when JSON would not give its bytes back."""
    body = zlib.decompress(bytes(compressed))
    if hashlib.sha256(body).hexdigest() != sha256:
        problems.append(f"{where}: the stored raw payload does not match its SHA-256.")
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    if value is not None and canonical_json(value) == body:
        return {"raw": value, "raw_sha256": sha256}
    return {"raw_base64": base64.b64encode(body).decode("ascii"), "raw_sha256": sha256}


def payload_bytes(entry: dict[str, Any]) -> bytes:
    """Return the canonical bytes of an exported payload (the inverse of payload_fields)."""
    if "raw_base64" in entry:
        return base64.b64decode(entry["raw_base64"], validate=True)
    return canonical_json(entry["raw"])


# --- writing ------------------------------------------------------------------------------


@dataclass
class ExportResult:
    path: Path
    manifest_sha256: str
    counts: dict[str, int]
    problems: list[str]
    custody_seq: int


def bytewise(name: str) -> Collate | F:
    """Order by a text column byte by byte, the same on SQLite and PostgreSQL."""
    if connection.vendor == "postgresql":
        return Collate(name, "C")
    return F(name)  # SQLite compares text with BINARY unless told otherwise


class Writer:
    """Write one campaign's archive into a folder, file by file, noting each file's hash."""

    def __init__(self, campaign: Campaign, folder: Path):
        self.campaign = campaign
        self.folder = folder
        self.files: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = []
        self.counts = {"items": 0, "snapshots": 0, "authors": 0, "media_files": 0, "custody": 0}
        self.media: set[str] = set()
        self.origins = dict(
            CustodyRecord.objects.filter(capture__campaign=campaign)
            .order_by("-seq")
            .values_list("capture_id", "record_hash")
        )

    def open(self, name: str) -> HashingFile:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return HashingFile(path)

    def done(self, name: str, stream: HashingFile) -> None:
        sha256, size = stream.close()
        self.files[name] = {"sha256": sha256, "size": size}

    def origin(self, stored: str | None, capture_id: int | None) -> str:
        if stored is not None:
            return stored
        return self.origins.get(capture_id, "") if capture_id else ""

    # -- items

    def items(self) -> Iterator[Item]:
        snapshots = MetricSnapshot.objects.order_by("captured_at", "raw_sha256")
        media = ItemMedia.objects.select_related("blob").order_by("position")
        return (
            Item.objects.filter(campaign=self.campaign)
            .select_related("author")
            .prefetch_related(Prefetch("media", media), Prefetch("snapshots", snapshots))
            .order_by(
                F("created_at").asc(nulls_first=True), bytewise("network"), bytewise("remote_id")
            )
            .iterator(chunk_size=1000)
        )

    def item_line(self, item: Item) -> dict[str, Any]:
        where = f"item {item.network}:{item.remote_id}"
        author = item.author
        line: dict[str, Any] = {
            "network": item.network,
            "remote_id": item.remote_id,
            "url": item.url,
            "author": author_fields(author) if author else None,
            "text": item.text,
            "language": item.language,
            "created_at": iso(item.created_at),
            "captured_at": iso(item.captured_at),
            "reply_to_id": item.reply_to_id,
            "repost_of_id": item.repost_of_id,
            "quote_of_id": item.quote_of_id,
            "hashtags": item.hashtags,
            "mentions": item.mentions,
            "links": item.links,
            "has_media": item.has_media,
            "metrics": item.metrics,
            "custody": self.origin(item.origin, item.capture_id),
            "media": [self.media_entry(m) for m in item.media.all()],
            "history": [
                {
                    "captured_at": iso(s.captured_at),
                    "metrics": s.metrics,
                    "custody": self.origin(s.origin, s.capture_id),
                    **payload_fields(s.raw, s.raw_sha256, self.problems, f"{where}, history"),
                }
                for s in item.snapshots.all()
            ],
            **payload_fields(item.raw, item.raw_sha256, self.problems, where),
        }
        self.counts["snapshots"] += len(line["history"])
        return line

    def media_entry(self, media: ItemMedia) -> dict[str, Any]:
        blob = media.blob
        if blob is not None:
            self.media.add(blob.sha256)
        return {
            "position": media.position,
            "kind": media.kind,
            "url": media.url,
            "alt": media.alt,
            "sha256": blob.sha256 if blob else None,
            "size": blob.size if blob else None,
            "mime_type": blob.mime_type if blob else None,
        }

    def write_items(self) -> None:
        stream = self.open(ITEMS)
        # Without the "parquet" extra (pyarrow) the export is whole all the same:
        # items.jsonl is the complete record; items.parquet is a copy for analysts.
        table = ParquetItems(self.folder / ITEMS_PARQUET) if parquet_available() else None
        try:
            for item in self.items():
                line = self.item_line(item)
                stream.write(json_line(line))
                if table is not None:
                    table.add(line, item)
                self.counts["items"] += 1
        finally:
            if table is not None:
                table.close()
        self.done(ITEMS, stream)
        if table is not None:
            sha256, size = file_digest(self.folder / ITEMS_PARQUET)
            self.files[ITEMS_PARQUET] = {"sha256": sha256, "size": size}

    # -- authors, media, custody

    def write_authors(self) -> None:
        authors = (
            Author.objects.filter(
                id__in=Item.objects.filter(campaign=self.campaign).values("author_id")
            )
            .order_by(bytewise("network"), bytewise("remote_id"))
            .iterator(chunk_size=2000)
        )
        stream = self.open(AUTHORS)
        for author in authors:
            stream.write(json_line({"network": author.network, **author_fields(author)}))
            self.counts["authors"] += 1
        self.done(AUTHORS, stream)

    def copy_media(self) -> None:
        for sha256 in sorted(self.media):
            name = f"{MEDIA}/{sha256}"
            source = blob_path(sha256)
            if not source.is_file():
                self.problems.append(f"The media file {sha256} is missing from the archive.")
                continue
            stream = self.open(name)
            with source.open("rb") as original:
                while chunk := original.read(CHUNK):
                    stream.write(chunk)
            self.done(name, stream)
            if self.files[name]["sha256"] != sha256:
                self.problems.append(f"The media file {sha256} in the archive was changed.")
            self.counts["media_files"] += 1

    def write_custody(self) -> None:
        stream = self.open(CUSTODY)
        carried = CarriedCustodyRecord.objects.filter(campaign=self.campaign).order_by("position")
        for record in carried.iterator():
            stream.write(json_line(custody_fields(record, record.created_at, "carried")))
            self.counts["custody"] += 1
        own = CustodyRecord.objects.filter(capture__campaign=self.campaign).order_by("seq")
        for record in own.iterator():
            stream.write(json_line(custody_fields(record, iso(record.created_at), "this install")))
            self.counts["custody"] += 1
        self.done(CUSTODY, stream)

    # -- the description of it all

    def write_text(self, name: str, data: bytes) -> None:
        stream = self.open(name)
        stream.write(data)
        self.done(name, stream)

    def write_manifest(self, created_at: datetime) -> str:
        self.write_text(README_FILE, README.encode("utf-8"))
        sums = "".join(f"{entry['sha256']}  {name}\n" for name, entry in sorted(self.files.items()))
        self.write_text(CHECKSUMS, sums.encode("ascii"))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "tool": f"houseboat {houseboat_version()}",
            "created_at": iso(created_at),
            "campaign": {
                "slug": self.campaign.slug,
                "name": self.campaign.name,
                "team": self.campaign.team.slug,
            },
            "counts": self.counts,
            "files": dict(sorted(self.files.items())),
        }
        data = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        (self.folder / MANIFEST).write_bytes(data)
        return hashlib.sha256(data).hexdigest()


METRICS = ("replies", "reposts", "likes", "quotes", "views")


def parquet_available() -> bool:
    """Tell whether pyarrow is installed (the "parquet" extra: pip install 'houseboat[parquet]')."""
    return importlib.util.find_spec("pyarrow") is not None


@cache
def parquet_schema() -> Any:
    """The items.parquet columns (pyarrow is imported only when an export writes them)."""
    import pyarrow as pa

    texts = pa.list_(pa.string())
    utc_time = pa.timestamp("us", tz="UTC")
    return pa.schema(
        [
            ("network", pa.string()),
            ("remote_id", pa.string()),
            ("url", pa.string()),
            ("author_remote_id", pa.string()),
            ("author_handle", pa.string()),
            ("author_name", pa.string()),
            ("text", pa.string()),
            ("language", pa.string()),
            ("created_at", utc_time),
            ("captured_at", utc_time),
            ("reply_to_id", pa.string()),
            ("repost_of_id", pa.string()),
            ("quote_of_id", pa.string()),
            ("hashtags", texts),
            ("mentions", texts),
            ("links", texts),
            ("has_media", pa.bool_()),
            ("media_sha256", texts),
            ("metrics", pa.struct([(name, pa.int64()) for name in METRICS])),
            ("raw_sha256", pa.string()),
            ("custody", pa.string()),
        ]
    )


class ParquetItems:
    """items.parquet: the items as typed columns for analysts, written a row group at a time.

    A convenience copy of items.jsonl without raw payloads and history: items.jsonl
    stays the lossless source, and restoring an export reads only that.
    """

    def __init__(self, path: Path):
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(path, parquet_schema(), compression="zstd")
        self.rows: list[dict[str, Any]] = []

    def add(self, line: dict[str, Any], item: Item) -> None:
        author = line["author"] or {}
        metrics = line["metrics"] or {}
        self.rows.append(
            {
                **{name: line[name] for name in ("network", "remote_id", "url", "text")},
                "author_remote_id": author.get("remote_id"),
                "author_handle": author.get("handle"),
                "author_name": author.get("display_name"),
                "language": line["language"],
                "created_at": item.created_at,
                "captured_at": item.captured_at,
                **{name: line[name] for name in ("reply_to_id", "repost_of_id", "quote_of_id")},
                **{name: [str(v) for v in line[name] or []] for name in ("hashtags", "mentions")},
                "links": [str(v) for v in line["links"] or []],
                "has_media": line["has_media"],
                "media_sha256": [m["sha256"] for m in line["media"] if m["sha256"]],
                "metrics": {name: metric(metrics.get(name)) for name in METRICS},
                "raw_sha256": line["raw_sha256"],
                "custody": line["custody"],
            }
        )
        if len(self.rows) >= PARQUET_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            import pyarrow as pa

            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=parquet_schema()))
            self.rows = []

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.writer.close()


def metric(value: Any) -> int | None:
    """Return a count as an integer, or None where the network gave none (or no number)."""
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def author_fields(author: Author) -> dict[str, Any]:
    return {
        "remote_id": author.remote_id,
        "handle": author.handle,
        "display_name": author.display_name,
        "url": author.url,
        "first_seen_at": iso(author.first_seen_at),
    }


def custody_fields(record: Any, created_at: str | None, origin: str) -> dict[str, Any]:
    return {
        "origin": origin,
        "seq": record.seq,
        "created_at": created_at,
        "statement": record.statement,
        "prev_hash": record.prev_hash,
        "record_hash": record.record_hash,
    }


def prepare_target(out: Path) -> Path:
    """Refuse a target that holds anything; return a fresh hidden folder beside it."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(
            f"{out} already exists and is not an empty folder: choose a new folder for the "
            "export (houseboat never writes over files)."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))


def export_campaign(
    campaign: Campaign, out: Path, *, actor_label: str = "command line"
) -> ExportResult:
    """Write the campaign's archive into the folder ``out`` and record it in the custody chain."""
    out = Path(out).expanduser().absolute()
    partial = prepare_target(out)
    created_at = timezone.now()
    writer = Writer(campaign, partial)
    try:
        writer.write_items()
        writer.write_authors()
        writer.copy_media()
        writer.write_custody()
        manifest_sha256 = writer.write_manifest(created_at)
        if out.exists():
            out.rmdir()
        os.replace(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    record = custody.append(
        {
            "action": "export",
            "by": actor_label,
            "team": campaign.team.slug,
            "campaign": campaign.slug,
            "tool": f"houseboat {houseboat_version()}",
            "format": f"{FORMAT} v{FORMAT_VERSION}",
            "manifest_sha256": manifest_sha256,
            "counts": writer.counts,
            "files": len(writer.files),
            "problems": len(writer.problems),
        }
    )
    return ExportResult(out, manifest_sha256, writer.counts, writer.problems, record.seq)


# --- verifying ----------------------------------------------------------------------------


@dataclass
class Verification:
    """What ``houseboat verify`` found: the problems (none: the export is intact)."""

    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    manifest_sha256: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append("… and more problems; fix those above first.")


def file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def safe_name(name: str) -> bool:
    """Say whether a manifest entry names a path inside the export folder."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def files_on_disk(folder: Path) -> dict[str, Path]:
    """Return every entry under the folder by its relative POSIX name, links included."""
    found = {}
    for root, dirs, names in os.walk(folder):
        base = Path(root)
        for name in names + [d for d in dirs if (base / d).is_symlink()]:
            path = base / name
            found[path.relative_to(folder).as_posix()] = path
    return found


def read_manifest(folder: Path) -> tuple[dict[str, Any], str]:
    """Return the manifest and its SHA-256, or raise ExportError with a sentence."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder: expected the folder houseboat export wrote.")
    if not path.is_file():
        raise ExportError(
            f"{folder} has no {MANIFEST}: it is not a houseboat export, or the manifest was removed."
        )
    data = path.read_bytes()
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise ExportError(f"{MANIFEST} in {folder} is damaged: {exc}.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ExportError(f"{MANIFEST} in {folder} is not the manifest of a houseboat export.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ExportError(
            f"{folder} was written in export format {manifest.get('format_version')!r}; this "
            f"houseboat reads format {FORMAT_VERSION}. Use a houseboat as new as the one that "
            "wrote it."
        )
    if not isinstance(manifest.get("files"), dict):
        raise ExportError(f"{MANIFEST} in {folder} lists no files.")
    return manifest, hashlib.sha256(data).hexdigest()


def verify_export(folder: Path, *, deep: bool = True) -> Verification:
    """Check every file against the manifest; with ``deep``, every payload and custody hash too."""
    folder = Path(folder)
    manifest, manifest_sha256 = read_manifest(folder)
    report = Verification(folder, manifest, manifest_sha256)
    listed: dict[str, Any] = manifest["files"]
    on_disk = files_on_disk(folder)
    on_disk.pop(MANIFEST, None)
    for name in sorted(listed):
        entry = listed[name]
        if not safe_name(name) or not isinstance(entry, dict):
            report.add(f"The manifest names {name!r}, which is not a file inside the export.")
            continue
        path = on_disk.pop(name, None)
        if path is None:
            report.add(f"{name} is missing.")
        elif path.is_symlink() or not path.is_file():
            report.add(f"{name} is a link or a folder, not the file the manifest lists.")
        elif file_digest(path) != (entry.get("sha256"), entry.get("size")):
            report.add(f"{name} changed: its SHA-256 is not the one in the manifest.")
    for name in sorted(on_disk):
        report.add(f"{name} was added: the manifest does not list it.")
    if deep:
        check_items(folder, listed, report)
        check_custody(folder, report)
    return report


def read_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield (line number, value) of a JSON Lines file; a bad line yields the error instead."""
    with path.open("rb") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except ValueError as exc:
                yield number, exc


def check_payload(entry: dict[str, Any]) -> bool:
    try:
        body = payload_bytes(entry)
    except (KeyError, TypeError, ValueError):
        return False
    return hashlib.sha256(body).hexdigest() == entry.get("raw_sha256")


def check_items(folder: Path, listed: dict[str, Any], report: Verification) -> None:
    path = folder / ITEMS
    if not path.is_file():
        return
    for number, line in read_lines(path):
        where = f"{ITEMS} line {number:,}"
        if not isinstance(line, dict):
            report.add(f"{where} is not a JSON object.")
            continue
        where += f" ({line.get('network')}:{line.get('remote_id')})"
        if not check_payload(line):
            report.add(f"{where}: the raw payload does not match its SHA-256.")
        for entry in line.get("history") or []:
            if not isinstance(entry, dict) or not check_payload(entry):
                report.add(f"{where}: a later capture's raw payload does not match its SHA-256.")
        for media in line.get("media") or []:
            sha256 = media.get("sha256") if isinstance(media, dict) else None
            if sha256 and f"{MEDIA}/{sha256}" not in listed:
                report.add(f"{where}: its media file {sha256} is not in the export.")


def check_custody(folder: Path, report: Verification) -> None:
    path = folder / CUSTODY
    if not path.is_file():
        return
    for number, line in read_lines(path):
        where = f"{CUSTODY} line {number:,}"
        if not isinstance(line, dict):
            report.add(f"{where} is not a JSON object.")
            continue
        try:
            expected = custody.chain_hash(str(line["prev_hash"]), str(line["statement"]))
        except KeyError:
            report.add(f"{where} lacks its hashes.")
            continue
        if expected != line.get("record_hash"):
            report.add(
                f"{where} (custody record {line.get('seq')}) was changed after it was written."
            )


README = """\
houseboat export of one campaign's archive
==========================================

This folder was written by houseboat (`houseboat export`). Everything in it is
plain text or plain files, readable without houseboat. Times are ISO 8601 in UTC.
Text files are UTF-8.

manifest.json
    What this is (format "houseboat-export", format_version 1), the houseboat
    version that wrote it, when, which campaign, how many of each thing, and the
    SHA-256 and size in bytes of every other file in the folder. houseboat also
    wrote the SHA-256 of manifest.json into its chain of custody when it made this
    export: compare it with `sha256sum manifest.json` to know that nothing was
    rewritten, the manifest included.

SHA256SUMS
    The same hashes for `sha256sum -c SHA256SUMS` (run it inside this folder).
    `houseboat verify FOLDER` checks the manifest and every hash below, and names
    any file that changed, is missing or was added.

items.jsonl
    One post per line (JSON Lines), oldest first (posts without a time first),
    then by network and id. Fields:
      network, remote_id   the network ("x", "mastodon", "telegram", "facebook",
                           "whatsapp", ...) and the post's id there
      url                  the post on the network, when it has an address
      author               {remote_id, handle, display_name, url, first_seen_at},
                           or null; the same author is one line of authors.jsonl
      text, language       the text; its language as an ISO 639-1 code, or ""
      created_at           when it was posted (null if unknown)
      captured_at          when houseboat (or the export it came from) read it
      reply_to_id, repost_of_id, quote_of_id   ids of related posts, or ""
      hashtags, mentions, links                as found in the post
      has_media, media     the attachments: {position, kind, url, alt, sha256,
                           size, mime_type}; sha256 names the file in media/ when
                           the archive holds the file, null when it only knows
                           its address
      metrics              counts at capture (likes, reposts, replies, quotes,
                           views: those the network gave)
      raw, raw_sha256      the network's own payload, as nested JSON. raw_sha256
                           is the SHA-256 of its canonical form: keys sorted, no
                           spaces, UTF-8, non-ASCII characters not escaped, which
                           in Python is
                             json.dumps(raw, sort_keys=True, separators=(",", ":"),
                                        ensure_ascii=False).encode("utf-8")
                           A payload whose bytes JSON would not give back exactly
                           is written as raw_base64 (those bytes, base64) instead.
      custody              the record_hash of the custody record of the capture
                           that first stored the post ("" if there was none)
      history              later captures of the same post whose payload had
                           changed (new counts, usually): {captured_at, metrics,
                           custody, raw, raw_sha256}, oldest first

items.parquet
    (Only where houseboat was installed with its "parquet" extra.)
    The same posts as one Apache Parquet table, for analysts (DuckDB, pandas,
    Spark, R's arrow): one row per post, in the same order, with typed columns:
    network, remote_id, url, author_remote_id, author_handle, author_name, text,
    language, created_at and captured_at (timestamps in UTC), reply_to_id,
    repost_of_id, quote_of_id, hashtags, mentions, links and media_sha256 (lists
    of strings), has_media, metrics (a struct of replies, reposts, likes, quotes,
    views; null where the network gave none), raw_sha256 and custody. It leaves
    out the raw payloads and the history: items.jsonl is the complete record,
    and restoring an export reads only items.jsonl. For example, in DuckDB:
      SELECT unnest(hashtags) AS tag, count(*) FROM 'items.parquet'
      GROUP BY tag ORDER BY 2 DESC;

authors.jsonl
    One account per line: network, remote_id, handle, display_name, url,
    first_seen_at; sorted by network and id.

media/<sha256>
    Each attached picture, video or file once, named by the SHA-256 of its bytes
    (no extension: items.jsonl gives its mime_type). `sha256sum media/*` checks them.

custody.jsonl
    The chain of custody of this campaign's captures: who imported or read
    what, when, with which tool, the SHA-256 of the source file and a chain over
    the SHA-256 of every raw payload read. Each line has seq, created_at,
    statement (canonical JSON, as text), prev_hash and record_hash, where
      record_hash = SHA-256(prev_hash + "\\n" + statement)
    so a changed record no longer matches its hash. Records of one install form
    one chain across all its campaigns: seq numbers missing here belong to other
    campaigns. "origin" says whether this install wrote the record or it was
    carried in from an earlier export that was restored here.

To restore this archive into another houseboat:
    houseboat import houseboat-export FOLDER --campaign SLUG
"""
