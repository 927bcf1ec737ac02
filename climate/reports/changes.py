"""What changed: scale trends that survive Benjamini-Hochberg, told with published values.

The tests run on the release's internal scale totals (each school's scored and flagged
students per year), which the release keeps for exactly this purpose. A change is told only
when the first and last years' values are published as plain numbers, and the words hold
those published values and nothing else: the test adds a direction, never a number.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from analysis import TrendFit, adjust_trends, fit_trend
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
) -> TrendFit | None:
    if len(set(years)) < 2:
        return None
    rate = np.asarray(events) / np.asarray(trials)
    # A trend of a share that never moves off 0 or 1 has no finite logit estimate.
    if np.all(rate == 0) or np.all(rate == 1):
        return None
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            fit = fit_trend(years, events, trials, psu=psu)
    except (ValueError, np.linalg.LinAlgError):
        return None
    if not np.isfinite(fit.linear_p):
        return None
    return fit


def changes(published: Published, school: str | None) -> tuple[Change, ...]:
    """Scale trends of a school (or the district) that survive the adjustment, in scale order."""
    if len(published.years) < 2:
        return ()
    newest = published.releases[-1]
    org = org_of(school)
    fitted: list[tuple[str, TrendFit]] = []
    for scale in newest.scales:
        years, events, trials, psu = _cells(published, scale, school)
        # One school: students are the units; the district: schools are the clusters.
        clusters = psu if school is None and len(set(psu)) > 1 else None
        if school is None and clusters is None:
            continue
        fit = _fit(years, events, trials, clusters)
        if fit is not None:
            fitted.append((scale, fit))
    if not fitted:
        return ()
    adjusted = adjust_trends([f for _s, f in fitted], FDR)
    found = []
    for (scale, _raw), fit in zip(fitted, adjusted, strict=True):
        if fit.direction == "no change" or fit.adjusted_p is None:
            continue
        statistic = scale_statistic(newest, scale)
        first_year, last_year = int(fit.years[0]), int(fit.years[-1])
        first = published.get(first_year, org, scale, statistic)
        last = published.get(last_year, org, scale, statistic)
        if first is None or last is None or not (first.exact() and last.exact()):
            continue
        found.append(
            Change(
                scale,
                statistic,
                fit.direction,
                first_year,
                first.value,
                last_year,
                last.value,
                fit.adjusted_p,
            )
        )
    return tuple(found)
