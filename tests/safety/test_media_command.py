"""`houseboat media clean IN OUT [--blur-faces]` as an organiser runs it."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from tests.safety import samples


def clean(*args: str) -> str:
    out = StringIO()
    call_command("media", "clean", *args, stdout=out)
    return out.getvalue()


def test_cleaning_a_camera_photo_says_what_was_removed(tmp_path):
    original = samples.camera_jpeg(tmp_path / "camera.jpg")
    output = clean(str(original), str(tmp_path / "clean.jpg"))
    assert f"Wrote {tmp_path / 'clean.jpg'} (JPEG)." in output
    assert "GPS location" in output
    assert samples.CAMERA_MODEL not in output
    assert samples.leftovers_in((tmp_path / "clean.jpg").read_bytes()) == []


def test_blur_faces_blurs_the_astronaut_and_asks_for_a_look(tmp_path):
    output = clean(str(samples.astronaut_path()), str(tmp_path / "clean.png"), "--blur-faces")
    assert "Blurred 1 face(s)." in output
    assert "Look at the picture before publishing" in output


def test_a_region_given_by_hand_is_blurred(tmp_path):
    output = clean(
        str(samples.astronaut_path()), str(tmp_path / "clean.png"), "--blur-region", "0,100,60,200"
    )
    assert "Blurred 1 region(s) given by hand." in output
    with Image.open(tmp_path / "clean.png") as cleaned:
        patch = cleaned.convert("L").crop((10, 110, 50, 190))
        assert patch.getextrema()[1] - patch.getextrema()[0] < 60


@pytest.mark.parametrize("region", ["1,2,3", "5,5,1,1", "a,b,c,d"])
def test_a_malformed_region_is_refused_with_the_form_to_use(tmp_path, region):
    with pytest.raises(CommandError, match="--blur-region"):
        clean(str(samples.astronaut_path()), str(tmp_path / "out.png"), "--blur-region", region)


def test_a_file_that_is_not_media_is_a_clear_error_and_writes_nothing(tmp_path):
    (tmp_path / "notes.jpg").write_text("meeting at noon")
    with pytest.raises(CommandError, match="not a file houseboat can clean"):
        clean(str(tmp_path / "notes.jpg"), str(tmp_path / "out.jpg"))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.jpg"]


def test_the_original_cannot_be_overwritten(tmp_path):
    original = samples.camera_jpeg(tmp_path / "camera.jpg")
    with pytest.raises(CommandError, match="original stays as evidence"):
        clean(str(original), str(original))


def test_a_video_is_cleaned_from_the_command_line(tmp_path):
    original = samples.titled_video(tmp_path / "march.mp4")
    output = clean(str(original), str(tmp_path / "clean.mp4"))
    assert "container metadata" in output
    assert "bit for bit" in output
    assert "SecretTitle" not in samples.video_tags(tmp_path / "clean.mp4")


def houseboat(data_dir, *args: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    return subprocess.run(
        [sys.executable, "-m", "houseboat", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_the_houseboat_command_cleans_in_a_real_process(tmp_path):
    original = samples.camera_jpeg(tmp_path / "camera.jpg")
    result = houseboat(tmp_path / "data", "media", "clean", str(original), str(tmp_path / "c.jpg"))
    assert result.returncode == 0, result.stderr
    assert "Removed: EXIF (GPS location" in result.stdout


def test_a_missing_file_is_named_without_a_traceback(tmp_path):
    missing, out = str(tmp_path / "missing.jpg"), str(tmp_path / "x.jpg")
    result = houseboat(tmp_path / "data", "media", "clean", missing, out)
    assert result.returncode == 1
    assert "missing.jpg cannot be read" in result.stderr
    assert "Traceback" not in result.stderr
