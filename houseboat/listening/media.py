"""Archive media on the Archive page: which file a team may fetch, served how, shown how.

A media file is stored once, by its SHA-256, whatever campaign or team brought it in;
a team may fetch it only while an item of one of its campaigns uses it. What a file
is comes from its first bytes, never from its name: pictures and videos are shown,
anything else is only ever downloaded. Graphic media are shown through the safety
app's shield (``safety/graphic_media.html``), marked by hand or by one of the team's
rules (:mod:`houseboat.safety.graphic`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from houseboat.listening.constants import MediaKind
from houseboat.listening.models import Item, ItemMedia, MediaBlob
from houseboat.safety.graphic import Rules, graphic_reasons
from houseboat.safety.media import sniff

if TYPE_CHECKING:
    from houseboat.core.models import Team

# The formats a browser is allowed to show in the page, by what their bytes say.
SHOWN_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
    "HEIF": "image/heif",
    "MP4": "video/mp4",
    "MOV": "video/quicktime",
    "WEBM": "video/webm",
}
DOWNLOAD_TYPE = "application/octet-stream"
HEAD_BYTES = 512


def team_blob(team: Team, sha256: str) -> MediaBlob | None:
    """Return the stored file with this hash if an item of one of the team's campaigns uses it."""
    used = ItemMedia.objects.filter(blob_id=sha256, item__campaign__team=team)
    return MediaBlob.objects.filter(sha256=sha256, pk__in=used.values("blob_id")).first()


def shown_type(head: bytes) -> str | None:
    """Return the Content-Type to show a file with, from its first bytes, or None to download it."""
    return SHOWN_TYPES.get(sniff(head) or "")


def download_type(stored: str) -> str:
    """Return the Content-Type of a file that is only downloaded.

    A file stored as a picture or video whose bytes are not one is sent as plain bytes.
    """
    if not stored or stored.split("/")[0] in {"image", "video", "text"} or "xml" in stored:
        return DOWNLOAD_TYPE
    return stored


def file_head(blob: MediaBlob) -> bytes:
    """Return the first bytes of a stored file (b"" when it is missing), to tell what it is."""
    try:
        with open(blob.path, "rb") as handle:
            return handle.read(HEAD_BYTES)
    except OSError:
        return b""


@dataclass(frozen=True)
class ShownMedia:
    """One picture, video or file of an archive item, as the Archive page shows it."""

    kind: str  # "image", "video" or "file"
    alt: str
    sha256: str = ""  # "" when the archive does not hold the file
    src: str = ""
    graphic: bool = False
    reason: str = ""
    marked: bool = False  # shielded by a mark a person can remove (not only by a rule)


def attach_media(team: Team, items: Sequence[Item]) -> None:
    """Set ``item.shown_media`` on each item of a page: three queries at most, whatever its size."""
    by_item: dict[int, list[ItemMedia]] = {item.pk: [] for item in items}
    with_media = [item.pk for item in items if item.has_media]
    rows = ItemMedia.objects.filter(item_id__in=with_media).select_related("blob")
    for row in rows.order_by("item_id", "position") if with_media else ():
        by_item[row.item_id].append(row)
    hashes = {row.blob_id for found in by_item.values() for row in found if row.blob_id}
    marks = graphic_reasons(team, hashes)
    rules = Rules.for_team(team) if hashes else Rules()
    for item in items:
        rule_reason = rules.reason(text=item.text, hashtags=item.hashtags) if hashes else ""
        item.shown_media = [shown(team, row, marks, rule_reason) for row in by_item[item.pk]]


def shown(team: Team, row: ItemMedia, marks: dict[str, str], rule_reason: str) -> ShownMedia:
    """Describe one attached file for the page: where to fetch it, whether it is shielded."""
    if row.blob is None:
        return ShownMedia(kind=row.kind, alt=row.alt)
    sha256 = row.blob_id
    # What the bytes are decides, as the media view does: a "photo" that is not one is a file.
    content_type = shown_type(file_head(row.blob))
    kind = content_type.split("/")[0] if content_type else MediaKind.FILE
    reason = marks.get(sha256) or rule_reason
    return ShownMedia(
        kind=kind,
        alt=row.alt,
        sha256=sha256,
        src=reverse("listening:media", kwargs={"team_slug": team.slug, "sha256": sha256}),
        graphic=bool(reason),
        reason=reason,
        marked=sha256 in marks,
    )
