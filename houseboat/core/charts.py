"""Charts drawn on the server as SVG: lines over time and horizontal bars, each with its table.

No JavaScript and no library: a chart is a few dozen SVG elements, written here so
that it reads without scripts, prints in black and white (each series has its own
dash pattern as well as its colour) and is right in right-to-left pages. A chart
keeps its numbers as a header and rows; the page shows them as a ``<table>`` beside
the drawing and offers them as CSV, so the three never disagree.

Right to left: time runs from right to left, the value axis stands on the right and
the bars grow leftwards. The SVG says its own ``direction``, because an inline SVG
otherwise inherits the page's, and ``text-anchor`` means the other side under ``rtl``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax import saxutils

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 520, 230
PAD_TOP, PAD_BOTTOM, PAD_SIDE, AXIS_WIDTH = 30, 28, 8, 44
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, VALUE_WIDTH = 18, 6, 190, 50
LEGEND_ROW = 18
# Colours that stay apart for most colour-blind readers (Okabe-Ito), with dashes for print.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4")
GRID_LINES = 4
# Characters XML 1.0 forbids (control characters, lone surrogates, U+FFFE/U+FFFF): an
# imported hashtag or link can carry them, and one would make the whole SVG invalid.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Return text safe inside an SVG element: escaped, characters XML forbids dropped."""
    return saxutils.escape(NOT_XML.sub("", str(text)))


def quoteattr(text: str) -> str:
    """Return text as a quoted SVG attribute value, characters XML forbids dropped."""
    return saxutils.quoteattr(NOT_XML.sub("", str(text)))


@dataclass
class Series:
    """One line of a chart: its name and one value per point of the x axis."""

    name: str
    values: Sequence[float]


