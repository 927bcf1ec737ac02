"""Report charts speak the page's language, inside the image too."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from analysis.plots import PublishedGroup
from climate.i18n import load_po
from climate.reports import charts
from climate.reports.formatting import Formatter

LOCALES = Path(__file__).resolve().parents[3] / "locales"


def _svg(_: charts.Translate, lang: str) -> str:
    line = charts.series("a", [(2025, "70", "64", "76"), (2026, "*", "", "")], "percent")
    chart = charts.trend([line], title="t", y_label="%", fmt=Formatter.for_language(lang), _=_)
    return base64.b64decode(chart.uri.split(",", 1)[1]).decode("utf-8")


def test_an_arabic_trend_chart_draws_arabic_words() -> None:
    arabic = load_po(LOCALES / "ar" / "LC_MESSAGES" / "messages.po").gettext
    english = _svg(lambda text: text, "en")
    svg = _svg(arabic, "ar")
    assert "grey, below: hidden" in english
    assert "grey, below: hidden" not in svg
    assert arabic("grey, below: hidden") in svg


@pytest.mark.parametrize("lang", ["es", "ar", "zh_Hans", "vi", "pt", "ru", "ht", "so"])
def test_charts_draw_in_every_language(lang: str) -> None:
    # Tests turn warnings into errors: a script matplotlib has no glyphs for (Chinese)
    # must not fail a page, since the browser draws the text in its own fonts.
    _ = load_po(LOCALES / lang / "LC_MESSAGES" / "messages.po").gettext
    fmt = Formatter.for_language(lang)
    line = charts.series(
        _("All students"), [(2025, "70", "64", "76"), (2026, "*", "", "")], "percent"
    )
    charts.trend([line], title=_("Schools by indicator"), y_label="%", fmt=fmt, _=_)
    groups = [PublishedGroup(_("hidden"), "*"), PublishedGroup(_("no data"), "")]
    charts.gaps(
        PublishedGroup(_("All students"), "70"),
        groups,
        year=2026,
        statistic="percent",
        title=_("All students"),
        x_label="%",
        fmt=fmt,
        _=_,
    )


TITLE = "Emotional distress over the last two weeks: Elevated (%), Race and ethnicity"
DRAWN = re.compile(r'<text style="font-size: ([0-9.]+)px[^>]*>([^<]*)</text>')


def _low_svg(points: list[tuple[int, str, str, str]]) -> str:
    line = charts.series("Adams", points, "percent_elevated")
    district = charts.series("District", points, "percent_elevated")
    fmt = Formatter.for_language("en")
    chart = charts.trend([line, district], title=TITLE, y_label="%", fmt=fmt, _=lambda t: t)
    return base64.b64decode(chart.uri.split(",", 1)[1]).decode("utf-8")


def test_a_low_percentage_gets_an_axis_that_shows_it_move() -> None:
    low = [(2024, "3", "2", "5"), (2025, "6", "4", "9"), (2026, "9", "7", "12")]
    # 12 (the highest limit) with 15 % headroom is 13.8, rounded up to a multiple of 5.
    series = [charts.series("a", low, "percent_elevated")]
    assert charts.low_top(series) == 15.0
    high = [(2024, "61", "57", "65"), (2025, "*", "", "")]
    assert charts.low_top([charts.series("a", high, "percent_favorable")]) is None
    drawn = [text for _size, text in DRAWN.findall(_low_svg(low))]
    assert "15" in drawn
    assert "100" not in drawn


def test_words_in_a_chart_are_large_and_its_title_is_left_to_the_page() -> None:
    svg = _low_svg([(2024, "3", "2", "5"), (2025, "*", "", ""), (2026, "<=5", "", "")])
    drawn = DRAWN.findall(svg)
    assert drawn
    assert min(float(size) for size, _text in drawn) >= charts.TEXT_SIZE
    # The title is the image's <title>, set in HTML by the page, never drawn where it is cut.
    assert "<title id=" in svg
    assert all(TITLE not in text and "Race" not in text for _size, text in drawn)
    # School years, as administrations are named; the legend names both series.
    texts = [text for _size, text in drawn]
    assert {"2023-24", "2024-25", "2025-26", "Adams", "District"} <= set(texts)
