"""A staffing plan as a school board votes on it: whole steps of FTE, dollars and totals.

A plan (:func:`analysis.staffing.plan_staffing`) recommends fractional FTE such as
1.27. A board approves positions in steps (0.5 FTE by default, the policy's
``plan.fte_step``) and asks what they cost. This module turns a plan into that:

1. **Recommended FTE** is rounded *up* to the step: a school that needs 1.27 FTE
   needs a 1.5 post, not a 1.0.
2. **FTE to add** is the shortfall ``recommended - current`` rounded up to the
   step, never below 0: a school at or above its recommendation adds nothing (and
   never shows "-0.0").
3. **Ranges** come from the need estimate's confidence limits, rounded the same
   way. A range is kept only when its ends round to different steps, i.e. only
   where the survey's uncertainty changes what the board would approve.
4. **Cost** is FTE to add x (salary + benefits) of the role, from the policy. A
   role without a salary set has no cost (None): the plan says so rather than
   inventing one.
5. **Standards.** Besides the need-based recommendation, the plan costs reaching
   each published ratio standard (ASCA 250:1, NASP 500:1, SSWAA 250:1) and the
   district's own ratio (the policy's ``ratio``), by the same per-school rounding.

Rows keep the plan's ranking (:func:`analysis.staffing.rank`), so every rendering of
a board plan lists the same schools and roles in the same order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.staffing.plan import RoleRecommendation, StaffingPlan
from analysis.staffing.policy import ROLES, StaffingPolicy

__all__ = [
    "NATIONAL_STANDARDS",
    "BoardPlan",
    "BoardRow",
    "National",
    "RoleTotal",
    "StandardCost",
    "board_plan",
    "round_up",
]

# A shortfall of 1e-9 FTE is float noise (1000 / 250 stored as 4.0000000001), not a post.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class National:
    """A published student-to-staff ratio standard for one role."""

    role: str
    ratio: float
    body: str
    source: str


NATIONAL_STANDARDS: tuple[National, ...] = (
    National(
        "counselor",
        250.0,
        "ASCA",
        "American School Counselor Association (ASCA), recommended 250:1 since 1965",
    ),
    National(
        "psychologist",
        500.0,
        "NASP",
        "National Association of School Psychologists (NASP) Professional Standards (2020)",
    ),
    National(
        "social_worker",
        250.0,
        "SSWAA",
        "School Social Work Association of America (SSWAA)",
    ),
)
"""The national ratio standards, one per role (REFERENCES: staffing standards)."""


@dataclass(frozen=True)
class BoardRow:
    """One school and role, in FTE steps and money; ``*_low``/``*_high`` equal when no range."""

    rank: int
    school_id: str
    name: str
    role: str
    enrollment: int
    current_fte: float
    recommended_fte: float
    recommended_low: float
    recommended_high: float
    add_fte: float
    add_low: float
    add_high: float
    cost: float | None
    cost_low: float | None
    cost_high: float | None
    flag: str
    basis: str

    @property
    def recommended_ranged(self) -> bool:
        """Whether the survey's uncertainty changes the recommended FTE."""
        return self.recommended_low != self.recommended_high

    @property
    def add_ranged(self) -> bool:
        """Whether the survey's uncertainty changes the FTE to add."""
        return self.add_low != self.add_high


@dataclass(frozen=True)
class RoleTotal:
    """A role's district totals (``role`` is ``"all"`` for the district total)."""

    role: str
    current_fte: float
    recommended_fte: float
    add_fte: float
    add_low: float
    add_high: float
    cost_per_fte: float | None
    cost: float | None
    cost_low: float | None
    cost_high: float | None

    @property
    def add_ranged(self) -> bool:
        """Whether the survey's uncertainty changes the total FTE to add."""
        return self.add_low != self.add_high


@dataclass(frozen=True)
class StandardCost:
    """FTE and cost for every school of the district to reach one ratio standard."""

    role: str
    body: str
    ratio: float
    source: str
    district: bool
    add_fte: float
    cost: float | None


@dataclass(frozen=True)
class BoardPlan:
    """The plan as a board reads it: rows in ranking order, totals, standards' costs."""

    year: int
    step: float
    currency: str
    rows: tuple[BoardRow, ...]
    roles: tuple[RoleTotal, ...]
    total: RoleTotal
    standards: tuple[StandardCost, ...]

    @property
    def costed(self) -> bool:
        """Whether every role has a salary set, so the district total has a cost."""
        return all(total.cost_per_fte is not None for total in self.roles)

    @property
    def priorities(self) -> tuple[BoardRow, ...]:
        """The rows that add staff, most urgent first: the priority list."""
        return tuple(row for row in self.rows if row.add_fte > 0)


def round_up(value: float, step: float) -> float:
    """Round ``value`` up to a whole number of ``step``; 0 or less gives 0.

    Examples
    --------
    >>> round_up(1.27, 0.5), round_up(1.0000000001, 0.5), round_up(-0.3, 0.5)
    (1.5, 1.0, 0.0)
    >>> round_up(0.31, 0.1)
    0.4
    """
    if value <= _TOLERANCE:
        return 0.0
    steps = math.ceil(value / step - _TOLERANCE)
    # Rounding the product keeps 3 x 0.1 at 0.3, not 0.30000000000000004.
    return round(steps * step, 6)


