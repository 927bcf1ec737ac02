"""Words and tables beside each chart, for screen readers and for readers who prefer them.

Every number in a text alternative is a year or a number copied from a published value:
nothing is computed, rounded or counted, so the words disclose no more than the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, overload

from analysis.plots.published import (
    PublishedGaps,
    PublishedGrid,
    PublishedSeries,
    Reading,
    Unit,
)

__all__ = [
    "GapRow",
    "GridRow",
    "TrendRow",
    "as_series",
    "compare",
    "data_table",
    "gap_text",
    "grid_text",
    "spoken",
    "text_alternative",
    "trend_text",
]


def as_series(series: PublishedSeries | Sequence[PublishedSeries]) -> tuple[PublishedSeries, ...]:
    """One series or several, as a non-empty tuple (raw numbers are refused).

    Examples
    --------
    >>> from analysis.plots.published import PublishedPoint
    >>> len(as_series(PublishedSeries("A", (PublishedPoint(2024, "5"),), "mean")))
    1
    """
    items = (series,) if isinstance(series, PublishedSeries) else series
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise TypeError(f"series must be PublishedSeries, got {type(series).__name__}")
    for item in items:
        if not isinstance(item, PublishedSeries):
            raise TypeError(
                f"series must hold PublishedSeries, got {type(item).__name__} {item!r}: "
                "charts take only published values"
            )
    if not items:
        raise ValueError("series is empty")
    return tuple(items)


def spoken(reading: Reading, unit: Unit) -> str:
    """A published value in words, using only its own digits.

    Examples
    --------
    >>> from analysis.plots.published import read_value
    >>> spoken(read_value("<=5%"), "percent")
    '5 % or less'
    >>> spoken(read_value("3.2", "mean"), "mean")
    '3.2'
    """
    if reading.kind == "hidden":
        return "hidden"
    if reading.kind == "empty":
        return "no data"
    number = f"{reading.text} %" if unit == "percent" else reading.text
    if reading.kind == "at_most":
        return f"{number} or less"
    if reading.kind == "at_least":
        return f"{number} or more"
    return number


def _bounds(reading: Reading) -> tuple[float, float]:
    x = float("nan") if reading.number is None else reading.number
    if reading.kind == "at_most":
        return -float("inf"), x
    if reading.kind == "at_least":
        return x, float("inf")
    return x, x


def compare(first: Reading, second: Reading) -> Literal["higher", "lower", "equal", ""]:
    """Whether ``second`` is surely higher, lower or equal to ``first``; ``""`` if unknown.

    Tier codes count as the range they allow, so ``"12"`` is higher than ``"<=5"`` but
    ``"<=5"`` and ``"<=10"`` compare as unknown.

    Examples
    --------
    >>> from analysis.plots.published import read_value
    >>> compare(read_value("<=5"), read_value("12"))
    'higher'
    """
    if not (first.shown and second.shown):
        return ""
    a_lo, a_hi = _bounds(first)
    b_lo, b_hi = _bounds(second)
    if b_lo > a_hi:
        return "higher"
    if b_hi < a_lo:
        return "lower"
    if first.kind == second.kind == "number" and a_lo == b_lo:
        return "equal"
    return ""


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


_TREND = {"higher": "rising", "lower": "falling", "equal": "unchanged", "": ""}


def _series_sentence(series: PublishedSeries) -> str:
    shown = [(p.year, r) for p, r in zip(series.points, series.readings, strict=True) if r.shown]
    if not shown:
        summary = "no value shown"
    elif len(shown) == 1:
        summary = f"{spoken(shown[0][1], series.unit)} ({shown[0][0]})"
    else:
        (y0, r0), (y1, r1) = shown[0], shown[-1]
        summary = f"{spoken(r0, series.unit)} ({y0}) to {spoken(r1, series.unit)} ({y1})"
        if word := _TREND[compare(r0, r1)]:
            summary += f", {word}"
    for kind, tail in (("hidden", "hidden"), ("empty", "no data")):
        years = [
            str(p.year)
            for p, r in zip(series.points, series.readings, strict=True)
            if r.kind == kind
        ]
        if years:
            summary += f"; {_join(years)} {tail}"
    by_year = "; ".join(
        f"{p.year}, {spoken(r, series.unit)}"
        for p, r in zip(series.points, series.readings, strict=True)
    )
    return f"{summary}. By year: {by_year}."


def trend_text(series: PublishedSeries | Sequence[PublishedSeries], *, title: str) -> str:
    """Describe a trend chart in plain words.

    Parameters
    ----------
    series : PublishedSeries or sequence of PublishedSeries
        What the chart shows.
    title : str
        The indicator and its measure, e.g. ``"Connectedness, % favorable"``.

    Returns
    -------
    str
        First and last shown values with their direction, the hidden years, then every
        year's published value.

    Examples
    --------
    >>> from analysis.plots.published import PublishedPoint
    >>> s = PublishedSeries("Adams", tuple(PublishedPoint(y, v) for y, v in
    ...     [(2023, "61"), (2024, "63"), (2025, "*"), (2026, "65"), (2027, "67")]), "percent")
    >>> print(trend_text(s, title="Connectedness, % favorable"))  # doctest: +NORMALIZE_WHITESPACE
    Connectedness, % favorable, 2023-2027: 61 % (2023) to 67 % (2027), rising; 2025 hidden.
    By year: 2023, 61 %; 2024, 63 %; 2025, hidden; 2026, 65 %; 2027, 67 %.
    """
    items = as_series(series)
    years = sorted({y for s in items for y in s.years})
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
    if len(items) == 1:
        return f"{title}, {span}: {_series_sentence(items[0])}"
    parts = [f"{s.label}: {_series_sentence(s)}" for s in items]
    return f"{title}, {span}. " + " ".join(parts)


def _interval(low: Reading, high: Reading) -> str:
    return f"{low.text} to {high.text}" if low.shown and high.shown else ""


def gap_text(gaps: PublishedGaps, *, title: str | None = None) -> str:
    """Describe a gap chart in plain words.

    Examples
    --------
    >>> from analysis.plots.published import PublishedGroup
    >>> g = PublishedGaps("Safety", 2026, "percent", PublishedGroup("All students", "70"),
    ...     (PublishedGroup("Grade 9", "64"), PublishedGroup("Grade 10", "*")))
    >>> print(gap_text(g))
    Safety, 2026. All students: 70 %. Grade 9: 64 %, below all students. Grade 10: hidden.
    """
    head = title if title is not None else f"{gaps.indicator}, {gaps.year}"
    overall, low, high = gaps.overall_reading
    ci = _interval(low, high)
    words = [
        f"{head}. {gaps.overall.label}: {spoken(overall, gaps.unit)}"
        + (f" (interval {ci})" if ci else "")
        + "."
    ]
    relation = {"higher": "above", "lower": "below", "equal": "equal to", "": ""}
    for group, (reading, lo, hi) in zip(gaps.groups, gaps.checked, strict=True):
        sentence = f"{group.label}: {spoken(reading, gaps.unit)}"
        if ci := _interval(lo, hi):
            sentence += f" (interval {ci})"
        if word := relation[compare(overall, reading)]:
            sentence += f", {word} {gaps.overall.label.lower()}"
        words.append(sentence + ".")
    return " ".join(words)


def grid_text(grid: PublishedGrid, *, title: str | None = None) -> str:
    """Describe a schools-by-indicators heatmap in plain words, school by school.

    Examples
    --------
    >>> g = PublishedGrid(("Adams", "Baker"), ("Safety", "Belonging"), ("percent", "mean"),
    ...                   (("71", "3.4"), ("*", "3.1")))
    >>> print(grid_text(g, title="Climate"))
    Climate. Adams: Safety 71 %, Belonging 3.4. Baker: Safety hidden, Belonging 3.1.
    """
    head = title if title is not None else "Schools by indicator"
    rows = [
        f"{school}: "
        + ", ".join(
            f"{ind} {spoken(r, u)}"
            for ind, u, r in zip(grid.indicators, grid.units, readings, strict=True)
        )
        + "."
        for school, readings in zip(grid.schools, grid.readings, strict=True)
    ]
    return f"{head}. " + " ".join(rows)


@overload
def text_alternative(data: PublishedGaps, *, title: str | None = None) -> str: ...
@overload
def text_alternative(data: PublishedGrid, *, title: str | None = None) -> str: ...
@overload
def text_alternative(data: PublishedSeries | Sequence[PublishedSeries], *, title: str) -> str: ...
def text_alternative(
    data: PublishedSeries | Sequence[PublishedSeries] | PublishedGaps | PublishedGrid,
    *,
    title: str | None = None,
) -> str:
    """The text alternative of whichever chart ``data`` feeds.

    Examples
    --------
    >>> g = PublishedGrid(("Adams",), ("Safety",), ("percent",), (("<=5%",),))
    >>> text_alternative(g, title="Climate")
    'Climate. Adams: Safety 5 % or less.'
    """
    if isinstance(data, PublishedGaps):
        return gap_text(data, title=title)
    if isinstance(data, PublishedGrid):
        return grid_text(data, title=title)
    if title is None:
        raise ValueError("title is required to describe a trend chart")
    return trend_text(data, title=title)


@dataclass(frozen=True, slots=True)
class TrendRow:
    """One row of the table beside a trend chart."""

    series: str
    year: int
    value: str
    ci: str


@dataclass(frozen=True, slots=True)
class GapRow:
    """One row of the table beside a gap chart."""

    group: str
    value: str
    ci: str


@dataclass(frozen=True, slots=True)
class GridRow:
    """One row of the long-form table beside a heatmap."""

    school: str
    indicator: str
    value: str


@overload
def data_table(data: PublishedGaps) -> tuple[GapRow, ...]: ...
@overload
def data_table(data: PublishedGrid) -> tuple[GridRow, ...]: ...
@overload
def data_table(data: PublishedSeries | Sequence[PublishedSeries]) -> tuple[TrendRow, ...]: ...
def data_table(
    data: PublishedSeries | Sequence[PublishedSeries] | PublishedGaps | PublishedGrid,
) -> tuple[TrendRow, ...] | tuple[GapRow, ...] | tuple[GridRow, ...]:
    """Rows for an HTML table beside the chart, holding the published strings unchanged.

    Examples
    --------
    >>> from analysis.plots.published import PublishedPoint
    >>> s = PublishedSeries("Adams", (PublishedPoint(2024, "61", "57", "65"),
    ...                               PublishedPoint(2025, "*")), "percent")
    >>> [(r.year, r.value, r.ci) for r in data_table(s)]
    [(2024, '61', '57 to 65'), (2025, '*', '')]
    """
    if isinstance(data, PublishedGaps):
        groups = (data.overall, *data.groups)
        checked = (data.overall_reading, *data.checked)
        return tuple(
            GapRow(g.label, g.value, _interval(lo, hi))
            for g, (_, lo, hi) in zip(groups, checked, strict=True)
        )
    if isinstance(data, PublishedGrid):
        return tuple(
            GridRow(school, ind, value)
            for school, row in zip(data.schools, data.values, strict=True)
            for ind, value in zip(data.indicators, row, strict=True)
        )
    return tuple(
        TrendRow(s.label, p.year, p.value, _interval(lo, hi))
        for s in as_series(data)
        for p, (lo, hi) in zip(s.points, s.intervals, strict=True)
    )
