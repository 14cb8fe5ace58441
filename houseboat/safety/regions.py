"""Face regions a person can fix by hand before a picture is published.

When a picture is attached to a post, the sanitised but unblurred picture is kept,
encrypted with the keys outside the database (houseboat.core.crypto), in a private
folder that no URL serves, beside the regions blurred in it. The region editor
changes the regions; each change renders the published file again from that copy,
so a missed face can be added and a wrong box taken away. The copy is deleted once
the post has gone out or was cancelled, or the picture was removed: after that the
published file, blurred as it is, is all there is.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from houseboat.core.crypto import EncryptionKeyError, fernet
from houseboat.safety.boxes import Box
from houseboat.safety.models import MediaRegions

DETECTED, HAND = "detected", "hand"
# Posts in these states will not change again: the unblurred copy has done its work.
FINISHED_STATUSES = ("sent", "partly_failed", "failed", "cancelled")
# A detected face this much covered by a region already there is not added twice.
SAME_FACE = 0.5


class RegionError(ValueError):
    """Regions that cannot be saved; the message says what to fix."""


@dataclass(frozen=True)
class Region:
    """A box on the picture, where it came from, and whether it is blurred."""

    box: Box
    source: str = HAND
    blur: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.box.as_dict(),
            "score": round(self.box.score, 3),
            "source": self.source,
            "blur": self.blur,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Region:
        box = Box.from_dict(data)
        score = float(data.get("score", 1.0) or 0.0)
        source = DETECTED if data.get("source") == DETECTED else HAND
        return cls(Box(box.x0, box.y0, box.x1, box.y1, score), source, bool(data.get("blur", True)))


# --- The private, encrypted copy ---------------------------------------------------------


def private_folder() -> Path:
    """Return the folder of unblurred copies: in the data directory, outside MEDIA_ROOT."""
    folder = Path(settings.DATA_DIR) / "private" / "picture-sources"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _source_path(name: str) -> Path:
    # Only names this module made ("<hex>.bin"); anything else could walk out of the folder.
    if not name or Path(name).name != name or not name.endswith(".bin"):
        raise FileNotFoundError("no such picture source")
    return private_folder() / name


def store_source(path: Path) -> str:
    """Encrypt the picture at ``path`` into the private folder; return its name there."""
    name = f"{uuid.uuid4().hex}.bin"
    token = fernet().encrypt(Path(path).read_bytes())
    target = _source_path(name)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(token)
    return name


def read_source(record: MediaRegions) -> bytes:
    """Return the unblurred picture, decrypted; FileNotFoundError once it was deleted."""
    data = _source_path(record.source_name).read_bytes()
    try:
        return fernet().decrypt(data)
    except Exception:  # InvalidToken: a replaced key file
        raise EncryptionKeyError(
            "The unblurred copy of this picture cannot be decrypted with the current keys. "
            "Was the key file replaced? Restore the old key and try again."
        ) from None


def delete_source(record: MediaRegions) -> bool:
    """Delete the unblurred copy of a picture; return whether there was one."""
    if not record.source_name:
        return False
    with contextlib.suppress(FileNotFoundError):
        _source_path(record.source_name).unlink()
    return True


# --- At upload ---------------------------------------------------------------------------


def remember_upload(
    attachment: models.Model, upload: Path, *, detected: Sequence[Box] = (), checked: bool = False
) -> MediaRegions | None:
    """Keep what the region editor needs for a picture just attached: the clean copy, the boxes.

    ``upload`` is the file as it came; it is sanitised again here (without blurring)
    and only that clean copy is kept, encrypted. ``detected`` are the faces the
    sanitiser blurred, ``checked`` whether it looked for them. Videos are skipped.
    """
    return record_source(attachment, prepare_source(upload, detected=detected, checked=checked))


@dataclass(frozen=True)
class PreparedSource:
    """The clean, encrypted copy of an upload, stored but not yet recorded."""

    name: str
    width: int
    height: int
    detected: tuple[Box, ...]
    checked: bool


def prepare_source(
    upload: Path, *, detected: Sequence[Box] = (), checked: bool = False
) -> PreparedSource | None:
    """Do remember_upload's heavy part, outside any transaction: clean, encrypt, store.

    None for a video. If the attachment is then not recorded, call discard_prepared.
    """
    from houseboat.safety import media

    if media.detect_format(Path(upload)) not in media.IMAGE_FORMATS:
        return None
    with tempfile.TemporaryDirectory(prefix="houseboat-source-") as folder:
        report = media.clean_image(Path(upload), Path(folder) / "source")
        width, height = _size(report.path)
        name = store_source(report.path)
    return PreparedSource(name, width, height, tuple(detected), checked)


def record_source(attachment: models.Model, prepared: PreparedSource | None) -> MediaRegions | None:
    """Record a prepared copy and its boxes for the attachment (a quick write)."""
    if prepared is None:
        return None
    return MediaRegions.objects.create(
        attachment=attachment,
        regions=[Region(box, DETECTED).as_dict() for box in prepared.detected],
        width=prepared.width,
        height=prepared.height,
        faces_checked=prepared.checked,
        source_name=prepared.name,
    )


def discard_prepared(prepared: PreparedSource | None) -> None:
    """Delete a prepared copy that was never recorded."""
    if prepared is not None:
        with contextlib.suppress(FileNotFoundError):
            _source_path(prepared.name).unlink()


def _size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as picture:
        return picture.size


# --- Changing the regions ----------------------------------------------------------------


def clip_regions(regions: Iterable[Region], width: int, height: int) -> list[Region]:
    """Clip each region to the picture; refuse one that is empty once clipped."""
    kept = []
    for number, region in enumerate(regions, start=1):
        box = region.box.clipped(width, height)
        if box.area == 0:
            raise RegionError(
                _(
                    "Region %(n)d is outside the picture or has no size. Draw it again "
                    "over the part of the picture to hide."
                )
                % {"n": number}
            )
        kept.append(Region(box, region.source, region.blur))
    return kept


# Whether the post a picture belongs to may still change. The app that owns posts
# (publishing) registers it in its AppConfig.ready(); safety never imports it.
_editable_checks: list[Callable[[Any], bool]] = []


def register_editable_check(check: Callable[[Any], bool]) -> None:
    """Let an app say whether an attachment's post may still change (see ``editable``)."""
    if check not in _editable_checks:
        _editable_checks.append(check)


