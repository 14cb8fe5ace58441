"""Rectangles on a picture: the faces found, and the regions a person confirmed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels of the upright picture; x1 and y1 are exclusive.

    ``score`` is the detector's confidence, 1.0 for a region a person drew.
    """

    x0: int
    y0: int
    x1: int
    y1: int
    score: float = 1.0

    @property
    def width(self) -> int:
        return max(0, self.x1 - self.x0)

    @property
    def height(self) -> int:
        return max(0, self.y1 - self.y0)

    @property
    def area(self) -> int:
        return self.width * self.height

    def clipped(self, width: int, height: int) -> Box:
        """Return the part of the box inside a picture of this size."""
        return Box(
            min(max(self.x0, 0), width),
            min(max(self.y0, 0), height),
            min(max(self.x1, 0), width),
            min(max(self.y1, 0), height),
            self.score,
        )

    def grown(self, fraction: float, width: int, height: int) -> Box:
        """Return the box enlarged by ``fraction`` of its size on every side, clipped."""
        dx, dy = round(self.width * fraction), round(self.height * fraction)
        return Box(self.x0 - dx, self.y0 - dy, self.x1 + dx, self.y1 + dy, self.score).clipped(
            width, height
        )

    def iou(self, other: Box) -> float:
        """Return the intersection over union of two boxes (0 when apart)."""
        inner = Box(
            max(self.x0, other.x0),
            max(self.y0, other.y0),
            min(self.x1, other.x1),
            min(self.y1, other.y1),
        ).area
        union = self.area + other.area - inner
        return inner / union if union else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the box as plain JSON data (the only thing kept about a face)."""
        return {"x0": self.x0, "y0": self.y0, "x1": self.x1, "y1": self.y1}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Box:
        """Read a box sent by the browser or stored as JSON; refuse a malformed one."""
        try:
            x0, y0, x1, y1 = (int(data[key]) for key in ("x0", "y0", "x1", "y1"))
        except (KeyError, TypeError, ValueError):
            raise ValueError("A region needs whole-number x0, y0, x1 and y1 in pixels.") from None
        if x1 <= x0 or y1 <= y0:
            raise ValueError("A region must be wider and taller than zero pixels.")
        return cls(x0, y0, x1, y1)
