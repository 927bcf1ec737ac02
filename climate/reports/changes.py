"""What changed: scale trends that survive Benjamini-Hochberg, told with published values.

The tests run on the release's internal scale totals (each school's scored and flagged
students per year), which the release keeps for exactly this purpose. A change is told only
when the first and last years' values are published as plain numbers, and the words hold
those published values and nothing else: the test adds a direction, never a number.

A trend the data cannot estimate (``analysis.NotEstimable``) is told as such, with its
reason, under the same rule: the reason says something about the counts (a share of 0 or
100 % separates the model), and those are what coded and hidden values keep out of sight.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis import NotEstimable, TrendFit, Unestimability, adjust_trends, fit_trend
from climate.release.result import ALL
from climate.reports.published import Published, org_of, scale_statistic

# The false discovery rate across the scales of one report.
FDR = 0.05


@dataclass(frozen=True, slots=True)
class Change:
    """One scale's significant trend between the first and last years on show."""

    scale: str
    statistic: str
    direction: str  # "increasing" or "decreasing"
    first_year: int
    first: str
    last_year: int
    last: str
    adjusted_p: float


@dataclass(frozen=True, slots=True)
class Unestimable:
    """One scale whose trend the data cannot estimate, and why."""

    scale: str
    statistic: str
    reason: Unestimability


@dataclass(frozen=True, slots=True)
class Changes:
    """A report's significant changes, and the trends it cannot estimate, in scale order."""

    found: tuple[Change, ...] = ()
    unestimable: tuple[Unestimable, ...] = ()


def _cells(
    published: Published, scale: str, school: str | None
) -> tuple[list[float], list[int], list[int], list[str]]:
    years: list[float] = []
    events: list[int] = []
    trials: list[int] = []
    psu: list[str] = []
    for release in published.releases:
        for total in release.totals:
            if total.scale != scale or total.dimension != ALL or total.group != ALL:
                continue
            if school is not None and total.school != school:
                continue
            if total.scored <= 0:
                continue
            years.append(float(release.year))
            events.append(total.flagged)
            trials.append(total.scored)
            psu.append(total.school)
    return years, events, trials, psu


def _fit(
    years: list[float], events: list[int], trials: list[int], psu: list[str] | None
) -> TrendFit | Unestimability | None:
    """The trend, the reason it cannot be estimated, or None with fewer than two years."""
    if len(set(years)) < 2:
        return None
    try:
        return fit_trend(years, events, trials, psu=psu)
    except NotEstimable as exc:
        return exc.reason


def _told(published: Published, org: str, scale: str, years: list[float]) -> tuple[str, ...]:
    """The first and last years' published values, if both are plain numbers, else ()."""
    statistic = scale_statistic(published.releases[-1], scale)
    ends = [published.get(int(y), org, scale, statistic) for y in (min(years), max(years))]
    return tuple(r.value for r in ends if r is not None and r.exact())


def changes(published: Published, school: str | None) -> Changes:
    """Scale trends of a school (or the district) that survive the adjustment, in scale order."""
    if len(published.years) < 2:
        return Changes()
    newest = published.releases[-1]
    org = org_of(school)
    fitted: list[tuple[str, TrendFit]] = []
    unestimable: list[Unestimable] = []
    for scale in newest.scales:
        years, events, trials, psu = _cells(published, scale, school)
        # One school: students are the units; the district: schools are the clusters.
        clusters = psu if school is None and len(set(psu)) > 1 else None
        if school is None and clusters is None:
            continue
        fit = _fit(years, events, trials, clusters)
        if isinstance(fit, TrendFit):
            fitted.append((scale, fit))
        elif fit is not None and len(_told(published, org, scale, years)) == 2:
            unestimable.append(Unestimable(scale, scale_statistic(newest, scale), fit))
    if not fitted:
        return Changes((), tuple(unestimable))
    adjusted = adjust_trends([f for _s, f in fitted], FDR)
    found = []
    for (scale, _raw), fit in zip(fitted, adjusted, strict=True):
        if fit.direction == "no change" or fit.adjusted_p is None:
            continue
        told = _told(published, org, scale, list(fit.years))
        if len(told) < 2:
            continue
        first, last = told
        found.append(
            Change(
                scale,
                scale_statistic(newest, scale),
                fit.direction,
                int(fit.years[0]),
                first,
                int(fit.years[-1]),
                last,
                fit.adjusted_p,
            )
        )
    return Changes(tuple(found), tuple(unestimable))
