"""Tests for analysis.plots: charts drawn only from published values."""

from __future__ import annotations

import ast
import hashlib
import itertools
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.collections import Collection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.path import Path as Outline
from matplotlib.text import Annotation
from numpy.typing import NDArray

from analysis.plots import (
    GapRow,
    GridRow,
    PublishedGaps,
    PublishedGrid,
    PublishedGroup,
    PublishedPoint,
    PublishedSeries,
    TrendRow,
    Unit,
    data_table,
    gap_chart,
    heatmap,
    read_value,
    text_alternative,
    to_svg,
    trend_chart,
    trend_text,
)
from analysis.plots.alternatives import compare
from analysis.plots.grid import column_shades

PLOTS = Path(__file__).resolve().parents[2] / "analysis" / "plots"
SVG = "{http://www.w3.org/2000/svg}"
TITLE = "Connectedness, % favorable"


def series(label: str, values: dict[int, str], unit: Unit = "percent") -> PublishedSeries:
    return PublishedSeries(
        label,
        tuple(PublishedPoint(y, v) for y, v in values.items()),
        unit,
    )


SCHOOL = PublishedSeries(
    "Adams MS",
    (
        PublishedPoint(2023, "61", "55", "67"),
        PublishedPoint(2024, "63", "57", "69"),
        PublishedPoint(2025, "*"),
        PublishedPoint(2026, "<=5%"),
        PublishedPoint(2027, "67", "61", "73"),
    ),
    "percent",
)
DISTRICT = series("District", {2023: "60", 2024: "61", 2025: "*", 2026: "63", 2027: ">=95"})
GAPS = PublishedGaps(
    "Safety",
    2026,
    "percent",
    PublishedGroup("All students", "70", "68", "72"),
    (
        PublishedGroup("Grade 9", "64", "58", "70"),
        PublishedGroup("Grade 10", "*"),
        PublishedGroup("Nonbinary", "<=10%"),
        PublishedGroup("Newcomers", ""),
    ),
)
GRID = PublishedGrid(
    ("Adams", "Baker", "Carver"),
    ("Safety", "Distress", "Well-being"),
    ("percent", "percent", "mean"),
    (("71%", "12%", "3.4"), ("*", "<=5%", "3.1"), ("64%", "*", "")),
)


def _charts() -> list[Axes]:
    return [
        trend_chart([SCHOOL, DISTRICT], title=TITLE, y_label="% favorable"),
        gap_chart(GAPS),
        heatmap(GRID, title="Climate, 2026"),
    ]


def _svg(ax: Axes) -> str:
    """The SVG of the figure a chart was drawn in."""
    figure = ax.get_figure()
    assert isinstance(figure, Figure)
    return to_svg(figure)


def _xs(line: Line2D) -> NDArray[np.float64]:
    return np.asarray(line.get_xdata(), dtype=np.float64)


def _ys(line: Line2D) -> NDArray[np.float64]:
    return np.asarray(line.get_ydata(), dtype=np.float64)


def _vertices(outline: Outline) -> NDArray[np.float64]:
    return np.asarray(outline.vertices, dtype=np.float64)


# --- published values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind", "number"),
    [
        ("45", "number", 45.0),
        ("3.2", "number", 3.2),
        ("45%", "number", 45.0),
        ("<=5", "at_most", 5.0),
        ("<=5%", "at_most", 5.0),
        (">=95%", "at_least", 95.0),
        ("*", "hidden", None),
        ("", "empty", None),
    ],
)
def test_read_value_forms(code: str, kind: str, number: float | None) -> None:
    reading = read_value(code)
    assert (reading.kind, reading.number, reading.code) == (kind, number, code)


@pytest.mark.parametrize("code", ["12 students", "nan", "inf", "1e3", "~5", "<5", "101", "-1%"])
def test_read_value_refuses_what_the_gate_never_publishes(code: str) -> None:
    with pytest.raises(ValueError, match="value"):
        read_value(code)


def test_percent_sign_needs_percent_unit() -> None:
    with pytest.raises(ValueError, match="carries %"):
        read_value("3.2%", "mean")
    assert read_value("-0.4", "mean").number == -0.4


