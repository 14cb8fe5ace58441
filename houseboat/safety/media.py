"""Make photos and videos safe to publish: nothing in the file but the picture.

A picture is decoded to its pixels and written as a new file, so no metadata of
the original can ride along: EXIF (GPS position, camera make, model and serial
numbers, maker notes, dates, the embedded thumbnail), XMP, IPTC, comments, PNG
text chunks, WebP and HEIC metadata, extra embedded images (MPF, depth maps).
The EXIF orientation is applied to the pixels first, so the picture stays
upright. An embedded colour profile is converted to sRGB and then dropped: a
custom profile can name or fingerprint the device that made it.

What re-encoding cannot remove: what the picture shows (faces, see faces.py;
tattoos, street signs, reflections) and the sensor's noise pattern, which
forensic tools can match to a camera.

A video keeps its streams bit for bit and loses its container's metadata; see
``clean_video`` for what that leaves.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import ExifTags, Image, ImageCms, ImageSequence

from houseboat.safety.boxes import Box

IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF", "GIF")
VIDEO_FORMATS = ("MP4", "MOV", "WEBM")
SUPPORTED = "JPEG, PNG, WebP, HEIC and GIF pictures, and MP4, MOV and WebM videos"
ANIMATED_FORMATS = ("GIF", "WEBP")

EXTENSIONS = {
    "JPEG": (".jpg", ".jpeg"),
    "PNG": (".png",),
    "WEBP": (".webp",),
    "GIF": (".gif",),
    "MP4": (".mp4", ".m4v"),
    "MOV": (".mov",),
    "WEBM": (".webm",),
}

# Quality 90 with libjpeg's standard tables: copying the original's quantisation
# tables would keep one of the traits forensic tools use to tell camera models apart.
JPEG_QUALITY = 90
WEBP_QUALITY = 90
# Pillow's own default, used when someone has switched Pillow's limit off.
DEFAULT_MAX_PIXELS = 89_478_485
# What a phone photo needs (12 to 50 megapixels). A 280 KB PNG of 9400 x 9400 pixels,
# under Pillow's limit, took the server to 1.1 GB: a decoded pixel costs 3 to 4 bytes
# per copy, and cleaning makes a few copies.
MAX_PIXELS = 50_000_000
# Pictures decoded at once per process; the next waits this long, then is refused.
IMAGE_JOBS = 2
IMAGE_JOB_WAIT_S = 60
IMAGE_JOB_SLOTS = threading.BoundedSemaphore(IMAGE_JOBS)
_image_job_depth = threading.local()
VIDEO_TIMEOUT_S = 3600

HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"dash",
    b"MSNV",
}
# Only to name what a refused file is; none of these is cleaned.
OTHER_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive or an office document",
    b"II*\x00": "a TIFF picture",
    b"MM\x00*": "a TIFF picture",
    b"\x00\x00\x01\x00": "an icon file",
    b"8BPS": "a Photoshop document",
    b"\x7fELF": "a program",
}

# What Pillow and pillow-heif raise on a damaged or truncated file.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, RuntimeError, struct.error, zlib.error)


class MediaError(Exception):
    """A file that cannot be cleaned; the message says what happened and what to do."""


class UnsupportedMediaError(MediaError):
    """The file is not a picture or video houseboat can clean."""


class DamagedMediaError(MediaError):
    """The file claims a supported format but cannot be decoded."""


class TooLargeMediaError(MediaError):
    """The file would decode to more pixels than houseboat allows (a decompression bomb)."""


class BusyMediaError(MediaError):
    """Every image slot of this process is taken; the person tries again shortly."""


@contextmanager
def image_job() -> Iterator[None]:
    """Hold one of the process's image slots while a picture is decoded and worked on.

    A few pictures at once keep memory bounded (each can take a few hundred megabytes);
    a call made while this thread already holds a slot does not take a second one.
    """
    depth = getattr(_image_job_depth, "value", 0)
    if depth == 0 and not IMAGE_JOB_SLOTS.acquire(timeout=IMAGE_JOB_WAIT_S):
        raise BusyMediaError(
            f"houseboat is busy with {IMAGE_JOBS} other pictures right now, and this one "
            "waited its turn too long. Nothing was lost: try again in a minute."
        )
    _image_job_depth.value = depth + 1
    try:
        yield
    finally:
        _image_job_depth.value = depth
        if depth == 0:
            IMAGE_JOB_SLOTS.release()


@dataclass
class CleanReport:
    """What cleaning did to one file, in words a person can read."""

    kind: str  # "image" or "video"
    source_format: str
    output_format: str
    path: Path
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rotated: bool = False
    frames: int = 1
    faces_found: int = 0
    blurred: list[Box] = field(default_factory=list)


@dataclass
class Picture:
    """A picture's pixels, upright and in sRGB, with nothing else of its file."""

    format: str
    frames: list[Image.Image]
    durations: list[int]
    loop: int | None
    lossless: bool
    removed: list[str]
    notes: list[str]
    rotated: bool


