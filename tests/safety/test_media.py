"""The sanitiser: what a camera or phone leaves in a file does not reach publication."""

import struct
from pathlib import Path

import pytest
from PIL import Image

from houseboat.safety import media
from houseboat.safety.media import (
    DamagedMediaError,
    TooLargeMediaError,
    UnsupportedMediaError,
    clean_image,
    clean_media,
    clean_video,
)
from tests.safety import samples


def png_chunks(data: bytes) -> list[bytes]:
    chunks, position = [], 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunks.append(kind)
        position += 12 + length
    return chunks


def riff_chunks(data: bytes) -> list[bytes]:
    chunks, position = [], 12
    while position < len(data):
        kind, length = struct.unpack("<4sI", data[position : position + 8])
        chunks.append(kind)
        position += 8 + length + (length % 2)
    return chunks


def assert_no_metadata(path: Path) -> None:
    data = path.read_bytes()
    assert samples.leftovers_in(data) == []
    with Image.open(path) as cleaned:
        assert not cleaned.getexif()
        assert not {
            "exif",
            "xmp",
            "XML:com.adobe.xmp",
            "icc_profile",
            "comment",
            "photoshop",
        } & set(cleaned.info)


def only_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


# --- JPEG ----------------------------------------------------------------------------------


def test_gps_and_camera_tags_do_not_survive_cleaning_a_jpeg(tmp_path):
    original = samples.camera_jpeg(tmp_path / "camera.jpg")
    with Image.open(original) as before:
        assert before.getexif().get_ifd(0x8825), "the sample must carry GPS to prove anything"
    assert len(samples.leftovers_in(original.read_bytes())) >= 10

    report = clean_image(original, tmp_path / "clean.jpg")

    assert report.path == tmp_path / "clean.jpg"
    assert_no_metadata(report.path)


def test_the_report_names_what_was_removed_but_not_its_values(tmp_path):
    report = clean_image(samples.camera_jpeg(tmp_path / "camera.jpg"), tmp_path / "clean.jpg")
    removed = " ".join(report.removed)
    for kind in (
        "GPS location",
        "camera make and model",
        "maker notes",
        "serial numbers",
        "embedded thumbnail",
        "XMP",
        "IPTC",
        "comment",
        "colour profile",
    ):
        assert kind in removed
    assert samples.CAMERA_MODEL not in removed
    assert "48" not in removed


def test_the_embedded_thumbnail_does_not_survive(tmp_path):
    original = samples.camera_jpeg(tmp_path / "camera.jpg")
    # The thumbnail is a second JPEG inside the first; only one start-of-image may remain.
    assert original.read_bytes().count(b"\xff\xd8\xff") == 2
    report = clean_image(original, tmp_path / "clean.jpg")
    assert report.path.read_bytes().count(b"\xff\xd8\xff") == 1


def test_orientation_is_applied_so_the_picture_stays_upright(tmp_path):
    # Orientation 6: the camera was turned clockwise, so the stored left side is the top.
    original = samples.camera_jpeg(tmp_path / "turned.jpg", orientation=6)
    report = clean_image(original, tmp_path / "clean.jpg")
    assert report.rotated
    with Image.open(report.path) as cleaned:
        assert cleaned.size == (80, 120)
        red, _, blue = cleaned.convert("RGB").getpixel((45, 10))
        assert red > 200 and blue < 60
        red, _, blue = cleaned.convert("RGB").getpixel((45, 110))
        assert blue > 200 and red < 60


def test_colours_survive_the_colour_profile_being_dropped(tmp_path):
    report = clean_image(samples.camera_jpeg(tmp_path / "camera.jpg"), tmp_path / "clean.jpg")
    with Image.open(report.path) as cleaned:
        red, green, blue = cleaned.getpixel((20, 40))
    assert red > 230 and green < 30 and blue < 30


# --- PNG, WebP, HEIC, GIF ------------------------------------------------------------------


