"""Gap chart: subgroup values against all students, one indicator and one year."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from analysis.plots.alternatives import gap_text
from analysis.plots.palette import INK, MUTED, series_style
from analysis.plots.published import PublishedGaps, Reading
from analysis.plots.words import ENGLISH, ChartWords

__all__ = ["gap_chart"]


def _draw_row(
    ax: Axes, y: float, reading: Reading, interval: tuple[Reading, Reading], color: str, marker: str
) -> None:
    low, high = interval
    right = reading.number
    if low.number is not None and high.number is not None:
        ax.hlines(
            [y], [low.number], [high.number], color=color, linewidth=2.5, alpha=0.55, label="_ci"
        )
        right = high.number
    if reading.number is None:
        return
    tier = reading.kind in ("at_most", "at_least")
    ax.plot(
        [reading.number],
        [y],
        linestyle="none",
        marker=marker,
        markersize=8,
        markerfacecolor="white" if tier else color,
        markeredgecolor=color,
        markeredgewidth=1.8,
        label="_tier" if tier else "_value",
        zorder=3,
    )
    ax.annotate(
        reading.code,
        (right if right is not None else reading.number, y),
        xytext=(7, 0),
        textcoords="offset points",
        va="center",
        fontsize=8,
        color=INK,
    )


def gap_chart(
    gaps: PublishedGaps,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    x_label: str | None = None,
    words: ChartWords = ENGLISH,
) -> Axes:
    """Horizontal dot-and-interval chart of subgroups against all students.

    All students come first, as a diamond with a dashed reference line; each subgroup
    is a dot with its confidence interval and its published value beside it. A hidden
    subgroup keeps its row and reads "hidden", with nothing drawn; a tier-coded value is
    an open marker at its bound, labelled with its code.

    Parameters
    ----------
    gaps : PublishedGaps
        Published values of one indicator in one year.
    ax : matplotlib Axes, optional
        Where to draw; a new ``Figure`` is made when omitted.
    title : str, optional
        Default ``"<indicator>, <year>"``.
    x_label : str, optional
        Default ``"%"`` for percentages, ``"mean"`` for means.
    words : ChartWords
        Words the chart writes itself (marks, legend, notes); English by default.

    Returns
    -------
    matplotlib.axes.Axes
        Its label holds the chart's text alternative.

    Examples
    --------
    >>> from analysis.plots.published import PublishedGroup
    >>> g = PublishedGaps("Safety", 2026, "percent", PublishedGroup("All students", "70"),
    ...     (PublishedGroup("Grade 9", "64", "58", "70"), PublishedGroup("Grade 10", "*")))
    >>> ax = gap_chart(g)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['All students', 'Grade 9', 'Grade 10']
    """
    if not isinstance(gaps, PublishedGaps):
        raise TypeError(f"gaps must be PublishedGaps, got {type(gaps).__name__}")
    rows = (gaps.overall, *gaps.groups)
    checked = (gaps.overall_reading, *gaps.checked)
    if ax is None:
        ax = Figure(figsize=(6.4, 1.3 + 0.42 * len(rows)), layout="constrained").add_subplot()
    elif not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    overall = gaps.overall_reading[0]
    if overall.kind == "number" and overall.number is not None:
        ax.axvline(overall.number, color=MUTED, linestyle="--", linewidth=1, label="_reference")
    group_style = series_style(0)
    # Words for missing rows sit at the left edge, away from any value position.
    edge = blended_transform_factory(ax.transAxes, ax.transData)
    for y, (reading, low, high) in enumerate(checked):
        is_overall = y == 0
        _draw_row(
            ax,
            y,
            reading,
            (low, high),
            INK if is_overall else group_style.color,
            "D" if is_overall else group_style.marker,
        )
        if reading.kind in ("hidden", "empty"):
            ax.text(
                0.01,
                y,
                words.hidden if reading.kind == "hidden" else words.no_data,
                transform=edge,
                va="center",
                fontsize=8,
                color=INK,
            )
    if gaps.unit == "percent":
        ax.set_xlim(0, 100)
    else:
        numbers = [r.number for c in checked for r in c if r.number is not None]
        if numbers:
            pad = max(0.15 * (max(numbers) - min(numbers)), 0.25)
            ax.set_xlim(min(numbers) - pad, max(numbers) + 2 * pad)
    ax.set_yticks(range(len(rows)), [g.label for g in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.get_yticklabels()[0].set_fontweight("bold")
    ax.set_xlabel(x_label if x_label is not None else ("%" if gaps.unit == "percent" else "mean"))
    ax.set_title(
        title if title is not None else f"{gaps.indicator}, {gaps.year}", loc="left", fontsize=11
    )
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_label(gap_text(gaps, title=title))
    return ax
