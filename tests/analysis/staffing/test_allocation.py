"""Allocation of extra FTE or budget, checked by hand and against brute force."""

import itertools
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.staffing import (
    NeedEstimate,
    SchoolYear,
    StaffingPlan,
    allocate,
    plan_staffing,
)
from analysis.staffing.allocation import STEP_FTE, Allocation, AllocationRow

DISTRESS = "elevated_distress"


def district() -> StaffingPlan:
    return plan_staffing(
        [
            SchoolYear(
                "A", 2024, 1000, {"counselor": 2.0}, {DISTRESS: NeedEstimate(0.35, 0.3, 0.4)}
            ),
            SchoolYear("B", 2024, 500, {}, {DISTRESS: NeedEstimate(0.20, 0.15, 0.25)}),
            SchoolYear("C", 2024, 800, {"counselor": 1.0}, {DISTRESS: NeedEstimate(hidden=True)}),
        ]
    )


def rows(result: Allocation, role: str) -> dict[str, AllocationRow]:
    return {r.school_id: r for r in result.rows if r.role == role}


def test_extra_counselors_go_where_weighted_need_is_largest() -> None:
    result = allocate(district(), extra_fte={"counselor": 2.5})
    by_school = rows(result, "counselor")
    # hand-worked (baseline 0.30): A gap 2 + 50/600 at weight 0.35/0.30 gains 0.1167 per step,
    # C gap 2.2 at weight 1 gains 0.1, B gap 2 at weight 2/3 gains 0.0667: A takes 20 full
    # steps, then C's 0.1 beats A's partial step 0.0833 x 1.1667 = 0.0972
    assert [by_school[s].fte_added for s in "ABC"] == pytest.approx([2.0, 0.0, 0.5])
    # hand-worked before/after ratios: 1000 / 2 -> 1000 / 4; 800 / 1 -> 800 / 1.5
    assert by_school["A"].ratio_before == pytest.approx(500.0)
    assert by_school["A"].ratio_after == pytest.approx(250.0)
    assert by_school["C"].ratio_after == pytest.approx(800 / 1.5)
    assert by_school["B"].ratio_before is None
    assert by_school["B"].ratio_after is None
    # hand-worked: 20 x 0.1 x 0.35/0.30 + 5 x 0.1
    assert result.need_closed == pytest.approx(20 * 0.1 * 0.35 / 0.30 + 0.5)
    assert result.added_fte == {"counselor": 2.5, "psychologist": 0.0, "social_worker": 0.0}
    assert all(r.fte_added == 0 for r in result.rows if r.role != "counselor")


def test_extra_beyond_full_gaps_is_reported_unallocated() -> None:
    result = allocate(district(), extra_fte={"counselor": 9.0})
    by_school = rows(result, "counselor")
    # hand-worked: steps needed ceil(2.0833 / 0.1) = 21, 22 and 20 = 63 steps = 6.3 FTE
    assert [by_school[s].fte_added for s in "ABC"] == pytest.approx([2.1, 2.0, 2.2])
    assert result.added_fte["counselor"] == pytest.approx(6.3)
    assert result.unallocated_fte["counselor"] == pytest.approx(2.7)
    assert all(r.unmet_after == 0 for r in by_school.values())
    # hand-worked: (2 + 50/600) x 0.35/0.30 + 2 x 0.20/0.30 + 2.2 x 1, all of it closed
    assert result.need_closed == pytest.approx((2 + 50 / 600) * 0.35 / 0.30 + 2 * 0.2 / 0.3 + 2.2)


def test_partial_amounts_use_whole_steps() -> None:
    result = allocate(district(), extra_fte={"psychologist": 0.35})
    # 0.35 FTE is 3 whole steps of 0.1
    assert result.requested_fte["psychologist"] == pytest.approx(0.3)
    assert result.added_fte["psychologist"] == pytest.approx(0.3)


def test_budget_goes_to_the_cheaper_step_when_need_is_equal() -> None:
    plan = plan_staffing([SchoolYear("A", 2024, 500)])
    # one school without survey data: every step closes 0.1 x weight 1; psychologist gap 1
    result = allocate(plan, budget=80_000, salaries={"counselor": 100_000, "psychologist": 50_000})
    by_role = {r.role: r for r in result.rows}
    # hand-worked: 10 psychologist steps at 5,000 = 50,000, then 3 counselor steps at 10,000
    assert by_role["psychologist"].fte_added == pytest.approx(1.0)
    assert by_role["counselor"].fte_added == pytest.approx(0.3)
    assert by_role["social_worker"].fte_added == 0.0
    assert result.spent == pytest.approx(80_000)
    assert result.need_closed == pytest.approx(1.3)
    assert result.mode == "budget"


