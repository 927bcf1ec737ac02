"""Tests of association that treat respondents as a simple random sample.

Pearson's chi-square and the linear-by-linear trend test are right for one school's
table. Under school clustering they overstate significance; district tables take the
design-based tests of :mod:`analysis.tables.design`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ChiSquareTest:
    """A chi-square statistic with its reference distribution.

    Attributes
    ----------
    statistic : float
        Pearson's ``X^2`` or the linear-by-linear ``M^2``.
    df : int
        Degrees of freedom.
    p_value : float
        Upper-tail probability.
    n : float
        Total count of the table.
    """

    statistic: float
    df: int
    p_value: float
    n: float


def _table(table: npt.ArrayLike, name: str) -> FloatArray:
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or min(t.shape) < 2:
        raise ValueError(f"{name} must be a two-way table with at least 2 x 2 cells")
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError(f"{name} must hold finite, non-negative counts")
    if np.any(t.sum(axis=0) == 0) or np.any(t.sum(axis=1) == 0):
        raise ValueError(f"{name} has an empty row or column")
    return t


def _pearson(t: FloatArray) -> float:
    expected = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    return float(((t - expected) ** 2 / expected).sum())


def pearson_chisq(table: npt.ArrayLike) -> ChiSquareTest:
    """Pearson's chi-square test of independence (no continuity correction).

    Parameters
    ----------
    table : array_like, shape (r, c)
        Counts.

    Returns
    -------
    ChiSquareTest

    Raises
    ------
    ValueError
        If the table is not at least 2 x 2, has negative or non-finite counts, or an
        empty row or column (its expected counts would be 0).

    References
    ----------
    Agresti, A. (2002). *Categorical Data Analysis*, 2nd ed., sect. 3.2.

    Examples
    --------
    >>> res = pearson_chisq([[762, 327, 468], [484, 239, 477]])
    >>> round(res.statistic, 2), res.df
    (30.07, 2)
    """
    t = _table(table, "table")
    x2 = _pearson(t)
    df = (t.shape[0] - 1) * (t.shape[1] - 1)
    return ChiSquareTest(x2, df, float(stats.chi2.sf(x2, df)), float(t.sum()))


def linear_trend_test(
    table: npt.ArrayLike, row_scores: Sequence[float], col_scores: Sequence[float]
) -> ChiSquareTest:
    """Linear-by-linear association (Mantel) test for ordered categories.

    ``M^2 = (n - 1) r^2`` with ``r`` the Pearson correlation of the scores.

    Parameters
    ----------
    table : array_like, shape (r, c)
        Counts.
    row_scores, col_scores : sequence of float
        Scores of the rows and of the columns.

    Returns
    -------
    ChiSquareTest
        With one degree of freedom.

    Raises
    ------
    ValueError
        If the table has an empty row or column, negative or non-finite counts, or a
        total of 1 or less (``n - 1`` would not be positive), or if the scores are not
        finite or do not vary over occupied categories.

    References
    ----------
    Agresti, A. (2002). *Categorical Data Analysis*, 2nd ed., sect. 3.4.
    Mantel, N. (1963). Chi-square tests with one degree of freedom. *JASA* 58, 690-700.

    Examples
    --------
    >>> res = linear_trend_test([[48, 38, 5, 1, 1], [17066, 14464, 788, 126, 37]],
    ...                         [1, 0], [0, 0.5, 1.5, 4, 7])
    >>> round(res.statistic, 4)
    6.5699
    """
    t = _table(table, "table")
    u = np.asarray(row_scores, dtype=float)
    v = np.asarray(col_scores, dtype=float)
    if u.shape != (t.shape[0],) or v.shape != (t.shape[1],):
        raise ValueError("row_scores and col_scores must have one score per row and column")
    if not (np.all(np.isfinite(u)) and np.all(np.isfinite(v))):
        raise ValueError("row_scores and col_scores must be finite numbers")
    n = t.sum()
    if not n > 1:
        raise ValueError(f"table must hold more than 1 respondent for (n - 1) r^2, got {n}")
    pu, pv = t.sum(axis=1) / n, t.sum(axis=0) / n
    mu, mv = pu @ u, pv @ v
    cov = (t / n * np.outer(u - mu, v - mv)).sum()
    su, sv = pu @ (u - mu) ** 2, pv @ (v - mv) ** 2
    if su == 0 or sv == 0:
        raise ValueError("row_scores and col_scores must vary over occupied categories")
    m2 = float((n - 1) * cov * cov / (su * sv))
    return ChiSquareTest(m2, 1, float(stats.chi2.sf(m2, 1)), float(n))
