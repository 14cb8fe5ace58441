"""Imports started from the web page: the upload, the job row, and the worker's step.

The upload streams straight into a private folder under the data directory
(:func:`~houseboat.listening.models.imports_dir`, never a public media address),
chunk by chunk, so a file of gigabytes never sits in memory or in /tmp. The worker
claims one job at a time with a conditional UPDATE that must change exactly one row;
a job whose worker died (its lease ran out) is claimed again and the import resumes
where it stopped, without duplicates. The uploaded file is deleted when the job ends.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext, gettext_noop

from houseboat.campaigns.models import Campaign
from houseboat.core import leases
from houseboat.core.models import User
from houseboat.listening.constants import ImportJobState
from houseboat.listening.importers import IMPORTERS, get_importer
from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.imports import ImportStopped, run_import
from houseboat.listening.models import Capture, ImportJob, imports_dir

logger = logging.getLogger(__name__)

# Longer than the import's own lease (imports.LEASE), so a resumed job finds its
# capture free; renewed after every batch the import writes.
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 3

# The formats the page offers, and which single file to choose for each. A houseboat
# export is a folder: it is restored with the command line.
WEB_FORMATS: dict[str, str] = {
    "x-archive": gettext_noop("The ZIP file X sends you (“Download an archive of your data”)."),
    "x-ndjson": gettext_noop(
        "The .jsonl file written by twarc2 or the X API v2 (one page or post per line)."
    ),
    "facebook-dyi": gettext_noop(
        "The ZIP of “Download your information” (JSON format) of a profile or Page."
    ),
    "whatsapp-txt": gettext_noop(
        "The .txt file from “Export chat”, or the ZIP it comes in (with media)."
    ),
    "telegram-json": gettext_noop(
        "The result.json file of a Telegram Desktop export (“Export chat history”, "
        "format JSON). Pictures are not included when only result.json is uploaded."
    ),
    "mastodon-outbox": gettext_noop(
        "The ZIP of your Mastodon archive (Preferences → Import and export), "
        "or the outbox.json inside it."
    ),
}


def format_choices() -> list[tuple[str, str]]:
    """Return (name, label) of every importer the page offers, in the CLI's order."""
    return [
        (name, gettext(get_importer(name).MANIFEST["label"]))
        for name in IMPORTERS
        if name in WEB_FORMATS
    ]


def format_label(name: str) -> str:
    """Return an importer's label for people ("X account archive (ZIP)"), or its name if unknown."""
    try:
        return gettext(get_importer(name).MANIFEST["label"])
    except (ImportFileError, KeyError):
        return name


# --- the upload ---------------------------------------------------------------------------


class StoredUpload(UploadedFile):
    """An uploaded file already written to its place in the private imports folder."""

    def __init__(self, path: Path, name: str, size: int, content_type: str | None):
        super().__init__(None, name, content_type, size)
        self.path = path

    def close(self) -> None:
        pass


class ImportUploadHandler(FileUploadHandler):
    """Write each uploaded file into a fresh folder under imports_dir(), chunk by chunk."""

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, *a, **k):
        super().new_file(field_name, file_name, content_type, content_length, charset, *a, **k)
        folder = imports_dir() / uuid.uuid4().hex
        folder.mkdir(parents=True, mode=0o700)
        self.path = folder / (safe_file_name(file_name))
        self.stream = self.path.open("xb")
        self.size = 0

    def receive_data_chunk(self, raw_data, start):
        self.stream.write(raw_data)
        self.size += len(raw_data)
        return None

    def file_complete(self, file_size):
        self.stream.close()
        return StoredUpload(self.path, self.file_name, self.size, self.content_type)

    def upload_interrupted(self):
        stream = getattr(self, "stream", None)
        if stream is not None:
            stream.close()
            remove_upload(str(self.path.parent.relative_to(imports_dir())))


def safe_file_name(name: str) -> str:
    try:
        cleaned = get_valid_filename(Path(name or "").name)
    except Exception:  # SuspiciousFileOperation: nothing usable is left of the name
        cleaned = ""
    return cleaned[:200] or "upload"


def discard(upload: Any) -> None:
    """Remove an upload that will not become a job (the form was refused)."""
    if isinstance(upload, StoredUpload):
        remove_upload(upload.path.parent.relative_to(imports_dir()).as_posix())


def queue_import(
    *,
    campaign: Campaign,
    format: str,
    upload: UploadedFile,
    user: User | None,
    options: dict[str, str] | None = None,
) -> ImportJob:
    """Create the queued job for an upload; a file in memory is written out first."""
    if isinstance(upload, StoredUpload):
        path = upload.path
    else:
        folder = imports_dir() / uuid.uuid4().hex
        folder.mkdir(parents=True, mode=0o700)
        path = folder / safe_file_name(upload.name or "")
        with path.open("xb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    return ImportJob.objects.create(
        campaign=campaign,
        format=format,
        source_name=(upload.name or path.name)[:255],
        upload=path.relative_to(imports_dir()).as_posix(),
        bytes_total=path.stat().st_size,
        options={k: v for k, v in (options or {}).items() if v},
        created_by=user,
    )


