"""The SVG charts: accessible, escaped, scalable, and never drawing a number the table does not print."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from reports.charts import PALETTE, bar_chart_svg, chart_values, line_chart_svg
from reports.suppression import HIDDEN, SUPPRESSED, SuppressedTable, table_suppress
from reports.tables import Row, Table

SVG = "{http://www.w3.org/2000/svg}"
QUARTERS = ["2024 Q2", "2024 Q3", "2024 Q4", "2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1"]


def parse(svg) -> ET.Element:
    """Parse the chart as XML: proves the markup is well formed whatever the labels held."""
    return ET.fromstring(str(svg))  # noqa: S314 - our own output, parsed to check it


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "chart__bar"]


def three_periods(**kwargs):
    return bar_chart_svg(
        title="Persons met",
        labels=["Street", "Massage clinics"],
        series=[("This period", [12, 7]), ("Previous period", [6, None]), ("Last year", [0, 30])],
        **kwargs,
    )


def test_every_chart_is_an_accessible_scalable_image():
    for svg in (
        three_periods(),
        line_chart_svg(title="Persons met", labels=QUARTERS, series=[("A", [1] * 8)]),
    ):
        root = parse(svg)
        assert root.get("role") == "img"
        assert root.get("aria-label") == "Persons met"
        assert root.find(f"{SVG}title").text == "Persons met"
        assert root.get("width") == "100%"
        assert re.fullmatch(r"0 0 640 \d+(\.\d+)?", root.get("viewBox"))
        # The Content-Security-Policy forbids inline styles: SVG attributes only.
        assert "style" not in str(svg)
        assert "<script" not in str(svg)


def test_labels_and_titles_are_escaped():
    svg = bar_chart_svg(
        title='<script>alert("x")</script> & co',
        labels=["<b>Street</b> & park", "Ok"],
        series=[("This <period>", [5, 6])],
    )
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "&lt;b&gt;Street&lt;/b&gt; &amp; park" in svg
    root = parse(svg)
    assert root.get("aria-label") == '<script>alert("x")</script> & co'
    assert "This <period>" in texts(root)
    line = line_chart_svg(title="a & b", labels=["<Q1>"], series=[("<s>", [3])])
    assert "<Q1>" not in line
    assert "<Q1>" in texts(parse(line))


def test_one_bar_per_value_with_its_number_beside_it():
    root = parse(three_periods())
    drawn = bars(root)
    # 12, 6 (Street) and 7, 30 (clinics) draw bars; None draws none and a zero has no length.
    assert len(drawn) == 4
    assert [rect.get("fill") for rect in drawn] == [PALETTE[0], PALETTE[1], PALETTE[0], PALETTE[2]]
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart__value"]
    assert values == ["12", "6", "0", "7", "\N{EN DASH}", "30"]
    # The longest bar is the largest value; lengths are proportional.
    widths = [float(rect.get("width")) for rect in drawn]
    assert widths[3] == max(widths)
    assert widths[0] == pytest.approx(widths[3] * 12 / 30, abs=0.2)


def test_suppressed_values_draw_no_bar_and_a_dash_not_an_invented_number():
    root = parse(bar_chart_svg(title="T", labels=["a", "b"], series=[("This period", [None, None])]))
    assert bars(root) == []
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart__value"]
    assert values == ["\N{EN DASH}", "\N{EN DASH}"]
    assert SUPPRESSED not in texts(root)
    # "<5" and the dash may reach the chart as they are printed: they count as None, never as a number.
    root = parse(bar_chart_svg(title="T", labels=["a", "b"], series=[("S", [SUPPRESSED, HIDDEN])]))
    assert bars(root) == []


def test_empty_data_gives_a_no_data_chart():
    with translation.override("en"):
        for svg in (
            bar_chart_svg(title="Empty", labels=[], series=[("This period", [])]),
            bar_chart_svg(title="Empty", labels=["a"], series=[]),
            line_chart_svg(title="Empty", labels=[], series=[]),
        ):
            root = parse(svg)
            assert root.get("role") == "img"
            assert "No data for this period" in texts(root)


def test_width_scales_the_viewbox_and_everything_stays_inside():
    for width in (320, 640, 960):
        root = parse(three_periods(width=width))
        _x, _y, view_width, view_height = (float(n) for n in root.get("viewBox").split())
        assert view_width == width
        for rect in bars(root):
            assert float(rect.get("x")) + float(rect.get("width")) <= width
            assert float(rect.get("y")) + float(rect.get("height")) <= view_height
    narrow = [float(r.get("width")) for r in bars(parse(three_periods(width=320)))]
    wide = [float(r.get("width")) for r in bars(parse(three_periods(width=960)))]
    assert max(wide) > max(narrow)
    # A taller bar makes a taller chart.
    tall = parse(three_periods(bar_height=30)).get("viewBox").split()[3]
    short = parse(three_periods(bar_height=10)).get("viewBox").split()[3]
    assert float(tall) > float(short)


def test_long_labels_are_shortened_but_kept_whole_in_the_tooltip():
    label = "A very long row label that would run into the bars on a narrow phone screen"
    root = parse(bar_chart_svg(title="T", labels=[label], series=[("S", [4])], width=320))
    shown = next(t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart__label")
    assert shown.endswith("\N{HORIZONTAL ELLIPSIS}")
    assert len(shown) < len(label)
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart__group")
    assert group.find(f"{SVG}title").text == label


def test_numbers_follow_the_language():
    series = [("S", [2.25, 1234])]
    with translation.override("en"):
        english = texts(parse(bar_chart_svg(title="T", labels=["a", "b"], series=series)))
    with translation.override("da"):
        danish = texts(parse(bar_chart_svg(title="T", labels=["a", "b"], series=series)))
    assert "2.2" in english or "2.3" in english
    assert "2,2" in danish or "2,3" in danish


def test_line_chart_draws_a_line_per_series_with_gaps_for_missing_values():
    root = parse(
        line_chart_svg(
            title="Persons met",
            labels=QUARTERS,
            series=[("Persons met", [10, 20, None, 35, 40, 12, 50, 45]), ("Other", [1, 2, 3, 4, 5, 6, 7, 8])],
        )
    )
    lines = list(root.iter(f"{SVG}polyline"))
    # The None splits the first series in two runs; the second series is one line.
    assert len(lines) == 3
    assert [line.get("stroke") for line in lines] == [PALETTE[0], PALETTE[0], PALETTE[1]]
    assert len(lines[0].get("points").split()) == 2
    assert len(lines[1].get("points").split()) == 5
    points = list(root.iter(f"{SVG}circle"))
    assert len(points) == 15
    assert "Persons met" in texts(root) and "Other" in texts(root)  # the legend
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart__tick"]
    assert "0" in ticks and "50" in ticks  # value ticks up to the largest value
    assert "2024 Q2" in ticks and "2026 Q1" in ticks  # the first and the last quarter are labelled
    # A larger value is drawn higher (smaller y).
    y = {c.find(f"{SVG}title").text: float(c.get("cy")) for c in points}
    assert y["Persons met 2025 Q4: 50"] < y["Persons met 2024 Q2: 10"]


def test_line_chart_of_all_zeros_or_one_point_still_draws():
    root = parse(line_chart_svg(title="T", labels=["Q1", "Q2"], series=[("S", [0, 0])]))
    assert len(list(root.iter(f"{SVG}polyline"))) == 1
    root = parse(line_chart_svg(title="T", labels=["Q1"], series=[("S", [7])]))
    assert len(list(root.iter(f"{SVG}circle"))) == 1


def test_chart_values_reads_one_column_of_a_published_table():
    table = Table(
        key="t",
        title="T",
        columns=[("count", "Count"), ("average", "Average")],
        rows=[
            Row("a", "Street", {"count": 2, "average": 1.5}),
            Row("b", "Clinic", {"count": 40, "average": 3.0}),
            Row("c", "Hotel", {"count": 0, "average": None}),
            Row("d", "<Online>", {"count": 10, "average": 2.0}),
        ],
        totals={"count": 52, "average": 2.0},
    )
    labels = ["Street", "Clinic", "Hotel", "<Online>"]
    published = table_suppress(table=table, count_columns=["count"], derived_columns={"average": ["count"]})
    # 2 is "<5", and 10 goes with it (secondary suppression): neither reaches the chart as a number.
    assert chart_values(published, "count") == (labels, [None, 40, 0, None])
    assert chart_values(published, "average") == (labels, [None, 3.0, None, None])
    exact = SuppressedTable.exact(table)
    assert chart_values(exact, "count") == (labels, [2, 40, 0, 10])
    assert chart_values(table, "count")[1] == [2, 40, 0, 10]
    assert chart_values(exact, "missing") == (labels, [None, None, None, None])
