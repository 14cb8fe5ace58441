"""Find faces with CenterFace and blur them beyond recovery.

The detector is CenterFace (MIT licence), an ONNX file that ships inside houseboat
(``houseboat/safety/models/``, with its licence), run with onnxruntime on the CPU:
nothing is downloaded and no picture leaves the machine. The pre- and post-processing
below are houseboat's own, so no image library beyond Pillow and numpy is needed.

CenterFace predicts, on a grid four times coarser than its input, a heatmap of
face centres and, at each centre, the face's size (log scale) and a sub-cell
offset. Nearby duplicate boxes are then merged by non-maximum suppression.

Blurring pixelates each box, enlarged a little to take in hair, ears and chin,
into a coarse mosaic and then smooths the mosaic heavily: what is left is a
few averaged colours, with no edges a "deblur" model could work back from.
"""

from __future__ import annotations

import importlib.resources
import math
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from houseboat.safety.boxes import Box

# Low on purpose: a missed face can get someone arrested, an extra box costs a click.
# bench/faces.py measures what each threshold finds.
DEFAULT_THRESHOLD = 0.2
# The model's stride: heatmap cells are 4 input pixels; the input must be a multiple of 32.
STRIDE = 4
MULTIPLE = 32
NMS_OVERLAP = 0.3
# CenterFace misses faces under about 20 pixels high at the picture's own scale;
# enlarging the picture finds them (bench/faces.py: 0 of 7 faces under 20 px at 1x,
# 7 of 7 at 2x). Time grows with pixels, so the model sees at most this many: a
# phone photo is scaled down a little, a small picture up to twice.
DETECTION_PIXELS = 6_000_000
MAX_UPSCALE = 2.0
# A second, small pass finds faces too large for the model's receptive field.
SMALL_PASS_SIDE = 640

# How much of a face box's size to add on each side before blurring.
GROW = 0.25
# At most this many mosaic cells across a blurred region's longer side.
MOSAIC_CELLS = 4

INPUT_NAME = "input.1"
OUTPUT_SHAPES = {
    "537": ["B", 1, "h", "w"],  # face-centre heatmap
    "538": ["B", 2, "h", "w"],  # log height and width
    "539": ["B", 2, "h", "w"],  # centre offset within the cell
    "540": ["B", 10, "h", "w"],  # five landmarks (not used)
}


# --- Detection ---------------------------------------------------------------------------


def detect_faces(
    image: Image.Image,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_pixels: int = DETECTION_PIXELS,
) -> list[Box]:
    """Return boxes around the faces in an upright picture, most certain first.

    ``max_pixels`` bounds the work: lower it for speed at the cost of small faces.
    """
    rgb = image.convert("RGB") if image.mode != "RGB" else image
    width, height = rgb.size
    longest = max(width, height)
    scale = min(MAX_UPSCALE, math.sqrt(max_pixels / (width * height)))
    boxes, scores = _detect_at(rgb, scale, threshold)
    if longest * scale > SMALL_PASS_SIDE * 1.5:
        small_boxes, small_scores = _detect_at(rgb, SMALL_PASS_SIDE / longest, threshold)
        boxes, scores = np.vstack([boxes, small_boxes]), np.concatenate([scores, small_scores])
    found = []
    for index in non_maximum_suppression(boxes, scores, NMS_OVERLAP):
        x0, y0, x1, y1 = boxes[index]
        box = Box(int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1)), float(scores[index]))
        box = box.clipped(width, height)
        if box.area:
            found.append(box)
    return found


