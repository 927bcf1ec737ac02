"""Confidence limits: survey-logit limits of a proportion, and limits of many estimates at once.

:func:`ratio_limits` gives, for a whole matrix of per-school totals, the limits that
:func:`analysis.design.ratio_estimate` gives row by row, to the last bit, domains included.
:func:`bounded_mean_limits` gives ``t`` limits of means known only with a lower bound on
their respondents, at the widest spread a mean on a bounded scale allows.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis.design.domains import _row_df
from analysis.proportions import Limits, clopper_pearson_interval

FloatArray = npt.NDArray[np.float64]


# Bounded: a domain's degrees of freedom are fractional, so the keys are not few.
@lru_cache(maxsize=4096)
def _t(confidence: float, df: float) -> float:
    """Two-sided ``t`` quantile, cached: releases ask for the same ones many times."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    if df < 1:
        raise ValueError(f"design degrees of freedom must be positive, got {df}")
    return float(stats.t.ppf(0.5 + confidence / 2, df))


def _logit_limits(
    r: float, se: float, df: float, n: float, confidence: float, t: float | None = None
) -> tuple[float, float]:
    """Survey-logit limits of a proportion ``r`` (R ``svyciprop(method = "logit")``).

    ``expit(logit(r) +- t_df se / (r (1 - r)))``; at ``r = 0`` or ``1``, which has no
    logit, the Clopper-Pearson limits of ``round(r n)`` out of ``n`` respondents. ``t``,
    when given, is ``t_df`` already computed.
    """
    if not -1e-12 <= r <= 1 + 1e-12:
        raise ValueError(f"proportion estimate {r} lies outside [0, 1]; check y <= x")
    r = min(max(r, 0.0), 1.0)
    if 0 < r < 1:
        half = (_t(confidence, df) if t is None else t) * se / (r * (1 - r))
        logit = math.log(r / (1 - r))
        # min/max guard against expit(logit(r)) rounding away from r
        lower = min(r, 1 / (1 + math.exp(-(logit - half))))
        upper = max(r, 1 / (1 + math.exp(-(logit + half))))
        return lower, upper
    size = max(round(n), 1)
    ci = clopper_pearson_interval(round(r * size), size, confidence)
    return ci.lower, ci.upper