def test_budget_split_beats_best_value_per_dollar_greedy() -> None:
    plan = plan_staffing(
        [
            SchoolYear(
                "X", 2024, 250, {"psychologist": 1.0}, {DISTRESS: NeedEstimate(0.3, 0.25, 0.35)}
            ),
            SchoolYear(
                "Y", 2024, 500, {"counselor": 2.2}, {DISTRESS: NeedEstimate(0.2, 0.15, 0.25)}
            ),
        ],
        baseline={DISTRESS: 0.2},
    )
    result = allocate(plan, budget=10_000, salaries={"counselor": 60_000, "psychologist": 50_000})
    # a counselor step for X gains 0.1 x 1.5 = 0.15 for 6,000 (best per dollar) but leaves
    # 4,000 that buys nothing; two psychologist steps for Y gain 0.2 for 10,000
    assert rows(result, "psychologist")["Y"].fte_added == pytest.approx(0.2)
    assert rows(result, "counselor")["X"].fte_added == 0.0
    assert result.need_closed == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"extra_fte": {"counselor": 1.0}, "budget": 10.0}, "exactly one"),
        ({"budget": 10.0}, "salaries"),
        ({"extra_fte": {"nurse": 1.0}}, "extra_fte: unknown role"),
        ({"extra_fte": {"counselor": -1.0}}, "extra_fte"),
        ({"budget": -5.0, "salaries": {"counselor": 1e5}}, "budget"),
        ({"budget": 5.0, "salaries": {"counselor": 0.0}}, "salaries"),
        ({"budget": 5.0, "salaries": {"nurse": 1e5}}, "salaries: unknown role"),
    ],
)
def test_bad_scenarios_are_rejected(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        allocate(district(), **kwargs)


# --- brute force on small cases -------------------------------------------------------


def step_value(row: AllocationRow, steps: int) -> float:
    return row.need_weight * STEP_FTE * min(steps, row.unmet_before / STEP_FTE)


def max_steps(row: AllocationRow) -> int:
    return math.ceil(row.unmet_before / STEP_FTE - 1e-9)


small_schools = st.lists(
    st.builds(
        lambda i, e, c, p, share: SchoolYear(
            f"S{i}",
            2024,
            e,
            {"counselor": c, "psychologist": p},
            {} if share is None else {DISTRESS: NeedEstimate(share, share, share)},
        ),
        st.integers(0, 99),
        st.integers(0, 8).map(lambda k: 25 * k),
        st.sampled_from([0.0, 0.2, 0.5]),
        st.sampled_from([0.0, 0.1, 0.3]),
        st.one_of(st.none(), st.floats(0.0, 0.6)),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda s: s.school_id,
)


@settings(max_examples=40, deadline=None)
@given(small_schools, st.integers(0, 7))
def test_fte_allocation_is_optimal_against_brute_force(schools: list[SchoolYear], k: int) -> None:
    plan = plan_staffing(schools, baseline={DISTRESS: 0.2})
    result = allocate(plan, extra_fte={"counselor": k * STEP_FTE})
    units = [r for r in result.rows if r.role == "counselor"]
    best = max(
        sum(step_value(r, x) for r, x in zip(units, xs, strict=True))
        for xs in itertools.product(range(k + 1), repeat=len(units))
        if sum(xs) <= k
    )
    got = sum(step_value(r, round(r.fte_added / STEP_FTE)) for r in units)
    assert got == pytest.approx(best, abs=1e-9)
    assert result.need_closed == pytest.approx(best, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    small_schools.filter(lambda s: len(s) <= 2),
    st.integers(0, 40).map(lambda k: 1_000.0 * k),
    st.sampled_from([40_000.0, 55_000.0, 60_000.0]),
    st.sampled_from([50_000.0, 70_000.0]),
)
def test_budget_allocation_is_optimal_against_brute_force(
    schools: list[SchoolYear], budget: float, counselor: float, psychologist: float
) -> None:
    plan = plan_staffing(schools, baseline={DISTRESS: 0.2})
    salaries = {"counselor": counselor, "psychologist": psychologist}
    result = allocate(plan, budget=budget, salaries=salaries)
    units = [r for r in result.rows if r.role in salaries]
    cost = [salaries[r.role] * STEP_FTE for r in units]
    ranges = [
        range(min(max_steps(r), int(budget // c)) + 1) for r, c in zip(units, cost, strict=True)
    ]
    best = max(
        sum(step_value(r, x) for r, x in zip(units, xs, strict=True))
        for xs in itertools.product(*ranges)
        if sum(x * c for x, c in zip(xs, cost, strict=True)) <= budget + 1e-6
    )
    assert result.need_closed == pytest.approx(best, abs=1e-9)
    assert result.spent is not None
    assert result.spent <= budget + 1e-6
    spent = sum(r.fte_added * salaries[r.role] for r in units)
    assert spent == pytest.approx(result.spent)


@settings(max_examples=40, deadline=None)
@given(small_schools, st.floats(0, 3), st.floats(0, 3))
def test_allocation_invariants(schools: list[SchoolYear], a: float, b: float) -> None:
    plan = plan_staffing(schools, baseline={DISTRESS: 0.2})
    small, large = sorted([a, b])
    low = allocate(plan, extra_fte={"counselor": small, "social_worker": large})
    high = allocate(plan, extra_fte={"counselor": large, "social_worker": large})
    # more staff never closes less need
    assert high.need_closed >= low.need_closed - 1e-12
    for result in (low, high):
        assert result.need_closed <= result.need_before + 1e-9
        for role in ("counselor", "psychologist", "social_worker"):
            given_out = sum(r.fte_added for r in result.rows if r.role == role)
            assert given_out == pytest.approx(result.added_fte[role])
            assert result.added_fte[role] + result.unallocated_fte[role] == pytest.approx(
                result.requested_fte[role]
            )
        for r in result.rows:
            assert r.fte_after == pytest.approx(r.fte_before + r.fte_added)
            assert 0 <= r.unmet_after <= r.unmet_before
            if r.fte_added:
                assert r.unmet_before > 0


@settings(max_examples=60, deadline=None)
@given(
    small_schools.filter(lambda s: len(s) <= 2),
    st.integers(0, 14).map(lambda k: 1_000.0 * k),
    st.lists(st.sampled_from([40_000.0, 45_000.0, 60_000.0, 70_000.0]), min_size=3, max_size=3),
)
def test_three_role_budget_is_optimal_against_brute_force(
    schools: list[SchoolYear], budget: float, prices: list[float]
) -> None:
    plan = plan_staffing(schools, baseline={DISTRESS: 0.2})
    salaries = dict(zip(("counselor", "psychologist", "social_worker"), prices, strict=True))
    result = allocate(plan, budget=budget, salaries=salaries)
    cost = [salaries[r.role] * STEP_FTE for r in result.rows]
    ranges = [
        range(min(max_steps(r), int(budget // c)) + 1)
        for r, c in zip(result.rows, cost, strict=True)
    ]
    best = max(
        sum(step_value(r, x) for r, x in zip(result.rows, xs, strict=True))
        for xs in itertools.product(*ranges)
        if sum(x * c for x, c in zip(xs, cost, strict=True)) <= budget + 1e-6
    )
    assert result.need_closed == pytest.approx(best, abs=1e-9)


def test_three_roles_budget_hand_worked() -> None:
    plan = plan_staffing([SchoolYear("A", 2024, 500), SchoolYear("B", 2024, 250)])
    salaries = {"counselor": 40_000.0, "psychologist": 60_000.0, "social_worker": 70_000.0}
    result = allocate(plan, budget=13_000, salaries=salaries)
    # hand-worked: every step gains 0.1 (no survey data, weight 1); 13,000 buys three
    # counselor steps at 4,000 (0.3) but only two psychologist steps at 6,000 (0.2)
    assert result.added_fte == {"counselor": 0.3, "psychologist": 0.0, "social_worker": 0.0}
    assert result.spent == pytest.approx(12_000)
    assert result.need_closed == pytest.approx(0.3)
    salaries = {"counselor": 70_000.0, "psychologist": 60_000.0, "social_worker": 40_000.0}
    result = allocate(plan, budget=13_000, salaries=salaries)
    assert result.added_fte == {"counselor": 0.0, "psychologist": 0.0, "social_worker": 0.3}


@pytest.mark.parametrize(
    "scenario",
    [
        {"extra_fte": {"counselor": 0.0}},
        {"extra_fte": {"counselor": 0.05}},  # less than one step
        {"budget": 0.0, "salaries": {"counselor": 60_000.0}},
        {"budget": 5_999.99, "salaries": {"counselor": 60_000.0}},  # a cent short of a step
        {"budget": 0.0, "salaries": {"counselor": 60_000.0, "psychologist": 80_000.0}},
    ],
)
def test_nothing_to_give_gives_nothing(scenario: dict[str, Any]) -> None:
    result = allocate(district(), **scenario)
    assert all(r.fte_added == 0 for r in result.rows)
    assert result.need_closed == 0
    assert result.need_before > 0
    if result.spent is not None:
        assert result.spent == 0


def test_no_students_need_no_staff() -> None:
    # Zero enrollment: the ratio standard needs 0 FTE, so there is no gap to close and a
    # school with no staff either has no ratio to report.
    plan = plan_staffing([SchoolYear("E", 2024, 0), SchoolYear("F", 2024, 0, {"counselor": 1.0})])
    for result in (
        allocate(plan, extra_fte={"counselor": 3.0}),
        allocate(plan, budget=1e6, salaries={"counselor": 60_000.0}),
    ):
        assert result.need_before == 0
        assert result.need_closed == 0
        assert all(r.fte_added == 0 for r in result.rows)
        assert all(r.ratio_before is None and r.ratio_after is None for r in result.rows)
    assert allocate(plan, extra_fte={"counselor": 3.0}).unallocated_fte["counselor"] == 3.0
