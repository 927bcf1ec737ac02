"""Budget scenarios: where the next hires go.

Extra staff are handed out in steps of 0.1 FTE. A step given to a school and
role closes ``w * min(0.1, unmet)`` of need, where ``unmet`` is what is left of
the recommended FTE's gap and ``w`` is the plan's need weight (school share /
district baseline, 1 for ratio-only rows). The objective is the total
need-weighted FTE gap closed.

Within one role the objective is a sum of concave, piecewise-linear functions
of the steps each school receives, so handing each step to the largest
marginal gain is optimal (the greedy algorithm for separable concave
resource allocation). Given N extra FTE per role, that is the whole method.
Given a budget and salaries instead, roles compete for money at different
prices; the greedy curve of each role gives the best value for any number of
its steps, and the split of the budget between roles is then searched
exhaustively, so the result is optimal for the budget too.

References
----------
Ibaraki, T. and Katoh, N. (1988). *Resource Allocation Problems: Algorithmic
Approaches*. MIT Press, ch. 4 (greedy optimality for separable concave
objectives).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.staffing.plan import RoleRecommendation, StaffingPlan, _need_score
from analysis.staffing.policy import ROLES

__all__ = ["STEP_FTE", "Allocation", "AllocationRow", "allocate"]

STEP_FTE = 0.1
"""Size of one allocation step in FTE."""

# Allowance for binary fractions: 0.3 FTE / 0.1 must count as 3 steps, not 2.
_EPS = 1e-9


@dataclass(frozen=True)
class AllocationRow:
    """One school and role before and after the scenario."""

    school_id: str
    name: str
    role: str
    enrollment: int
    need_weight: float
    fte_before: float
    fte_added: float
    fte_after: float
    ratio_before: float | None
    ratio_after: float | None
    unmet_before: float
    unmet_after: float


@dataclass(frozen=True)
class Allocation:
    """The result of a budget scenario.

    Attributes
    ----------
    mode : str
        ``"fte"`` (extra FTE per role) or ``"budget"`` (a budget and salaries).
    rows : tuple of AllocationRow
        Every school-role row of the plan, in plan order.
    added_fte, unallocated_fte : Mapping[str, float]
        FTE handed out per role, and FTE requested but not needed (``fte`` mode).
    budget, spent : float or None
        The budget and the part of it used (``budget`` mode).
    need_before, need_closed : float
        Need-weighted FTE gap before the scenario, and the part it closes.
    """

    mode: str
    step: float
    rows: tuple[AllocationRow, ...]
    requested_fte: Mapping[str, float]
    added_fte: Mapping[str, float]
    unallocated_fte: Mapping[str, float]
    budget: float | None
    salaries: Mapping[str, float]
    spent: float | None
    need_before: float
    need_closed: float


def _left(gap: float, given: int) -> float:
    """Unmet need in steps after `given` steps, snapped to whole steps near them."""
    left = gap / STEP_FTE - given
    nearest = round(left)
    return float(nearest) if abs(left - nearest) < _EPS else left


def _gains(rows: Sequence[RoleRecommendation], limit: int) -> tuple[list[float], list[int]]:
    """Greedy marginal gains and the row index each step goes to, at most `limit` steps."""
    heap: list[tuple[float, int]] = []
    given = [0] * len(rows)
    for i, row in enumerate(rows):
        left = _left(row.gap, 0)
        if left > 0 and row.need_weight > 0:
            heap.append((-row.need_weight * min(1.0, left) * STEP_FTE, i))
    heapq.heapify(heap)
    gains: list[float] = []
    order: list[int] = []
    while heap and len(gains) < limit:
        neg, i = heapq.heappop(heap)
        gains.append(-neg)
        order.append(i)
        given[i] += 1
        left = _left(rows[i].gap, given[i])
        if left > 0:
            heapq.heappush(heap, (-rows[i].need_weight * min(1.0, left) * STEP_FTE, i))
    return gains, order


def _money(amount: float | None, name: str) -> float:
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise TypeError(f"{name}: expected a number, got {amount!r}")
    if not (math.isfinite(amount) and amount >= 0):
        raise ValueError(f"{name}: {amount} is not a non-negative number")
    return float(amount)


def _steps(amount: float, name: str) -> int:
    return math.floor(_money(amount, name) / STEP_FTE + _EPS)


def _best_split(curves: list[np.ndarray], costs: list[int], budget: int) -> list[int]:
    """Steps per role maximising the summed curves within the budget (exhaustive).

    Every split of the leading roles is visited; the last two roles are searched
    together with numpy, since the last role simply takes what money is left.
    """
    if not curves:
        return []
    if len(curves) == 1:
        return [int(min(len(curves[0]) - 1, budget // costs[0]))]
    best_total, best_cost, best = -1.0, 0, [0] * len(curves)
    (*head, a, b), (*head_costs, cost_a, cost_b) = curves, costs
    for prefix in itertools.product(*(range(len(c)) for c in head)):
        spent = sum(k * c for k, c in zip(prefix, head_costs, strict=True))
        if spent > budget:
            continue
        value = sum(float(c[k]) for c, k in zip(head, prefix, strict=True))
        ka = np.arange(min(len(a) - 1, (budget - spent) // cost_a) + 1)
        kb = np.minimum(len(b) - 1, (budget - spent - ka * cost_a) // cost_b)
        totals = value + a[ka] + b[kb]
        paid = spent + ka * cost_a + kb * cost_b
        top = float(totals.max())
        # Among splits of equal value, spend the least.
        near = np.flatnonzero(totals >= top - _EPS)
        i = int(near[np.argmin(paid[near])])
        total, cost = float(totals[i]), int(paid[i])
        if total > best_total + _EPS or (abs(total - best_total) <= _EPS and cost < best_cost):
            best_total, best_cost = total, cost
            best = [*prefix, int(ka[i]), int(kb[i])]
    return best


def allocate(
    plan: StaffingPlan,
    *,
    extra_fte: Mapping[str, float] | None = None,
    budget: float | None = None,
    salaries: Mapping[str, float] | None = None,
) -> Allocation:
    """Allocate extra FTE, or a budget, in 0.1-FTE steps where they close most need.

    Parameters
    ----------
    plan : StaffingPlan
        The plan whose gaps are to be closed.
    extra_fte : mapping of role to FTE, optional
        Extra FTE available per role; amounts are used in whole 0.1 steps.
    budget : float, optional
        Money available, used with `salaries` instead of `extra_fte`.
    salaries : mapping of role to cost of 1.0 FTE, optional
        Roles without a salary receive nothing in budget mode.

    Returns
    -------
    Allocation

    Raises
    ------
    ValueError
        If neither or both of `extra_fte` and `budget` are given, a role is
        unknown, or an amount is negative.

    Examples
    --------
    >>> from analysis.staffing import SchoolYear, plan_staffing
    >>> plan = plan_staffing([SchoolYear("A", 2024, 500), SchoolYear("B", 2024, 250)])
    >>> result = allocate(plan, extra_fte={"counselor": 2.5})
    >>> [(r.school_id, round(r.fte_added, 1)) for r in result.rows if r.role == "counselor"]
    [('A', 2.0), ('B', 0.5)]
    >>> result = allocate(plan, budget=100_000, salaries={"psychologist": 80_000})
    >>> round(result.added_fte["psychologist"], 1), result.spent
    (1.2, 96000.0)
    """
    if (extra_fte is None) == (budget is None):
        raise ValueError("extra_fte, budget: give exactly one of them")
    if budget is not None and not salaries:
        raise ValueError("salaries: a budget needs the salary of at least one role")
    amounts = extra_fte if extra_fte is not None else (salaries or {})
    for role in amounts:
        if role not in ROLES:
            name = "extra_fte" if extra_fte is not None else "salaries"
            raise ValueError(f"{name}: unknown role {role!r}; expected one of {', '.join(ROLES)}")
    by_role = {role: [r for r in plan.recommendations if r.role == role] for role in ROLES}
    steps: dict[str, int] = {}
    spent: float | None = None
    if extra_fte is not None:
        for role in ROLES:
            steps[role] = _steps(extra_fte.get(role, 0.0), f"extra_fte[{role!r}]")
    else:
        # Money is counted in whole cents so that budget comparisons are exact.
        cents = math.floor(_money(budget, "budget") * 100 + _EPS)
        roles = [role for role in ROLES if role in amounts]
        costs = []
        curves = []
        for role in roles:
            salary = _money(amounts[role], f"salaries[{role!r}]")
            cost = round(salary * STEP_FTE * 100)
            if cost <= 0:
                raise ValueError(f"salaries[{role!r}]: {salary} is too small to pay a step")
            limit = cents // cost
            gains, _ = _gains(by_role[role], limit)
            costs.append(cost)
            curves.append(np.concatenate([[0.0], np.cumsum(gains)]))
        split = _best_split(curves, costs, cents)
        steps = dict.fromkeys(ROLES, 0)
        steps.update(zip(roles, split, strict=True))
        spent = sum(k * c for k, c in zip(split, costs, strict=True)) / 100
    added: dict[tuple[str, str], int] = {}
    closed = 0.0
    handed: dict[str, int] = {}
    for role in ROLES:
        gains, order = _gains(by_role[role], steps[role])
        closed += sum(gains)
        handed[role] = len(order)
        for i in order:
            key = (by_role[role][i].school_id, role)
            added[key] = added.get(key, 0) + 1
    rows = tuple(
        _row(r, round(added.get((r.school_id, r.role), 0) * STEP_FTE, 6))
        for r in plan.recommendations
    )
    return Allocation(
        mode="fte" if extra_fte is not None else "budget",
        step=STEP_FTE,
        rows=rows,
        requested_fte={role: round(steps[role] * STEP_FTE, 6) for role in ROLES}
        if extra_fte is not None
        else {},
        added_fte={role: round(handed[role] * STEP_FTE, 6) for role in ROLES},
        unallocated_fte=(
            {role: round((steps[role] - handed[role]) * STEP_FTE, 6) for role in ROLES}
            if extra_fte is not None
            else {}
        ),
        budget=float(budget) if budget is not None else None,
        salaries=dict(salaries or {}),
        spent=spent,
        need_before=sum(_need_score(r) for r in plan.recommendations),
        need_closed=closed,
    )


def _row(rec: RoleRecommendation, added: float) -> AllocationRow:
    after = rec.current_fte + added
    enrollment = rec.enrollment
    return AllocationRow(
        school_id=rec.school_id,
        name=rec.name,
        role=rec.role,
        enrollment=enrollment,
        need_weight=rec.need_weight,
        fte_before=rec.current_fte,
        fte_added=added,
        fte_after=after,
        ratio_before=rec.current_ratio,
        ratio_after=enrollment / after if after > 0 and enrollment > 0 else None,
        unmet_before=max(rec.gap, 0.0),
        unmet_after=max(rec.gap - added, 0.0),
    )
