"""Survey need per school for the staffing plan, read from the protected release only.

Per school and year: the share of students with elevated distress, with low well-being
(not favorable) and with low connectedness (not favorable), with the published intervals.
This is the one rule for reading need from a published value:

- a value shown exactly keeps its published confidence interval;
- a hidden value (``*``) gives ``NeedEstimate(hidden=True)``, and the plan then says
  plainly that the school's recommendation is by ratio only;
- a top- or bottom-coded value is what the release publishes instead of a share near 0 %
  or 100 %, never a hidden one: ``<=2`` becomes the interval [0, 2 %] with its midpoint as
  the estimate (``>=98`` likewise [98 %, 100 %]), so a school with almost no students in
  need is planned with that knowledge rather than by ratio only;
- a scale the school's instrument does not measure gives no estimate at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.staffing import NeedEstimate
from climate.release.result import ALL, DISTRICT, SCHOOL, Statistic, YearRelease, is_number

# measure -> (scale, published statistic, whether the need is the complement of the share)
SOURCES: dict[str, tuple[str, str, bool]] = {
    "elevated_distress": ("distress", "percent_elevated", False),
    "low_wellbeing": ("wellbeing", "percent_favorable", True),
    "low_connectedness": ("connectedness", "percent_favorable", True),
}


def _coded(value: str) -> tuple[float, float] | None:
    """The interval a top- or bottom-coded percentage stands for, or None."""
    for prefix, at_most in (("<=", True), (">=", False)):
        if value.startswith(prefix):
            bound = float(value[len(prefix) :].rstrip("%")) / 100
            return (0.0, bound) if at_most else (bound, 1.0)
    return None


def estimate(row: Statistic | None, complement: bool) -> NeedEstimate:
    """A need estimate from one published row: exact with its CI, a coded interval, or hidden."""
    if row is None:
        return NeedEstimate(hidden=True)
    coded = _coded(row.value)
    if coded is not None:
        low, high = coded
        share = (low + high) / 2
    elif not (row.exact() and is_number(row.ci_low) and is_number(row.ci_high)):
        return NeedEstimate(hidden=True)
    else:
        share, low, high = (
            float(row.value) / 100,
            float(row.ci_low) / 100,
            float(row.ci_high) / 100,
        )
    if complement:
        share, low, high = 1 - share, 1 - high, 1 - low
    # Rounding to whole percentages can put a limit a hair past the estimate.
    low, high = min(low, share), max(high, share)
    return NeedEstimate(round(share, 4), round(low, 4), round(high, 4))


def _rows(releases: Sequence[YearRelease], org_type: str) -> dict[tuple[str, str, str], Statistic]:
    found: dict[tuple[str, str, str], Statistic] = {}
    for release in releases:
        for row in release.rows:
            if row.org_type == org_type and row.dimension == ALL and row.group == ALL:
                found.setdefault((row.org_id, row.indicator, row.statistic), row)
    return found


def school_need(releases: Sequence[YearRelease]) -> dict[str, dict[str, NeedEstimate]]:
    """Per school that took a survey, the need estimate of each measure its survey has."""
    rows = _rows(releases, SCHOOL)
    measured: dict[str, set[str]] = {}
    for release in releases:
        for school in release.schools:
            measured.setdefault(school, set()).update(release.scales)
    return {
        school: {
            measure: estimate(rows.get((school, scale, statistic)), complement)
            for measure, (scale, statistic, complement) in SOURCES.items()
            if scale in scales
        }
        for school, scales in sorted(measured.items())
    }


def district_baseline(releases: Sequence[YearRelease]) -> dict[str, float]:
    """The district's published share per measure, read by the same rule as a school's.

    With more than one instrument in a year the first instrument's district value is
    used; a measure whose district value is hidden falls back to the plan's own baseline.
    """
    rows = _rows(releases, DISTRICT)
    result = {}
    for measure, (scale, statistic, complement) in SOURCES.items():
        found = estimate(rows.get((DISTRICT, scale, statistic)), complement)
        if found.share is not None:
            result[measure] = found.share
    return result
