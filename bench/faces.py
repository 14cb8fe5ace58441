"""Face detection quality on a labelled set built from pictures that ship in packages.

    python3 -m uv run --frozen python bench/faces.py
    python3 -m uv run --frozen python bench/faces.py --threshold 0.5 --quiet

Nothing is downloaded. The set (about 170 labelled faces, 60 pictures):

- photos: scikit-image's sample photos. astronaut.png and camera.png have one face
  each (boxes drawn by hand); the other 21 (a cat, coffee, a rocket, coins, text,
  textures, microscopy...) have none.
- astronaut variants: the astronaut small, dark, noisy, heavily compressed,
  mirrored, tilted 20 degrees and lying sideways (90 degrees; houseboat turns
  phone photos upright from their EXIF first, but a photo of a person lying down
  stays sideways).
- crowds: the astronaut's and the cameraman's heads pasted many times at face
  heights from 12 to 160 pixels on textured backgrounds (1280 x 960), and once
  at 24 to 320 pixels on a phone-sized picture (4032 x 3024).
- LFW crops: the 100 face crops of scikit-image's ``lfw_subset`` (25 x 25 pixels,
  forehead to chin, no hair or shoulders) enlarged to 24-96 pixels and pasted ten
  per picture, with its 100 non-face crops pasted beside them as decoys.
- drawings: shapes, stripes, noise and a smiley (no faces).

A detection counts as a true positive when its box overlaps a labelled face
with intersection over union of at least 0.3 (CenterFace's boxes are tighter
than hand-drawn ones, and the LFW crops are square). "Hidden" counts the faces
at least 90 % covered by what houseboat blurs (each box enlarged by faces.GROW):
that is what matters for safety.
"""

from __future__ import annotations

import argparse
import importlib.resources
import os
import platform
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from houseboat.safety import faces
from houseboat.safety.boxes import Box

MATCH_IOU = 0.3
HIDDEN_COVERAGE = 0.9
THRESHOLDS = (0.2, 0.3, 0.5, 0.7)
ASTRONAUT_FACE = Box(178, 70, 272, 182)
CAMERA_FACE = Box(196, 112, 260, 200)
NO_FACE_PHOTOS = (
    "brick.png",
    "cell.png",
    "chelsea.png",
    "chessboard_RGB.png",
    "clock_motion.png",
    "coffee.png",
    "coins.png",
    "color.png",
    "grass.png",
    "gravel.png",
    "horse.png",
    "hubble_deep_field.jpg",
    "ihc.png",
    "logo.png",
    "moon.png",
    "motorcycle_left.png",
    "motorcycle_right.png",
    "page.png",
    "retina.jpg",
    "rocket.jpg",
    "text.png",
)
BACKGROUNDS = ("grass.png", "gravel.png", "brick.png", "coffee.png", "rocket.jpg", "moon.png")


@dataclass
class Sample:
    name: str
    group: str
    picture: Image.Image
    truth: list[Box] = field(default_factory=list)


@dataclass
class Score:
    truth: int = 0
    found: int = 0
    true_positives: int = 0
    hidden: int = 0

    @property
    def false_positives(self) -> int:
        return self.found - self.true_positives

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.truth if self.truth else 1.0

    def add(self, other: Score) -> None:
        self.truth += other.truth
        self.found += other.found
        self.true_positives += other.true_positives
        self.hidden += other.hidden


# --- The labelled set ----------------------------------------------------------------------


def skimage(name: str) -> Image.Image:
    with Image.open(importlib.resources.files("skimage.data") / name) as picture:
        return picture.convert("RGB")


def photos() -> list[Sample]:
    samples = [
        Sample("astronaut", "photos", skimage("astronaut.png"), [ASTRONAUT_FACE]),
        Sample("camera", "photos", skimage("camera.png"), [CAMERA_FACE]),
    ]
    samples += [Sample(name.split(".")[0], "photos", skimage(name)) for name in NO_FACE_PHOTOS]
    return samples


