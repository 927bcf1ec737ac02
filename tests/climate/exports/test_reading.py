"""The columns added beside each published value restate it; they add no number."""

from __future__ import annotations

import pytest

from climate.exports.reading import EXTRA_COLUMNS, Annotator, Reading, number, value_flag
from climate.release.result import Statistic


@pytest.mark.parametrize(
    ("value", "flag", "bound"),
    [
        ("42", "exact", ""),
        ("3.1", "exact", ""),
        ("-0.12", "exact", ""),
        ("<=10", "bottom_coded", "10"),
        (">=95", "top_coded", "95"),
        ("*", "hidden", ""),
        ("", "", ""),
    ],
)
def test_a_value_reads_as_its_flag_and_bound(value: str, flag: str, bound: str) -> None:
    assert value_flag(value) == (flag, bound)


def test_numbers_are_numbers_and_codes_are_not() -> None:
    assert number("42") == 42
    assert type(number("42")) is int
    assert number("3.1") == 3.1
    assert number("-0.12") == -0.12
    for text in ("*", "<=10", ">=95", "", "40-99", "300+", "<10"):
        assert number(text) is None


def _row(dimension: str, group: str, indicator: str, value: str) -> Statistic:
    return Statistic(
        "r", 2026, "school", "S1", "A", dimension, group, indicator, "percent", value, "", "", ""
    )


def test_without_a_reading_the_labels_are_the_codes_and_no_flag_is_given() -> None:
    annotate = Annotator((), {})
    assert annotate(_row("all", "all", "conn", "12")) == (
        "exact",
        "",
        "",
        "All students",
        "All students",
        "conn",
    )
    assert annotate(_row("grade", "3", "safe:0", "<=5")) == (
        "bottom_coded",
        "5",
        "",
        "grade",
        "3",
        "safe — 0",
    )
    assert len(EXTRA_COLUMNS) == 6


def test_the_reliability_rule_is_asked_once_per_published_value_and_limits() -> None:
    asked: list[str] = []

    def rule(row: Statistic) -> str:
        asked.append(row.value)
        return "caution"

    annotate = Annotator((), {}, Reading(reliability=rule))
    for group in ("1", "2", "3"):
        assert annotate(_row("grade", group, "conn", "12"))[2] == "caution"
    assert asked == ["12"]
