"""Report charts speak the page's language, inside the image too."""

from __future__ import annotations

import base64
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
    chart = charts.grid(
        ["A"], [_("All students")], [["*"]], title=_("Schools by indicator"), fmt=fmt, _=_
    )
    svg = base64.b64decode(chart.uri.split(",", 1)[1]).decode("utf-8")
    assert _("Schools by indicator") in svg
