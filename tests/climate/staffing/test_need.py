"""Need estimates come from published rows only: exact values, coded intervals, or hidden."""

from __future__ import annotations

import pytest

from climate.release.result import Statistic, YearRelease
from climate.staffing.need import district_baseline, estimate, school_need


def _row(org: str, scale: str, statistic: str, value: str, low: str, high: str) -> Statistic:
    org_type = "district" if org == "district" else "school"
    return Statistic(
        "r", 2025, org_type, org, org, "all", "all", scale, statistic, value, low, high, "100-299"
    )


def _release(rows: list[Statistic]) -> YearRelease:
    return YearRelease(
        "r",
        "secondary",
        "1",
        2025,
        "f",
        {},
        "h",
        "t",
        True,
        0,
        {"A": "A", "B": "B"},
        {"distress": "elevated"},
        tuple(rows),
    )


def test_exact_value_gives_share_and_interval() -> None:
    found = estimate(_row("A", "distress", "percent_elevated", "27", "18", "38"), False)
    assert (found.share, found.low, found.high) == (0.27, 0.18, 0.38)


def test_favorable_share_is_turned_into_need() -> None:
    # 70 % favorable well-being (CI 62-77) means 30 % low (CI 23-38).
    found = estimate(_row("A", "wellbeing", "percent_favorable", "70", "62", "77"), True)
    assert (found.share, found.low, found.high) == pytest.approx((0.30, 0.23, 0.38))


@pytest.mark.parametrize(("value", "low", "high"), [("*", "*", "*"), ("12", "", "")])
def test_hidden_or_intervalless_values_are_hidden(value: str, low: str, high: str) -> None:
    assert estimate(_row("A", "distress", "percent_elevated", value, low, high), False).hidden


def test_coded_values_are_their_intervals() -> None:
    # "<=2": the release says at most 2 %; the estimate is the interval's midpoint.
    low = estimate(_row("A", "distress", "percent_elevated", "<=2", "*", "*"), False)
    assert (low.share, low.low, low.high) == pytest.approx((0.01, 0.0, 0.02))
    # ">=95" favorable well-being means at most 5 % low well-being.
    high = estimate(_row("A", "wellbeing", "percent_favorable", ">=95", "*", "*"), True)
    assert (high.share, high.low, high.high) == pytest.approx((0.025, 0.0, 0.05))


def test_school_need_and_baseline_read_the_release() -> None:
    release = _release(
        [
            _row("district", "distress", "percent_elevated", "20", "17", "24"),
            _row("A", "distress", "percent_elevated", "31", "25", "38"),
            _row("B", "distress", "percent_elevated", "*", "*", "*"),
        ]
    )
    need = school_need([release])
    assert need["A"]["elevated_distress"].share == 0.31
    assert need["B"]["elevated_distress"].hidden
    # No published connectedness row: hidden, so the plan is by ratio for that measure.
    assert need["A"]["low_connectedness"].hidden
    assert district_baseline([release]) == {"elevated_distress": 0.2}
