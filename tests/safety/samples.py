"""Files that carry the metadata a phone or camera would leave, built in the test."""

import importlib.resources
import struct
import subprocess
from io import BytesIO
from pathlib import Path

from imageio_ffmpeg import get_ffmpeg_exe
from PIL import Image, ImageCms, ImageDraw, PngImagePlugin

CAMERA_MODEL = "EOS SECRETCAM 5D"
CAMERA_MAKE = "Canyon"
SERIAL = "SERIAL-0042-TRACE"
MAKER_NOTE = b"MAKERNOTE-OWNER-PHONE-0612345678"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'dc:creator="Ada Organiser"/></rdf:RDF></x:xmpmeta>'
)
IPTC_BYLINE = b"Ada Organiser IPTC"
DEVICE_PROFILE = "SECRETCAM 5D!"  # as long as "sRGB built-in"
COMMENT = "shot at the safe house, 12 Harbour Street"
# Every string that must not survive cleaning, as bytes to search the output for.
TELLTALES = [
    b"GPS",
    b"Exif",
    CAMERA_MODEL.encode(),
    CAMERA_MAKE.encode(),
    SERIAL.encode(),
    MAKER_NOTE,
    b"XMP",
    b"xmp",
    b"Ada Organiser",
    b"Photoshop",
    b"Harbour Street",
    b"ICC_PROFILE",
    b"SecretTitle",
    DEVICE_PROFILE.encode("utf-16-be"),
]


def leftovers_in(data: bytes) -> list[bytes]:
    """Return the telltales that are still in a file's bytes."""
    return [telltale for telltale in TELLTALES if telltale in data]


ASCII, SHORT, LONG, RATIONAL, UNDEFINED = 2, 3, 4, 5, 7


def _value(kind: int, value) -> tuple[int, bytes]:
    if kind == ASCII:
        raw = value.encode() + b"\0"
        return len(raw), raw
    if kind == SHORT:
        return len(value), struct.pack(f">{len(value)}H", *value)
    if kind == LONG:
        return len(value), struct.pack(f">{len(value)}I", *value)
    if kind == RATIONAL:
        flat = [part for pair in value for part in pair]
        return len(value), struct.pack(f">{len(flat)}I", *flat)
    return len(value), bytes(value)


def _ifd(entries: list[tuple[int, int, object]], start: int, next_ifd: int) -> bytes:
    """Encode one big-endian TIFF directory placed at ``start``, its long values after it."""
    table, data = b"", b""
    data_start = start + 2 + 12 * len(entries) + 4
    for tag, kind, value in sorted(entries, key=lambda entry: entry[0]):
        count, raw = _value(kind, value)
        if len(raw) <= 4:
            field = raw.ljust(4, b"\0")
        else:
            field = struct.pack(">I", data_start + len(data))
            data += raw + (b"\0" if len(raw) % 2 else b"")
        table += struct.pack(">HHI", tag, kind, count) + field
    return struct.pack(">H", len(entries)) + table + struct.pack(">I", next_ifd) + data


def exif_block(*, orientation: int = 1, thumbnail: bytes | None = None) -> bytes:
    """Return EXIF with camera make and model, GPS, maker notes, serial and a thumbnail."""
    thumbnail = thumbnail if thumbnail is not None else small_jpeg()

    def build(exif_at: int, gps_at: int, ifd1_at: int, thumb_at: int) -> list[bytes]:
        ifd0 = _ifd(
            [
                (0x010F, ASCII, CAMERA_MAKE),
                (0x0110, ASCII, CAMERA_MODEL),
                (0x0112, SHORT, [orientation]),
                (0x0132, ASCII, "2024:05:01 14:03:22"),
                (0x8769, LONG, [exif_at]),
                (0x8825, LONG, [gps_at]),
            ],
            8,
            ifd1_at,
        )
        exif = _ifd(
            [
                (0x9003, ASCII, "2024:05:01 14:03:22"),
                (0x927C, UNDEFINED, MAKER_NOTE),
                (0xA431, ASCII, SERIAL),
            ],
            exif_at,
            0,
        )
        gps = _ifd(
            [
                (0x0001, ASCII, "N"),
                (0x0002, RATIONAL, [(48, 1), (51, 1), (2940, 100)]),
                (0x0003, ASCII, "E"),
                (0x0004, RATIONAL, [(2, 1), (17, 1), (4020, 100)]),
            ],
            gps_at,
            0,
        )
        ifd1 = _ifd(
            [
                (0x0103, SHORT, [6]),
                (0x0201, LONG, [thumb_at]),
                (0x0202, LONG, [len(thumbnail)]),
            ],
            ifd1_at,
            0,
        )
        return [ifd0, exif, gps, ifd1]

    # Lay the directories out once to learn their sizes, then again at their real offsets.
    sizes = [len(part) for part in build(0, 0, 0, 0)]
    offsets = [8]
    for size in sizes:
        offsets.append(offsets[-1] + size)
    parts = build(offsets[1], offsets[2], offsets[3], offsets[4])
    return b"Exif\0\0" + b"MM\0\x2a" + struct.pack(">I", 8) + b"".join(parts) + thumbnail


