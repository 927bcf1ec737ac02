"""Colour-blind-safe styles: colour, line style and marker together, never colour alone.

Colours are from the Okabe-Ito palette; each series also gets its own line style and
marker shape so that a reader without colour, or a greyscale print, tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "HIDDEN_HATCH",
    "HIDDEN_MARKER",
    "INK",
    "MUTED",
    "SERIES_STYLES",
    "SeriesStyle",
    "series_style",
]

INK = "#1a1a1a"
MUTED = "#595959"
HIDDEN_MARKER = "X"
HIDDEN_HATCH = "///"


@dataclass(frozen=True, slots=True)
class SeriesStyle:
    """How one series is drawn.

    Examples
    --------
    >>> series_style(1).marker
    's'
    """

    color: str
    linestyle: str | tuple[float, tuple[float, ...]]
    marker: str


#: Okabe & Ito (2008) colours, each paired with a distinct dash pattern and marker shape.
SERIES_STYLES = (
    SeriesStyle("#0072B2", "-", "o"),  # blue
    SeriesStyle("#D55E00", "--", "s"),  # vermillion
    SeriesStyle("#009E73", ":", "^"),  # bluish green
    SeriesStyle("#CC79A7", "-.", "D"),  # reddish purple
    SeriesStyle("#E69F00", (0, (5, 2, 1, 2, 1, 2)), "v"),  # orange
    SeriesStyle("#000000", (0, (8, 3)), "P"),  # black
)


def series_style(index: int) -> SeriesStyle:
    """The style of the ``index``-th series.

    Parameters
    ----------
    index : int
        Position of the series, from 0.

    Returns
    -------
    SeriesStyle

    Raises
    ------
    ValueError
        When there are more series than distinct styles.

    References
    ----------
    Okabe, M. and Ito, K. (2008). Color Universal Design (CUD): how to make figures and
    presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/

    Examples
    --------
    >>> series_style(0).color
    '#0072B2'
    """
    if not 0 <= index < len(SERIES_STYLES):
        raise ValueError(
            f"series index {index} is out of range: at most {len(SERIES_STYLES)} series "
            "can be told apart by colour, line style and marker"
        )
    return SERIES_STYLES[index]
