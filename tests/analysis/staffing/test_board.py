"""The plan in a board's FTE steps and money: rounding, ranges, costs, totals, standards."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.staffing import (
    STEPS,
    NeedEstimate,
    SchoolYear,
    StaffingPolicy,
    board_plan,
    plan_staffing,
    policy_from_mapping,
    round_up,
)

DISTRESS = "elevated_distress"


def _costed(step: float = 0.5, **salaries: tuple[float, float]) -> StaffingPolicy:
    roles = {
        role: {"salary": {"value": salary}, "benefits": {"value": benefits}}
        for role, (salary, benefits) in salaries.items()
    }
    return policy_from_mapping({"roles": roles, "plan": {"fte_step": {"value": step}}})


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        (1.27, 0.5, 1.5),
        (1.5, 0.5, 1.5),
        # 1000 / 250 stored a hair above 4 is 4 posts, not 4.5
        (4.000000000001, 0.5, 4.0),
        (0.0, 0.5, 0.0),
        (-0.3, 0.5, 0.0),
        (-0.0, 0.1, 0.0),
        (0.31, 0.1, 0.4),
        (0.3, 0.1, 0.3),
        (2.01, 0.25, 2.25),
    ],
)
def test_round_up_to_the_step(value: float, step: float, expected: float) -> None:
    assert round_up(value, step) == expected


@given(st.floats(-5, 50, allow_nan=False), st.sampled_from(STEPS))
def test_round_up_is_a_whole_number_of_steps_never_below_the_value(
    value: float, step: float
) -> None:
    rounded = round_up(value, step)
    assert rounded >= 0.0
    assert rounded >= value - 1e-9
    assert rounded - value < step + 1e-9 or value < 0
    assert abs(rounded / step - round(rounded / step)) < 1e-6
    # A negative zero would print "-0.0".
    assert str(rounded) != "-0.0"


def test_montgomery_county_costing_of_250_to_1() -> None:
    # The example: Montgomery County costed 250:1 for elementary schools at 107.5 FTE
    # and $11,137,860 with benefits, i.e. $103,608 per FTE (11,137,860 / 107.5).
    # 43 schools of 500 students with no counselor need 2 FTE each at 250:1 (86 FTE), and
    # 43 of 125 students need 0.5 each (21.5 FTE): 107.5 FTE.
    schools = [SchoolYear(f"L{i:02d}", 2024, 500) for i in range(43)]
    schools += [SchoolYear(f"S{i:02d}", 2024, 125) for i in range(43)]
    policy = _costed(counselor=(83_608, 20_000))
    board = board_plan(plan_staffing(schools, policy))
    counselor = next(s for s in board.standards if s.role == "counselor" and s.body == "ASCA")
    assert counselor.add_fte == 107.5
    assert counselor.cost == 11_137_860
    totals = {t.role: t for t in board.roles}
    assert totals["counselor"].add_fte == 107.5
    assert totals["counselor"].cost == 11_137_860
    # Psychologists and social workers have no salary set: no cost, and no district cost.
    assert totals["psychologist"].cost is None
    assert board.total.cost is None
    assert not board.costed


def test_recommended_is_rounded_up_and_the_gap_is_the_shortfall_in_steps() -> None:
    # 640 / 250 = 2.56 counselors -> 3.0; shortfall from 0.8 is 1.76 -> 2.0 (not 2.2).
    school = SchoolYear("A", 2024, 640, {"counselor": 0.8, "psychologist": 2.0})
    board = board_plan(plan_staffing([school], _costed(counselor=(70_000, 30_000))))
    rows = {r.role: r for r in board.rows}
    assert rows["counselor"].recommended_fte == 3.0
    assert rows["counselor"].add_fte == 2.0
    assert rows["counselor"].cost == 200_000
    # 640 / 500 = 1.28 psychologists -> 1.5; 2.0 on staff: nothing to add, not -0.5.
    assert rows["psychologist"].recommended_fte == 1.5
    assert rows["psychologist"].add_fte == 0.0
    assert rows["psychologist"].cost is None


def test_a_range_is_kept_only_where_the_interval_changes_the_step() -> None:
    # Counselor: 1000 / 250 = 4; extra = (p - 0.2) x 1000 / 600 (hand-worked in test_plan.py).
    narrow = SchoolYear(
        "N", 2024, 1000, need={DISTRESS: NeedEstimate(0.30, 0.29, 0.31)}
    )  # 4.15 - 4.18 -> 4.5 both ends
    wide = SchoolYear(
        "W", 2024, 1000, need={DISTRESS: NeedEstimate(0.30, 0.21, 0.60)}
    )  # 4.0167 - 4.667 -> 4.5 and 5.0
    plan = plan_staffing([narrow, wide], baseline={DISTRESS: 0.20})
    rows = {(r.school_id, r.role): r for r in board_plan(plan).rows}
    n, w = rows[("N", "counselor")], rows[("W", "counselor")]
    assert (n.recommended_low, n.recommended_fte, n.recommended_high) == (4.5, 4.5, 4.5)
    assert not n.recommended_ranged
    assert not n.add_ranged
    assert (w.recommended_low, w.recommended_fte, w.recommended_high) == (4.5, 4.5, 5.0)
    assert w.recommended_ranged
    assert w.add_ranged


def test_a_tenth_step_is_finer() -> None:
    school = SchoolYear("A", 2024, 640)
    board = board_plan(plan_staffing([school], _costed(step=0.1)))
    counselor = next(r for r in board.rows if r.role == "counselor")
    assert board.step == 0.1
    assert counselor.recommended_fte == 2.6  # 2.56 up to a tenth
    assert counselor.add_fte == 2.6


def test_rows_keep_the_ranking_and_totals_add_up() -> None:
    schools = [
        SchoolYear("A", 2024, 900, {"counselor": 1.0}),
        SchoolYear("B", 2024, 300, {"counselor": 1.0, "psychologist": 1.0}),
        SchoolYear("C", 2024, 1200),
    ]
    policy = _costed(
        counselor=(80_000, 20_000), psychologist=(90_000, 25_000), social_worker=(70_000, 20_000)
    )
    plan = plan_staffing(schools, policy)
    board = board_plan(plan)
    assert [(r.school_id, r.role) for r in board.rows] == [
        (e.school_id, e.role) for e in plan.ranking
    ]
    assert [r.rank for r in board.rows] == list(range(1, 10))
    assert board.costed
    for total in board.roles:
        mine = [r for r in board.rows if r.role == total.role]
        assert total.add_fte == pytest.approx(sum(r.add_fte for r in mine))
        assert total.cost == pytest.approx(sum(r.cost or 0 for r in mine))
    assert board.total.cost == pytest.approx(sum(t.cost or 0 for t in board.roles))
    assert board.priorities == tuple(r for r in board.rows if r.add_fte > 0)


def test_the_district_standard_follows_the_policy_ratio() -> None:
    policy = policy_from_mapping({"roles": {"counselor": {"ratio": {"value": 400}}}})
    board = board_plan(plan_staffing([SchoolYear("A", 2024, 1000)], policy))
    counselor = {s.body: s for s in board.standards if s.role == "counselor"}
    assert counselor["ASCA"].ratio == 250
    assert counselor["ASCA"].add_fte == 4.0
    assert counselor["district"].ratio == 400
    assert counselor["district"].add_fte == 2.5