def astronaut_variants() -> list[Sample]:
    astronaut, face = skimage("astronaut.png"), ASTRONAUT_FACE
    noisy = np.asarray(astronaut, dtype=float) + np.random.default_rng(7).normal(
        0, 25, (512, 512, 3)
    )
    jpeg = _jpeg(astronaut, quality=8)
    tilted = astronaut.rotate(20, resample=Image.Resampling.BILINEAR, expand=False)
    return [
        Sample("astronaut-small", "astronaut", astronaut.resize((160, 160)), [_scaled(face, 160 / 512)]),
        Sample("astronaut-tiny", "astronaut", astronaut.resize((96, 96)), [_scaled(face, 96 / 512)]),
        Sample("astronaut-dark", "astronaut", ImageEnhance.Brightness(astronaut).enhance(0.25), [face]),
        Sample("astronaut-noisy", "astronaut", _from_array(noisy), [face]),
        Sample("astronaut-jpeg-q8", "astronaut", jpeg, [face]),
        Sample("astronaut-blurred-photo", "astronaut", astronaut.filter(ImageFilter.GaussianBlur(3)), [face]),
        Sample("astronaut-mirrored", "astronaut", astronaut.transpose(Image.Transpose.FLIP_LEFT_RIGHT), [_mirrored(face, 512)]),
        Sample("astronaut-tilted-20", "astronaut", tilted, [_rotated_box(face, 20, 512)]),
        Sample("astronaut-sideways", "astronaut", astronaut.transpose(Image.Transpose.ROTATE_90), [Box(face.y0, 512 - face.x1, face.y1, 512 - face.x0)]),
        Sample("astronaut-grey", "astronaut", astronaut.convert("L").convert("RGB"), [face]),
    ]  # fmt: skip


def crowds(rng: random.Random) -> list[Sample]:
    heads = [
        (skimage("astronaut.png").crop((140, 20, 310, 230)), Box(38, 50, 132, 162)),
        (skimage("camera.png").crop((150, 60, 290, 230)), Box(46, 52, 110, 140)),
    ]
    heights = [12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160]
    samples = []
    for index, background in enumerate(BACKGROUNDS):
        canvas = skimage(background).resize((1280, 960))
        placed: list[Box] = []
        truth: list[Box] = []
        for face_height in rng.sample(heights, 9):
            head, face = rng.choice(heads)
            scale = face_height / face.height
            size = (round(head.width * scale), round(head.height * scale))
            spot = _free_spot(rng, size, placed, canvas.size)
            if spot is None:
                continue
            canvas.paste(head.resize(size, Image.Resampling.LANCZOS), (spot.x0, spot.y0))
            placed.append(spot)
            truth.append(_moved(_scaled(face, scale), spot.x0, spot.y0))
        samples.append(
            Sample(f"crowd-{index + 1}-{background.split('.')[0]}", "crowds", canvas, truth)
        )
    samples.append(_phone_crowd(heads))
    return samples


def _phone_crowd(heads: list[tuple[Image.Image, Box]]) -> Sample:
    """Return a 12-megapixel picture, a phone's size, with faces 24 to 320 pixels high."""
    rng = random.Random(12)  # noqa: S311  (its own layout, so the other pictures stay put)
    canvas = skimage("grass.png").resize((4032, 3024))
    placed: list[Box] = []
    truth: list[Box] = []
    for face_height in (24, 32, 40, 48, 64, 96, 128, 192, 256, 320):
        head, face = rng.choice(heads)
        scale = face_height / face.height
        size = (round(head.width * scale), round(head.height * scale))
        spot = _free_spot(rng, size, placed, canvas.size)
        if spot is not None:
            canvas.paste(head.resize(size, Image.Resampling.LANCZOS), (spot.x0, spot.y0))
            placed.append(spot)
            truth.append(_moved(_scaled(face, scale), spot.x0, spot.y0))
    return Sample("crowd-phone-12mp", "crowds", canvas, truth)


def lfw_crops(rng: random.Random) -> list[Sample]:
    crops = np.load(importlib.resources.files("skimage.data") / "lfw_subset.npy")
    tiles = [Image.fromarray((crop * 255).astype(np.uint8)).convert("RGB") for crop in crops]
    face_tiles, decoys = tiles[:100], tiles[100:]
    samples = []
    for index in range(10):
        canvas = skimage(BACKGROUNDS[index % len(BACKGROUNDS)]).resize((1024, 768))
        canvas = ImageEnhance.Brightness(canvas).enhance(0.8)
        placed: list[Box] = []
        truth: list[Box] = []
        for tile_index in range(10):
            for tile, is_face in ((face_tiles, True), (decoys, False)):
                side = rng.choice([24, 32, 48, 64, 96])
                spot = _free_spot(rng, (side, side), placed, canvas.size)
                if spot is None:
                    continue
                canvas.paste(tile[index * 10 + tile_index].resize((side, side)), (spot.x0, spot.y0))
                placed.append(spot)
                if is_face:
                    truth.append(spot)
        samples.append(Sample(f"lfw-{index + 1}", "lfw", canvas, truth))
    return samples