def small_jpeg(colour: str = "green") -> bytes:
    out = BytesIO()
    Image.new("RGB", (16, 12), colour).save(out, "JPEG")
    return out.getvalue()


def device_profile() -> bytes:
    """Return an sRGB ICC profile renamed after a device, as a calibrated camera's would be."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original, renamed = "sRGB built-in".encode("utf-16-be"), DEVICE_PROFILE.encode("utf-16-be")
    assert len(original) == len(renamed) and original in profile
    return profile.replace(original, renamed)


def two_colour_picture(size: tuple[int, int] = (120, 80)) -> Image.Image:
    """Return a picture red on the left half and blue on the right, with some texture."""
    picture = Image.new("RGB", size, "blue")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, size[0] // 2 - 1, size[1]), fill="red")
    for x in range(0, size[0], 8):
        draw.line((x, 0, x, size[1]), fill=(40, 200, 40))
    return picture


def _iptc_segment() -> bytes:
    """Return a JPEG APP13 segment with an IPTC by-line, as Photoshop writes it."""
    dataset = b"\x1c\x02\x50" + struct.pack(">H", len(IPTC_BYLINE)) + IPTC_BYLINE
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + struct.pack(">I", len(dataset))
    body = b"Photoshop 3.0\0" + resource + dataset + (b"\0" if len(dataset) % 2 else b"")
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def camera_jpeg(path: Path, *, orientation: int = 1) -> Path:
    """Write a JPEG as a camera would: EXIF with GPS and thumbnail, XMP, IPTC, ICC, comment."""
    out = BytesIO()
    two_colour_picture().save(
        out,
        "JPEG",
        exif=exif_block(orientation=orientation),
        xmp=XMP,
        comment=COMMENT,
        icc_profile=device_profile(),
    )
    data = out.getvalue()
    path.write_bytes(data[:2] + _iptc_segment() + data[2:])
    return path


def text_png(path: Path) -> Path:
    """Write a PNG with tEXt, zTXt and iTXt chunks, XMP and EXIF (eXIf)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Ada Organiser")
    info.add_text("Comment", COMMENT, zip=True)
    info.add_itxt("Title", "SecretTitle at the march", lang="en", tkey="Title")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    two_colour_picture().save(
        path, "PNG", pnginfo=info, exif=exif_block()[6:], icc_profile=device_profile()
    )
    return path


def metadata_webp(path: Path) -> Path:
    """Write a WebP with EXIF and XMP chunks."""
    two_colour_picture().save(path, "WEBP", exif=exif_block(), xmp=XMP, quality=90)
    return path


def metadata_heic(path: Path) -> Path:
    """Write a HEIC with EXIF and XMP, as a phone does."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    two_colour_picture().save(path, "HEIF", exif=exif_block()[6:], xmp=XMP)
    return path


def commented_gif(path: Path) -> Path:
    """Write a three-frame animated GIF with a comment."""
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "green", "blue")]
    frames[0].save(
        path, "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0, comment=COMMENT
    )
    return path


def astronaut_path() -> Path:
    """Return scikit-image's astronaut photo (one face), shipped inside the package."""
    return Path(str(importlib.resources.files("skimage.data") / "astronaut.png"))


def titled_video(path: Path, *, codec: str = "libx264", muxer: str = "mp4") -> Path:
    """Make a one-second video from generated frames, with title and location tags."""
    command = [
        get_ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=10",
        "-t",
        "1",
        "-c:v",
        codec,
        "-metadata",
        "title=SecretTitle of the march",
        "-metadata",
        "location=+48.8584+002.2945/",
        "-metadata",
        f"comment={COMMENT}",
        "-metadata:s:v:0",
        "handler_name=SECRETCAM handler",
        "-f",
        muxer,
        str(path),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return path


def video_tags(path: Path) -> str:
    """Return what ffmpeg reports about a video's metadata."""
    result = subprocess.run(
        [get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stderr