@dataclass
class Chart:
    """A drawn chart with the numbers it shows: ``header`` and ``rows`` are its table and CSV."""

    key: str
    title: str
    desc: str
    header: list[str]
    rows: list[list]
    svg: SafeString = field(default_factory=lambda: mark_safe(""))

    def csv(self) -> str:
        """Return the chart's numbers as CSV, header first.

        Lines end in CRLF (RFC 4180): the csv module then quotes a name holding a lone
        carriage return, which under "\n" endings it left bare and broke the row.
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue()

    @property
    def empty(self) -> bool:
        return not self.rows


def nice_max(value: float) -> float:
    """Return a round number at or above value (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def grid_values(top: float, whole: bool) -> list[float]:
    """Return the values of the horizontal grid lines, 0 to ``top``, at round steps.

    ``top`` comes from nice_max (1, 2 or 5 times a power of ten). Quarters of 5 or 10 are
    not round (1.25, 2.5), so those get fifths; counts (``whole``) never get a line between
    two whole numbers: a top of 2 gets 0, 1, 2 rather than 0, 0.5, 1, 1.5, 2.
    """
    leading = round(top / 10 ** math.floor(math.log10(top)))
    lines = GRID_LINES if leading == 2 else 5
    if whole and top < lines:
        lines = max(int(top), 1)
    return [top * step / lines for step in range(lines + 1)]


def fmt(value: float) -> str:
    """Format a number for an axis or a label: whole numbers without decimals."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _open(chart: Chart, width: int, height: int, rtl: bool) -> list[str]:
    uid = f"chart-{chart.key}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" class="chart" direction="{"rtl" if rtl else "ltr"}" '
        f'aria-labelledby="{uid}-title {uid}-desc" font-size="12" font-family="sans-serif">',
        f'<title id="{uid}-title">{escape(chart.title)}</title>',
        f'<desc id="{uid}-desc">{escape(chart.desc)}</desc>',
    ]


def line_chart(
    key: str,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    rtl: bool = False,
    area: bool = False,
    x_heading: str = "",
    marks: Sequence[tuple[int, str]] = (),
    ticks: Sequence[str] | None = None,
) -> Chart:
    """Draw one line per series over the x labels (oldest first); ``area`` fills the first.

    ``marks`` are (index, label) vertical rules, such as the start of an action;
    ``ticks`` are shorter x labels to draw (the table and CSV keep ``x_labels``).
    More than one series gets a legend under the chart.
    """
    header = [x_heading, *(s.name for s in series)]
    rows = [[label, *(s.values[i] for s in series)] for i, label in enumerate(x_labels)]
    chart = Chart(key, title, desc, header, rows)
    top = nice_max(max((v for s in series for v in s.values), default=0))
    left = PAD_SIDE if rtl else AXIS_WIDTH
    right = WIDTH - (AXIS_WIDTH if rtl else PAD_SIDE)
    legend_rows = len(series) if len(series) > 1 else 0
    height = HEIGHT + legend_rows * LEGEND_ROW
    bottom = HEIGHT - PAD_BOTTOM
    count = len(x_labels)
    drawn = list(ticks) if ticks is not None else list(x_labels)

    def x_at(i: int) -> float:
        share = i / (count - 1) if count > 1 else 0.5
        return round(right - share * (right - left) if rtl else left + share * (right - left), 1)

    def y_at(value: float) -> float:
        return round(bottom - (value / top) * (bottom - PAD_TOP), 1)

    parts = _open(chart, WIDTH, height, rtl)
    axis_x, anchor = (right + 4, "end") if rtl else (left - 4, "end")
    # Under direction="rtl" "end" is the text's left edge: the labels read away from the axis.
    whole = all(float(v).is_integer() for s in series for v in s.values)
    for value in grid_values(top, whole):
        y = y_at(value)
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y}" y2="{y}" stroke="#ddd"/>')
        parts.append(
            f'<text class="y-label" x="{axis_x}" y="{y + 4}" text-anchor="{anchor}">'
            f"{fmt(value)}</text>"
        )
    positions = _label_positions(count)
    for i in positions:
        # The first and last labels lean inwards so they stay inside the drawing. Labels
        # are dates and times: drawn left to right in any page, so bidi cannot reorder them.
        # With direction="ltr" on the label, "start" extends rightwards, "end" leftwards.
        edge = "middle"
        if len(positions) > 1 and i in (positions[0], positions[-1]):
            leftmost = (i == positions[0]) != rtl
            edge = "start" if leftmost else "end"
        x = x_at(i)
        parts.append(
            f'<text class="x-label" x="{x}" y="{HEIGHT - 8}" text-anchor="{edge}" '
            f'direction="ltr">{escape(drawn[i])}</text>'
        )
    for n, (index, label) in enumerate(marks):
        if 0 <= index < count:
            x = x_at(index)
            parts.append(
                f'<line class="mark" x1="{x}" x2="{x}" y1="{PAD_TOP}" y2="{bottom}" '
                f'stroke="#444" stroke-dasharray="3 3"/>'
                f'<text class="mark-label" x="{x}" y="{PAD_TOP - 16 + 12 * (n % 2)}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for n, one in enumerate(series):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        points = " ".join(f"{x_at(i)},{y_at(v)}" for i, v in enumerate(one.values))
        if area and n == 0 and count > 1:
            parts.append(
                f'<polygon class="area" points="{x_at(0)},{bottom} {points} '
                f'{x_at(count - 1)},{bottom}" fill="{colour}" fill-opacity="0.15"/>'
            )
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline class="series" data-series={quoteattr(one.name)} points="{points}" '
            f'fill="none" stroke="{colour}" stroke-width="2"{dashed}>'
            f"<title>{escape(one.name)}</title></polyline>"
        )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#888"/>')
    parts.extend(_legend(series, rtl, HEIGHT) if legend_rows else [])
    parts.append("</svg>")
    chart.svg = mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped
    return chart


def _legend(series: Sequence[Series], rtl: bool, top: int) -> list[str]:
    """Return one legend row per series: a sample of its line (colour and dashes), its name."""
    parts = []
    for n, one in enumerate(series):
        y = top + n * LEGEND_ROW + 4
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        x1, x2, text_x = (
            (WIDTH - PAD_SIDE, WIDTH - PAD_SIDE - 28, WIDTH - PAD_SIDE - 34)
            if rtl
            else (PAD_SIDE, PAD_SIDE + 28, PAD_SIDE + 34)
        )
        # "start" follows the SVG's direction: the name reads away from its sample line.
        parts.append(
            f'<line class="legend" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2"{dashed}/>'
            f'<text class="legend-label" x="{text_x}" y="{y + 4}" text-anchor="start" '
            'unicode-bidi="plaintext">'
            f"{escape(one.name)}</text>"
        )
    return parts


def _label_positions(count: int, most: int = 5) -> list[int]:
    """Return which x labels to print: at most ``most``, evenly spread, first and last kept."""
    if count <= most:
        return list(range(count))
    step = (count - 1) / (most - 1)
    return sorted({round(k * step) for k in range(most)})


def bar_chart(
    key: str,
    title: str,
    desc: str,
    bars: Sequence[tuple[str, float]],
    *,
    rtl: bool = False,
    label_heading: str = "",
    value_heading: str = "",
) -> Chart:
    """Draw one horizontal bar per (label, value), largest expected first."""
    rows = [[label, value] for label, value in bars]
    chart = Chart(key, title, desc, [label_heading, value_heading], rows)
    height = PAD_TOP + len(bars) * (BAR_HEIGHT + BAR_GAP) + PAD_TOP
    top = max((value for _, value in bars), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * PAD_SIDE
    parts = _open(chart, WIDTH, height, rtl)
    for n, (label, value) in enumerate(bars):
        y = PAD_TOP + n * (BAR_HEIGHT + BAR_GAP)
        length = round(span * value / top, 1)
        text_y = y + BAR_HEIGHT - 5
        if rtl:
            # direction="rtl": "start" is the text's right edge, "end" its left edge.
            label_x, bar_x = WIDTH - PAD_SIDE, WIDTH - PAD_SIDE - LABEL_WIDTH - length
            value_x, value_anchor = bar_x - 4, "start"
        else:
            label_x, bar_x = PAD_SIDE, PAD_SIDE + LABEL_WIDTH
            value_x, value_anchor = bar_x + length + 4, "start"
        parts.append(
            f'<text class="bar-label" x="{label_x}" y="{text_y}" text-anchor="start" '
            'unicode-bidi="plaintext">'
            f"{escape(_shorten(label))}<title>{escape(label)}</title></text>"
            f'<rect class="bar" x="{bar_x}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
            f'fill="{COLOURS[0]}"/>'
            f'<text class="bar-value" x="{value_x}" y="{text_y}" text-anchor="{value_anchor}">'
            f"{fmt(value)}</text>"
        )
    parts.append("</svg>")
    chart.svg = mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped
    return chart


def _shorten(label: str, most: int = 26) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"