def drawings(rng: random.Random) -> list[Sample]:
    shapes = Image.new("RGB", (800, 600), "white")
    draw = ImageDraw.Draw(shapes)
    for _ in range(40):
        x, y, w, h = (
            rng.randrange(800),
            rng.randrange(600),
            rng.randrange(10, 160),
            rng.randrange(10, 160),
        )
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x, y, x + w, y + h), fill=colour)
    stripes = Image.new("RGB", (640, 480), "black")
    draw = ImageDraw.Draw(stripes)
    for x in range(0, 640, 24):
        draw.rectangle((x, 0, x + 11, 480), fill="yellow")
    noise = Image.fromarray(
        np.random.default_rng(3).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    )
    smiley = Image.new("RGB", (400, 400), "skyblue")
    draw = ImageDraw.Draw(smiley)
    draw.ellipse((100, 100, 300, 300), fill="gold", outline="black", width=4)
    draw.ellipse((150, 160, 175, 190), fill="black")
    draw.ellipse((225, 160, 250, 190), fill="black")
    draw.arc((150, 180, 250, 260), 20, 160, fill="black", width=5)
    return [
        Sample("shapes", "drawings", shapes),
        Sample("stripes", "drawings", stripes),
        Sample("noise", "drawings", noise),
        Sample("smiley", "drawings", smiley),
    ]  # fmt: skip


def labelled_set() -> list[Sample]:
    rng = random.Random(20240501)  # noqa: S311  (a repeatable layout, not a secret)
    return [*photos(), *astronaut_variants(), *crowds(rng), *lfw_crops(rng), *drawings(rng)]


def _jpeg(picture: Image.Image, quality: int) -> Image.Image:
    from io import BytesIO

    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=quality)
    return Image.open(BytesIO(buffer.getvalue())).convert("RGB")


def _from_array(values: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))


def _scaled(box: Box, scale: float) -> Box:
    return Box(*(round(value * scale) for value in (box.x0, box.y0, box.x1, box.y1)))


def _moved(box: Box, dx: int, dy: int) -> Box:
    return Box(box.x0 + dx, box.y0 + dy, box.x1 + dx, box.y1 + dy)


def _mirrored(box: Box, width: int) -> Box:
    return Box(width - box.x1, box.y0, width - box.x0, box.y1)


def _rotated_box(box: Box, degrees: float, side: int) -> Box:
    """Return the box around the face after Pillow rotates the picture about its centre."""
    angle, centre = np.radians(degrees), side / 2
    corners = np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x0, box.y1], [box.x1, box.y1]])
    x, y = corners[:, 0] - centre, corners[:, 1] - centre
    # Pillow turns counter-clockwise on screen, where y grows downwards.
    rx = x * np.cos(angle) + y * np.sin(angle) + centre
    ry = -x * np.sin(angle) + y * np.cos(angle) + centre
    # The axis-aligned hull of a turned face is larger than the face: shrink it back.
    hull = Box(int(rx.min()), int(ry.min()), int(rx.max()), int(ry.max()))
    return hull.grown(-0.12, side, side)


def _free_spot(
    rng: random.Random, size: tuple[int, int], placed: list[Box], canvas: tuple[int, int]
) -> Box | None:
    for _ in range(200):
        x, y = rng.randrange(canvas[0] - size[0]), rng.randrange(canvas[1] - size[1])
        spot = Box(x, y, x + size[0], y + size[1])
        if all(spot.grown(0.1, *canvas).iou(other) == 0 for other in placed):
            return spot
    return None


# --- Scoring ---------------------------------------------------------------------------------


def score(truth: list[Box], found: list[Box], size: tuple[int, int]) -> Score:
    """Match detections to labelled faces (best score first) and count what is hidden."""
    result = Score(truth=len(truth), found=len(found))
    unmatched = list(truth)
    for box in sorted(found, key=lambda box: -box.score):
        best = max(unmatched, key=box.iou, default=None)
        if best is not None and box.iou(best) >= MATCH_IOU:
            unmatched.remove(best)
            result.true_positives += 1
    blur = np.zeros((size[1], size[0]), dtype=bool)
    for box in found:
        grown = box.grown(faces.GROW, *size)
        blur[grown.y0 : grown.y1, grown.x0 : grown.x1] = True
    for face in truth:
        face = face.clipped(*size)
        covered = blur[face.y0 : face.y1, face.x0 : face.x1].mean() if face.area else 1.0
        result.hidden += covered >= HIDDEN_COVERAGE
    return result


