"""The words drawn inside charts, in English unless the caller gives its own.

A report in another language passes its translations, so that nothing inside an image
is left in English beside a page in Arabic or Somali.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ENGLISH", "ChartWords"]


@dataclass(frozen=True)
class ChartWords:
    """Marks, legend entries and notes that a chart writes itself.

    Examples
    --------
    >>> ChartWords(hidden="masqué").no_data
    'no data'
    """

    hidden: str = "hidden"
    no_data: str = "no data"
    coded: str = "open: bound of a coded value"
    hidden_band: str = "grey, below: hidden"
    shading: str = (
        "Shading compares schools within each column (lighter, yellower = higher); "
        "hatched * = hidden, - = no data."
    )
    grid_title: str = "Schools by indicator"


ENGLISH = ChartWords()
"""The words of a chart when none are given."""
