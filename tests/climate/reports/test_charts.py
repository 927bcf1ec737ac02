"""Report charts speak the page's language, inside the image too."""

from __future__ import annotations

import base64
from pathlib import Path

from climate.controllers.reports import charts
from climate.controllers.reports.formatting import Formatter
from climate.i18n import load_po

LOCALES = Path(__file__).resolve().parents[3] / "locales"


def _svg(_: charts.Translate, lang: str) -> str:
    line = charts.series("a", [(2025, "70", "64", "76"), (2026, "*", "", "")], "percent")
    chart = charts.trend([line], title="t", y_label="%", fmt=Formatter(lang), _=_)
    return base64.b64decode(chart.uri.split(",", 1)[1]).decode("utf-8")


def test_an_arabic_trend_chart_draws_arabic_words() -> None:
    arabic = load_po(LOCALES / "ar" / "LC_MESSAGES" / "messages.po").gettext
    english = _svg(lambda text: text, "en")
    svg = _svg(arabic, "ar")
    assert "grey, below: hidden" in english
    assert "grey, below: hidden" not in svg
    assert arabic("grey, below: hidden") in svg