def run(threshold: float, quiet: bool) -> None:
    samples = labelled_set()
    lowest = min(*THRESHOLDS, threshold)
    faces.detect_faces(Image.new("RGB", (64, 64)))  # load the model outside the timing
    detections, timings, megapixels = [], [], 0.0
    for sample in samples:
        start = time.perf_counter()
        detections.append(faces.detect_faces(sample.picture, threshold=lowest))
        timings.append(time.perf_counter() - start)
        megapixels += sample.picture.width * sample.picture.height / 1e6
    seconds = sum(timings)

    groups: dict[str, Score] = {}
    total = Score()
    if not quiet:
        print(
            f"{'picture':28} {'size':>9} {'faces':>5} {'found':>5} {'TP':>4} {'FP':>4} "
            f"{'FN':>4} {'hidden':>6} {'ms':>6}"
        )
    for sample, found, took in zip(samples, detections, timings, strict=True):
        kept = [box for box in found if box.score >= threshold]
        result = score(sample.truth, kept, sample.picture.size)
        groups.setdefault(sample.group, Score()).add(result)
        total.add(result)
        if not quiet:
            size = f"{sample.picture.width}x{sample.picture.height}"
            print(
                f"{sample.name:28} {size:>9} {result.truth:5} {result.found:5} "
                f"{result.true_positives:4} {result.false_positives:4} "
                f"{result.truth - result.true_positives:4} {result.hidden:6} {1000 * took:6.0f}"
            )

    print(f"\nthreshold {threshold}: matched at IoU >= {MATCH_IOU}")
    print(
        f"{'set':12} {'pictures':>8} {'faces':>5} {'TP':>4} {'FP':>4} {'precision':>9} {'recall':>7} {'hidden':>7}"
    )
    counts = {group: sum(1 for sample in samples if sample.group == group) for group in groups}
    for group, result in [*groups.items(), ("all", total)]:
        pictures = counts.get(group, len(samples))
        hidden = result.hidden / result.truth if result.truth else 1.0
        print(
            f"{group:12} {pictures:8} {result.truth:5} {result.true_positives:4} "
            f"{result.false_positives:4} {result.precision:9.3f} {result.recall:7.3f} {hidden:7.3f}"
        )

    print("\nall pictures, by threshold")
    print(
        f"{'threshold':>9} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7} {'hidden':>7}"
    )
    for value in sorted({*THRESHOLDS, threshold}):
        overall = Score()
        for sample, found in zip(samples, detections, strict=True):
            kept = [box for box in found if box.score >= value]
            overall.add(score(sample.truth, kept, sample.picture.size))
        print(
            f"{value:9.2f} {overall.true_positives:4} {overall.false_positives:4} "
            f"{overall.truth - overall.true_positives:4} {overall.precision:9.3f} "
            f"{overall.recall:7.3f} {overall.hidden / overall.truth:7.3f}"
        )

    print_recall_by_size(samples, detections, threshold)

    print(
        f"\n{len(samples)} pictures, {megapixels:.1f} megapixels, detection {seconds:.1f} s "
        f"({1000 * seconds / megapixels:.0f} ms per megapixel) on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, {datetime.now(UTC):%Y-%m-%d}"
    )


SIZE_BUCKETS = ((0, 20), (20, 32), (32, 64), (64, 128), (128, 10_000))


def print_recall_by_size(
    samples: list[Sample], detections: list[list[Box]], threshold: float
) -> None:
    """Print recall for labelled faces grouped by their height in pixels."""
    found_by_bucket = {bucket: [0, 0] for bucket in SIZE_BUCKETS}
    for sample, found in zip(samples, detections, strict=True):
        kept = [box for box in found if box.score >= threshold]
        for face in sample.truth:
            bucket = next(b for b in SIZE_BUCKETS if b[0] <= face.height < b[1])
            found_by_bucket[bucket][0] += 1
            found_by_bucket[bucket][1] += any(box.iou(face) >= MATCH_IOU for box in kept)
    print(f"\nrecall by face height (threshold {threshold})")
    for (low, high), (count, hit) in found_by_bucket.items():
        label = f"{low}-{high - 1} px" if high < 10_000 else f"{low}+ px"
        if count:
            print(f"{label:>12} {hit:4}/{count:<4} {hit / count:6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, default=faces.DEFAULT_THRESHOLD)
    parser.add_argument("--quiet", action="store_true", help="Only the summary tables.")
    parser.add_argument(
        "--save", metavar="DIR", help="Write the labelled pictures here, to look at."
    )
    options = parser.parse_args()
    if options.save:
        os.makedirs(options.save, exist_ok=True)
        for sample in labelled_set():
            picture = sample.picture.copy()
            draw = ImageDraw.Draw(picture)
            for box in sample.truth:
                draw.rectangle((box.x0, box.y0, box.x1 - 1, box.y1 - 1), outline="lime", width=2)
            for box in faces.detect_faces(sample.picture, threshold=options.threshold):
                draw.rectangle((box.x0, box.y0, box.x1 - 1, box.y1 - 1), outline="red", width=2)
            picture.save(os.path.join(options.save, f"{sample.name}.png"))
    run(options.threshold, options.quiet)


if __name__ == "__main__":
    main()
