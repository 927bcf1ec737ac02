"""Trends across years and gaps between groups, for reports, from protected releases only.

A trend or gap is given only for groups whose value is shown exactly in every year it
uses. The numbers handed out are rounded (percentage points to one decimal, p-values to
three places): the model's raw margins would be exact proportions, and exact proportions
would tell what the published bands of n are there to hide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from analysis import (
    PsuTotals,
    TrendFit,
    adjust_trends,
    difference,
    fit_trend,
    newcombe_difference,
)
from climate.release.result import ALL, DISTRICT, SCHOOL, ScaleTotal, YearRelease


@dataclass(frozen=True, slots=True)
class Trend:
    """Change per year of a scale's percent favorable (or elevated), after BH adjustment."""

    org_type: str
    org_id: str
    dimension: str
    group: str
    indicator: str
    statistic: str
    years: tuple[int, ...]
    change: float  # percentage points per year
    change_low: float
    change_high: float
    adjusted_p: float
    direction: str  # "increasing", "decreasing" or "no change"


@dataclass(frozen=True, slots=True)
class Gap:
    """A group's percentage minus the rest of its school or district, in percentage points."""

    year: int
    org_type: str
    org_id: str
    dimension: str
    group: str
    indicator: str
    statistic: str
    gap: float
    gap_low: float
    gap_high: float
    p_value: float
    method: str


def _points(value: float) -> float:
    return round(100 * value, 1)


def _shown(release: YearRelease, org_id: str, dimension: str, group: str, scale: str) -> bool:
    statistic = f"percent_{release.scales[scale]}"
    return any(
        r.org_id == org_id
        and r.dimension == dimension
        and r.group == group
        and r.indicator == scale
        and r.statistic == statistic
        and r.exact()
        for r in release.rows
    )


def _totals(
    release: YearRelease, org_id: str, dimension: str, group: str, scale: str
) -> list[ScaleTotal]:
    return [
        t
        for t in release.totals
        if t.dimension == dimension
        and t.group == group
        and t.scale == scale
        and (org_id == DISTRICT or t.school == org_id)
    ]


def trends(
    releases: Sequence[YearRelease],
    org_id: str = DISTRICT,
    dimension: str = ALL,
    group: str = ALL,
    level: float = 0.05,
) -> tuple[Trend, ...]:
    """Every scale's trend for one group over the years given, adjusted as one family.

    ``org_id`` is ``district`` (schools are clusters) or a school id (one cell a year).
    """
    ordered = sorted(releases, key=lambda r: r.year)
    if len(ordered) < 2 or len({r.instrument_id for r in ordered}) != 1:
        return ()
    fits: list[tuple[str, str, tuple[int, ...], TrendFit]] = []
    for scale, kind in ordered[-1].scales.items():
        if not all(
            scale in r.scales and _shown(r, org_id, dimension, group, scale) for r in ordered
        ):
            continue
        year: list[int] = []
        events: list[int] = []
        trials: list[int] = []
        psu: list[str] = []
        for r in ordered:
            for t in _totals(r, org_id, dimension, group, scale):
                if t.scored > 0:
                    year.append(r.year)
                    events.append(t.flagged)
                    trials.append(t.scored)
                    psu.append(t.school)
        clustered = org_id == DISTRICT
        if clustered and len(set(psu)) < 2:
            continue
        fit = fit_trend(year, events, trials, psu=psu if clustered else None)
        fits.append((scale, f"percent_{kind}", tuple(r.year for r in ordered), fit))
    if not fits:
        return ()
    adjusted = adjust_trends([f[3] for f in fits], level)
    org_type = DISTRICT if org_id == DISTRICT else SCHOOL
    return tuple(
        Trend(
            org_type,
            org_id,
            dimension,
            group,
            scale,
            statistic,
            years,
            round(fit.change, 1),
            round(fit.change_lower, 1),
            round(fit.change_upper, 1),
            round(float(fit.adjusted_p or 1.0), 3),
            fit.direction,
        )
        for (scale, statistic, years, _), fit in zip(fits, adjusted, strict=True)
    )


def gaps(
    release: YearRelease, org_id: str = DISTRICT, dimension: str = "gender"
) -> tuple[Gap, ...]:
    """Each shown group of ``dimension`` against the rest, per scale, in one year."""
    result: list[Gap] = []
    for scale, kind in release.scales.items():
        whole: dict[str, ScaleTotal] = {
            t.school: t for t in _totals(release, org_id, ALL, ALL, scale)
        }
        by_group: dict[str, list[ScaleTotal]] = defaultdict(list)
        for t in release.totals:
            if t.dimension == dimension and t.scale == scale and t.school in whole:
                by_group[t.group].append(t)
        for group, parts in sorted(by_group.items()):
            if not _shown(release, org_id, dimension, group, scale):
                continue
            a = [PsuTotals(t.school, t.flagged, t.scored, t.scored) for t in parts]
            b = [
                PsuTotals(
                    t.school,
                    whole[t.school].flagged - t.flagged,
                    whole[t.school].scored - t.scored,
                    whole[t.school].scored - t.scored,
                )
                for t in parts
            ]
            if sum(c.x for c in b) <= 0 or sum(c.x for c in a) <= 0:
                continue
            if org_id == DISTRICT:
                if len(a) < 2:
                    continue
                c = difference(a, b)
            else:
                c = newcombe_difference(int(a[0].y), int(a[0].x), int(b[0].y), int(b[0].x))
            org_type = DISTRICT if org_id == DISTRICT else SCHOOL
            result.append(
                Gap(
                    release.year,
                    org_type,
                    org_id,
                    dimension,
                    group,
                    scale,
                    f"percent_{kind}",
                    _points(c.estimate),
                    _points(c.lower),
                    _points(c.upper),
                    round(float(c.p_value if c.p_value is not None else 1.0), 3),
                    c.method,
                )
            )
    return tuple(result)
