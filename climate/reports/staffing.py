"""The staffing plan on the dashboard: enrollment and FTE, with need from published values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.staffing import NeedEstimate, SchoolYear, StaffingPlan, plan_staffing
from climate.release.result import Statistic, is_number
from climate.reports.formatting import Formatter
from climate.reports.labels import Translate
from climate.reports.published import Published
from climate.reports.source import SchoolFacts

# Survey need measures of the staffing model, and the published statistic behind each;
# ``True`` when the measure is the complement of the published share (low = not favorable).
MEASURES: dict[str, tuple[str, str, bool]] = {
    "elevated_distress": ("distress", "percent_elevated", False),
    "low_wellbeing": ("wellbeing", "percent_favorable", True),
    "low_connectedness": ("connectedness", "percent_favorable", True),
}


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


def need_estimate(row: Statistic | None, complement: bool) -> NeedEstimate | None:
    """A need share from a published value; hidden when the value is hidden or coded."""
    if row is None:
        return None
    if not (row.exact() and is_number(row.ci_low) and is_number(row.ci_high)):
        return NeedEstimate(hidden=True)
    share, low, high = float(row.value) / 100, float(row.ci_low) / 100, float(row.ci_high) / 100
    if complement:
        share, low, high = 1 - share, 1 - high, 1 - low
    # Published limits are rounded apart from the value; keep the estimate inside them.
    low, high = min(low, share), max(high, share)
    return NeedEstimate(max(0.0, share), max(0.0, low), min(1.0, high))


def school_years(
    published: Sequence[Published], facts: Mapping[str, SchoolFacts], year: int
) -> list[SchoolYear]:
    """Every school with enrollment, its FTE and its published need, for one year."""
    result = []
    for school, fact in facts.items():
        if fact.enrollment is None:
            continue
        need: dict[str, NeedEstimate] = {}
        for table in published:
            release = table.release(year)
            if release is None or school not in release.schools:
                continue
            for measure, (scale, statistic, complement) in MEASURES.items():
                if scale not in release.scales:
                    continue
                estimate = need_estimate(table.get(year, school, scale, statistic), complement)
                if estimate is not None:
                    need[measure] = estimate
        result.append(SchoolYear(school, year, fact.enrollment, dict(fact.fte), need, fact.name))
    return result


def plan(
    published: Sequence[Published], facts: Mapping[str, SchoolFacts], year: int
) -> StaffingPlan | None:
    """The district plan for one year, or None without enrollment to plan from."""
    schools = school_years(published, facts, year)
    return plan_staffing(schools) if schools else None


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