# --- What is this file? ---------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    """Name the format of a file from its first bytes, or return None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        return _sniff_ftyp(head)
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return "WEBM"
    return None


def _sniff_ftyp(head: bytes) -> str | None:
    """Tell HEIC, AVIF, MOV and MP4 apart by the brands in an ISO-BMFF ftyp box."""
    size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if brands & AVIF_BRANDS:
        return "AVIF"
    if major in HEIF_BRANDS or (brands & HEIF_BRANDS and not brands & MP4_BRANDS):
        return "HEIF"
    if major == b"qt  ":
        return "MOV"
    if brands & MP4_BRANDS:
        return "MP4"
    return None


def detect_format(path: Path) -> str:
    """Return the real format of a file from its bytes; refuse what cannot be cleaned."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise MediaError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    found = sniff(head)
    if found in IMAGE_FORMATS or found in VIDEO_FORMATS:
        return found
    what = "an AVIF picture" if found == "AVIF" else _describe_other(head)
    raise UnsupportedMediaError(
        f"{path.name} is {what}, not a file houseboat can clean. It cleans {SUPPORTED}; "
        "convert the file to one of these first (the name's extension does not matter)."
    )


def _describe_other(head: bytes) -> str:
    if not head:
        return "empty"
    for signature, what in OTHER_SIGNATURES.items():
        if head.startswith(signature):
            return what
    return "of an unknown type"


# --- Pictures ----------------------------------------------------------------------


def clean_media(
    src: Path,
    dst: Path,
    *,
    blur_faces: bool = False,
    regions: Sequence[Box] = (),
    keep_format: bool = True,
) -> CleanReport:
    """Clean a picture or a video, whichever the file really is."""
    src = Path(src)
    if detect_format(src) in VIDEO_FORMATS:
        if blur_faces or regions:
            raise UnsupportedMediaError(
                f"{src.name} is a video: houseboat cannot blur faces in videos yet. "
                "Blur them in a video editor first, then clean the file without --blur-faces."
            )
        return clean_video(src, dst)
    return clean_image(src, dst, blur_faces=blur_faces, regions=regions, keep_format=keep_format)


def clean_image(
    src: Path,
    dst: Path,
    *,
    blur_faces: bool = False,
    regions: Sequence[Box] = (),
    keep_format: bool = True,
) -> CleanReport:
    """Write the picture at ``src`` to ``dst`` with no metadata, upright, faces blurred if asked.

    ``regions`` are boxes a person confirmed, in pixels of the upright picture;
    with ``blur_faces`` the detector's boxes are blurred as well. With
    ``keep_format`` the output has the input's format (HEIC becomes JPEG);
    without it, a still picture becomes JPEG, or PNG when it has transparency.
    When ``dst``'s extension does not fit the format written, the extension is
    changed and the report's ``path`` says where the file went. Nothing is
    written when the picture cannot be cleaned.
    """
    src, dst = Path(src), Path(dst)
    source_format = detect_format(src)
    if source_format not in IMAGE_FORMATS:
        raise UnsupportedMediaError(f"{src.name} is a video, not a picture: use clean_video.")
    with image_job():
        return _clean_image(src, dst, source_format, blur_faces, regions, keep_format)


def _clean_image(
    src: Path,
    dst: Path,
    source_format: str,
    blur_faces: bool,
    regions: Sequence[Box],
    keep_format: bool,
) -> CleanReport:
    picture = read_picture(src, source_format)
    frames, found, blurred = _blur(picture, blur_faces=blur_faces, regions=regions)
    output_format = _output_format(picture, keep_format)
    report = CleanReport(
        kind="image",
        source_format=source_format,
        output_format=output_format,
        path=dst,
        removed=picture.removed,
        notes=picture.notes,
        rotated=picture.rotated,
        frames=len(frames),
        faces_found=found,
        blurred=blurred,
    )
    if source_format == "HEIF" and output_format != "HEIF":
        report.notes.append(
            f"HEIC written as {output_format}: houseboat does not write HEIC, "
            "and most networks do not accept it."
        )
    report.path = _output_path(dst, output_format, report.notes)
    _write_atomically(report.path, lambda handle: _encode(frames, output_format, handle, picture))
    return report


def read_picture(src: Path, source_format: str) -> Picture:
    """Decode a picture to fresh, upright sRGB frames and name the metadata it carried."""
    if source_format == "HEIF":
        _register_heif()
    try:
        with Image.open(src, formats=[source_format]) as image:
            return _decode(image, src, source_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(src) from None
    except MediaError:
        raise
    except DECODE_ERRORS as exc:
        raise DamagedMediaError(
            f"{src.name} looks like a {_format_name(source_format)} picture but cannot be "
            f"read: it is damaged or incomplete ({without_paths(exc, src)}). Copy it again "
            "from the camera or phone, or ask the sender for the original file."
        ) from None


def _decode(image: Image.Image, src: Path, source_format: str) -> Picture:
    animated = source_format in ANIMATED_FORMATS and getattr(image, "n_frames", 1) > 1
    count = image.n_frames if animated else 1
    if image.width * image.height * count > _max_pixels():
        raise _too_large(src, image.size)
    removed = describe_metadata(image)
    notes: list[str] = []
    if getattr(image, "n_frames", 1) > 1 and not animated and not _names_extra_images(removed):
        removed.append("extra embedded images")
    transpose = _orientation(image)
    icc = image.info.get("icc_profile") or None
    loop = image.info.get("loop")
    lossless = source_format == "WEBP" and _webp_is_lossless(src)
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image) if animated else [image]:
        frame.load()  # WebP sets a frame's duration only once it is decoded
        durations.append(int(frame.info.get("duration") or 0))
        frames.append(_fresh(_upright(_to_srgb(frame, icc, notes), transpose)))
    return Picture(
        format=source_format,
        frames=frames,
        durations=durations,
        loop=loop,
        lossless=lossless,
        removed=removed,
        notes=notes,
        rotated=transpose is not None,
    )


def _names_extra_images(removed: list[str]) -> bool:
    return any("extra embedded images" in kind for kind in removed)


def _register_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


def without_paths(exc: BaseException, src: Path) -> str:
    """Return a decoder's message with the file's path cut to its name.

    Pillow names the file it could not identify by its full path, which on a server
    is a temporary file: nothing the person can use, and not theirs to see.
    """
    text = str(exc)
    for form in {str(src), str(Path(src).resolve())}:
        text = text.replace(form, Path(src).name)
    return re.sub(r"(?<![\w.])(?:/|[A-Za-z]:\\)[^\s'\"]+", "the file", text)


def _max_pixels() -> int:
    return min(MAX_PIXELS, Image.MAX_IMAGE_PIXELS or DEFAULT_MAX_PIXELS)


def _too_large(src: Path, size: tuple[int, int] | None = None) -> TooLargeMediaError:
    has = f" has {size[0]} x {size[1]} pixels" if size else " is too large"
    return TooLargeMediaError(
        f"{src.name}{has}: houseboat takes pictures up to {_max_pixels() / 1e6:g} "
        "megapixels, what a phone photo needs: larger ones (decompression bombs among them) "
        "can exhaust the server's memory. Resize it (or export it smaller) and try again."
    )


def _format_name(fmt: str) -> str:
    return {"HEIF": "HEIC", "WEBP": "WebP"}.get(fmt, fmt)


def _webp_is_lossless(src: Path) -> bool:
    """Tell whether a WebP holds lossless (VP8L) data, so it stays lossless."""
    with open(src, "rb") as handle:
        head = handle.read(4096)
    return b"VP8L" in head and b"VP8 " not in head


ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orientation(image: Image.Image) -> Image.Transpose | None:
    """Return how to turn the pixels so the picture is upright, from its EXIF tag."""
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except DECODE_ERRORS:
        return None  # unreadable EXIF: show the pixels as stored
    return ORIENTATIONS.get(value) if isinstance(value, int) else None


def _upright(frame: Image.Image, transpose: Image.Transpose | None) -> Image.Image:
    return frame.transpose(transpose) if transpose is not None else frame


def _to_srgb(frame: Image.Image, icc: bytes | None, notes: list[str]) -> Image.Image:
    """Return the frame in L, LA, RGB or RGBA, its colour profile applied."""
    frame = _eight_bits(frame)
    if icc and frame.mode in ("RGB", "RGBA", "CMYK"):
        try:
            return ImageCms.profileToProfile(
                frame,
                ImageCms.ImageCmsProfile(BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGBA" if frame.mode == "RGBA" else "RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            if UNREADABLE_PROFILE not in notes:
                notes.append(UNREADABLE_PROFILE)
    return frame if frame.mode in ("L", "LA", "RGB", "RGBA") else frame.convert("RGB")


UNREADABLE_PROFILE = "The colour profile was unreadable: dropped without converting colours."


def _eight_bits(frame: Image.Image) -> Image.Image:
    """Return palette, bilevel and 16-bit frames as 8-bit grey or colour, keeping alpha."""
    if frame.mode in ("P", "PA"):
        return frame.convert("RGBA" if frame.has_transparency_data else "RGB")
    if frame.mode in ("1", "La"):
        return frame.convert("LA" if frame.mode == "La" else "L")
    if frame.mode == "RGBa":
        return frame.convert("RGBA")
    if frame.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return _sixteen_to_eight_bits(frame)
    return frame


def _sixteen_to_eight_bits(frame: Image.Image) -> Image.Image:
    # Pillow's convert() clips 16-bit grey to 255 instead of scaling it.
    values = np.asarray(frame, dtype=np.float64)
    if values.max(initial=0) > 255:
        values = values / 257
    return Image.fromarray(np.clip(values, 0, 255).round().astype(np.uint8), "L")


def _fresh(frame: Image.Image) -> Image.Image:
    """Return a new image made of the pixels alone: no info, no EXIF, no profile."""
    return Image.frombytes(frame.mode, frame.size, frame.tobytes())


# --- Naming what was there ----------------------------------------------------------------

EXIF_KINDS = (
    ("camera make and model", None, (ExifTags.Base.Make, ExifTags.Base.Model)),
    ("date and time", None, (ExifTags.Base.DateTime,)),
    ("author or copyright", None, (ExifTags.Base.Artist, ExifTags.Base.Copyright)),
    ("software", None, (ExifTags.Base.Software,)),
    (
        "date and time taken",
        ExifTags.IFD.Exif,
        (ExifTags.Base.DateTimeOriginal, ExifTags.Base.DateTimeDigitized),
    ),
    ("maker notes", ExifTags.IFD.Exif, (ExifTags.Base.MakerNote,)),
    (
        "serial numbers or owner's name",
        ExifTags.IFD.Exif,
        (
            ExifTags.Base.BodySerialNumber,
            ExifTags.Base.LensSerialNumber,
            ExifTags.Base.CameraOwnerName,
        ),
    ),
    ("unique image ID", ExifTags.IFD.Exif, (ExifTags.Base.ImageUniqueID,)),
)


def describe_metadata(image: Image.Image) -> list[str]:
    """Name the kinds of metadata a picture carries, never their values."""
    found = []
    exif = _describe_exif(image)
    if exif:
        found.append(exif)
    info = image.info
    if info.get("xmp") or info.get("XML:com.adobe.xmp"):
        found.append("XMP")
    if info.get("photoshop") or info.get("iptc"):
        found.append("IPTC/Photoshop data")
    if info.get("comment"):
        found.append("comment")
    if info.get("icc_profile"):
        found.append("colour profile (colours converted to sRGB first)")
    if info.get("extension"):
        found.append("application data")
    found += _describe_png_text(image)
    found += _describe_jpeg_segments(image)
    found += _describe_heif(info)
    return found


def _describe_exif(image: Image.Image) -> str | None:
    try:
        exif = image.getexif()
        if not exif:
            return None
        kinds = []
        if exif.get_ifd(ExifTags.IFD.GPSInfo):
            kinds.append("GPS location")
        for kind, ifd, tags in EXIF_KINDS:
            tags_here = exif if ifd is None else exif.get_ifd(ifd)
            if any(tag in tags_here for tag in tags):
                kinds.append(kind)
        if exif.get_ifd(ExifTags.IFD.IFD1):
            kinds.append("embedded thumbnail")
    except DECODE_ERRORS:
        return "EXIF (partly unreadable)"
    return f"EXIF ({', '.join(kinds)})" if kinds else "EXIF"


def _describe_png_text(image: Image.Image) -> list[str]:
    if image.format != "PNG":
        return []
    keys = [key for key in getattr(image, "text", {}) if key != "XML:com.adobe.xmp"]
    return [f"PNG text ({', '.join(sorted(keys))})"] if keys else []


# APP0 (JFIF) and APP14 (Adobe colour transform) only describe how to decode the pixels.
EXPLAINED_JPEG_SEGMENTS = {"APP0", "APP1", "APP2", "APP13", "APP14", "COM"}


def _describe_jpeg_segments(image: Image.Image) -> list[str]:
    found = []
    segments = getattr(image, "applist", [])
    if any(marker == "APP2" and data.startswith(b"MPF") for marker, data in segments):
        found.append("extra embedded images (MPF)")
    others = sorted({marker for marker, _ in segments} - EXPLAINED_JPEG_SEGMENTS)
    if others:
        found.append(f"other application data ({', '.join(others)})")
    return found


def _describe_heif(info: dict) -> list[str]:
    return [
        words
        for key, words in (
            ("thumbnails", "embedded thumbnails"),
            ("depth_images", "depth maps"),
            ("aux", "auxiliary images"),
            ("metadata", "other HEIF metadata"),
        )
        if info.get(key)
    ]


# --- Blurring ----------------------------------------------------------------------------


def _blur(
    picture: Picture, *, blur_faces: bool, regions: Sequence[Box]
) -> tuple[list[Image.Image], int, list[Box]]:
    """Blur the confirmed regions, and the faces found when asked, in every frame."""
    if not blur_faces and not regions:
        return picture.frames, 0, []
    from houseboat.safety.faces import blur_regions, detect_faces

    width, height = picture.frames[0].size
    confirmed = [box.clipped(width, height) for box in regions]
    confirmed = [box for box in confirmed if box.area]
    frames, found, blurred = [], 0, list(confirmed)
    for frame in picture.frames:
        faces = detect_faces(frame) if blur_faces else []
        found = max(found, len(faces))
        blurred += [face for face in faces if face not in blurred]
        frames.append(blur_regions(frame, [*faces, *confirmed]))
    return frames, found, blurred


def find_faces(src: Path) -> list[Box]:
    """Propose face regions on the upright picture at ``src``, for a person to confirm.

    The person unticks boxes and draws missed ones; pass what they keep as
    ``clean_image(..., regions=kept)`` with ``blur_faces`` off, so an unticked
    face stays as it is. Only those confirmed boxes are worth storing.
    """
    from houseboat.safety.faces import detect_faces

    src = Path(src)
    source_format = detect_format(src)
    if source_format not in IMAGE_FORMATS:
        raise UnsupportedMediaError(f"{src.name} is a video: faces are found in pictures only.")
    with image_job():
        return detect_faces(read_picture(src, source_format).frames[0])


# --- Writing -----------------------------------------------------------------------------


def _output_format(picture: Picture, keep_format: bool) -> str:
    has_alpha = picture.frames[0].mode in ("RGBA", "LA")
    if len(picture.frames) > 1:
        return picture.format
    if keep_format and picture.format != "HEIF":
        return picture.format
    return "PNG" if has_alpha else "JPEG"


def _output_path(dst: Path, output_format: str, notes: list[str]) -> Path:
    """Return ``dst``, its extension changed when it does not name the format written."""
    if dst.suffix.lower() in EXTENSIONS[output_format]:
        return dst
    renamed = dst.with_suffix(EXTENSIONS[output_format][0])
    notes.append(
        f"Written to {renamed.name}: the file is a {_format_name(output_format)}, "
        "and a name that says otherwise confuses browsers and networks."
    )
    return renamed


def _encode(frames: list[Image.Image], fmt: str, handle: BinaryIO, picture: Picture) -> None:
    """Write frames as a new file with no metadata; every option is spelt out."""
    first, rest = frames[0], frames[1:]
    if fmt == "JPEG":
        first = first if first.mode in ("RGB", "L") else first.convert("RGB")
        first.save(handle, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "PNG":
        first.save(handle, "PNG")
    elif fmt == "WEBP":
        options = {"lossless": picture.lossless, "quality": WEBP_QUALITY}
        if rest:
            options |= _animation_options(rest, picture)
        first.save(handle, "WEBP", **options)
    elif fmt == "GIF":
        first.save(handle, "GIF", **(_animation_options(rest, picture) if rest else {}))
    else:
        raise AssertionError(f"no encoder for {fmt}")


def _animation_options(rest: list[Image.Image], picture: Picture) -> dict:
    options = {
        "save_all": True,
        "append_images": rest,
        "duration": [duration or 100 for duration in picture.durations],
    }
    if picture.loop is not None:
        options["loop"] = picture.loop
    return options


def _write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write through a temporary file beside ``path``, so no half file is ever left there."""
    if not path.parent.is_dir():
        raise MediaError(f"The folder {path.parent} does not exist: create it first.")
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- Videos ------------------------------------------------------------------------------