@pytest.mark.parametrize("raw", [45, 45.0, None, b"45"])
def test_raw_numbers_are_refused_everywhere(raw: Any) -> None:
    with pytest.raises(TypeError, match="published string"):
        read_value(raw)
    with pytest.raises(TypeError, match="value must be a published string"):
        PublishedPoint(2024, raw)
    with pytest.raises(TypeError, match="value must be a published string"):
        PublishedGroup("Grade 9", raw)
    with pytest.raises(TypeError, match="published string"):
        PublishedGrid(("A",), ("Safety",), ("percent",), ((raw,),))


def test_charts_refuse_anything_but_published_inputs() -> None:
    # Callers without a type checker can pass anything: the checks at run time must hold.
    with pytest.raises(TypeError, match="PublishedSeries"):
        trend_chart(cast(Any, [45, 50]), title="t", y_label="%")
    with pytest.raises(TypeError, match="PublishedPoint"):
        PublishedSeries("A", cast(Any, (45, 50)), "percent")
    with pytest.raises(TypeError, match="PublishedGaps"):
        gap_chart(cast(Any, {"Grade 9": 12}))
    with pytest.raises(TypeError, match="PublishedGrid"):
        heatmap(cast(Any, [[12, 15]]))
    with pytest.raises(TypeError, match="Axes"):
        trend_chart(SCHOOL, cast(Any, Figure()), title="t", y_label="%")
    with pytest.raises(TypeError, match="year"):
        PublishedPoint(cast(Any, "2024"), "5")


