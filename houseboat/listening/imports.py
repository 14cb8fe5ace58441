"""Run a file import or a live capture through the ingest pipeline, with its custody record.

A file import reads its file once, writing committed batches as it goes and keeping
the position of the last one in the Capture row, so an import that stops (a crash,
a full disk, a killed process) continues from there when the same file is imported
again into the same campaign; de-duplication makes a repeat harmless anyway. A bad,
truncated, unsafe or wrong file is still refused with nothing imported (unless the
user asked to keep going past bad records): what the import had stored of it is
taken out again (:func:`~houseboat.listening.ingest.undo_capture`), and the alert
check waits for an import to finish before it reads its items. Large files are read
and prepared in a second process while this one writes (see ``feeder``). The file's
SHA-256 is taken before and after, so a file that changes in between is noticed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields, is_dataclass, replace
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.core.models import User
from houseboat.listening import corrections, custody
from houseboat.listening.alerting import check_campaign
from houseboat.listening.constants import CaptureKind, CaptureState
from houseboat.listening.feeder import PARALLEL_FROM_BYTES, prepared_batches
from houseboat.listening.importers import get_importer
from houseboat.listening.importers.base import Importer, ImportFileError, Limits, Problems
from houseboat.listening.ingest import (
    BATCH_SIZE,
    Captured,
    Incoming,
    Pipeline,
    batched,
    check,
    undo_capture,
)
from houseboat.listening.models import Capture

# A running import that has not written for this long is taken to have crashed.
LEASE = timedelta(minutes=2)

Progress = Callable[[Capture], None]


class ImportStopped(ImportFileError):
    """The import started writing and stopped; running it again continues from there."""


def houseboat_version() -> str:
    try:
        return version("houseboat")
    except PackageNotFoundError:
        return "unknown"


def tool_version(name: str, reader_version: int) -> str:
    return f"houseboat {houseboat_version()}, importer {name} v{reader_version}"


def file_sha256(path: Path) -> tuple[str, int]:
    """Return the SHA-256 and size of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def tree_sha256(folder: Path) -> tuple[str, int]:
    """Return one SHA-256 for a folder's files (their names and hashes) and their total size."""
    digest = hashlib.sha256()
    total = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        sha256, size = file_sha256(path)
        digest.update(f"{path.relative_to(folder).as_posix()}\0{sha256}\n".encode())
        total += size
    return digest.hexdigest(), total


def source_digest(importer: Importer, path: Path) -> tuple[str, int]:
    """Return the SHA-256 and size that name the source: its own, or the importer's digest."""
    digest = getattr(importer, "digest", None)
    if digest is not None:
        return digest(path)
    return tree_sha256(path) if path.is_dir() else file_sha256(path)


def good_records(
    importer: Importer, path: Path, problems: Problems, limits: Limits
) -> Iterator[Captured]:
    """Yield the importer's records that the pipeline can store; report the others."""
    for number, record in enumerate(importer.read(path, problems, limits), 1):
        why = check(record.item)
        if why:
            problems.bad(f"{path.name}, record {number:,}", why)
            continue
        yield without_nul(record)


def without_nul(record: Captured) -> Captured:
    """Return the record with NUL characters out of the fields stored as text.

    PostgreSQL's text and jsonb cannot hold U+0000 (SQLite can), so a post carrying one
    would stop an import half-way there; each becomes U+FFFD (the replacement mark) on
    both databases. The raw payload, stored compressed as bytes, keeps it as it was.
    """
    item = record.item
    author = item.author
    lists = (item.hashtags, item.mentions, item.links)
    if not (
        "\x00" in item.text
        or "\x00" in item.remote_id
        or "\x00" in item.url
        or (
            author is not None
            and "\x00" in f"{author.remote_id}{author.handle}{author.display_name}{author.url}"
        )
        or any("\x00" in value for values in lists for value in values)
        or any("\x00" in f"{m.url}{m.alt}" for m in item.media)
        or "\x00" in f"{item.language}{item.reply_to_id}{item.repost_of_id}{item.quote_of_id}"
    ):
        return record
    fixed = replace_nul(item)
    return replace(record, item=fixed)


