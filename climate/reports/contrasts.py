"""A school against its district: differences that survive Benjamini-Hochberg, told with
published values.

The test compares the school's students with the rest of the district's students, from the
release's internal scale totals of the newest year (the same totals the trend tests use).
Like a school's trend, it treats the school's students as the units; the rest of the
district is a separate group, so the two samples are independent. A difference is told only
when both published values are plain numbers and lie the same way as the test: the words hold
those published values, and the test adds a direction, never a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from analysis.multiplicity import benjamini_hochberg
from climate.release.result import ALL, DISTRICT, YearRelease
from climate.reports.changes import FDR
from climate.reports.published import Published, scale_statistic


@dataclass(frozen=True, slots=True)
class Contrast:
    """One scale where the school differs from the district in the newest year."""

    scale: str
    statistic: str
    direction: str  # "higher" or "lower"
    here: str
    district: str
    adjusted_p: float


def _counts(release: YearRelease, scale: str, school: str) -> tuple[int, int, int, int]:
    """Flagged and scored students of the school, then of every other school."""
    mine = [0, 0]
    rest = [0, 0]
    for total in release.totals:
        if total.scale != scale or total.dimension != ALL or total.group != ALL:
            continue
        into = mine if total.school == school else rest
        into[0] += total.flagged
        into[1] += total.scored
    return mine[0], mine[1], rest[0], rest[1]


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float | None:
    """Two-sided p of the pooled z test of two independent proportions; None if untestable."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (k1 + k2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var <= 0:
        return None
    z = (k1 / n1 - k2 / n2) / math.sqrt(var)
    return float(2 * stats.norm.sf(abs(z)))


def _published_pair(
    published: Published, year: int, school: str, scale: str, statistic: str
) -> tuple[str, str] | None:
    here = published.get(year, school, scale, statistic)
    there = published.get(year, DISTRICT, scale, statistic)
    if here is None or there is None or not (here.exact() and there.exact()):
        return None
    return here.value, there.value


def contrasts(published: Published, school: str) -> tuple[Contrast, ...]:
    """Scales where the school differs from the rest of the district, after the adjustment."""
    if not published.releases:
        return ()
    newest = published.releases[-1]
    tested: list[tuple[str, float, int]] = []
    for scale in newest.scales:
        k1, n1, k2, n2 = _counts(newest, scale, school)
        p = two_proportion_p(k1, n1, k2, n2)
        if p is not None:
            tested.append((scale, p, 1 if k1 * n2 > k2 * n1 else -1))
    if not tested:
        return ()
    adjustment = benjamini_hochberg([p for _s, p, _d in tested], FDR)
    found = []
    for (scale, _p, sign), adjusted, rejected in zip(
        tested, adjustment.adjusted, adjustment.rejected, strict=True
    ):
        statistic = scale_statistic(newest, scale)
        pair = _published_pair(published, newest.year, school, scale, statistic)
        if not rejected or pair is None:
            continue
        here, there = pair
        # The published values must point the way the test does, or the words would contradict.
        if (float(here) - float(there)) * sign <= 0:
            continue
        direction = "higher" if sign > 0 else "lower"
        found.append(Contrast(scale, statistic, direction, here, there, adjusted))
    return tuple(found)
