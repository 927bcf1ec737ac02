"""Charts as ``data:`` images (the CSP allows no inline style), each with words and a table.

Charts are drawn by ``analysis.plots`` from published strings only. The SVG carries its own
``<title>`` and ``<desc>``; the page repeats the description in a visible caption and puts
the same values in a table beside the chart, in the page's language.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from matplotlib.figure import Figure

from analysis.disclosure import HIDDEN
from analysis.plots import (
    ChartWords,
    PublishedGaps,
    PublishedGrid,
    PublishedGroup,
    PublishedPoint,
    PublishedSeries,
    gap_chart,
    heatmap,
    to_svg,
    trend_chart,
)
from climate.reports.formatting import Formatter
from climate.reports.published import unit_of

Translate = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart ready for a page: image URI, short and long text, and its data table."""

    uri: str
    title: str
    description: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def data_uri(svg: str) -> str:
    """An SVG document as a base64 ``data:`` URI for ``<img src>``."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def words(_: Translate) -> ChartWords:
    """The words drawn inside charts, in the page's language."""
    return ChartWords(
        hidden=_("hidden"),
        no_data=_("no data"),
        coded=_("open: bound of a coded value"),
        hidden_band=_("grey, below: hidden"),
        shading=_(
            "Shading compares schools within each column (lighter, yellower = higher); "
            "hatched * = hidden, - = no data."
        ),
        grid_title=_("Schools by indicator"),
    )


@lru_cache(maxsize=512)
def _trend_svg(
    series: tuple[PublishedSeries, ...], title: str, y_label: str, desc: str, said: ChartWords
) -> str:
    ax = trend_chart(series, title=title, y_label=y_label, words=said)
    figure = ax.figure
    assert isinstance(figure, Figure)
    return to_svg(figure, title=title, description=desc)


@lru_cache(maxsize=512)
def _gap_svg(gaps: PublishedGaps, title: str, x_label: str, desc: str, said: ChartWords) -> str:
    ax = gap_chart(gaps, title=title, x_label=x_label, words=said)
    figure = ax.figure
    assert isinstance(figure, Figure)
    return to_svg(figure, title=title, description=desc)


@lru_cache(maxsize=64)
def _grid_svg(grid: PublishedGrid, title: str, desc: str, said: ChartWords) -> str:
    ax = heatmap(grid, title=title, words=said)
    figure = ax.figure
    assert isinstance(figure, Figure)
    return to_svg(figure, title=title, description=desc)


def series(
    label: str, points: Sequence[tuple[int, str, str, str]], statistic: str
) -> PublishedSeries:
    """A published series from (year, value, ci_low, ci_high) strings."""
    return PublishedSeries(
        label,
        tuple(PublishedPoint(y, v, lo, hi) for y, v, lo, hi in points),
        "mean" if unit_of(statistic) == "mean" else "percent",
    )


def _value(fmt: Formatter, text: str, unit: str, _: Translate) -> str:
    return _("hidden") + f" ({HIDDEN})" if text == HIDDEN else fmt.value(text, unit)


def trend(
    lines: Sequence[PublishedSeries],
    *,
    title: str,
    y_label: str,
    fmt: Formatter,
    _: Translate,
) -> Chart:
    """A trend chart of one indicator over the years on show."""
    unit = lines[0].unit
    sentences = []
    rows = []
    for line in lines:
        parts = []
        for p in line.points:
            value = _value(fmt, p.value, unit, _)
            ci = fmt.interval(p.ci_low, p.ci_high, unit)
            parts.append(f"{p.year}: {value}" + (f" ({ci})" if ci else ""))
            rows.append((line.label, str(p.year), fmt.value(p.value, unit), ci))
        sentences.append(f"{line.label}: " + "; ".join(parts) + ".")
    description = f"{title}. " + " ".join(sentences)
    svg = _trend_svg(tuple(lines), title, y_label, description, words(_))
    return Chart(
        data_uri(svg),
        title,
        description,
        (_("Group"), _("Year"), _("Value"), _("Interval (95%)")),
        tuple(rows),
    )


def gaps(
    overall: PublishedGroup,
    groups: Sequence[PublishedGroup],
    *,
    year: int,
    statistic: str,
    title: str,
    x_label: str,
    fmt: Formatter,
    _: Translate,
) -> Chart:
    """A gap chart: each subgroup's value and interval beside all students."""
    unit = unit_of(statistic)
    data = PublishedGaps(
        title, year, "mean" if unit == "mean" else "percent", overall, tuple(groups)
    )
    rows = []
    parts = []
    for g in (overall, *groups):
        ci = fmt.interval(g.ci_low, g.ci_high, unit)
        rows.append((g.label, fmt.value(g.value, unit), ci))
        parts.append(f"{g.label}: {_value(fmt, g.value, unit, _)}" + (f" ({ci})" if ci else ""))
    description = f"{title}, {year}. " + "; ".join(parts) + "."
    svg = _gap_svg(data, title, x_label, description, words(_))
    return Chart(
        data_uri(svg),
        title,
        description,
        (_("Group"), _("Value"), _("Interval (95%)")),
        tuple(rows),
    )


def grid(
    schools: Sequence[str],
    indicators: Sequence[str],
    values: Sequence[Sequence[str]],
    *,
    title: str,
    fmt: Formatter,
    _: Translate,
) -> Chart:
    """A schools-by-indicators heat map of published percentages."""
    data = PublishedGrid(
        tuple(schools),
        tuple(indicators),
        tuple("percent" for _i in indicators),
        tuple(tuple(row) for row in values),
    )
    rows = []
    parts = []
    for school, row in zip(schools, values, strict=True):
        cells = [fmt.value(v, "percent") for v in row]
        rows.append((school, *cells))
        spoken = ", ".join(
            f"{ind} {_value(fmt, v, 'percent', _)}" for ind, v in zip(indicators, row, strict=True)
        )
        parts.append(f"{school}: {spoken}.")
    description = f"{title}. " + " ".join(parts)
    svg = _grid_svg(data, title, description, words(_))
    return Chart(data_uri(svg), title, description, (_("School"), *indicators), tuple(rows))
