"""Charts for the counselor report and the district dashboard, drawn from published values.

Every chart takes only what the disclosure gate published (strings: numbers, tier codes,
the hidden symbol), never counts. Functions take ``ax=None`` and return the Axes; figures
are built as ``matplotlib.figure.Figure`` objects, never through pyplot, and rendered with
:func:`to_svg`. Each chart has a text alternative and a data table.
"""

from analysis.plots.alternatives import (
    GapRow,
    GridRow,
    TrendRow,
    data_table,
    gap_text,
    grid_text,
    text_alternative,
    trend_text,
)
from analysis.plots.gap import gap_chart
from analysis.plots.grid import heatmap
from analysis.plots.palette import SERIES_STYLES, SeriesStyle, series_style
from analysis.plots.published import (
    PublishedGaps,
    PublishedGrid,
    PublishedGroup,
    PublishedPoint,
    PublishedSeries,
    Reading,
    Unit,
    read_value,
)
from analysis.plots.svg import to_svg
from analysis.plots.trend import trend_chart
from analysis.plots.words import ENGLISH, ChartWords

__all__ = [
    "ENGLISH",
    "SERIES_STYLES",
    "ChartWords",
    "GapRow",
    "GridRow",
    "PublishedGaps",
    "PublishedGrid",
    "PublishedGroup",
    "PublishedPoint",
    "PublishedSeries",
    "Reading",
    "SeriesStyle",
    "TrendRow",
    "Unit",
    "data_table",
    "gap_chart",
    "gap_text",
    "grid_text",
    "heatmap",
    "read_value",
    "series_style",
    "text_alternative",
    "to_svg",
    "trend_chart",
    "trend_text",
]