def test_png_text_chunks_do_not_survive_cleaning(tmp_path):
    original = samples.text_png(tmp_path / "poster.png")
    assert {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"} <= set(png_chunks(original.read_bytes()))

    report = clean_image(original, tmp_path / "clean.png")

    assert set(png_chunks(report.path.read_bytes())) <= {b"IHDR", b"IDAT", b"IEND"}
    assert_no_metadata(report.path)
    assert "PNG text (Author, Comment, Title)" in report.removed


def test_webp_exif_and_xmp_chunks_do_not_survive_cleaning(tmp_path):
    original = samples.metadata_webp(tmp_path / "photo.webp")
    assert {b"EXIF", b"XMP "} <= set(riff_chunks(original.read_bytes()))

    report = clean_image(original, tmp_path / "clean.webp")

    assert report.output_format == "WEBP"
    assert set(riff_chunks(report.path.read_bytes())) <= {b"VP8 ", b"VP8L"}
    assert_no_metadata(report.path)


def test_a_heic_from_a_phone_comes_out_as_a_jpeg_without_metadata(tmp_path):
    original = samples.metadata_heic(tmp_path / "IMG_0001.heic")
    assert b"Exif" in original.read_bytes()

    report = clean_image(original, tmp_path / "IMG_0001.heic")

    assert report.source_format == "HEIF"
    assert report.output_format == "JPEG"
    assert report.path == tmp_path / "IMG_0001.jpg"
    assert any("HEIC written as JPEG" in note for note in report.notes)
    assert_no_metadata(report.path)
    with Image.open(report.path) as cleaned:
        assert cleaned.format == "JPEG"
        assert cleaned.size == (120, 80)


def test_an_animated_gif_keeps_its_frames_and_loses_its_comment(tmp_path):
    original = samples.commented_gif(tmp_path / "moving.gif")
    assert samples.COMMENT.encode() in original.read_bytes()

    report = clean_image(original, tmp_path / "clean.gif")

    assert report.frames == 3
    assert samples.COMMENT.encode() not in report.path.read_bytes()
    with Image.open(report.path) as cleaned:
        assert cleaned.n_frames == 3
        assert "comment" not in cleaned.info
        cleaned.seek(2)
        assert cleaned.convert("RGB").getpixel((5, 5)) == (0, 0, 255)
        assert cleaned.info["duration"] == 120


def test_an_animated_webp_keeps_its_frames_and_timing(tmp_path):
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "green", "blue")]
    original = tmp_path / "moving.webp"
    frames[0].save(
        original, save_all=True, append_images=frames[1:], duration=[100, 200, 300], loop=0
    )

    report = clean_image(original, tmp_path / "clean.webp")

    with Image.open(report.path) as cleaned:
        timing = []
        for index in range(cleaned.n_frames):
            cleaned.seek(index)
            cleaned.load()
            timing.append(cleaned.info["duration"])
    assert timing == [100, 200, 300]


def test_a_second_picture_hidden_in_a_jpeg_is_dropped(tmp_path):
    # Phones store depth maps and previews as extra pictures (MPF) in the same file.
    original = tmp_path / "pair.jpg"
    shown, hidden = Image.new("RGB", (64, 48), "red"), Image.new("RGB", (64, 48), "blue")
    shown.save(original, "MPO", save_all=True, append_images=[hidden])
    assert original.read_bytes().count(b"\xff\xd8\xff") == 2

    report = clean_image(original, tmp_path / "clean.jpg")

    assert report.path.read_bytes().count(b"\xff\xd8\xff") == 1
    assert report.removed == ["extra embedded images (MPF)"]


def test_without_keep_format_a_png_photo_becomes_a_jpeg(tmp_path):
    report = clean_image(
        samples.text_png(tmp_path / "poster.png"), tmp_path / "poster.jpg", keep_format=False
    )
    assert report.output_format == "JPEG"
    assert report.path.read_bytes()[:3] == b"\xff\xd8\xff"


