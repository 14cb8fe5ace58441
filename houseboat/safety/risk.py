"""The review before posting: what in a post's text and pictures could endanger someone.

``review`` looks for phone numbers, e-mail and street addresses (see
patterns.py), names on the team's do-not-name list, and in pictures: a GPS
position, any other metadata, and faces not blurred. Each risk says what was
found and why it matters; the author fixes it or posts anyway. It reads
metadata only: words painted on a wall or a sign in a picture are not read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import regex
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import ExifTags, Image

from houseboat.safety import media
from houseboat.safety.constants import RiskKind, Severity
from houseboat.safety.patterns import find_addresses, find_emails, find_phones
from houseboat.safety.text import fold, fold_mapped, phrase_pattern

if TYPE_CHECKING:
    from houseboat.core.models import Team


@dataclass(frozen=True)
class Risk:
    """One thing in a post that could hurt someone, in words its author can act on.

    ``span`` is (start, end) in the post's text for a risk in the text, else
    None; ``path`` names the file for a risk in a picture or video.
    """

    kind: str
    message: str
    severity: str
    span: tuple[int, int] | None = None
    path: Path | None = None


def review(
    text: str, media_paths: Sequence[Path], *, team: Team | None, check_faces: bool = True
) -> list[Risk]:
    """Return the risks in a post's text and media, text first in reading order.

    A post with none returns an empty list. ``team`` supplies the do-not-name
    list (None: no list). Face detection takes a second or two per photo;
    ``check_faces=False`` skips it.
    """
    names = do_not_name_list(team) if team is not None else []
    risks = review_text(text, names)
    for path in media_paths:
        risks += review_media(Path(path), check_faces=check_faces)
    return risks


# --- Text -------------------------------------------------------------------------------------


def review_text(text: str, names: Iterable[tuple[str, str]] = ()) -> list[Risk]:
    """Return the risks in a text, in reading order; ``names`` are (name, note) pairs."""
    risks = [
        Risk(
            RiskKind.PHONE,
            _("A phone number (%(value)s) is in the text: anyone can call or track it.")
            % {"value": found.text},
            Severity.HIGH,
            (found.start, found.end),
        )
        for found in find_phones(text)
    ]
    risks += [
        Risk(
            RiskKind.EMAIL,
            _(
                "An e-mail address (%(value)s) is in the text: it can be used to find, "
                "phish or impersonate the person behind it."
            )
            % {"value": found.text},
            Severity.MEDIUM,
            (found.start, found.end),
        )
        for found in find_emails(text)
    ]
    risks += [
        Risk(
            RiskKind.ADDRESS,
            _(
                "What looks like a street address (%(value)s) is in the text: it tells "
                "anyone where to find a person or a place."
            )
            % {"value": found.text},
            Severity.HIGH,
            (found.start, found.end),
        )
        for found in find_addresses(text)
    ]
    risks += find_names(text, names)
    return sorted(risks, key=lambda risk: risk.span or (0, 0))


def find_names(text: str, names: Iterable[tuple[str, str]]) -> list[Risk]:
    """Return a risk for each place a listed name appears, as a whole word in any script.

    Case, accents, Arabic vowel marks and letter variants do not matter
    ("Jose" finds "José", "فاطمه" finds "فاطمة").
    """
    folded = None
    risks = []
    for name, note in names:
        key = fold(name).strip()
        if not key:
            continue
        folded = folded or fold_mapped(text)
        for match in regex.finditer(phrase_pattern(key), folded.text):
            start, end = folded.span(match.start(), match.end())
            message = _(
                "“%(name)s” is on the team's do-not-name list: naming them in public "
                "can put them or their family in danger."
            ) % {"name": text[start:end]}
            if note:
                message += " " + _("The list says: %(note)s") % {"note": note}
            risks.append(Risk(RiskKind.DO_NOT_NAME, message, Severity.HIGH, (start, end)))
    return risks


def do_not_name_list(team: Team) -> list[tuple[str, str]]:
    """Return the team's do-not-name list as (name, note) pairs, decrypted."""
    from houseboat.safety.models import DoNotName

    return [(entry.name, entry.note or "") for entry in DoNotName.objects.filter(team=team)]