def remove_upload(relative: str) -> None:
    """Delete an uploaded file and its folder; a path outside the imports folder is refused."""
    if not relative:
        return
    root = imports_dir().resolve()
    folder = (root / Path(relative).parts[0]).resolve()
    if folder.parent != root:
        return
    shutil.rmtree(folder, ignore_errors=True)


# --- the worker ---------------------------------------------------------------------------


def claimable(now) -> Q:
    return Q(state=ImportJobState.QUEUED) | Q(state=ImportJobState.RUNNING, lease_until__lt=now)


def claim_job(name: str) -> ImportJob | None:
    """Claim the oldest queued job, or one whose worker stopped renewing its lease."""
    now = timezone.now()
    ids = leases.claim(
        ImportJob.objects.filter(claimable(now)),
        claimable(now),
        name,
        values={
            "state": ImportJobState.RUNNING,
            "attempts": F("attempts") + 1,
            "started_at": Coalesce("started_at", Value(now, DateTimeField())),
            "error": "",
        },
        order_by=("created_at", "id"),
        seconds=LEASE.total_seconds(),
        now=now,
    )
    return ImportJob.objects.get(pk=ids[0]) if ids else None


def lease_of(job: ImportJob) -> leases.Lease:
    return leases.Lease(
        ImportJob,
        job.pk,
        job.lease_owner,
        seconds=LEASE.total_seconds(),
        held=Q(state=ImportJobState.RUNNING),
    )


def run_import_jobs(name: str) -> int:
    """Worker step: claim one uploaded import and run it to its end."""
    job = claim_job(name)
    if job is None:
        return 0
    try:
        run_job(job, name)
    except leases.LeaseLost:
        # Another worker took the job over (this one stalled past its lease): it
        # resumes the import where it stopped; this one must not touch it again.
        logger.warning("Import job %s: the lease was lost; left to the worker that has it", job.pk)
    return 1


def run_job(job: ImportJob, name: str) -> None:
    """Run the job's import, reporting progress; end it done or failed, and drop the file."""
    if job.attempts > MAX_ATTEMPTS:
        end(
            job,
            ImportJobState.FAILED,
            f"The import stopped {MAX_ATTEMPTS} times without finishing. Upload the file "
            "again, or import it with the command line to see what goes wrong.",
        )
        return
    path = imports_dir() / job.upload
    if not job.upload or not path.is_file():
        end(job, ImportJobState.FAILED, "The uploaded file is gone: upload it again.")
        return

    lease = lease_of(job)

    def progress(capture: Capture) -> None:
        values: dict[str, Any] = {
            "capture": capture,
            "records_done": capture.position,
            "items_new": capture.items_new,
            "items_known": capture.items_known,
        }
        if getattr(capture, "check_done", False):
            values["records_total"] = capture.checked
        lease.confirm(**values)  # after every batch: stop at once if the job is not ours

    try:
        capture = run_import(
            campaign=job.campaign,
            format=job.format,
            path=path,
            actor=job.created_by,
            progress=progress,
            options=job.options,
        )
    except leases.LeaseLost:
        raise
    except ImportStopped as exc:
        end(job, ImportJobState.FAILED, web_message(str(exc)))
        return
    except ImportFileError as exc:
        end(job, ImportJobState.FAILED, f"{exc} Nothing was imported.")
        return
    except Exception:
        logger.exception("Import job %s failed unexpectedly", job.pk)
        end(
            job, ImportJobState.FAILED, "The import failed unexpectedly; the worker's log has more."
        )
        return
    end(
        job,
        ImportJobState.DONE,
        "",
        capture=capture,
        records_done=capture.position,
        records_total=capture.position,
        items_new=capture.items_new,
        items_known=capture.items_known,
        records_skipped=capture.records_skipped,
    )


def web_message(message: str) -> str:
    """Say "upload it again" where the command line's message says "run the command again"."""
    return message.replace(
        "Run the same command again to continue from there",
        "Upload the same file again to continue from there",
    )


def end(job: ImportJob, state: str, error: str, **values: Any) -> None:
    """Write the job's end, only while this worker still holds it; drop the file."""
    if not lease_of(job).finish(
        state=state, error=error, finished_at=timezone.now(), upload="", **values
    ):
        raise leases.LeaseLost(f"Import job {job.pk}: the lease ran out before its end")
    remove_upload(job.upload)
    job.refresh_from_db()