def _money(fte: float, per_fte: float | None) -> float | None:
    return None if per_fte is None else round(fte * per_fte, 2)


def _row(rank: int, rec: RoleRecommendation, step: float, per_fte: float | None) -> BoardRow:
    current = rec.current_fte
    add = round_up(rec.recommended_fte - current, step)
    add_low = round_up(rec.recommended_low - current, step)
    add_high = round_up(rec.recommended_high - current, step)
    return BoardRow(
        rank=rank,
        school_id=rec.school_id,
        name=rec.name or rec.school_id,
        role=rec.role,
        enrollment=rec.enrollment,
        current_fte=current,
        recommended_fte=round_up(rec.recommended_fte, step),
        recommended_low=round_up(rec.recommended_low, step),
        recommended_high=round_up(rec.recommended_high, step),
        add_fte=add,
        add_low=add_low,
        add_high=add_high,
        cost=_money(add, per_fte),
        cost_low=_money(add_low, per_fte),
        cost_high=_money(add_high, per_fte),
        flag=rec.flag,
        basis=rec.basis,
    )


def _total(role: str, rows: Sequence[BoardRow], per_fte: float | None) -> RoleTotal:
    def fsum(name: str) -> float:
        return round(math.fsum(getattr(r, name) for r in rows), 6)

    add, low, high = fsum("add_fte"), fsum("add_low"), fsum("add_high")
    return RoleTotal(
        role=role,
        current_fte=fsum("current_fte"),
        recommended_fte=fsum("recommended_fte"),
        add_fte=add,
        add_low=low,
        add_high=high,
        cost_per_fte=per_fte,
        cost=_money(add, per_fte),
        cost_low=_money(low, per_fte),
        cost_high=_money(high, per_fte),
    )


def _sum_costs(totals: Sequence[RoleTotal], name: str) -> float | None:
    values = [getattr(t, name) for t in totals]
    return None if None in values else round(math.fsum(values), 2)


def _standard(
    plan: StaffingPlan, role: str, ratio: float, body: str, source: str, *, district: bool
) -> StandardCost:
    policy = plan.policy
    step = policy.fte_step.value
    add = math.fsum(
        round_up(r.enrollment / ratio - r.current_fte, step)
        for r in plan.recommendations
        if r.role == role
    )
    add = round(add, 6)
    return StandardCost(
        role, body, ratio, source, district, add, _money(add, policy.role(role).cost_per_fte)
    )


def _standards(plan: StaffingPlan) -> tuple[StandardCost, ...]:
    found = []
    for national in NATIONAL_STANDARDS:
        found.append(
            _standard(
                plan, national.role, national.ratio, national.body, national.source, district=False
            )
        )
        own = plan.policy.role(national.role).ratio
        found.append(
            _standard(plan, national.role, own.value, "district", own.source, district=True)
        )
    return tuple(found)


def board_plan(plan: StaffingPlan) -> BoardPlan:
    """Round a plan to the policy's FTE step, cost it, total it and cost each standard.

    Parameters
    ----------
    plan : StaffingPlan
        The plan of one year, with the policy it was made under.

    Returns
    -------
    BoardPlan
        Rows in the plan's ranking order, totals per role and for the district,
        and the cost of reaching each ratio standard.

    Examples
    --------
    >>> from analysis.staffing import SchoolYear, plan_staffing, policy_from_mapping
    >>> policy = policy_from_mapping(
    ...     {"roles": {"counselor": {"salary": {"value": 80000}, "benefits": {"value": 20000}}}}
    ... )
    >>> plan = plan_staffing([SchoolYear("A", 2024, 640, {"counselor": 1.0})], policy)
    >>> board = board_plan(plan)
    >>> row = next(r for r in board.rows if r.role == "counselor")
    >>> row.recommended_fte, row.add_fte, row.cost
    (3.0, 2.0, 200000.0)
    >>> board.total.cost is None  # psychologist and social worker salaries are not set
    True
    """
    policy: StaffingPolicy = plan.policy
    step = policy.fte_step.value
    by_key = {(r.school_id, r.role): r for r in plan.recommendations}
    rows = tuple(
        _row(entry.rank, by_key[(entry.school_id, entry.role)], step, _per_fte(policy, entry.role))
        for entry in plan.ranking
    )
    roles = tuple(
        _total(role, [r for r in rows if r.role == role], _per_fte(policy, role)) for role in ROLES
    )
    district = _total("all", rows, None)
    district = RoleTotal(
        role="all",
        current_fte=district.current_fte,
        recommended_fte=district.recommended_fte,
        add_fte=district.add_fte,
        add_low=district.add_low,
        add_high=district.add_high,
        cost_per_fte=None,
        cost=_sum_costs(roles, "cost"),
        cost_low=_sum_costs(roles, "cost_low"),
        cost_high=_sum_costs(roles, "cost_high"),
    )
    return BoardPlan(
        year=plan.year,
        step=step,
        currency=policy.currency,
        rows=rows,
        roles=roles,
        total=district,
        standards=_standards(plan),
    )


def _per_fte(policy: StaffingPolicy, role: str) -> float | None:
    return policy.role(role).cost_per_fte