def ratio_limits(
    y: npt.ArrayLike,
    x: npt.ArrayLike,
    is_mean: npt.ArrayLike,
    confidence: float = 0.95,
    *,
    domain: bool | None = None,
) -> Limits:
    """Limits of each row's ratio ``sum(y) / sum(x)``, columns (schools) as PSUs.

    Parameters
    ----------
    y, x : array_like, shape (rows, schools)
        Numerator and denominator totals per estimate (row) and school (column).
    is_mean : array_like of bool, shape (rows,)
        True where a row is a mean (``t`` limits), False where it is a proportion
        (survey-logit limits).
    confidence : float, default 0.95
        Nominal coverage.
    domain : bool, optional
        Whether the rows estimate a domain (subgroup), whose limits take the degrees
        of freedom of :func:`analysis.design.domain_df` instead of ``schools - 1``.
        By default, a row is a domain when some school has no respondent in it
        (``x`` is 0 there).

    Returns
    -------
    Limits
        NaN for a row with no respondents, for a domain row with members in fewer
        than two schools (no degrees of freedom left), and for every row with fewer
        than two schools.

    Notes
    -----
    Row by row, the limits of :func:`analysis.design.ratio_estimate` (with the same
    ``domain``) on one unstratified :class:`PsuTotals` row per school with ``n = x``,
    without a finite population correction, with the same operations in the same
    order, so that every limit is the same float.

    References
    ----------
    Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., ch. 6.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.

    Examples
    --------
    >>> x = [[40, 60, 50, 45], [10, 12, 9, 11]]
    >>> y = [[12, 30, 9, 20], [31.5, 30.25, 27, 29.75]]
    >>> ci = ratio_limits(y, x, [False, True])
    >>> ci.lower.round(4).tolist(), ci.upper.round(4).tolist()
    ([0.165, 2.3581], [0.6239, 3.2848])

    A subgroup in five of six schools, most of it in two, has 2.36 degrees of freedom
    (:func:`analysis.design.domain_df`) where the design has 5:

    >>> x, y = [[24, 18, 9, 5, 3, 0]], [[6, 5, 3, 1, 1, 0]]
    >>> subgroup = ratio_limits(y, x, [False])
    >>> design = ratio_limits(y, x, [False], domain=False)
    >>> [round(float(ci.upper[0] - ci.lower[0]), 4) for ci in (subgroup, design)]
    [0.1194, 0.0824]
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    mean = np.asarray(is_mean, dtype=bool)
    if y.ndim != 2 or x.shape != y.shape or mean.shape != (y.shape[0],):
        raise ValueError(
            f"y and x must be matrices of one shape and is_mean one flag per row, got "
            f"{y.shape}, {x.shape} and {mean.shape}"
        )
    rows, schools = y.shape
    lows, highs = np.full(rows, np.nan), np.full(rows, np.nan)
    total_x = x.sum(axis=1)
    some = total_x > 0
    if schools < 2 or not some.any():
        return Limits(lows, highs)
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
    df = np.full(r.shape, float(schools - 1))
    sub = (x <= 0).any(axis=1) if domain is None else np.full(r.shape, domain)
    if sub.any():
        df[sub] = _row_df(x[sub])
    usable = df >= 1
    values, at = np.unique(np.where(usable, df, 1.0), return_inverse=True)
    if values.size == 1:
        t = np.full(df.shape, _t(confidence, float(values[0])))
    else:
        # A domain's degrees of freedom are fractional and seldom alike: one call for all,
        # which gives the same floats as _t one at a time.
        t = stats.t.ppf(0.5 + confidence / 2, values)[at]
    t[~usable] = np.nan
    low, high = r - t * se, r + t * se
    for i in np.flatnonzero(~mean[some] & usable).tolist():
        low[i], high[i] = _logit_limits(
            float(r[i]), float(se[i]), float(df[i]), float(total_x[i]), confidence, float(t[i])
        )
    lows[some], highs[some] = low, high
    return Limits(lows, highs)


def bounded_mean_limits(
    mean: npt.ArrayLike,
    n: npt.ArrayLike,
    low: npt.ArrayLike,
    high: npt.ArrayLike,
    confidence: float = 0.95,
) -> Limits:
    """``t`` limits of means on ``[low, high]`` at the widest spread each mean allows.

    Parameters
    ----------
    mean : array_like
        Means, each of scores that lie in ``[low, high]``.
    n : array_like
        Respondents behind each mean, or a lower bound on them.
    low, high : array_like
        Ends of each mean's scale, broadcast against ``mean``.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    Limits
        Inside ``[low, high]``; NaN where ``n`` is below 1 or either input is NaN.

    Notes
    -----
    No standard deviation (divisor ``n``) of scores on ``[low, high]`` with mean ``m``
    exceeds ``sqrt((high - m)(m - low))`` (Bhatia and Davis, 2000); the limits are
    ``m -+ t_{n-1} sqrt((high - m)(m - low) / n)``, and fewer respondents only widen them.
    They hold the ``t`` interval of any sample with that mean and ``n`` shrunk by
    ``sqrt((n - 1) / n)``, but not always the whole of it: the sample variance divides by
    ``n - 1``, so scores all at the two ends give a ``t`` interval up to
    ``sqrt(n / (n - 1))`` times wider than these limits. One degree of freedom is used
    when ``n`` is 1. A mean rounded onto an end of its scale has no spread left.

    References
    ----------
    Bhatia, R. and Davis, C. (2000). A better bound on the variance. *The American
    Mathematical Monthly* 107, 353-357.

    Examples
    --------
    >>> ci = bounded_mean_limits([2.0, 3.5, 1.0], [25, 40, 0], 0.0, 4.0)
    >>> ci.lower.round(4).tolist(), ci.upper.round(4).tolist()
    ([1.1744, 3.0769, nan], [2.8256, 3.9231, nan])
    """
    m, size, lo, hi = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (mean, n, low, high))
    )
    lower, upper = np.full(m.shape, np.nan), np.full(m.shape, np.nan)
    some = (size >= 1) & np.isfinite(size) & ~np.isnan(m)
    m, size, lo, hi = m[some], size[some], lo[some], hi[some]
    sd = np.sqrt(np.maximum((hi - m) * (m - lo), 0.0))
    sizes, at = np.unique(size, return_inverse=True)
    t = np.array([_t(confidence, max(int(s) - 1, 1)) for s in sizes.tolist()], dtype=float)
    half = t[at] * sd / np.sqrt(size)
    lower[some] = np.maximum(m - half, lo)
    upper[some] = np.minimum(m + half, hi)
    return Limits(lower, upper)
