"""The staffing plan as the district dashboard shows it: one row per school and role.

The plan itself is made by ``climate.staffing.plan_for``, the same for the page and the
files; this module only formats its rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.staffing import StaffingPlan
from climate.reports.formatting import Formatter
from climate.reports.labels import Translate


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One school and role of the plan, as shown."""

    school: str
    role: str
    current: str
    recommended: str
    gap: str
    flag: str
    priority: bool


def plan_rows(found: StaffingPlan, fmt: Formatter, _: Translate) -> tuple[PlanRow, ...]:
    """The plan's recommendations in ranking order (most urgent first)."""
    roles = {
        "counselor": _("Counselor"),
        "psychologist": _("Psychologist"),
        "social_worker": _("Social worker"),
    }
    flags = {
        "meets": _("Meets the standard"),
        "below standard": _("Below the standard"),
        "priority": _("Priority"),
    }
    order = {(r.school_id, r.role): r.rank for r in found.ranking}
    ranked = sorted(
        found.recommendations,
        key=lambda r: (order.get((r.school_id, r.role), 10**6), r.school_id, r.role),
    )
    return tuple(
        PlanRow(
            r.name or r.school_id,
            roles.get(r.role, r.role),
            fmt.fte(r.current_fte),
            f"{fmt.fte(r.recommended_fte)} ({fmt.fte(r.recommended_low)} – "
            f"{fmt.fte(r.recommended_high)})",
            fmt.fte(r.gap),
            flags.get(r.flag, r.flag),
            r.flag == "priority",
        )
        for r in ranked
    )