def test_an_extension_that_lies_is_corrected_not_obeyed(tmp_path):
    report = clean_image(samples.text_png(tmp_path / "poster.png"), tmp_path / "poster.jpg")
    assert report.path == tmp_path / "poster.png"
    assert any("poster.png" in note for note in report.notes)
    assert not (tmp_path / "poster.jpg").exists()


# --- Refusals --------------------------------------------------------------------------------


def test_a_file_that_is_not_a_picture_is_refused_whatever_its_name(tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"%PDF-1.7 a leaflet, not a photo")
    with pytest.raises(UnsupportedMediaError, match=r"photo\.jpg is a PDF document"):
        clean_media(fake, tmp_path / "out.jpg")
    assert only_files(tmp_path) == ["photo.jpg"]


def test_a_truncated_jpeg_gives_a_clear_error_and_writes_nothing(tmp_path):
    whole = samples.camera_jpeg(tmp_path / "whole.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    (tmp_path / "whole.jpg").unlink()

    with pytest.raises(DamagedMediaError, match="damaged or incomplete"):
        clean_image(cut, tmp_path / "out.jpg")
    assert only_files(tmp_path) == ["cut.jpg"]


def test_a_decompression_bomb_is_refused_before_it_is_decoded(tmp_path, monkeypatch):
    picture = tmp_path / "huge.png"
    Image.new("L", (400, 300)).save(picture)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    with pytest.raises(TooLargeMediaError, match="decompression bomb"):
        clean_image(picture, tmp_path / "out.png")
    assert only_files(tmp_path) == ["huge.png"]


def test_a_missing_output_folder_is_named(tmp_path):
    with pytest.raises(media.MediaError, match="does not exist"):
        clean_image(samples.text_png(tmp_path / "p.png"), tmp_path / "nowhere" / "p.png")


def test_avif_is_refused_by_name(tmp_path):
    avif = tmp_path / "photo.avif"
    avif.write_bytes(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\0" * 64)
    with pytest.raises(UnsupportedMediaError, match="an AVIF picture"):
        clean_media(avif, tmp_path / "out.jpg")


# --- Video -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "codec", "muxer"),
    [
        ("march.mp4", "libx264", "mp4"),
        ("march.mov", "libx264", "mov"),
        ("march.webm", "libvpx", "webm"),
    ],
)
def test_a_video_loses_its_title_and_location_tags(tmp_path, name, codec, muxer):
    original = samples.titled_video(tmp_path / name, codec=codec, muxer=muxer)
    assert "SecretTitle" in samples.video_tags(original)

    report = clean_video(original, tmp_path / f"clean-{name}")

    tags = samples.video_tags(report.path)
    assert "Video:" in tags
    for telltale in ("SecretTitle", "48.8584", "SECRETCAM", "Harbour Street"):
        assert telltale not in tags
        assert telltale.encode() not in report.path.read_bytes()
    assert any("bit for bit" in note for note in report.notes)


def test_faces_in_a_video_are_refused_rather_than_silently_left(tmp_path):
    original = samples.titled_video(tmp_path / "march.mp4")
    with pytest.raises(UnsupportedMediaError, match="cannot blur faces in videos"):
        clean_media(original, tmp_path / "out.mp4", blur_faces=True)
    assert only_files(tmp_path) == ["march.mp4"]


def test_a_damaged_video_gives_a_clear_error_and_writes_nothing(tmp_path):
    whole = samples.titled_video(tmp_path / "march.mp4").read_bytes()
    (tmp_path / "march.mp4").write_bytes(whole[:64])
    with pytest.raises(DamagedMediaError, match="could not be cleaned"):
        clean_video(tmp_path / "march.mp4", tmp_path / "out.mp4")
    assert only_files(tmp_path) == ["march.mp4"]
