"""Confidence intervals beside published values: school cells alone, district cells by school.

A school cell's limits come from its published values alone: a Wilson interval for a
percentage and, for a mean, a ``t`` interval at the widest spread its scale allows. A
district cell's estimate is a ratio over schools as primary sampling units, so its interval
carries the clustering of students in schools; a subgroup's takes the degrees of freedom of
a domain, fewer where a few schools hold most of its members. The statistics are
``analysis``'s; this module only chooses which interval stands beside which value, at one
confidence level.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from analysis import bounded_mean_limits, ratio_limits, wilson_limits

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
CONFIDENCE = 0.95


def published_limits(
    value: FloatArray, size: FloatArray, is_mean: BoolArray, low: FloatArray, high: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Limits from published values alone, so that they reveal nothing more.

    ``value`` is the published percentage or mean and ``size`` the lower end of the
    published band of its denominator; ``low`` and ``high`` are each quantity's range. The
    smallest size and the largest spread make the intervals wider than those of the exact
    counts, except a mean's by up to ``sqrt(n / (n - 1))`` when its scores sit at both ends
    of the scale (see ``analysis.bounded_mean_limits``).
    """
    share = np.where(is_mean, np.nan, value / 100.0)
    shares = wilson_limits(share * size, size, CONFIDENCE)
    means = bounded_mean_limits(np.where(is_mean, value, np.nan), size, low, high, CONFIDENCE)
    # Percentages come back as proportions, means on their scale, as elsewhere here.
    return (
        np.where(is_mean, means.lower, shares.lower),
        np.where(is_mean, means.upper, shares.upper),
    )


def clustered(
    y: FloatArray, x: FloatArray, is_mean: BoolArray, *, subgroup: bool
) -> tuple[FloatArray, FloatArray]:
    """Design-based limits of each row's ``sum(y) / sum(x)``, columns (schools) as PSUs."""
    limits = ratio_limits(y, x, is_mean, CONFIDENCE, domain=subgroup)
    return limits.lower, limits.upper
