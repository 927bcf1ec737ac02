"""Tests of association in subgroup x answer tables.

Pearson's chi-square and the linear-by-linear trend test treat respondents as a
simple random sample. Under school clustering they overstate significance; for
district tables use :func:`rao_scott`, built from per-school tables of weighted counts.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis.design import design_covariance, design_df


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


@dataclass(frozen=True, slots=True)
class RaoScottTest:
    """Rao-Scott second-order corrected test (R ``svychisq``, ``statistic = "F"``).

    Attributes
    ----------
    f : float
        ``X^2 / trace(Delta)``, referred to ``F(ndf, ddf)``.
    ndf, ddf : float
        ``d0 = trace(Delta)^2 / trace(Delta^2)`` and ``d0 * (schools - strata)``.
    p_value : float
        Upper-tail probability of ``F(ndf, ddf)``.
    pearson : float
        Pearson's ``X^2`` of the weighted table rescaled to the respondent count.
    mean_eigenvalue : float
        ``trace(Delta) / (r - 1)(c - 1)``: the average generalised design effect.
    """

    f: float
    ndf: float
    ddf: float
    p_value: float
    pearson: float
    mean_eigenvalue: float


def _table(table: npt.ArrayLike, name: str) -> np.ndarray:
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or min(t.shape) < 2:
        raise ValueError(f"{name} must be a two-way table with at least 2 x 2 cells")
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError(f"{name} must hold finite, non-negative counts")
    if np.any(t.sum(axis=0) == 0) or np.any(t.sum(axis=1) == 0):
        raise ValueError(f"{name} has an empty row or column")
    return t


def _pearson(t: np.ndarray) -> float:
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
    n = t.sum()
    pu, pv = t.sum(axis=1) / n, t.sum(axis=0) / n
    mu, mv = pu @ u, pv @ v
    cov = (t / n * np.outer(u - mu, v - mv)).sum()
    su, sv = pu @ (u - mu) ** 2, pv @ (v - mv) ** 2
    if su == 0 or sv == 0:
        raise ValueError("row_scores and col_scores must vary over occupied categories")
    m2 = float((n - 1) * cov * cov / (su * sv))
    return ChiSquareTest(m2, 1, float(stats.chi2.sf(m2, 1)), float(n))


def rao_scott(
    weighted: npt.ArrayLike,
    counts: npt.ArrayLike | None = None,
    strata: Sequence[Hashable] | None = None,
    fpc: npt.ArrayLike | None = None,
) -> RaoScottTest:
    """Rao-Scott second-order corrected chi-square from per-school tables.

    Parameters
    ----------
    weighted : array_like, shape (G, r, c)
        Weighted counts of each subgroup x answer combination in each school.
    counts : array_like, shape (G, r, c), optional
        Unweighted counts; defaults to ``weighted`` (unweighted data).
    strata : sequence, optional
        Stratum of each school.
    fpc : array_like, optional
        Per-school finite population correction, as in :class:`analysis.design.PsuTotals`.

    Returns
    -------
    RaoScottTest

    Notes
    -----
    Follows R ``survey::svychisq`` (default ``statistic = "F"``): the cell proportions
    are ratio estimates linearized per school; ``Delta`` is the generalised design
    effect matrix on the interaction contrasts, and ``X^2 / trace(Delta)`` is referred
    to ``F(d0, d0 (G - H))``.

    References
    ----------
    Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway contingency
    tables with cell proportions estimated from survey data. *Annals of Statistics* 12,
    46-60.
    Lumley, T. (2010). *Complex Surveys*, sect. 6.2.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> tables = rng.integers(5, 30, size=(8, 2, 3))
    >>> res = rao_scott(tables)
    >>> res.ddf == res.ndf * 7, 0 < res.p_value < 1
    (True, True)
    """
    w = np.asarray(weighted, dtype=float)
    if w.ndim != 3:
        raise ValueError(f"weighted must have shape (schools, rows, cols), got {w.shape}")
    g, nr, nc = w.shape
    _table(w.sum(axis=0), "weighted summed over schools")
    c = w if counts is None else np.asarray(counts, dtype=float)
    if c.shape != w.shape:
        raise ValueError(f"counts has shape {c.shape}, weighted has {w.shape}")
    n_obs = float(c.sum())
    # column-major flattening: rows vary fastest, as R's interaction() orders cells
    t_g = w.transpose(0, 2, 1).reshape(g, nr * nc)
    x_g = t_g.sum(axis=1)
    total = float(x_g.sum())
    mean = t_g.sum(axis=0) / total
    z = (t_g - np.outer(x_g, mean)) / total
    v = design_covariance(z, strata, fpc)
    pearson = _pearson(w.sum(axis=0) * n_obs / total)

    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    r_dum = (rows[:, None] == np.arange(1, nr)).astype(float)
    c_dum = (cols[:, None] == np.arange(1, nc)).astype(float)
    x1 = np.column_stack([np.ones(nr * nc), r_dum, c_dum])
    inter = np.column_stack(
        [r_dum[:, i] * c_dum[:, j] for j in range(nc - 1) for i in range(nr - 1)]
    )
    cmat = inter - x1 @ np.linalg.lstsq(x1, inter, rcond=None)[0]
    inv_d = np.where(mean > 0, 1 / np.where(mean > 0, mean, 1), 0.0)
    denom = cmat.T @ (cmat * (inv_d / n_obs)[:, None])
    numer = cmat.T @ (inv_d[:, None] * v * inv_d[None, :]) @ cmat
    delta = np.linalg.solve(denom, numer)
    tr = float(np.trace(delta))
    if not tr > 1e-12 * float(np.trace(denom)):
        raise ValueError(
            "weighted tables have no between-school variation in the "
            "interaction; the design variance is zero"
        )
    d0 = tr * tr / float(np.trace(delta @ delta))
    nu = design_df(g, strata)
    f = pearson / tr
    return RaoScottTest(
        f, d0, d0 * nu, float(stats.f.sf(f, d0, d0 * nu)), pearson, tr / ((nr - 1) * (nc - 1))
    )
