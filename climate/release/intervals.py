"""Confidence intervals beside published values: school cells alone, district cells by school.

A school cell's proportion gets a Wilson interval and its mean a ``t`` interval; a district
cell's estimate is a ratio over schools as primary sampling units (``ratio_estimate``), so
the interval carries the clustering of students in schools. Intervals are computed for whole
cells at once, and checked against ``analysis`` in the tests.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis import clopper_pearson_interval

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
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


def published_limits(
    value: FloatArray, size: FloatArray, is_mean: BoolArray, low: FloatArray, high: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Limits from published values alone, so that they reveal nothing more.

    ``value`` is the published percentage or mean and ``size`` the lower end of the
    published band of its denominator: a Wilson interval for a percentage and a ``t``
    interval for a mean with the largest standard deviation a mean allows on
    ``[low, high]`` (Bhatia and Davis, 2000). The smallest size and the largest spread
    make the intervals wider than those of the exact counts, never narrower.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        share = value / 100.0
        lows, highs = wilson(share * size, size)
        sd = np.sqrt(np.maximum((high - value) * (value - low), 0.0))
        half = _t_quantiles(size) * sd / np.sqrt(size)
    # Percentages come back as proportions, means on their scale, as elsewhere here.
    return (
        np.where(is_mean, np.maximum(value - half, low), lows),
        np.where(is_mean, np.minimum(value + half, high), highs),
    )


@cache
def _t(df: int) -> float:
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, df))


def _t_quantiles(size: FloatArray) -> FloatArray:
    """``t`` quantiles on ``size - 1`` (at least 1) degrees of freedom, NaN where size is."""
    result = np.full(size.shape, np.nan)
    known = ~np.isnan(size)
    sizes, at = np.unique(size[known], return_inverse=True)
    result[known] = np.array([_t(max(int(d) - 1, 1)) for d in sizes.tolist()])[at]
    return result


def clustered(y: FloatArray, x: FloatArray, is_mean: BoolArray) -> tuple[FloatArray, FloatArray]:
    """Design-based limits of each row's ``sum(y) / sum(x)``, columns (schools) as PSUs.

    Row by row this is ``analysis.ratio_estimate`` (survey-logit limits for proportions,
    ``t`` limits for means; NaN with no respondents or fewer than two schools), with its
    operations in its order so that every limit is the same float.
    """
    rows, schools = y.shape
    lows, highs = np.full(rows, np.nan), np.full(rows, np.nan)
    total_x = x.sum(axis=1)
    some = total_x > 0
    if schools < 2 or not some.any():
        return lows, highs
    # Contiguous rows: numpy then sums each row pairwise and takes each product with one
    # dot, as the one-dimensional arrays of ratio_estimate do.
    y, x = np.ascontiguousarray(y[some]), np.ascontiguousarray(x[some])
    total_x = total_x[some]
    r = y.sum(axis=1) / total_x
    z = (y - r[:, None] * x) / total_x[:, None]
    centred = z - z.mean(axis=1)[:, None]
    factor = schools / (schools - 1)
    var = np.matmul((factor * centred)[:, None, :], centred[:, :, None])[:, 0, 0]
    se = np.sqrt(np.maximum(var, 0.0))
    t = _t(schools - 1)
    low, high = r - t * se, r + t * se
    for i in np.flatnonzero(~is_mean[some]).tolist():
        low[i], high[i] = _logit_limits(float(r[i]), float(se[i]), t, float(total_x[i]))
    lows[some], highs[some] = low, high
    return lows, highs


def _logit_limits(r: float, se: float, t: float, n: float) -> tuple[float, float]:
    if not -1e-12 <= r <= 1 + 1e-12:
        raise ValueError(f"proportion estimate {r} lies outside [0, 1]; check y <= x")
    r = min(max(r, 0.0), 1.0)
    if 0 < r < 1:
        half = t * se / (r * (1 - r))
        logit = math.log(r / (1 - r))
        # min/max guard against expit(logit(r)) rounding away from r, as the library does
        lower = min(r, 1 / (1 + math.exp(-(logit - half))))
        upper = max(r, 1 / (1 + math.exp(-(logit + half))))
        return lower, upper
    # A proportion of 0 or 1 has no logit: exact limits on the respondents instead.
    size = max(round(n), 1)
    ci = clopper_pearson_interval(round(r * size), size, CONFIDENCE)
    return ci.lower, ci.upper
