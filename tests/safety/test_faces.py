"""Faces: found by CenterFace on the CPU, blurred beyond recovery, nothing else touched."""

import hashlib
import importlib.resources
from io import BytesIO

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from houseboat.safety import faces
from houseboat.safety.boxes import Box
from houseboat.safety.media import clean_image, find_faces
from tests.safety import samples

# Drawn by hand on scikit-image's astronaut.png: forehead below the hair to the chin.
ASTRONAUT_FACE = Box(178, 70, 272, 182)
FLAG = Box(0, 100, 60, 200)


def skimage_picture(name: str) -> Image.Image:
    with Image.open(importlib.resources.files("skimage.data") / name) as picture:
        return picture.convert("RGB")


def grey(picture: Image.Image, box: Box) -> np.ndarray:
    return np.asarray(picture.convert("L").crop((box.x0, box.y0, box.x1, box.y1)), dtype=float)


def high_pass(values: np.ndarray) -> np.ndarray:
    """Return the fine detail of a grey patch: itself minus its smoothed self."""
    patch = Image.fromarray(values.astype(np.uint8))
    return values - np.asarray(patch.filter(ImageFilter.GaussianBlur(2)), dtype=float)


def detail_correlation(before: np.ndarray, after: np.ndarray) -> float:
    a, b = high_pass(before).ravel(), high_pass(after).ravel()
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


# --- Finding ---------------------------------------------------------------------------------


def test_the_astronauts_face_is_found_where_a_person_would_draw_it():
    found = faces.detect_faces(skimage_picture("astronaut.png"))
    assert len(found) == 1
    assert found[0].iou(ASTRONAUT_FACE) > 0.6
    assert 0.5 < found[0].score <= 1


@pytest.mark.parametrize("name", ["coffee.png", "rocket.jpg", "brick.png", "coins.png"])
def test_pictures_without_people_have_no_faces(name):
    assert faces.detect_faces(skimage_picture(name)) == []


def test_drawn_shapes_are_not_faces():
    picture = Image.new("RGB", (300, 200), "white")
    draw = ImageDraw.Draw(picture)
    draw.ellipse((20, 20, 120, 120), fill="orange", outline="black")
    draw.rectangle((150, 40, 280, 180), fill="navy")
    draw.polygon([(40, 190), (100, 130), (160, 190)], fill="green")
    assert faces.detect_faces(picture) == []


@pytest.mark.parametrize("size", [(1, 1), (33, 517), (1000, 31)])
def test_any_picture_size_is_accepted(size):
    assert faces.detect_faces(Image.new("RGB", size, "grey")) == []


def test_a_large_photo_is_searched_at_two_scales_and_boxes_come_back_in_its_pixels():
    astronaut = skimage_picture("astronaut.png")
    large = astronaut.resize((2048, 2048))
    found = faces.detect_faces(large)
    scaled = Box(*(value * 4 for value in (178, 70, 272, 182)))
    assert len(found) == 1
    assert found[0].iou(scaled) > 0.6


def test_the_model_grids_decode_to_one_box_per_centre():
    heatmap = np.zeros((8, 8), dtype=np.float32)
    heatmap[2, 5] = 0.9
    sizes = np.zeros((2, 8, 8), dtype=np.float32)
    sizes[:, 2, 5] = np.log([4.0, 2.0])  # 16 px high, 8 px wide
    offsets = np.zeros((2, 8, 8), dtype=np.float32)
    boxes, scores = faces.decode(heatmap, sizes, offsets, threshold=0.5)
    # Centre of cell (row 2, column 5) at stride 4: x = 22, y = 10.
    assert boxes.tolist() == [[18.0, 2.0, 26.0, 18.0]]
    assert scores.tolist() == pytest.approx([0.9])


def test_overlapping_boxes_keep_only_the_most_certain():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], dtype=np.float32)
    scores = np.array([0.6, 0.9, 0.5], dtype=np.float32)
    assert faces.non_maximum_suppression(boxes, scores, 0.3) == [1, 2]


# --- Blurring --------------------------------------------------------------------------------


@pytest.fixture
def blurred_astronaut(tmp_path):
    report = clean_image(samples.astronaut_path(), tmp_path / "clean.png", blur_faces=True)
    with Image.open(report.path) as cleaned:
        return report, cleaned.convert("RGB")


