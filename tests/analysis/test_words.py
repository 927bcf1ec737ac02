"""Words drawn inside charts follow the caller's language."""

from __future__ import annotations

from matplotlib.figure import Figure

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

SOMALI = ChartWords(
    hidden="la qariyay",
    no_data="xog ma jiro",
    coded="madhan: xadka qiime la koodeeyay",
    hidden_band="cawl, hoos: la qariyay",
    shading="Midabaynta waxay isbarbardhigtaa dugsiyada.",
    grid_title="Dugsiyada marka loo eego tilmaame",
)
ENGLISH_WORDS = ("hidden", "no data", "open: bound", "grey, below", "Shading", "Schools by")


def _svg(figure: object) -> str:
    assert isinstance(figure, Figure)
    return to_svg(figure, title="t", description="d")


def test_every_word_inside_a_chart_is_the_callers() -> None:
    series = PublishedSeries(
        "Grade 9",
        (
            PublishedPoint(2024, "64", "58", "70"),
            PublishedPoint(2025, "*"),
            PublishedPoint(2026, "<=5%"),
            PublishedPoint(2027, ""),
        ),
        "percent",
    )
    gaps = PublishedGaps(
        "Safety",
        2026,
        "percent",
        PublishedGroup("All students", "70"),
        (PublishedGroup("Grade 9", "*"), PublishedGroup("Grade 10", "")),
    )
    grid = PublishedGrid(("A", "B"), ("Safety",), ("percent",), (("*",), ("",)))
    drawn = [
        _svg(trend_chart(series, title="T", y_label="%", words=SOMALI).figure),
        _svg(gap_chart(gaps, words=SOMALI).figure),
        _svg(heatmap(grid, words=SOMALI).figure),
    ]
    text = "\n".join(drawn)
    for word in ("la qariyay", "xog ma jiro", "madhan", "cawl, hoos", "Midabaynta", "Dugsiyada"):
        assert word in text, word
    for word in ENGLISH_WORDS:
        assert word not in text, word
    # and by default, English
    assert "no data" in _svg(gap_chart(gaps).figure)