VIDEO_MUXERS = {"MP4": "mp4", "MOV": "mov", "WEBM": "webm"}

VIDEO_LIMITS = (
    "Only the container's metadata was removed (titles, dates, GPS, device names, "
    "chapters) and data, subtitle and cover-picture tracks were dropped. The video and "
    "audio are copied bit for bit, so what they contain is still there: faces, places "
    "and voices, and any data a camera writes inside the video stream itself (for "
    "example H.264/HEVC SEI messages with encoder settings or timestamps)."
)


def clean_video(src: Path, dst: Path) -> CleanReport:
    """Copy a video's streams to ``dst`` without the container's metadata, using ffmpeg.

    Nothing is written when ffmpeg fails.
    """
    src, dst = Path(src), Path(dst)
    source_format = detect_format(src)
    if source_format not in VIDEO_FORMATS:
        raise UnsupportedMediaError(f"{src.name} is a picture, not a video: use clean_image.")
    notes: list[str] = [VIDEO_LIMITS]
    path = _output_path(dst, source_format, notes)
    if not path.parent.is_dir():
        raise MediaError(f"The folder {path.parent} does not exist: create it first.")
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        _run_ffmpeg(src, Path(temporary), VIDEO_MUXERS[source_format])
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return CleanReport(
        kind="video",
        source_format=source_format,
        output_format=source_format,
        path=path,
        removed=["container metadata", "chapters", "data and subtitle tracks"],
        notes=notes,
    )


