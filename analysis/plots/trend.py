"""Trend chart: one line per population over survey years, drawn from published values."""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.plots.alternatives import as_series, trend_text
from analysis.plots.palette import INK, MUTED, series_style
from analysis.plots.published import PublishedSeries
from analysis.plots.words import ENGLISH, ChartWords

__all__ = ["BAND_STEP", "trend_chart", "value_range"]

#: Height of one row of the "hidden" band under the value axis, as a share of its range.
BAND_STEP = 0.08


def value_range(series: Sequence[PublishedSeries]) -> tuple[float, float]:
    """The span of the value axis: 0-100 for percentages, else the published values padded.

    Examples
    --------
    >>> from analysis.plots.published import PublishedPoint
    >>> s = PublishedSeries("A", (PublishedPoint(2024, "3.0"), PublishedPoint(2025, "4.0")),
    ...                     "mean")
    >>> value_range([s])
    (2.9, 4.1)
    """
    if all(s.unit == "percent" for s in series):
        return 0.0, 100.0
    numbers = [
        r.number
        for s in series
        for r in (*s.readings, *(x for pair in s.intervals for x in pair))
        if r.number is not None
    ]
    if not numbers:
        return 0.0, 1.0
    low, high = min(numbers), max(numbers)
    pad = 0.1 * (high - low) if high > low else 0.5
    return round(low - pad, 10), round(high + pad, 10)


def _runs(flags: Sequence[bool]) -> list[range]:
    runs, start = [], None
    for i, flag in enumerate((*flags, False)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append(range(start, i))
            start = None
    return runs


def trend_chart(
    series: PublishedSeries | Sequence[PublishedSeries],
    ax: Axes | None = None,
    *,
    title: str,
    y_label: str,
    words: ChartWords = ENGLISH,
) -> Axes:
    """Lines with markers per year, confidence bands, and honest marks for hidden values.

    A hidden value (``"*"``) breaks the line and is marked in a band under the value
    axis, by the series' marker shape and the word "hidden", never at a value position.
    A year with nothing published (``""``) breaks the line and reads "no data". A
    tier-coded value (``"<=5%"``) is drawn at its bound with an open marker and labelled
    with its code, and the line does not pass through it. Series differ in colour, line
    style and marker shape.

    Parameters
    ----------
    series : PublishedSeries or sequence of PublishedSeries
        Published values, all in one unit (e.g. a school and its district).
    ax : matplotlib Axes, optional
        Where to draw; a new ``Figure`` is made when omitted.
    title : str
        The indicator and its measure, e.g. ``"Connectedness, % favorable"``.
    y_label : str
        Label of the value axis.
    words : ChartWords
        Words the chart writes itself (marks, legend, notes); English by default.

    Returns
    -------
    matplotlib.axes.Axes
        Its label holds the chart's text alternative, which :func:`to_svg` writes as
        ``<desc>``.

    Examples
    --------
    >>> from analysis.plots.published import PublishedPoint
    >>> s = PublishedSeries("Adams MS", (PublishedPoint(2024, "61", "57", "65"),
    ...     PublishedPoint(2025, "*"), PublishedPoint(2026, "<=5%")), "percent")
    >>> ax = trend_chart(s, title="Connectedness, % favorable", y_label="% favorable")
    >>> ax.get_title(loc="left")
    'Connectedness, % favorable'
    >>> ax.get_label().startswith("Connectedness, % favorable, 2024-2026: 61 % (2024)")
    True
    """
    items = as_series(series)
    if len({s.unit for s in items}) > 1:
        raise ValueError("series mix percentages and means; draw them on separate charts")
    styles = [series_style(i) for i in range(len(items))]
    if ax is None:
        ax = Figure(figsize=(7.0, 4.2), layout="constrained").add_subplot()
    elif not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    low, high = value_range(items)
    step = BAND_STEP * (high - low)
    noted = [
        i for i, s in enumerate(items) if any(r.kind in ("hidden", "empty") for r in s.readings)
    ]
    for i, (s, style) in enumerate(zip(items, styles, strict=True)):
        years = list(s.years)
        exact = [
            r.number if r.kind == "number" and r.number is not None else math.nan
            for r in s.readings
        ]
        ax.plot(
            years,
            exact,
            color=style.color,
            linestyle=style.linestyle,
            linewidth=2,
            marker=style.marker,
            markersize=6,
            label=s.label,
            zorder=3,
        )
        for run in _runs([lo.shown for lo, _ in s.intervals]):
            xs = [years[j] for j in run]
            lows = [s.intervals[j][0].number or 0.0 for j in run]
            highs = [s.intervals[j][1].number or 0.0 for j in run]
            if len(run) > 1:
                ax.fill_between(
                    xs, lows, highs, color=style.color, alpha=0.15, linewidth=0, label="_ci"
                )
            else:
                ax.vlines(xs, lows, highs, color=style.color, alpha=0.6, linewidth=2, label="_ci")
        for year, r in zip(years, s.readings, strict=True):
            if r.kind in ("at_most", "at_least") and r.number is not None:
                ax.plot(
                    [year],
                    [r.number],
                    linestyle="none",
                    marker=style.marker,
                    markersize=7,
                    markerfacecolor="white",
                    markeredgecolor=style.color,
                    markeredgewidth=1.8,
                    label="_tier",
                    zorder=4,
                )
                ax.annotate(
                    r.code,
                    (year, r.number),
                    xytext=(7, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=8,
                    color=INK,
                )
        if i in noted:
            row = low - step * (noted.index(i) + 0.75)
            for year, r in zip(years, s.readings, strict=True):
                if r.kind == "hidden":
                    ax.plot(
                        [year],
                        [row],
                        linestyle="none",
                        marker=style.marker,
                        markersize=6,
                        markerfacecolor="#d9d9d9",
                        markeredgecolor=style.color,
                        label="_hidden",
                        zorder=3,
                    )
                if r.kind in ("hidden", "empty"):
                    ax.annotate(
                        words.hidden if r.kind == "hidden" else words.no_data,
                        (year, row),
                        xytext=(6, 0),
                        textcoords="offset points",
                        va="center",
                        fontsize=8,
                        color=INK,
                    )
    all_years = sorted({y for s in items for y in s.years})
    ax.set_xticks(all_years, [str(y) for y in all_years])
    ax.set_xlim(all_years[0] - 0.4, all_years[-1] + 0.7)
    bottom = low - step * (len(noted) + 0.25) if noted else low
    ax.set_ylim(bottom, high)
    ax.set_yticks([t for t in ax.get_yticks() if low - 1e-9 <= t <= high + 1e-9])
    ax.set_ylim(bottom, high)
    if noted:
        # The band below holds no values: a rule keeps it visibly apart from the axis.
        ax.axhline(low - step * 0.2, color=MUTED, linewidth=0.6, linestyle="-", label="_band")
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(y_label)
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines["left"].set_bounds(low, high)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)
    handles = [line for line in ax.get_lines() if not str(line.get_label()).startswith("_")]
    if any(r.kind in ("at_most", "at_least") for s in items for r in s.readings):
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markerfacecolor="white",
                markeredgecolor=MUTED,
                label=words.coded,
            )
        )
    if any(r.kind == "hidden" for s in items for r in s.readings):
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markerfacecolor="#d9d9d9",
                markeredgecolor=MUTED,
                label=words.hidden_band,
            )
        )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncols=min(3, len(handles)),
        frameon=False,
        fontsize=8,
    )
    ax.set_label(trend_text(items, title=title))
    return ax
