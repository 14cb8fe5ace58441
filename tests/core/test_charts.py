"""The server-side SVG charts: valid SVG, one point per value, right to left, CSV = table."""

import csv
import io
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from houseboat.core.charts import Series, bar_chart, line_chart, nice_max

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ET.fromstring(str(chart.svg))


def volume_chart(rtl=False):
    return line_chart(
        "volume",
        "Posts per hour",
        "Posts per hour by network",
        ["10:00", "11:00", "12:00", "13:00"],
        [Series("mastodon", [1, 5, 2, 0]), Series("bluesky", [0, 3, 8, 4])],
        rtl=rtl,
        area=True,
        x_heading="hour",
    )


def test_a_line_chart_is_valid_svg_with_a_title_a_description_and_one_point_per_value():
    root = parse(volume_chart())
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "Posts per hour"
    assert root.find(f"{SVG}desc").text == "Posts per hour by network"
    lines = root.findall(f"{SVG}polyline")
    assert [line.get("data-series") for line in lines] == ["mastodon", "bluesky"]
    assert all(len(line.get("points").split()) == 4 for line in lines)


def test_time_runs_left_to_right_and_labels_sit_left_of_the_axis_in_a_left_to_right_page():
    root = parse(volume_chart())
    assert root.get("direction") == "ltr"
    xs = [float(p.split(",")[0]) for p in root.find(f"{SVG}polyline").get("points").split()]
    assert xs == sorted(xs)
    y_labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "y-label"]
    assert all(float(t.get("x")) < xs[0] for t in y_labels)


def test_time_runs_right_to_left_with_the_axis_on_the_right_in_a_right_to_left_page():
    root = parse(volume_chart(rtl=True))
    # The SVG says its direction, so an inherited dir="rtl" cannot flip the anchors.
    assert root.get("direction") == "rtl"
    xs = [float(p.split(",")[0]) for p in root.find(f"{SVG}polyline").get("points").split()]
    assert xs == sorted(xs, reverse=True)
    y_labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "y-label"]
    assert all(float(t.get("x")) > xs[0] for t in y_labels)
    # Under direction="rtl", "end" is the left edge: the numbers read away from the axis.
    assert {t.get("text-anchor") for t in y_labels} == {"end"}


def test_bars_grow_leftwards_from_their_labels_in_a_right_to_left_page():
    bars = [("#freetheten", 10), ("#justice", 4)]
    ltr = parse(bar_chart("tags", "Tags", "Tags", bars))
    rtl = parse(bar_chart("tags", "Tags", "Tags", bars, rtl=True))
    ltr_rects = ltr.findall(f"{SVG}rect")
    rtl_rects = rtl.findall(f"{SVG}rect")
    assert len(ltr_rects) == len(rtl_rects) == 2
    ltr_label = next(t for t in ltr.iter(f"{SVG}text") if t.get("class") == "bar-label")
    rtl_label = next(t for t in rtl.iter(f"{SVG}text") if t.get("class") == "bar-label")
    assert float(ltr_label.get("x")) < float(ltr_rects[0].get("x"))
    assert float(rtl_label.get("x")) > float(rtl_rects[0].get("x")) + float(
        rtl_rects[0].get("width")
    )
    # The longest bar is the largest value, the other in proportion.
    widths = [float(r.get("width")) for r in rtl_rects]
    assert widths[1] == round(widths[0] * 4 / 10, 1)


def test_the_csv_holds_exactly_the_numbers_the_chart_draws():
    chart = volume_chart()
    rows = list(csv.reader(io.StringIO(chart.csv())))
    assert rows[0] == ["hour", "mastodon", "bluesky"]
    assert rows[1:] == [
        ["10:00", "1", "0"],
        ["11:00", "5", "3"],
        ["12:00", "2", "8"],
        ["13:00", "0", "4"],
    ]
    drawn = {
        line.get("data-series"): len(line.get("points").split())
        for line in parse(chart).findall(f"{SVG}polyline")
    }
    assert drawn == {"mastodon": len(rows) - 1, "bluesky": len(rows) - 1}