def ffmpeg_command(src: Path, dst: Path, muxer: str) -> list[str]:
    """Return the ffmpeg command that copies video and audio without any metadata."""
    return [
        _ffmpeg(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(src),
        # Video (not cover pictures, which are JPEGs with their own EXIF) and audio only:
        # data tracks can hold GPS telemetry or a phone's timed metadata.
        "-map",
        "0:V?",
        "-map",
        "0:a?",
        "-map_metadata",
        "-1",
        # The global mapping above leaves each stream's own tags; drop those too.
        "-map_metadata:s",
        "-1",
        "-map_chapters",
        "-1",
        "-c",
        "copy",
        # Bitexact: no encoder name and version, no creation time of the copy.
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-f",
        muxer,
        str(dst),
    ]


def _ffmpeg() -> str:
    try:
        from imageio_ffmpeg import get_ffmpeg_exe

        return get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        raise MediaError(
            "No ffmpeg was found to clean videos. Reinstall houseboat, or install ffmpeg "
            "and set IMAGEIO_FFMPEG_EXE to its path."
        ) from None


def _run_ffmpeg(src: Path, dst: Path, muxer: str) -> None:
    try:
        result = subprocess.run(  # noqa: S603  (a fixed program, arguments never through a shell)
            ffmpeg_command(src, dst, muxer),
            capture_output=True,
            text=True,
            timeout=VIDEO_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise MediaError(
            f"Cleaning {src.name} took more than {VIDEO_TIMEOUT_S // 60} minutes and was "
            "stopped. Shorten the video, or clean it on a faster machine."
        ) from None
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise DamagedMediaError(
            f"{src.name} could not be cleaned: ffmpeg says “{reason}”. The file may be "
            "damaged or incomplete; copy it again from the camera or phone."
        )