def _detect_at(rgb: Image.Image, scale: float, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Run the model on the picture resized by ``scale``; return boxes in original pixels."""
    width, height = rgb.size
    target = (
        max(1, round(width * scale)),
        max(1, round(height * scale)),
    )
    # The model wants sides divisible by 32; stretching a few pixels beats padding,
    # which would put a border the model never saw in training.
    padded = (_round_up(target[0]), _round_up(target[1]))
    pixels = np.asarray(rgb.resize(padded, Image.Resampling.BILINEAR), dtype=np.float32)
    batch = pixels.transpose(2, 0, 1)[np.newaxis]
    heatmap, sizes, offsets, _landmarks = _session().run(list(OUTPUT_SHAPES), {INPUT_NAME: batch})
    boxes, scores = decode(heatmap[0, 0], sizes[0], offsets[0], threshold)
    boxes[:, 0::2] *= width / padded[0]
    boxes[:, 1::2] *= height / padded[1]
    return boxes, scores


def _round_up(side: int) -> int:
    return max(MULTIPLE, -(-side // MULTIPLE) * MULTIPLE)


def decode(
    heatmap: np.ndarray, sizes: np.ndarray, offsets: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Turn the model's grids into boxes (x0, y0, x1, y1) in input pixels and scores.

    ``heatmap`` is (h, w); ``sizes`` and ``offsets`` are (2, h, w) with the
    vertical component first.
    """
    rows, cols = np.nonzero(heatmap > threshold)
    scores = heatmap[rows, cols].astype(np.float32)
    box_height = np.exp(sizes[0, rows, cols]) * STRIDE
    box_width = np.exp(sizes[1, rows, cols]) * STRIDE
    centre_y = (rows + offsets[0, rows, cols] + 0.5) * STRIDE
    centre_x = (cols + offsets[1, rows, cols] + 0.5) * STRIDE
    boxes = np.stack(
        [
            centre_x - box_width / 2,
            centre_y - box_height / 2,
            centre_x + box_width / 2,
            centre_y + box_height / 2,
        ],
        axis=1,
    ).astype(np.float32)
    limit = np.array([heatmap.shape[1], heatmap.shape[0]] * 2, dtype=np.float32) * STRIDE
    return np.clip(boxes, 0, limit).reshape(-1, 4), scores


def non_maximum_suppression(boxes: np.ndarray, scores: np.ndarray, overlap: float) -> list[int]:
    """Return the indices of boxes to keep: the best of each group that overlaps by ``overlap``."""
    order = list(np.argsort(-scores, kind="stable"))
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep = []
    while order:
        best, rest = order[0], np.array(order[1:], dtype=np.intp)
        keep.append(int(best))
        if not len(rest):
            break
        inner_w = np.minimum(boxes[best, 2], boxes[rest, 2]) - np.maximum(
            boxes[best, 0], boxes[rest, 0]
        )
        inner_h = np.minimum(boxes[best, 3], boxes[rest, 3]) - np.maximum(
            boxes[best, 1], boxes[rest, 1]
        )
        inner = np.clip(inner_w, 0, None) * np.clip(inner_h, 0, None)
        union = areas[best] + areas[rest] - inner
        ratio = np.divide(inner, union, out=np.zeros_like(inner), where=union > 0)
        order = list(rest[ratio < overlap])
    return keep


# An unmodified copy of CenterFace's centerface_bnmerged.onnx (see models/LICENSE).
MODEL = importlib.resources.files("houseboat.safety") / "models" / "centerface.onnx"
MODEL_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"


@cache
def _session() -> Any:
    """Load CenterFace once per process, its input and outputs made size-free."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # the model's harmless exporter warnings are noise
    # Without the arena, the memory a phone photo needs (about 1 GB at the peak) is
    # given back after each run instead of staying with the web or worker process.
    options.enable_cpu_mem_arena = False
    model = MODEL.read_bytes()
    return onnxruntime.InferenceSession(
        free_input_size(model), options, providers=["CPUExecutionProvider"]
    )


# --- Making the model accept any picture size ---------------------------------------------
#
# The ONNX file declares a fixed input of 10 x 3 x 32 x 32. The `onnx` package could
# rewrite that, but it is not a dependency; the rewrite is small in the protobuf wire
# format: ModelProto.graph (7) > GraphProto.input (11) / output (12) > ValueInfoProto.
# Only the declared shapes change; the network's weights and nodes are copied as bytes.

MODEL_GRAPH, GRAPH_INPUT, GRAPH_OUTPUT, GRAPH_VALUE_INFO = 7, 11, 12, 13
FLOAT = 1


def free_input_size(model: bytes) -> bytes:
    """Return the model with a symbolic batch, height and width on its input and outputs."""
    fields = []
    for number, raw, payload in _fields(model):
        if number == MODEL_GRAPH and payload is not None:
            raw = _length_field(MODEL_GRAPH, _free_graph(payload))
        fields.append(raw)
    return b"".join(fields)


def _free_graph(graph: bytes) -> bytes:
    declared, fields = set(), []
    for number, raw, payload in _fields(graph):
        if number in (GRAPH_INPUT, GRAPH_OUTPUT) and payload is not None:
            name = _value_info_name(payload)
            declared.add(name)
            if number == GRAPH_INPUT and name != INPUT_NAME:
                # Weights listed as inputs stop onnxruntime from folding constants.
                continue
            if name == INPUT_NAME:
                raw = _length_field(GRAPH_INPUT, _value_info(name, ["B", 3, "H", "W"]))
            elif name in OUTPUT_SHAPES:
                raw = _length_field(GRAPH_OUTPUT, _value_info(name, OUTPUT_SHAPES[name]))
        elif number == GRAPH_VALUE_INFO:
            continue  # intermediate shapes fixed to the old size would contradict the new ones
        fields.append(raw)
    missing = {INPUT_NAME, *OUTPUT_SHAPES} - declared
    if missing:
        raise RuntimeError(f"centerface.onnx is not the expected model (no {sorted(missing)})")
    return b"".join(fields)


def _value_info(name: str, dims: Sequence[int | str]) -> bytes:
    """Encode a ValueInfoProto for a float tensor with these dimensions."""
    shape = b"".join(
        _length_field(
            1, _length_field(2, dim.encode()) if isinstance(dim, str) else _varint(8) + _varint(dim)
        )
        for dim in dims
    )
    tensor = _varint(8) + _varint(FLOAT) + _length_field(2, shape)
    return _length_field(1, name.encode()) + _length_field(2, _length_field(1, tensor))


def _value_info_name(value_info: bytes) -> str:
    for number, _raw, payload in _fields(value_info):
        if number == 1 and payload is not None:
            return payload.decode()
    return ""


def _fields(message: bytes) -> Iterator[tuple[int, bytes, bytes | None]]:
    """Yield each field of a protobuf message: number, its raw bytes, and its payload if length-delimited."""
    position = 0
    while position < len(message):
        start = position
        key, position = _read_varint(message, position)
        number, wire_type = key >> 3, key & 7
        payload = None
        if wire_type == 0:
            _, position = _read_varint(message, position)
        elif wire_type == 1:
            position += 8
        elif wire_type == 2:
            length, position = _read_varint(message, position)
            payload = message[position : position + length]
            position += length
        elif wire_type == 5:
            position += 4
        else:
            raise RuntimeError("centerface.onnx is not a protobuf file this code can read")
        yield number, message[start:position], payload


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _length_field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


# --- Blurring ----------------------------------------------------------------------------


def blur_regions(image: Image.Image, boxes: Iterable[Box], *, grow: float = GROW) -> Image.Image:
    """Return a copy of the picture with each box, enlarged by ``grow``, made unrecognisable.

    Each region becomes a mosaic of at most ``MOSAIC_CELLS`` cells across (each
    cell one averaged colour), smoothed with a blur as wide as a cell. A light
    blur alone can be undone by deconvolution; averaging whole cells throws the
    detail away, and the smoothing removes the cell edges that a matching attack
    would compare.
    """
    result = image.copy()
    width, height = image.size
    for box in boxes:
        region = box.grown(grow, width, height)
        if region.area:
            area = (region.x0, region.y0, region.x1, region.y1)
            result.paste(obliterate(result.crop(area)), area)
    return result


def obliterate(patch: Image.Image) -> Image.Image:
    """Return the patch as a smoothed coarse mosaic with no recoverable detail."""
    width, height = patch.size
    cell = max(2, -(-max(width, height) // MOSAIC_CELLS))
    grid = (max(1, round(width / cell)), max(1, round(height / cell)))
    mosaic = patch.resize(grid, Image.Resampling.BOX).resize(patch.size, Image.Resampling.NEAREST)
    smooth = mosaic.filter(ImageFilter.GaussianBlur(cell))
    # A second pass over the already-flat mosaic costs little and leaves no block edge.
    return smooth.filter(ImageFilter.BoxBlur(max(1, cell // 2)))
