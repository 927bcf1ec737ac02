"""Confidence intervals beside published values: school cells alone, district cells by school.

A school cell's proportion gets a Wilson interval and its mean a ``t`` interval; a district
cell's estimate is a ratio over schools as primary sampling units (``ratio_estimate``), so
the interval carries the clustering of students in schools. Intervals are computed for whole
cells at once, and checked against ``analysis`` in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis import PsuTotals, ratio_estimate

FloatArray = npt.NDArray[np.float64]
CONFIDENCE = 0.95
_Z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))


def wilson(successes: FloatArray, n: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Wilson score limits for many proportions at once (NaN where n is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = successes / n
        denom = 1 + _Z * _Z / n
        centre = (p + _Z * _Z / (2 * n)) / denom
        half = _Z * np.sqrt(p * (1 - p) / n + _Z * _Z / (4 * n * n)) / denom
        lower = np.where(successes == 0, 0.0, np.maximum(0.0, centre - half))
        upper = np.where(successes == n, 1.0, np.minimum(1.0, centre + half))
    bad = n <= 0
    return np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)


def t_mean(n: FloatArray, total: FloatArray, squares: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``t`` limits of means from sums (NaN below two scored respondents)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        var = np.maximum((squares - n * mean * mean) / (n - 1), 0.0)
        half = stats.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(n - 1, 1)) * np.sqrt(var / n)
    bad = n < 2
    return np.where(bad, np.nan, mean - half), np.where(bad, np.nan, mean + half)


def clustered(
    schools: Sequence[str], y: Sequence[float], x: Sequence[float], kind: str
) -> tuple[float, float]:
    """Design-based limits of ``sum(y) / sum(x)`` with schools as PSUs (NaN if undefined)."""
    cells = [
        PsuTotals(s, float(a), float(b), int(b)) for s, a, b in zip(schools, y, x, strict=True)
    ]
    if sum(c.x for c in cells) <= 0 or len(cells) < 2:
        return float("nan"), float("nan")
    estimate = ratio_estimate(cells, "mean" if kind == "mean" else "proportion", CONFIDENCE)
    return estimate.lower, estimate.upper