def test_text_in_a_chart_is_escaped():
    chart = bar_chart("x", "<b>", "a & b", [("</text><script>", 1)])
    root = parse(chart)
    assert root.find(f"{SVG}title").text == "<b>"
    assert "<script>" not in str(chart.svg)


def test_the_value_axis_ends_on_a_round_number():
    assert [nice_max(v) for v in (0, 1, 3, 7, 12, 99, 101, 4500)] == [
        1,
        1,
        5,
        10,
        20,
        100,
        200,
        5000,
    ]


def test_several_series_get_a_legend_with_each_name():
    root = parse(volume_chart())
    names = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "legend-label"]
    assert names == ["mastodon", "bluesky"]


def test_dates_on_the_time_axis_keep_their_order_and_stay_inside_in_right_to_left_pages():
    root = parse(volume_chart(rtl=True))
    labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "x-label"]
    assert {t.get("direction") for t in labels} == {"ltr"}
    # The oldest hour is on the right and leans left; the newest on the left leans right.
    assert (labels[0].get("text-anchor"), labels[-1].get("text-anchor")) == ("end", "start")
    assert float(labels[0].get("x")) > float(labels[-1].get("x"))


@given(
    values=st.lists(
        st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=40),
        min_size=1,
        max_size=4,
    ),
    names=st.lists(st.text(min_size=1, max_size=30), min_size=4, max_size=4),
    rtl=st.booleans(),
)
@settings(max_examples=60, deadline=None)
def test_any_numbers_and_names_draw_valid_svg_with_one_point_each_and_matching_csv(
    values, names, rtl
):
    length = len(values[0])
    series = [Series(names[n], (v * length)[:length]) for n, v in enumerate(values)]
    labels = [f"h{i}" for i in range(length)]
    chart = line_chart("p", names[0], names[1], labels, series, rtl=rtl)
    root = parse(chart)
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [length] * len(series)
    ys = [float(p.split(",")[1]) for line in lines for p in line.get("points").split()]
    assert all(0 <= y <= 230 for y in ys)  # inside the drawing, whatever the numbers
    rows = list(csv.reader(io.StringIO(chart.csv())))
    assert [[int(x) for x in row[1:]] for row in rows[1:]] == [
        [s.values[i] for s in series] for i in range(length)
    ]
    bars = bar_chart(
        "b", names[0], names[1], [(n, v[0]) for n, v in zip(names, values, strict=False)], rtl=rtl
    )
    assert len(parse(bars).findall(f"{SVG}rect")) == len(values)


def axis_labels(chart) -> list[str]:
    root = ET.fromstring(str(chart.svg))
    return [
        t.text
        for t in root.iter("{http://www.w3.org/2000/svg}text")
        if "y-label" in t.get("class", "")
    ]


def test_counts_get_whole_numbers_on_the_value_axis():
    # Five stories at most on a day: the axis said 0, 1.2, 2.5, 3.8, 5.
    five = line_chart("c", "Stories", "", ["a", "b", "c"], [Series("press", [0, 5, 3])])
    assert axis_labels(five) == ["0", "1", "2", "3", "4", "5"]
    two = line_chart("c", "Stories", "", ["a", "b"], [Series("press", [2, 1])])
    assert axis_labels(two) == ["0", "1", "2"]
    ten = line_chart("c", "Posts", "", ["a", "b"], [Series("social", [7, 10])])
    assert axis_labels(ten) == ["0", "2", "4", "6", "8", "10"]


def test_shares_keep_round_steps_between_whole_numbers():
    half = line_chart("c", "Share", "", ["a", "b"], [Series("share", [0.3, 0.5])])
    assert axis_labels(half) == ["0", "0.1", "0.2", "0.3", "0.4", "0.5"]
    twenty = line_chart("c", "Share", "", ["a", "b"], [Series("share", [12.5, 19.0])])
    assert axis_labels(twenty) == ["0", "5", "10", "15", "20"]