@pytest.mark.parametrize(
    ("point", "message"),
    [
        (PublishedPoint(2024, "*", "40", "60"), "reveal"),
        (PublishedPoint(2024, "<=5%", "0", "9"), "reveal"),
        (PublishedPoint(2024, "50", "40", ""), "both"),
        (PublishedPoint(2024, "50", "60", "40"), "above"),
        (PublishedPoint(2024, "50", "*", "*"), "plain numbers"),
    ],
)
def test_intervals_only_beside_plain_numbers(point: PublishedPoint, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PublishedSeries("A", (point,), "percent")


def test_series_checks() -> None:
    with pytest.raises(ValueError, match="strictly increase"):
        series("A", {2025: "5", 2024: "6"})
    with pytest.raises(ValueError, match="strictly increase"):
        PublishedSeries("A", (PublishedPoint(2024, "5"), PublishedPoint(2024, "6")), "percent")
    with pytest.raises(ValueError, match="no points"):
        PublishedSeries("A", (), "percent")
    with pytest.raises(ValueError, match="unit"):
        PublishedSeries("A", (PublishedPoint(2024, "5"),), cast(Any, "count"))
    with pytest.raises(ValueError, match="mix"):
        trend_chart([SCHOOL, series("M", {2024: "3.1"}, "mean")], title="t", y_label="y")
    many = [series(f"S{i}", {2024: "50"}) for i in range(7)]
    with pytest.raises(ValueError, match="at most 6"):
        trend_chart(many, title="t", y_label="%")


def test_grid_shape_checks() -> None:
    with pytest.raises(ValueError, match="units"):
        PublishedGrid(("A",), ("x", "y"), ("percent",), (("1", "2"),))
    with pytest.raises(ValueError, match="rows"):
        PublishedGrid(("A", "B"), ("x",), ("percent",), (("1",),))
    with pytest.raises(ValueError, match="cells"):
        PublishedGrid(("A",), ("x",), ("percent",), (("1", "2"),))


# --- SVG ---------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 1, 2])
def test_svg_parses_and_is_labelled(index: int) -> None:
    ax = _charts()[index]
    svg = _svg(ax)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert desc.text == ax.get_label()
    assert (title.text or "") in {TITLE, "Safety, 2026", "Climate, 2026"}
    ids = {el.get("id") for el in root.iter()}
    assert set((root.get("aria-labelledby") or "").split()) == {title.get("id"), desc.get("id")}
    assert {title.get("id"), desc.get("id")} <= ids
    # Text stays text, so values are searchable and the file stays small.
    texts = {"".join(el.itertext()) for el in root.iter(f"{SVG}text")}
    assert texts & {"hidden", "*"}
    assert len(svg.encode()) < 40_000


def test_svg_is_byte_identical_on_repeated_calls() -> None:
    first = [_svg(ax) for ax in _charts()]
    second = [_svg(ax) for ax in _charts()]
    assert first == second
    assert not any("<dc:date>" in s for s in first)


def test_two_charts_on_one_page_share_no_id() -> None:
    svgs = [_svg(ax) for ax in _charts()]
    id_sets = [{el.get("id") for el in ET.fromstring(s).iter()} - {None} for s in svgs]
    for i, a in enumerate(id_sets):
        for b in id_sets[i + 1 :]:
            assert a.isdisjoint(b)


def test_explicit_title_and_description_are_escaped() -> None:
    fig = Figure(figsize=(2, 1))
    fig.add_subplot()
    svg = to_svg(fig, title="A <b> & C", description='"quoted" <desc>')
    root = ET.fromstring(svg)
    assert root.findtext(f"{SVG}title") == "A <b> & C"
    assert root.findtext(f"{SVG}desc") == '"quoted" <desc>'
    with pytest.raises(TypeError, match="Figure"):
        to_svg(cast(Any, fig.axes[0]))


def test_no_pyplot_and_same_bytes_in_a_fresh_process() -> None:
    code = (
        "import hashlib, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_plots import _charts\n"
        "from analysis.plots import to_svg\n"
        "for ax in _charts():\n"
        "    print(hashlib.sha256(to_svg(ax.figure).encode()).hexdigest())\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    *hashes, pyplot_loaded = result.stdout.split()
    assert pyplot_loaded == "False"
    here = [hashlib.sha256(_svg(ax).encode()).hexdigest() for ax in _charts()]
    assert hashes == here


def test_no_module_imports_pyplot() -> None:
    for path in PLOTS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [f"{node.module}.{a.name}" for a in node.names]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any("pyplot" in n for n in names), path.name


# --- what is drawn -----------------------------------------------------------------------


def _points(ax: Axes) -> list[tuple[float, float, str]]:
    """Every drawn data position: line vertices and collection vertices, with labels."""
    found = []
    for line in ax.get_lines():
        for x, y in zip(_xs(line), _ys(line), strict=True):
            if math.isfinite(x) and math.isfinite(y):
                found.append((float(x), float(y), str(line.get_label())))
    for coll in ax.collections:
        assert isinstance(coll, Collection)
        for path in coll.get_paths():
            found += [(float(x), float(y), "_collection") for x, y in _vertices(path)]
    return found


def test_hidden_year_draws_nothing_at_a_value_position() -> None:
    s = series("Adams MS", {2023: "40", 2024: "*", 2025: "44"})
    ax = trend_chart(s, title=TITLE, y_label="%")
    at_hidden = [(y, label) for x, y, label in _points(ax) if x == 2024]
    # Only the marker in the band under the value axis (percent axis starts at 0).
    assert at_hidden
    assert all(y < 0 for y, _ in at_hidden)
    assert {label for _, label in at_hidden} == {"_hidden"}
    main = next(line for line in ax.get_lines() if line.get_label() == "Adams MS")
    assert math.isnan(_ys(main)[1])
    words = [t.get_text() for t in ax.texts]
    assert words == ["hidden"]
    assert all(t >= 0 for t in ax.get_yticks())


def test_hidden_band_in_mean_units_stays_under_the_values() -> None:
    s = PublishedSeries(
        "Adams",
        (PublishedPoint(2024, "3.1", "2.9", "3.3"), PublishedPoint(2025, "*")),
        "mean",
    )
    ax = trend_chart(s, title="Well-being", y_label="mean")
    lowest_value = min(y for x, y, label in _points(ax) if label != "_hidden")
    hidden = [y for x, y, label in _points(ax) if label == "_hidden"]
    assert hidden
    assert max(hidden) < lowest_value


def test_empty_year_breaks_the_line_and_says_no_data() -> None:
    ax = trend_chart(series("A", {2023: "40", 2024: "", 2025: "44"}), title=TITLE, y_label="%")
    assert not [p for p in _points(ax) if p[0] == 2024]
    assert [t.get_text() for t in ax.texts] == ["no data"]


def test_tier_code_is_an_open_marker_at_its_bound_labelled_with_its_code() -> None:
    ax = trend_chart(SCHOOL, title=TITLE, y_label="%")
    tiers = [line for line in ax.get_lines() if line.get_label() == "_tier"]
    assert len(tiers) == 1
    assert (_xs(tiers[0])[0], _ys(tiers[0])[0]) == (2026, 5.0)
    assert tiers[0].get_markerfacecolor() == "white"
    assert "<=5%" in [t.get_text() for t in ax.texts]
    main = next(line for line in ax.get_lines() if line.get_label() == "Adams MS")
    assert math.isnan(_ys(main)[3])


def test_series_differ_by_line_style_and_marker_not_only_colour() -> None:
    ax = trend_chart([SCHOOL, DISTRICT], title=TITLE, y_label="%")
    lines = [line for line in ax.get_lines() if not str(line.get_label()).startswith("_")]
    assert [line.get_label() for line in lines] == ["Adams MS", "District"]
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert lines[0].get_marker() != lines[1].get_marker()
    legend = ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[:2] == ["Adams MS", "District"]
    assert any("hidden" in label for label in labels)


def test_confidence_band_covers_runs_of_intervals() -> None:
    ax = trend_chart(SCHOOL, title=TITLE, y_label="%")
    ci = [c for c in ax.collections if c.get_label() == "_ci"]
    # 2023-2024 are a run (a band); 2027 stands alone (a vertical bar).
    xs = sorted({float(x) for c in ci for p in c.get_paths() for x in _vertices(p)[:, 0]})
    assert xs == [2023.0, 2024.0, 2027.0]
    ys = [float(y) for c in ci for p in c.get_paths() for y in _vertices(p)[:, 1]]
    assert min(ys) == 55.0
    assert max(ys) == 73.0


def test_draws_on_a_given_axes_and_the_svg_describes_both() -> None:
    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    assert trend_chart(SCHOOL, left, title=TITLE, y_label="%") is left
    assert gap_chart(GAPS, right) is right
    desc = ET.fromstring(to_svg(fig)).findtext(f"{SVG}desc") or ""
    assert desc.startswith(TITLE)
    assert "Safety, 2026." in desc


def test_gap_chart_lists_hidden_groups_without_drawing_them() -> None:
    ax = gap_chart(GAPS)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "All students",
        "Grade 9",
        "Grade 10",
        "Nonbinary",
        "Newcomers",
    ]
    rows_drawn = {round(y) for _, y, _ in _points(ax) if -0.5 < y < 5}
    assert 2 not in rows_drawn
    assert 4 not in rows_drawn
    assert {0, 1, 3} <= rows_drawn
    words = {
        t.get_text(): t.xy[1] if isinstance(t, Annotation) else t.get_position()[1]
        for t in ax.texts
    }
    assert words["hidden"] == 2
    assert words["no data"] == 4
    assert words["<=10%"] == 3
    assert words["64"] == 1


def test_heatmap_marks_hidden_cells_by_hatch_and_symbol() -> None:
    ax = heatmap(GRID)
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(cells) == 9
    hidden = [p for p in cells if p.get_hatch()]
    assert sorted(p.get_xy() for p in hidden) == [(0, 1), (1, 2)]
    texts = {(t.get_position()): t.get_text() for t in ax.texts}
    assert texts[(0.5, 1.5)] == "*"
    assert texts[(1.5, 2.5)] == "*"
    assert texts[(1.5, 1.5)] == "<=5%"
    assert texts[(2.5, 2.5)] == "-"
    assert len(texts) == 9


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_heatmap_cell_text_has_enough_contrast() -> None:
    grid = PublishedGrid(
        tuple(f"School {c}" for c in "ABCDEFGH"),
        ("Safety",),
        ("percent",),
        tuple((f"{v}%",) for v in (5, 20, 35, 50, 65, 80, 95, 99)),
    )
    ax = heatmap(grid)
    faces = {p.get_xy(): to_rgb(p.get_facecolor()) for p in ax.patches if isinstance(p, Rectangle)}
    for text in ax.texts:
        x, y = text.get_position()
        face, ink = _luminance(faces[(x - 0.5, y - 0.5)]), _luminance(to_rgb(text.get_color()))
        ratio = (max(face, ink) + 0.05) / (min(face, ink) + 0.05)
        # WCAG 2.1 success criterion 1.4.3: at least 4.5:1 for normal text
        assert ratio >= 4.5, (text.get_text(), ratio)


# --- words and tables --------------------------------------------------------------------


def test_text_alternative_of_the_report_example() -> None:
    s = series("Adams", {2023: "61", 2024: "63", 2025: "*", 2026: "65", 2027: "67"})
    assert trend_text(s, title=TITLE) == (
        "Connectedness, % favorable, 2023-2027: 61 % (2023) to 67 % (2027), rising; "
        "2025 hidden. By year: 2023, 61 %; 2024, 63 %; 2025, hidden; 2026, 65 %; 2027, 67 %."
    )


def test_text_alternative_names_each_series_and_its_direction() -> None:
    text = text_alternative([SCHOOL, DISTRICT], title=TITLE)
    assert text.startswith(f"{TITLE}, 2023-2027. Adams MS: 61 % (2023) to 67 % (2027), rising")
    assert "District: 60 % (2023) to 95 % or more (2027), rising; 2025 hidden." in text
    falling = series("B", {2024: "<=5%", 2025: "*"}), series("C", {2024: "30", 2025: "<=10%"})
    assert "falling" in trend_text(falling[1], title="x")
    assert "rising" not in trend_text(falling[0], title="x")
    with pytest.raises(ValueError, match="title"):
        cast(Any, text_alternative)(SCHOOL)


def test_gap_and_grid_text() -> None:
    assert text_alternative(GAPS) == (
        "Safety, 2026. All students: 70 % (interval 68 to 72). "
        "Grade 9: 64 % (interval 58 to 70), below all students. Grade 10: hidden. "
        "Nonbinary: 10 % or less, below all students. Newcomers: no data."
    )
    assert text_alternative(GRID, title="Climate") == (
        "Climate. Adams: Safety 71 %, Distress 12 %, Well-being 3.4. "
        "Baker: Safety hidden, Distress 5 % or less, Well-being 3.1. "
        "Carver: Safety 64 %, Distress hidden, Well-being no data."
    )


def test_data_tables_hold_the_published_strings() -> None:
    assert data_table(SCHOOL)[:3] == (
        TrendRow("Adams MS", 2023, "61", "55 to 67"),
        TrendRow("Adams MS", 2024, "63", "57 to 69"),
        TrendRow("Adams MS", 2025, "*", ""),
    )
    assert len(data_table([SCHOOL, DISTRICT])) == 10
    assert data_table(GAPS)[:3] == (
        GapRow("All students", "70", "68 to 72"),
        GapRow("Grade 9", "64", "58 to 70"),
        GapRow("Grade 10", "*", ""),
    )
    assert data_table(GRID)[3] == GridRow("Baker", "Safety", "*")


PUBLISHED = st.one_of(
    st.integers(0, 100).map(str),
    st.integers(0, 100).map(lambda v: f"{v}%"),
    st.sampled_from(["<=1%", "<=5%", "<=10", ">=90%", ">=95", ">=99%"]),
    st.decimals(0, 100, places=1).map(str),
    st.just("*"),
    st.just(""),
)


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(2000, 2030),
    columns=st.lists(st.lists(PUBLISHED, min_size=1, max_size=8), min_size=1, max_size=3),
)
def test_text_mentions_every_year_says_which_are_hidden_and_adds_no_number(
    start: int, columns: list[list[str]]
) -> None:
    items = [
        series(f"Group {'ABC'[i]}", {start + j: v for j, v in enumerate(values)})
        for i, values in enumerate(columns)
    ]
    text = trend_text(items, title="Belonging, % favorable")
    for s in items:
        part = text if len(items) == 1 else text.split(f"{s.label}: ", 1)[1]
        found = re.search(r"By year: (.*?)\.(?: |$)", part)
        assert found is not None
        by_year = found.group(1)
        for p in s.points:
            assert str(p.year) in text
            said_hidden = f"{p.year}, hidden" in by_year
            assert said_hidden == (p.value == "*")
    allowed = {str(start + j) for j in range(8)} | {
        n for s in items for p in s.points for n in re.findall(r"[0-9]+(?:\.[0-9]+)?", p.value)
    }
    assert set(re.findall(r"[0-9]+(?:\.[0-9]+)?", text)) <= allowed


