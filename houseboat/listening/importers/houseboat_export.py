"""A houseboat export (the folder ``houseboat export`` writes), restored losslessly.

The export is verified first, every file against its manifest and every payload
and custody record against its hash; one changed, missing or added file refuses the
whole folder. Items then go through the ingest pipeline with their stored fields
taken as they are (language, entities, metrics, raw payload, the custody record
that first stored them), their later captures as history, and their media files
from ``media/``. The export's custody records are carried into this install
(:class:`~houseboat.listening.models.CarriedCustodyRecord`) so the next export of
the campaign hands them on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext_noop

from houseboat.connectors.base import RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.listening.export import (
    CUSTODY,
    ITEMS,
    MEDIA,
    SHA256_HEX,
    ExportError,
    payload_bytes,
    read_manifest,
    verify_export,
)
from houseboat.listening.export import MANIFEST as MANIFEST_FILE
from houseboat.listening.importers.base import (
    TOO_DEEP,
    ImporterManifest,
    ImportFileError,
    Limits,
    MiB,
    Problems,
    checked_value,
    usable,
)
from houseboat.listening.importers.streaming import lines
from houseboat.listening.records import Captured, MediaOpener, Restored

MANIFEST: ImporterManifest = {
    "name": "houseboat-export",
    "label": gettext_noop(
        "houseboat export of a campaign's archive (the folder houseboat export wrote)"
    ),
    "network": "",
    "expects": "the folder written by houseboat export, with manifest.json inside",
    "version": 1,
    "folders": True,
}


def export_folder(path: Path) -> Path:
    """Accept the export's folder or its manifest.json."""
    return path.parent if path.name == MANIFEST_FILE and path.is_file() else path


def digest(path: Path) -> tuple[str, int]:
    """Name the export by its manifest's SHA-256 (the manifest pins every file's hash)."""
    folder = export_folder(path)
    try:
        manifest, sha256 = read_manifest(folder)
    except ExportError as exc:
        raise ImportFileError(f"{exc} Expected {MANIFEST['expects']}.") from exc
    size = sum(int(entry.get("size") or 0) for entry in manifest["files"].values())
    return sha256, size


def read(path: Path, problems: Problems, limits: Limits) -> Iterator[Captured]:
    """Yield every item of the export, each followed by its later captures."""
    folder = export_folder(path)
    try:
        report = verify_export(folder)
    except ExportError as exc:
        raise ImportFileError(f"{exc} Expected {MANIFEST['expects']}.") from exc
    if not report.ok:
        listed = "; ".join(report.problems[:5])
        more = f" (and {len(report.problems) - 5} more)" if len(report.problems) > 5 else ""
        raise ImportFileError(
            f"The export in {folder} does not match its manifest: {listed}{more}. Nothing was "
            "imported. `houseboat verify` lists every problem."
        )
    with (folder / ITEMS).open("rb") as stream:
        for line in lines(stream, name=ITEMS, max_bytes=max(limits.max_record_bytes, 64 * MiB)):
            if not line.data.strip():
                continue
            where = f"{ITEMS}, line {line.number:,}"
            try:
                value = usable(checked_value(json.loads(line.data), line.data), where, problems)
                if value is None:
                    continue
                yield from to_captured(value, folder)
            except RecursionError:
                problems.bad(where, TOO_DEEP)
            except (ValueError, TypeError, AttributeError, KeyError) as exc:
                problems.bad(where, f"the item cannot be read ({exc})")


def moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def media_opener(folder: Path, sha256: str) -> MediaOpener:
    path = folder / MEDIA / sha256

    def open_file() -> AbstractContextManager[IO[bytes]]:
        return path.open("rb")

    return open_file


def to_captured(line: Mapping[str, Any], folder: Path) -> Iterator[Captured]:
    """Map one items.jsonl line to the item's record and one record per later capture."""
    author = line.get("author")
    remote_author = None
    if isinstance(author, dict):
        remote_author = RemoteAuthor(
            remote_id=str(author["remote_id"]),
            handle=str(author.get("handle") or ""),
            display_name=str(author.get("display_name") or ""),
            url=str(author.get("url") or ""),
        )
    media, files, types = [], {}, {}
    for entry in line.get("media") or []:
        url = str(entry.get("url") or "")
        media.append(RemoteMedia(url=url, kind=str(entry["kind"]), alt=str(entry.get("alt") or "")))
        sha256 = entry.get("sha256")
        if sha256:
            if not SHA256_HEX.fullmatch(str(sha256)):
                raise ValueError(f"{sha256!r} is not a SHA-256")
            files[url] = media_opener(folder, sha256)
            types[url] = str(entry.get("mime_type") or "")
    item = RemoteItem(
        network=str(line["network"]),
        remote_id=str(line["remote_id"]),
        text=str(line.get("text") or ""),
        created_at=moment(line.get("created_at")),
        author=remote_author,
        url=str(line.get("url") or ""),
        reply_to_id=str(line.get("reply_to_id") or ""),
        repost_of_id=str(line.get("repost_of_id") or ""),
        quote_of_id=str(line.get("quote_of_id") or ""),
        media=media,
    )
    first_seen = moment(author.get("first_seen_at")) if isinstance(author, dict) else None
    yield Captured(
        item,
        captured_at=moment(line["captured_at"]),
        media_files=files,
        restored=restored(line, line, first_seen=first_seen, media_types=types),
    )
    for entry in line.get("history") or []:
        yield Captured(
            item, captured_at=moment(entry["captured_at"]), restored=restored(line, entry)
        )


def restored(
    line: Mapping[str, Any],
    capture: Mapping[str, Any],
    *,
    first_seen: datetime | None = None,
    media_types: Mapping[str, str] | None = None,
) -> Restored:
    """Return the stored fields of an item (``line``) as one of its captures saw them."""
    return Restored(
        language=str(line.get("language") or ""),
        hashtags=[str(t) for t in line.get("hashtags") or []],
        mentions=[str(m) for m in line.get("mentions") or []],
        links=[str(u) for u in line.get("links") or []],
        metrics={str(k): int(v) for k, v in (capture.get("metrics") or {}).items()},
        raw_json=payload_bytes(dict(capture)),
        raw_sha256=str(capture["raw_sha256"]),
        origin=str(capture.get("custody") or ""),
        author_first_seen=first_seen,
        media_types=media_types or {},
    )


def after_import(path: Path, capture: Any) -> None:
    """Carry the export's custody records into this install, once each."""
    from houseboat.listening.models import CarriedCustodyRecord

    folder = export_folder(path)
    campaign = capture.campaign
    start = CarriedCustodyRecord.objects.filter(campaign=campaign).count()
    records = []
    with (folder / CUSTODY).open("rb") as stream:
        for number, raw in enumerate(stream):
            if not raw.strip():
                continue
            line = json.loads(raw)
            records.append(
                CarriedCustodyRecord(
                    campaign=campaign,
                    capture=capture,
                    position=start + number,
                    seq=int(line["seq"]),
                    created_at=str(line.get("created_at") or ""),
                    statement=str(line["statement"]),
                    prev_hash=str(line["prev_hash"]),
                    record_hash=str(line["record_hash"]),
                )
            )
    CarriedCustodyRecord.objects.bulk_create(records, ignore_conflicts=True, batch_size=500)