def test_a_blurred_face_loses_its_detail_and_the_rest_of_the_photo_does_not(blurred_astronaut):
    report, after = blurred_astronaut
    before = skimage_picture("astronaut.png")
    assert report.faces_found == 1

    face_before, face_after = grey(before, ASTRONAUT_FACE), grey(after, ASTRONAUT_FACE)
    assert np.abs(face_before - face_after).mean() > 15
    # Fine detail (eyes, mouth, edges) is gone: what is left does not follow the original.
    assert np.abs(high_pass(face_after)).mean() < 0.1 * np.abs(high_pass(face_before)).mean()
    assert abs(detail_correlation(face_before, face_after)) < 0.1

    # Outside the enlarged box not one pixel changed (the astronaut is a lossless PNG).
    blurred_area = report.blurred[0].grown(faces.GROW, *before.size)
    mask = np.ones((before.height, before.width), dtype=bool)
    mask[blurred_area.y0 : blurred_area.y1, blurred_area.x0 : blurred_area.x1] = False
    difference = np.abs(np.asarray(before, dtype=int) - np.asarray(after, dtype=int))
    assert difference[mask].max() <= 1  # colour-profile rounding at most


def test_the_metric_would_catch_a_light_blur_that_can_be_undone():
    before = skimage_picture("astronaut.png")
    light = before.filter(ImageFilter.GaussianBlur(1.5))
    face_before, face_light = grey(before, ASTRONAUT_FACE), grey(light, ASTRONAUT_FACE)
    assert detail_correlation(face_before, face_light) > 0.3


def test_the_blurred_face_is_no_longer_found(blurred_astronaut):
    _report, after = blurred_astronaut
    assert faces.detect_faces(after) == []


def test_a_region_a_person_added_is_blurred_and_an_unticked_face_is_not(tmp_path):
    report = clean_image(samples.astronaut_path(), tmp_path / "clean.png", regions=[FLAG])
    before = skimage_picture("astronaut.png")
    with Image.open(report.path) as cleaned:
        after = cleaned.convert("RGB")
    assert report.blurred == [FLAG]
    assert abs(detail_correlation(grey(before, FLAG), grey(after, FLAG))) < 0.1
    assert np.abs(grey(before, ASTRONAUT_FACE) - grey(after, ASTRONAUT_FACE)).max() <= 1


def test_faces_are_found_in_a_photo_stored_sideways(tmp_path):
    # A phone held upright stores the picture turned and says so in EXIF (orientation 6).
    stored = skimage_picture("astronaut.png").transpose(Image.Transpose.ROTATE_90)
    path = tmp_path / "sideways.jpg"
    buffer = BytesIO()
    stored.save(buffer, "JPEG", quality=95, exif=samples.exif_block(orientation=6))
    path.write_bytes(buffer.getvalue())

    assert [box.iou(ASTRONAUT_FACE) > 0.5 for box in find_faces(path)] == [True]
    report = clean_image(path, tmp_path / "clean.jpg", blur_faces=True)
    assert report.rotated and report.faces_found == 1
    with Image.open(report.path) as cleaned:
        face = grey(cleaned, ASTRONAUT_FACE)
    assert (
        abs(detail_correlation(grey(skimage_picture("astronaut.png"), ASTRONAUT_FACE), face)) < 0.1
    )


def test_every_frame_of_an_animation_is_blurred(tmp_path):
    astronaut = skimage_picture("astronaut.png").resize((256, 256))
    frames = [astronaut, astronaut.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    path = tmp_path / "moving.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=200, loop=0)

    report = clean_image(path, tmp_path / "clean.gif", blur_faces=True)

    assert report.frames == 2 and len(report.blurred) == 2
    with Image.open(report.path) as cleaned:
        for index in range(2):
            cleaned.seek(index)
            assert faces.detect_faces(cleaned.convert("RGB")) == []


# --- What is kept --------------------------------------------------------------------------------


def test_a_confirmed_box_is_kept_as_four_numbers_and_nothing_else():
    box = Box(10, 20, 30, 40, score=0.77)
    assert box.as_dict() == {"x0": 10, "y0": 20, "x1": 30, "y1": 40}
    assert Box.from_dict(box.as_dict()) == Box(10, 20, 30, 40)


@pytest.mark.parametrize(
    "data", [{"x0": 1, "y0": 1, "x1": 1, "y1": 5}, {"x0": "a"}, {"x0": 1, "y0": 2, "x1": 3}]
)
def test_a_malformed_region_from_the_browser_is_refused(data):
    with pytest.raises(ValueError, match="region"):
        Box.from_dict(data)


def test_the_shipped_model_is_the_unmodified_centerface_file_with_its_licence():
    assert hashlib.sha256(faces.MODEL.read_bytes()).hexdigest() == faces.MODEL_SHA256
    licence = (faces.MODEL.parent / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and faces.MODEL_SHA256 in licence
