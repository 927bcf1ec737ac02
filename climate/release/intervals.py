"""Confidence intervals beside published values, each a function of published values alone.

An interval computed from exact counts is an equation on them: a school group's would give
its n away, and a district group's design-based interval, computed from the counts of every
school group, hidden ones included, would let an attacker solve for the hidden groups. So
every interval here takes only what the release publishes beside it.

- A school group: a Wilson interval for a percentage and, for a mean, a ``t`` interval at
  the widest spread its scale allows, at the fewest respondents the group's published
  values allow (:func:`analysis.disclosure.fewest_answered`).
- A district group: the same estimate, widened for the clustering of students in schools by
  a design effect measured from the published school totals (the ratio estimator's
  between-school variance over the simple random sample's), with the degrees of freedom of
  the schools the group has respondents in: Korn-Graubard limits for a percentage, the
  bounded ``t`` interval at the effective size for a mean (Kish's generalized design effect;
  a group spread over the schools has smaller clusters than the whole, so the whole's
  effect is the larger).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis import bounded_mean_limits, korn_graubard_limits, wilson_limits

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
CONFIDENCE = 0.95


def published_limits(
    value: FloatArray, size: FloatArray, is_mean: BoolArray, low: FloatArray, high: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Limits of school groups from published values alone.

    ``value`` is the published percentage or mean and ``size`` the fewest respondents its
    published values allow; ``low`` and ``high`` are each quantity's range. The smallest
    size and the largest spread make the intervals no narrower than those of the exact
    counts: a mean's spread is bounded as a sample variance (divisor ``n - 1``), by
    ``(high - m)(m - low) n / (n - 1)`` (Bhatia and Davis, 2000), so its limits are taken
    at ``n - 1``.
    """
    share = np.where(is_mean, np.nan, value / 100.0)
    shares = wilson_limits(share * size, size, CONFIDENCE)
    means = bounded_mean_limits(np.where(is_mean, value, np.nan), size - 1, low, high, CONFIDENCE)
    # Percentages come back as proportions, means on their scale, as elsewhere here.
    return (
        np.where(is_mean, means.lower, shares.lower),
        np.where(is_mean, means.upper, shares.upper),
    )


def design_effects(value: FloatArray, size: FloatArray, source: IntArray) -> FloatArray:
    """Per quantity, the design effect of the district's ratio estimate from school totals.

    Parameters
    ----------
    value : ndarray, shape (schools, quantities)
        Each school's published percentage or mean (NaN where coded or hidden).
    size : ndarray, shape (schools, quantities)
        The respondents behind each (published exactly for school totals).
    source : ndarray of int, shape (quantities,)
        For each quantity, the column whose effect it takes (a mean takes its scale's
        percentage: the spread of a mean is not published).

    Returns
    -------
    ndarray
        ``max(1, v / v0)``: ``v`` the linearization variance of ``sum(p d) / sum(d)`` with
        schools as primary sampling units, ``v0`` that of a simple random sample. 1 where
        fewer than two schools publish the value or the estimate is 0 or 1.

    Examples
    --------
    Two schools at 20 % and 60 % of 50 each are far apart for 100 students:

    >>> deff = design_effects(np.array([[20.0], [60.0]]), np.array([[50.0], [50.0]]), np.array([0]))
    >>> round(float(deff[0]), 2)
    16.67
    """
    p = value / 100.0
    ok = ~np.isnan(p) & ~np.isnan(size) & (size > 0)
    d = np.where(ok, size, 0.0)
    y = np.where(ok, p, 0.0) * d
    total = d.sum(axis=0)
    m = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = y.sum(axis=0) / total
        residual = np.where(ok, y - ratio * d, 0.0)
        clustered = m / (m - 1) * (residual**2).sum(axis=0) / total**2
        simple = ratio * (1 - ratio) / total
        deff = np.where((m >= 2) & (simple > 0), clustered / simple, 1.0)
    deff = np.fmax(np.nan_to_num(deff, nan=1.0), 1.0)
    return np.asarray(deff[source], dtype=float)


def district_limits(
    value: FloatArray,
    size: FloatArray,
    deff: FloatArray,
    df: FloatArray,
    is_mean: BoolArray,
    low: FloatArray,
    high: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Limits of district groups from their published values, a design effect and df.

    ``value`` and ``size`` are rows of groups by quantities; ``deff`` one per quantity;
    ``df`` one per row (the schools the group has respondents in, less one). A row with
    no degrees of freedom gets no limits (NaN): one school's spread says nothing of the
    spread between schools.
    """
    rows = value.shape[0]
    df_all = np.broadcast_to(df[:, None], value.shape).astype(float)
    usable = (df_all >= 1) & (size >= 2) & ~np.isnan(value)
    lower, upper = np.full(value.shape, np.nan), np.full(value.shape, np.nan)
    if not usable.any() or rows == 0:
        return lower, upper
    share = value / 100.0
    effect = np.broadcast_to(deff[None, :], value.shape)
    pick = usable & ~is_mean[None, :]
    if pick.any():
        p = share[pick]
        se = np.sqrt(effect[pick] * p * (1 - p) / size[pick])
        limits = korn_graubard_limits(p, se, size[pick], df_all[pick], CONFIDENCE)
        lower[pick], upper[pick] = limits.lower, limits.upper
    pick = usable & is_mean[None, :]
    if pick.any():
        n = size[pick] - 1
        half = (1 - CONFIDENCE) / 2
        ratio = stats.t.ppf(half, np.maximum(n - 1, 1)) / stats.t.ppf(half, df_all[pick])
        effective = np.maximum(n / effect[pick] * ratio**2, 1.0)
        lows = np.broadcast_to(low[None, :], value.shape)[pick]
        highs = np.broadcast_to(high[None, :], value.shape)[pick]
        limits = bounded_mean_limits(value[pick], effective, lows, highs, CONFIDENCE)
        lower[pick], upper[pick] = limits.lower, limits.upper
    return lower, upper
