"""Staffing plans: ratio standards, measured need and budget scenarios.

Turns rosters (enrollment and current FTE per role) and the survey's need
estimates into recommended FTE with an uncertainty range, a flag per school and
role, a ranked district list, the plan in a board's FTE steps with its cost, and
an allocation of extra staff or budget.

Examples
--------
>>> from analysis.staffing import SchoolYear, plan_staffing, allocate
>>> plan = plan_staffing([SchoolYear("A", 2024, 500), SchoolYear("B", 2024, 250)])
>>> scenario = allocate(plan, extra_fte={"counselor": 1.0})
>>> scenario.added_fte["counselor"]
1.0
"""

from analysis.staffing.allocation import Allocation, AllocationRow, allocate
from analysis.staffing.board import (
    NATIONAL_STANDARDS,
    BoardPlan,
    BoardRow,
    National,
    RoleTotal,
    StandardCost,
    board_plan,
    round_up,
)
from analysis.staffing.inputs import NeedEstimate, SchoolYear
from analysis.staffing.plan import (
    FLAGS,
    RankedEntry,
    RoleRecommendation,
    StaffingPlan,
    model_assumptions,
    plan_staffing,
    rank,
)
from analysis.staffing.policy import (
    MEASURES,
    ROLES,
    STEPS,
    PolicyValue,
    RolePolicy,
    SourcedValue,
    StaffingPolicy,
    default_policy,
    load_policy,
    policy_from_mapping,
)

__all__ = [
    "FLAGS",
    "MEASURES",
    "NATIONAL_STANDARDS",
    "ROLES",
    "STEPS",
    "Allocation",
    "AllocationRow",
    "BoardPlan",
    "BoardRow",
    "National",
    "NeedEstimate",
    "PolicyValue",
    "RankedEntry",
    "RolePolicy",
    "RoleRecommendation",
    "RoleTotal",
    "SchoolYear",
    "SourcedValue",
    "StaffingPlan",
    "StaffingPolicy",
    "StandardCost",
    "allocate",
    "board_plan",
    "default_policy",
    "load_policy",
    "model_assumptions",
    "plan_staffing",
    "policy_from_mapping",
    "rank",
    "round_up",
]