def editable(record: MediaRegions) -> bool:
    """Tell whether the regions can still change: the post has not gone out, the copy is kept.

    Without a registered check nothing is editable: better a region that cannot be
    moved than a picture changed after it was published.
    """
    if not record.source_name or not _editable_checks:
        return False
    return all(check(record.attachment) for check in _editable_checks)


def save_regions(record: MediaRegions, regions: Sequence[Region], *, user=None) -> MediaRegions:
    """Store the regions and render the published picture again from the unblurred copy.

    Every region with ``blur`` is made unrecognisable, as the automatic blur does,
    and the picture is written anew without metadata; the old published file is
    deleted. Nothing changes when a region is invalid (RegionError).
    """
    if not editable(record):
        raise RegionError(
            _(
                "This post has gone out or was cancelled, so its picture can no longer be "
                "changed: the unblurred copy was deleted."
            )
        )
    kept = clip_regions(regions, record.width, record.height)
    render(record, [region.box for region in kept if region.blur])
    record.regions = [region.as_dict() for region in kept]
    record.updated_by = user
    record.updated_at = timezone.now()
    record.save(update_fields=["regions", "updated_by", "updated_at"])
    return record


def render(record: MediaRegions, boxes: Sequence[Box]) -> None:
    """Write the attachment's file again from the unblurred copy, these boxes blurred."""
    from houseboat.safety.media import clean_image

    attachment = record.attachment
    suffix = Path(attachment.file.name).suffix
    with tempfile.TemporaryDirectory(prefix="houseboat-render-") as folder:
        source = Path(folder) / f"source{suffix}"
        source.write_bytes(read_source(record))
        report = clean_image(source, Path(folder) / f"published{suffix}", regions=boxes)
        old = attachment.file.name
        with report.path.open("rb") as handle:
            attachment.file.save(f"{uuid.uuid4().hex}{report.path.suffix}", File(handle))
        attachment.save(update_fields=["file"])
    if old and old != attachment.file.name:
        attachment.file.storage.delete(old)


def find_faces(record: MediaRegions, *, user=None) -> int:
    """Look for faces in the unblurred copy, add the new ones (blurred) and render again.

    Return how many faces were added.
    """
    from houseboat.safety.faces import detect_faces

    if not editable(record):
        raise RegionError(_("This picture can no longer be changed: its post has gone out."))
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(read_source(record))) as picture:
        found = detect_faces(picture)
    regions = [Region.from_dict(item) for item in record.regions]
    added = [
        Region(face, DETECTED)
        for face in found
        if all(face.iou(region.box) < SAME_FACE for region in regions)
    ]
    record.faces_checked = True
    record.save(update_fields=["faces_checked"])
    save_regions(record, [*regions, *added], user=user)
    return len(added)


# --- Forgetting the copy -----------------------------------------------------------------


def forget_sources(records: Iterable[MediaRegions]) -> int:
    """Delete the unblurred copies of these pictures; return how many there were."""
    done = 0
    for record in records:
        if delete_source(record):
            MediaRegions.objects.filter(pk=record.pk).update(source_name="")
            done += 1
    return done


def forget_finished(name: str = "") -> int:
    """Delete the unblurred copies of pictures whose post went out or was cancelled.

    A worker step: the dispatcher marks posts sent without signals, so each round
    looks for them.
    """
    records = MediaRegions.objects.exclude(source_name="").filter(
        attachment__post__status__in=FINISHED_STATUSES
    )
    return forget_sources(records.only("pk", "source_name"))