def replace_nul(value: Any) -> Any:
    """Replace U+0000 in every string of a record's fields (not its raw payload)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list | tuple):
        return type(value)(replace_nul(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: replace_nul(getattr(value, f.name)) for f in fields(value) if f.name != "raw"
        }
        return replace(value, **changes)
    return value


def run_import(
    *,
    campaign: Campaign,
    format: str,
    path: Path,
    actor: User | None = None,
    keep_going: bool = False,
    batch_size: int = BATCH_SIZE,
    limits: Limits | None = None,
    progress: Progress | None = None,
    options: Mapping[str, str] | None = None,
    parallel: bool | None = None,
) -> Capture:
    """Import a file into a campaign's archive and return the finished Capture.

    ``parallel``: read and prepare records in a second process while this one writes
    (default: for files of a few megabytes and more).

    ``options`` go to importers that declare them (a chat's date order, its time zone).
    What the importer assumed while reading is in ``capture.notes`` (not stored).
    Raise ImportFileError with a sentence for the user when the file is refused
    (nothing imported) and ImportStopped when writing stopped part-way.
    """
    limits = limits or Limits()
    importer = get_importer(format)
    manifest = importer.MANIFEST
    options = {key: value for key, value in (options or {}).items() if value}
    # The Import page asks for --keep-going as one of the job's options.
    keep_going = bool(options.pop("keep_going", False)) or keep_going
    unknown = sorted(set(options) - set(manifest.get("options", [])))
    if unknown:
        flags = ", ".join("--" + key.replace("_", "-") for key in unknown)
        raise ImportFileError(f"The format {manifest['name']} takes no {flags}.")
    if options:
        importer = ImporterWithOptions(importer, options)
    path = Path(path)
    if path.is_dir() and not manifest.get("folders"):
        raise ImportFileError(f"{path} is a folder, not a file: expected {manifest['expects']}.")
    if not path.exists():
        raise ImportFileError(f"There is no file at {path}.")
    source_sha256, source_size = source_digest(importer, path)
    capture = claim(
        campaign=campaign,
        format=manifest["name"],
        source_name=path.name,
        source_sha256=source_sha256,
        source_size=source_size,
        tool=tool_version(manifest["name"], manifest["version"]),
        actor=actor,
        keep_going=keep_going,
    )
    problems = Problems(keep_going=keep_going)
    pipeline = Pipeline(campaign, capture, max_media_bytes=limits.max_media_bytes)
    changes: Counter[str] = Counter()
    zone = options.get("timezone", "")
    before_batch = getattr(importer, "before_batch", None)

    def adjust(batch: list[Captured]) -> None:
        """Correct stored times and replace fragments before the batch is written."""
        if zone:
            changes["times_corrected"] += corrections.correct_times(campaign, batch)
        if before_batch is not None:
            changes.update(before_batch(campaign, batch))

    if parallel is None:
        parallel = source_size >= PARALLEL_FROM_BYTES
    batches = prepared_batches(
        lambda found: good_records(importer, path, found, limits),
        problems,
        start=capture.position,
        batch_size=batch_size,
        max_media_bytes=limits.max_media_bytes,
        parallel=parallel,
        before_prepare=adjust if (zone or before_batch is not None) else None,
    )
    try:
        for batch in batches:
            pipeline.write(batch)
            if progress is not None:
                capture.refresh_from_db()
                progress(capture)
        capture.refresh_from_db()
        if capture.position == 0 and problems.skipped == 0:
            raise ImportFileError(
                f"{path.name} holds no posts: expected {importer.MANIFEST['expects']}."
            )
        if source_digest(importer, path)[0] != source_sha256:
            raise ImportFileError(f"{path.name} changed while it was being imported.")
        after = getattr(importer, "after_import", None)
        if after is not None:
            after(path, capture)
    except ImportFileError as exc:
        # The file is bad (or changed): what this import stored of it is taken out again,
        # so the message's "nothing was imported" holds, as if the file had been checked
        # whole before writing.
        batches.close()
        undo_capture(capture)
        fail(capture, str(exc))
        raise
    except Exception as exc:
        batches.close()
        capture.refresh_from_db()
        message = (
            f"The import of {path.name} stopped after {capture.position:,} records: {exc} "
            "Run the same command again to continue from there; nothing will be imported twice."
        )
        fail(capture, message)
        raise ImportStopped(message) from exc
    except KeyboardInterrupt:
        # Marked failed at once, so running it again resumes without waiting for the lease.
        batches.close()
        capture.refresh_from_db()
        fail(capture, f"Interrupted after {capture.position:,} records.")
        raise
    report = import_report(problems, changes, zone)
    capture = finish(capture, skipped=problems.skipped, report=report)
    capture.notes = problems.notes  # type: ignore[attr-defined]
    return capture


def import_report(problems: Problems, changes: Mapping[str, int], zone: str) -> dict[str, Any]:
    """Say what an import skipped, assumed and corrected (kept on the Capture and in custody)."""
    report: dict[str, Any] = {}
    if problems.reasons:
        report["skipped"] = problems.report()
    if problems.notes:
        report["notes"] = list(problems.notes)
    if changes.get("times_corrected"):
        report["times_corrected"] = {"count": changes["times_corrected"], "timezone": zone}
    for key, count in sorted(changes.items()):
        if key != "times_corrected" and count:
            report[key] = count
    return report


class ImporterWithOptions:
    """An importer whose read() gets the user's options."""

    def __init__(self, importer: Importer, options: Mapping[str, str]):
        self.importer = importer
        self.options = dict(options)
        self.MANIFEST = importer.MANIFEST

    def read(self, path: Path, problems: Problems, limits: Limits) -> Iterator[Captured]:
        return self.importer.read(path, problems, limits, **self.options)  # type: ignore[call-arg]

    def __getattr__(self, name: str):
        return getattr(self.importer, name)


def claim(
    *,
    campaign: Campaign,
    format: str,
    source_name: str,
    source_sha256: str,
    source_size: int,
    tool: str,
    actor: User | None,
    keep_going: bool,
) -> Capture:
    """Resume an import of the same file that stopped part-way, or start a new one."""
    now = timezone.now()
    stopped = (
        Capture.objects.filter(
            campaign=campaign,
            kind=CaptureKind.IMPORT,
            format=format,
            source_sha256=source_sha256,
            state__in=[CaptureState.RUNNING, CaptureState.FAILED],
            position__gt=0,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if stopped is not None:
        if (
            stopped.state == CaptureState.RUNNING
            and stopped.heartbeat_at
            and (stopped.heartbeat_at > now - LEASE)
        ):
            raise ImportFileError(
                f"{source_name} is already being imported into {campaign.slug} "
                f"(since {stopped.started_at:%Y-%m-%d %H:%M} UTC)."
            )
        # Claim it only if nobody else did in the meantime (one row changes, or none).
        taken = Capture.objects.filter(
            pk=stopped.pk, state=stopped.state, heartbeat_at=stopped.heartbeat_at
        ).update(state=CaptureState.RUNNING, heartbeat_at=now, error="", keep_going=keep_going)
        if taken != 1:
            raise ImportFileError(f"{source_name} is already being imported into {campaign.slug}.")
        stopped.refresh_from_db()
        return stopped
    return Capture.objects.create(
        campaign=campaign,
        kind=CaptureKind.IMPORT,
        format=format,
        source_name=source_name[:255],
        source_sha256=source_sha256,
        source_size=source_size,
        tool_version=tool,
        actor=actor,
        actor_label=actor.get_username() if actor else "command line",
        state=CaptureState.RUNNING,
        keep_going=keep_going,
        started_at=now,
        heartbeat_at=now,
    )


def fail(capture: Capture, message: str) -> None:
    Capture.objects.filter(pk=capture.pk).update(
        state=CaptureState.FAILED, error=message, finished_at=timezone.now()
    )
    capture.refresh_from_db()


def finish(capture: Capture, *, skipped: int = 0, report: dict[str, Any] | None = None) -> Capture:
    """Mark a capture done and write its custody record."""
    Capture.objects.filter(pk=capture.pk).update(
        state=CaptureState.DONE,
        records_skipped=skipped,
        report=report or {},
        finished_at=timezone.now(),
        error="",
    )
    capture.refresh_from_db()
    custody.record_capture(capture)
    return capture


def capture_live(
    *,
    campaign: Campaign,
    items: Iterable[Incoming],
    network: str,
    source: str,
    actor: User | None = None,
    batch_size: int = BATCH_SIZE,
) -> Capture:
    """Store what a live read brought back, through the same pipeline as imports."""
    now = timezone.now()
    capture = Capture.objects.create(
        campaign=campaign,
        kind=CaptureKind.LIVE,
        format=network,
        source_name=source[:255],
        tool_version=f"houseboat {houseboat_version()}, connector {network}",
        actor=actor,
        actor_label=actor.get_username() if actor else "worker",
        state=CaptureState.RUNNING,
        started_at=now,
        heartbeat_at=now,
    )
    pipeline = Pipeline(campaign, capture)
    skipped = 0
    try:
        for batch in batched(items, batch_size):
            good = []
            for record in batch:
                item = record.item if isinstance(record, Captured) else record
                if check(item):
                    skipped += 1
                else:
                    good.append(record)
            if good:
                pipeline.write(good)
    except Exception as exc:
        fail(capture, f"The capture stopped: {exc}")
        raise
    capture = finish(capture, skipped=skipped)
    # A live read is small and already in the worker: its alerts need not wait a round.
    check_campaign(campaign, limit=capture.items_new)
    return capture
