"""Heatmap for the district dashboard: schools by indicators, every cell labelled."""

from __future__ import annotations

import textwrap

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from analysis.plots.alternatives import grid_text
from analysis.plots.palette import HIDDEN_HATCH, INK, MUTED
from analysis.plots.published import HIDDEN, PublishedGrid, Reading
from analysis.plots.words import ENGLISH, ChartWords

__all__ = ["column_shades", "heatmap"]

#: Perceptually uniform and readable with colour-vision deficiency (Nunez et al. 2018).
CMAP = "cividis"
#: The light part of the map only, so dark text on every cell keeps a 4.5:1 contrast.
SHADE_RANGE = (0.58, 1.0)
EMPTY_FACE = "#f2f2f2"


def column_shades(readings: tuple[Reading, ...]) -> tuple[float | None, ...]:
    """Shade of each cell in one column, 0 (lowest shown) to 1 (highest shown).

    Tier-coded cells are shaded at their bound; hidden and empty cells get None. A
    column whose shown values are all equal is shaded at 0.5.

    Examples
    --------
    >>> from analysis.plots.published import read_value
    >>> column_shades(tuple(read_value(v) for v in ("40", "*", "60", "<=5")))
    (0.6363636363636364, None, 1.0, 0.0)
    """
    numbers = [r.number for r in readings if r.number is not None]
    if not numbers:
        return tuple(None for _ in readings)
    low, high = min(numbers), max(numbers)
    return tuple(
        None if r.number is None else 0.5 if high == low else (r.number - low) / (high - low)
        for r in readings
    )


def _luminance(color: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink_for(face: tuple[float, float, float]) -> str:
    # WCAG 2.1 contrast ratio: whichever text colour stands out more from the cell.
    def contrast(ink: str) -> float:
        a, b = _luminance(face), _luminance(to_rgb(ink))
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)

    return max((INK, "white"), key=contrast)


def heatmap(
    grid: PublishedGrid,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    words: ChartWords = ENGLISH,
) -> Axes:
    """Schools by indicators, each cell shaded within its column and labelled with its value.

    Shading compares schools within one indicator (columns may have different units);
    the published value is written in every cell, so the shade never carries meaning
    alone. Hidden cells are white, hatched and marked ``*``; cells with nothing
    published are light grey and marked ``-``.

    Parameters
    ----------
    grid : PublishedGrid
        Published values, one row per school, one column per indicator.
    ax : matplotlib Axes, optional
        Where to draw; a new ``Figure`` is made when omitted.
    title : str, optional
        Chart title and start of the text alternative; default "Schools by indicator".
    words : ChartWords
        Words the chart writes itself (marks, legend, notes); English by default.

    Returns
    -------
    matplotlib.axes.Axes
        Its label holds the chart's text alternative.

    References
    ----------
    Nunez, J. R., Anderton, C. R. and Renslow, R. S. (2018). Optimizing colormaps with
    consideration for color vision deficiency. PLoS ONE 13(7): e0199239.

    Examples
    --------
    >>> g = PublishedGrid(("Adams", "Baker"), ("Safety", "Belonging"), ("percent", "mean"),
    ...                   (("71", "3.4"), ("*", "3.1")))
    >>> ax = heatmap(g, title="Climate, 2026")
    >>> sorted(t.get_text() for t in ax.texts)
    ['*', '3.1', '3.4', '71']
    """
    if not isinstance(grid, PublishedGrid):
        raise TypeError(f"grid must be PublishedGrid, got {type(grid).__name__}")
    n_rows, n_cols = len(grid.schools), len(grid.indicators)
    if ax is None:
        figure = Figure(figsize=(2.4 + 1.25 * n_cols, 1.5 + 0.42 * n_rows), layout="constrained")
        ax = figure.add_subplot()
    elif not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    cmap = colormaps[CMAP]
    columns = [column_shades(tuple(row[j] for row in grid.readings)) for j in range(n_cols)]
    for i, row in enumerate(grid.readings):
        for j, reading in enumerate(row):
            shade = columns[j][i]
            if reading.kind == "hidden":
                ax.add_patch(
                    Rectangle(
                        (j, i),
                        1,
                        1,
                        facecolor="white",
                        edgecolor="white",
                        hatch=HIDDEN_HATCH,
                        hatchcolor="#a6a6a6",
                        linewidth=1.5,
                        label="_hidden",
                    )
                )
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    HIDDEN,
                    ha="center",
                    va="center",
                    fontsize=11,
                    fontweight="bold",
                    color=INK,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
                )
                continue
            face = (
                to_rgb(EMPTY_FACE)
                if shade is None
                else to_rgb(cmap(SHADE_RANGE[0] + (SHADE_RANGE[1] - SHADE_RANGE[0]) * shade))
            )
            ax.add_patch(
                Rectangle(
                    (j, i), 1, 1, facecolor=face, edgecolor="white", linewidth=1.5, label="_cell"
                )
            )
            text = "-" if reading.kind == "empty" else reading.code
            ax.text(
                j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=9, color=_ink_for(face)
            )
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.xaxis.tick_top()
    ax.set_xticks(
        [j + 0.5 for j in range(n_cols)],
        [textwrap.fill(name, 14) for name in grid.indicators],
        fontsize=9,
    )
    ax.set_yticks([i + 0.5 for i in range(n_rows)], list(grid.schools), fontsize=9)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    title = words.grid_title if title is None else title
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel(words.shading, fontsize=8, color=MUTED)
    ax.set_label(grid_text(grid, title=title))
    return ax