@given(a=PUBLISHED, b=PUBLISHED)
def test_compare_is_antisymmetric(a: str, b: str) -> None:
    ra, rb = read_value(a), read_value(b)
    flipped = {"higher": "lower", "lower": "higher", "equal": "equal", "": ""}
    assert compare(rb, ra) == flipped[compare(ra, rb)]
    if compare(ra, rb) == "higher":
        assert ra.number is not None
        assert rb.number is not None
        assert rb.number >= ra.number


@given(st.lists(PUBLISHED, min_size=1, max_size=12))
def test_column_shades_follow_the_published_order(values: list[str]) -> None:
    readings = tuple(read_value(v) for v in values)
    shades = column_shades(readings)
    for r, s in zip(readings, shades, strict=True):
        assert (s is None) == (r.number is None)
        assert s is None or 0.0 <= s <= 1.0
    pairs = [(r.number, s) for r, s in zip(readings, shades, strict=True) if s is not None]
    for (x1, s1), (x2, s2) in itertools.pairwise(pairs):
        assert x1 is not None
        assert x2 is not None
        assert (x1 < x2) == (s1 < s2)


def test_svg_stays_small_for_a_full_dashboard() -> None:
    schools = tuple(f"School {i:02d}" for i in range(12))
    grid = PublishedGrid(
        schools,
        ("Safety", "Belonging", "Adult support", "Distress", "Well-being"),
        ("percent", "percent", "percent", "percent", "mean"),
        tuple(
            (f"{40 + i}%", "*" if i % 5 == 0 else f"{50 + i}%", f"{60 + i}%", "<=5%", "3.2")
            for i in range(12)
        ),
    )
    ten_years = [
        series(label, {2018 + j: f"{50 + j + k}" for j in range(10)})
        for k, label in enumerate(("School", "District", "State"))
    ]
    for ax in (heatmap(grid), trend_chart(ten_years, title=TITLE, y_label="%")):
        assert len(_svg(ax).encode()) < 40_000