# --- Media ------------------------------------------------------------------------------------


def review_media(path: Path, *, check_faces: bool = True) -> list[Risk]:
    """Return the risks in one picture or video: location, other metadata, faces."""
    try:
        source_format = media.detect_format(path)
    except media.MediaError as exc:
        return [_unchecked(path, str(exc))]
    if source_format in media.VIDEO_FORMATS:
        return [
            Risk(
                RiskKind.UNCHECKED,
                _(
                    "%(file)s is a video: houseboat does not look for faces or places in "
                    "videos. Watch it through before posting."
                )
                % {"file": path.name},
                Severity.LOW,
                path=path,
            )
        ]
    try:
        risks = _metadata_risks(path, source_format)
        risks += _face_risks(path) if check_faces else _unchecked_face_risks(path)
    except media.MediaError as exc:
        return [_unchecked(path, str(exc))]
    return risks


def _unchecked(path: Path, reason: str) -> Risk:
    return Risk(
        RiskKind.UNCHECKED,
        _("%(file)s could not be checked: %(reason)s") % {"file": path.name, "reason": reason},
        Severity.HIGH,
        path=path,
    )


def _metadata_risks(path: Path, source_format: str) -> list[Risk]:
    if source_format == "HEIF":
        media._register_heif()
    try:
        with Image.open(path, formats=[source_format]) as image:
            has_gps = _has_gps(image)
            # Named as the sanitiser names them, less what it would do about them.
            kinds = [kind.split(" (colours")[0] for kind in media.describe_metadata(image)]
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise media._too_large(path) from None
    except media.DECODE_ERRORS as exc:
        raise media.DamagedMediaError(
            f"it is damaged or incomplete ({media.without_paths(exc, path)})."
        ) from None
    risks = []
    if has_gps:
        risks.append(
            Risk(
                RiskKind.LOCATION,
                _(
                    "%(file)s carries a GPS position: it shows where the photo was "
                    "taken, to the metre, to anyone who downloads it."
                )
                % {"file": path.name},
                Severity.HIGH,
                path=path,
            )
        )
    if kinds:
        risks.append(
            Risk(
                RiskKind.METADATA,
                _(
                    "%(file)s carries metadata (%(kinds)s): it can name the camera or "
                    "phone, its serial number and its owner, and when the photo was taken."
                )
                % {"file": path.name, "kinds": "; ".join(kinds)},
                Severity.MEDIUM,
                path=path,
            )
        )
    return risks


def _has_gps(image: Image.Image) -> bool:
    try:
        return bool(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))
    except media.DECODE_ERRORS:
        return False


def _face_risks(path: Path) -> list[Risk]:
    faces = media.find_faces(path)
    if not faces:
        return []
    message = ngettext(
        "%(count)d face in %(file)s is not blurred: a face can identify a person to "
        "the police or an employer. Blur it, or confirm the person agreed to be shown.",
        "%(count)d faces in %(file)s are not blurred: a face can identify a person to "
        "the police or an employer. Blur them, or confirm the people agreed to be shown.",
        len(faces),
    ) % {"count": len(faces), "file": path.name}
    return [Risk(RiskKind.FACES, message, Severity.HIGH, path=path)]


def _unchecked_face_risks(path: Path) -> list[Risk]:
    """Warn when an attached picture has no face boxes and nobody looked for faces in it."""
    from django.conf import settings

    from houseboat.safety.models import MediaRegions

    try:
        name = Path(path).resolve().relative_to(Path(settings.MEDIA_ROOT).resolve())
    except ValueError:
        return []  # not an attachment: a file being checked on the safety page
    record = MediaRegions.objects.filter(attachment__file=name.as_posix()).first()
    if record is None or record.regions or record.faces_checked:
        return []
    message = _(
        "Nobody has checked a picture of this post for faces: a face can identify a "
        "person to the police or an employer. Use “Check faces or mark them by hand” "
        "under the picture."
    )
    return [Risk(RiskKind.FACES, message, Severity.MEDIUM, path=path)]
