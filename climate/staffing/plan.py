"""The district's staffing plan for one year: one function, for the dashboard and the files alike.

The plan is the district's whoever asks for it: every school with a roster line for the year,
the need read from the same protected release that exports publish (same district name, same
``k``), the district baseline from that release, and the district's policy
(``CLIMATE_STAFFING_POLICY``, else the shipped default). Only a what-if plan passes its own
policy. So a school board sees the same numbers and order on the page and in the files.
The board's view of it (FTE steps, costs, totals, the cost of each standard) is made here
too, once, so the staffing page, the board memo and the CSV/XLSX cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.disclosure import Policy
from analysis.staffing import (
    BoardPlan,
    SchoolYear,
    StaffingPlan,
    StaffingPolicy,
    board_plan,
    load_policy,
    plan_staffing,
)
from climate.exports.files import district_name
from climate.release.pipeline import year_releases
from climate.rosters.parsing import school_years
from climate.rosters.store import stored_rosters
from climate.settings import Settings
from climate.staffing.need import district_baseline, school_need


@dataclass(frozen=True, slots=True)
class YearPlan:
    """A year's plan, its board view, and the schools planned by ratio only behind a hidden need."""

    plan: StaffingPlan
    hidden: tuple[str, ...]
    board: BoardPlan


def district_policy(settings: Settings) -> StaffingPolicy:
    """The district's staffing policy: its file (``CLIMATE_STAFFING_POLICY``) or the default."""
    return load_policy(settings.staffing_policy)


async def plan_for(
    engine: AsyncEngine,
    settings: Settings,
    year: int,
    *,
    policy: StaffingPolicy | None = None,
) -> YearPlan | None:
    """The district's plan for ``year`` (``policy`` for a what-if), or None without rosters."""
    name = await district_name(engine, settings)
    releases = await year_releases(
        engine, year, district_name=name, policy=Policy(k=settings.suppression_k)
    )
    async with engine.connect() as conn:
        rosters = await stored_rosters(conn, year)
    schools = school_years(rosters, year, school_need(releases))
    if not schools:
        return None
    chosen = policy or district_policy(settings)
    found = plan_staffing(schools, chosen, baseline=district_baseline(releases) or None)
    return YearPlan(found, _hidden(schools, chosen), board_plan(found))


def _hidden(schools: Sequence[SchoolYear], policy: StaffingPolicy) -> tuple[str, ...]:
    """Schools where a role's need measure is hidden, so that role is planned by ratio only."""
    measures = {role.need_measure for role in policy.roles}
    return tuple(
        sorted(
            school.school_id
            for school in schools
            if any(school.need[m].hidden for m in measures if m in school.need)
        )
    )