@settings(max_examples=20, deadline=None)
@given(columns=st.lists(st.lists(PUBLISHED, min_size=1, max_size=6), min_size=1, max_size=3))
def test_no_value_position_is_drawn_for_a_year_hidden_everywhere(columns: list[list[str]]) -> None:
    width = max(len(c) for c in columns)
    hidden_year = 2020 + width
    items = [
        series(f"S{i}", {2020 + j: v for j, v in enumerate(values)} | {hidden_year: "*"})
        for i, values in enumerate(columns)
    ]
    ax = trend_chart(items, title="Belonging", y_label="%")
    at_hidden = [(y, label) for x, y, label in _points(ax) if x == hidden_year]
    # One marker per series, all in the band under the 0-100 value axis.
    assert sorted(label for _, label in at_hidden) == ["_hidden"] * len(items)
    assert all(y < 0 for y, _ in at_hidden)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(PUBLISHED, min_size=2, max_size=6))
def test_gap_text_adds_no_number_and_names_every_group(values: list[str]) -> None:
    overall, *rest = values
    gaps = PublishedGaps(
        "Safety",
        2026,
        "percent",
        PublishedGroup("All students", overall),
        tuple(PublishedGroup(f"Group {'ABCDE'[i]}", v) for i, v in enumerate(rest)),
    )
    text = text_alternative(gaps)
    allowed = {"2026"} | {n for v in values for n in re.findall(r"[0-9]+(?:\.[0-9]+)?", v)}
    assert set(re.findall(r"[0-9]+(?:\.[0-9]+)?", text)) <= allowed
    for group in gaps.groups:
        assert (f"{group.label}: hidden." in text) == (group.value == "*")
