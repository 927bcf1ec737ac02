"""Charts as ``data:`` images (the CSP allows no inline style), each with words and a table.

Charts are drawn by ``analysis.plots`` from published strings only. The SVG carries its own
``<title>`` and ``<desc>``; the page repeats the description in a visible caption and puts
the same values in a table beside the chart, in the page's language.

The page sets each chart's title in HTML, where it wraps, so the image draws none: a long
title drawn into a fixed-width image is cut off. Words inside the image are large enough to
read where the image is scaled down, years are written as school years, and a percentage
that stays low gets an axis that shows its movement instead of a flat line at the bottom.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from matplotlib.ticker import MaxNLocator

from analysis.disclosure import HIDDEN
from analysis.plots import (
    ChartWords,
    PublishedGaps,
    PublishedGroup,
    PublishedPoint,
    PublishedSeries,
    gap_chart,
    to_svg,
    trend_chart,
)
from climate.reports.formatting import Formatter
from climate.reports.published import unit_of

Translate = Callable[[str], str]

# Points: at the width a report shows a chart, this is at least 11 CSS pixels.
TEXT_SIZE = 11.0
# A percentage series whose values and limits all stay at or below this is drawn on an axis
# from 0 to a little above its highest value, not on 0-100.
LOW_PERCENT = 40.0


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


def _readable(ax: Axes) -> None:
    """No title inside the image, and every word in it at least ``TEXT_SIZE``."""
    ax.set_title("", loc="left")
    ax.tick_params(labelsize=TEXT_SIZE)
    ax.xaxis.label.set_fontsize(TEXT_SIZE)
    ax.yaxis.label.set_fontsize(TEXT_SIZE)
    for text in ax.texts:
        text.set_fontsize(TEXT_SIZE)
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_fontsize(TEXT_SIZE)


def low_top(series: Sequence[PublishedSeries]) -> float | None:
    """The top of a percentage axis fitted to low values, or None to keep 0-100."""
    if any(s.unit != "percent" for s in series):
        return None
    numbers = [
        r.number
        for s in series
        for r in (*s.readings, *(x for pair in s.intervals for x in pair))
        if r.number is not None
    ]
    if not numbers or max(numbers) > LOW_PERCENT:
        return None
    # A little headroom, rounded up to a multiple of 5 so the ticks are round numbers.
    return float(max(5, 5 * -(-(max(numbers) * 1.15) // 5)))


def _fit_low(ax: Axes, top: float) -> None:
    """Squeeze a 0-100 trend axis to 0-``top``, moving its hidden band along with it."""
    factor = top / 100.0
    for line in ax.get_lines():
        if str(line.get_label()) in ("_hidden", "_band"):
            line.set_ydata(np.asarray(line.get_ydata(), dtype=float) * factor)
    for text in ax.texts:
        if isinstance(text, Annotation) and text.xy[1] < 0:
            text.xy = (text.xy[0], text.xy[1] * factor)
    bottom = ax.get_ylim()[0] * factor
    ticks = [t for t in MaxNLocator(nbins=5).tick_values(0, top) if 0 <= t <= top]
    ax.set_yticks(ticks)
    ax.set_ylim(bottom, top)
    ax.spines["left"].set_bounds(0, top)


@lru_cache(maxsize=512)
def _trend_svg(
    series: tuple[PublishedSeries, ...],
    title: str,
    y_label: str,
    desc: str,
    said: ChartWords,
    years: tuple[str, ...],
) -> str:
    ax = trend_chart(series, title=title, y_label=y_label, words=said)
    top = low_top(series)
    if top is not None:
        _fit_low(ax, top)
    ax.set_xticks(sorted({y for s in series for y in s.years}), list(years))
    _readable(ax)
    figure = ax.figure
    assert isinstance(figure, Figure)
    return to_svg(figure, title=title, description=desc)


@lru_cache(maxsize=512)
def _gap_svg(gaps: PublishedGaps, title: str, x_label: str, desc: str, said: ChartWords) -> str:
    ax = gap_chart(gaps, title=title, x_label=x_label, words=said)
    _readable(ax)
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
            year = fmt.school_year(p.year)
            parts.append(f"{year}: {value}" + (f" ({ci})" if ci else ""))
            rows.append((line.label, year, fmt.value(p.value, unit), ci))
        sentences.append(f"{line.label}: " + "; ".join(parts) + ".")
    description = f"{title}. " + " ".join(sentences)
    years = tuple(fmt.school_year(y) for y in sorted({p.year for s in lines for p in s.points}))
    svg = _trend_svg(tuple(lines), title, y_label, description, words(_), years)
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
    description = f"{title}, {fmt.school_year(year)}. " + "; ".join(parts) + "."
    svg = _gap_svg(data, title, x_label, description, words(_))
    return Chart(
        data_uri(svg),
        title,
        description,
        (_("Group"), _("Value"), _("Interval (95%)")),
        tuple(rows),
    )
