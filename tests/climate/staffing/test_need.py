"""The one need rule: exact values keep their CI, coded values are intervals, ``*`` is hidden."""

from __future__ import annotations

import pytest

from climate.release.result import Statistic, YearRelease
from climate.staffing.need import district_baseline, estimate, school_need


def _row(org: str, scale: str, statistic: str, value: str, low: str, high: str) -> Statistic:
    org_type = "district" if org == "district" else "school"
    return Statistic(
        "r", 2025, org_type, org, org, "all", "all", scale, statistic, value, low, high, "100-299"
    )


def _release(rows: list[Statistic], scales: dict[str, str]) -> YearRelease:
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
        {"A": "A", "B": "B", "C": "C"},
        scales,
        tuple(rows),
    )


def test_exact_value_keeps_its_published_interval() -> None:
    found = estimate(_row("A", "distress", "percent_elevated", "27", "18", "38"), False)
    assert (found.share, found.low, found.high, found.hidden) == (0.27, 0.18, 0.38, False)


def test_favorable_share_is_turned_into_need() -> None:
    # 70 % favorable well-being (CI 62-77) means 30 % low well-being (CI 23-38).
    found = estimate(_row("A", "wellbeing", "percent_favorable", "70", "62", "77"), True)
    assert (found.share, found.low, found.high) == pytest.approx((0.30, 0.23, 0.38))


def test_a_bottom_coded_value_is_its_interval_not_hidden() -> None:
    # "<=2": the release says at most 2 %, so the need lies in [0, 2 %]; its midpoint is 1 %.
    found = estimate(_row("A", "distress", "percent_elevated", "<=2", "*", "*"), False)
    assert not found.hidden
    assert (found.share, found.low, found.high) == pytest.approx((0.01, 0.0, 0.02))


def test_a_coded_favorable_share_is_complemented() -> None:
    # "<=2" % favorable well-being: at least 98 % have low well-being, [98 %, 100 %].
    low = estimate(_row("A", "wellbeing", "percent_favorable", "<=2", "*", "*"), True)
    assert (low.share, low.low, low.high) == pytest.approx((0.99, 0.98, 1.0))
    # ">=95" % favorable: at most 5 % low, [0, 5 %].
    high = estimate(_row("A", "wellbeing", "percent_favorable", ">=95", "*", "*"), True)
    assert (high.share, high.low, high.high) == pytest.approx((0.025, 0.0, 0.05))


@pytest.mark.parametrize(("value", "low", "high"), [("*", "*", "*"), ("12", "", "")])
def test_hidden_or_intervalless_values_are_hidden(value: str, low: str, high: str) -> None:
    found = estimate(_row("A", "distress", "percent_elevated", value, low, high), False)
    assert found.hidden
    assert (found.share, found.low, found.high) == (None, None, None)


def test_school_need_and_baseline_read_the_release() -> None:
    release = _release(
        [
            _row("district", "distress", "percent_elevated", "20", "17", "24"),
            _row("district", "wellbeing", "percent_favorable", "*", "*", "*"),
            _row("A", "distress", "percent_elevated", "31", "25", "38"),
            _row("B", "distress", "percent_elevated", "*", "*", "*"),
            _row("C", "distress", "percent_elevated", "<=5", "*", "*"),
            _row("A", "wellbeing", "percent_favorable", "60", "50", "70"),
        ],
        {"distress": "elevated", "wellbeing": "favorable"},
    )
    need = school_need([release])
    assert need["A"]["elevated_distress"].share == 0.31
    assert need["A"]["low_wellbeing"].share == pytest.approx(0.40)
    assert need["B"]["elevated_distress"].hidden
    assert need["C"]["elevated_distress"].share == pytest.approx(0.025)
    # A scale the survey measures but whose row is missing is taken as hidden...
    assert need["B"]["low_wellbeing"].hidden
    # ...while a scale the instrument does not have gives no estimate at all.
    assert "low_connectedness" not in need["A"]
    # The district's hidden well-being leaves that measure to the plan's own baseline.
    assert district_baseline([release]) == {"elevated_distress": 0.2}
