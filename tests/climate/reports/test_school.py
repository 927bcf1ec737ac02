"""A published value as the school report shows it: too unsteady to use, only its interval."""

from __future__ import annotations

from climate.release.result import ALL, Statistic
from climate.reports.formatting import Formatter
from climate.reports.school import figure

FMT = Formatter.for_language("en")


def _row(value: str, low: str, high: str) -> Statistic:
    return Statistic(
        "r",
        2026,
        "school",
        "A",
        "A",
        ALL,
        ALL,
        "s",
        "percent_favorable",
        value,
        low,
        high,
        "100-299",
    )


def test_a_value_not_to_use_shows_only_its_interval() -> None:
    # 9 % (3 % - 22 %): relative standard error from the limits above 50 % ("do not use").
    shown = figure(_row("9", "3", "22"), FMT)
    assert (shown.value, shown.ci, shown.flag) == ("", "3% – 22%", "unreliable")
    steady = figure(_row("61", "57", "65"), FMT)
    assert (steady.value, steady.flag) == ("61%", "")
