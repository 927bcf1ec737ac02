"""Design-based tests of association from per-school tables (R ``survey::svychisq``).

Each test takes the weighted counts of every subgroup x answer cell in every school
(:func:`analysis.clusters.psu_tables` makes them from columns): the Rao-Scott
second-order (:func:`rao_scott`) and first-order (:func:`rao_scott_chisq`) corrections
of Pearson's statistic, and the Wald test of the differences from independence
(:func:`wald_test`), plain or adjusted for few schools.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis.design import design_covariance, design_df
from analysis.tables.simple import _pearson, _table

FloatArray = npt.NDArray[np.float64]


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


@dataclass(frozen=True, slots=True)
class RaoScottChisq:
    """Rao-Scott first-order corrected test (R ``svychisq``, ``statistic = "Chisq"``).

    Attributes
    ----------
    statistic : float
        ``X^2 / mean_eigenvalue``, referred to the chi-square on :attr:`df`.
    df : int
        ``(r - 1)(c - 1)``.
    p_value : float
        Upper-tail probability of :attr:`statistic`.
    pearson : float
        Pearson's ``X^2`` of the weighted table rescaled to the respondent count (what
        R prints as ``X-squared``).
    mean_eigenvalue : float
        ``trace(Delta) / (r - 1)(c - 1)``: the average generalised design effect.
    """

    statistic: float
    df: int
    p_value: float
    pearson: float
    mean_eigenvalue: float


@dataclass(frozen=True, slots=True)
class WaldTest:
    """Design-based Wald test of independence (R ``svychisq``, ``"Wald"``/``"adjWald"``).

    Attributes
    ----------
    f : float
        The F statistic: ``W / d``, or ``W (nu - d + 1) / (d nu)`` when adjusted.
    ndf, ddf : int
        ``d = (r - 1)(c - 1)`` and ``nu = schools - strata`` (``nu - d + 1`` adjusted).
    p_value : float
        Upper-tail probability of ``F(ndf, ddf)``.
    wald : float
        The Wald statistic ``W = Y' V^-1 Y``.
    adjusted : bool
        Whether the small-sample adjustment was applied.
    """

    f: float
    ndf: int
    ddf: int
    p_value: float
    wald: float
    adjusted: bool


def _school_tables(w: FloatArray) -> None:
    """Check per-school weighted counts and their sum over schools."""
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weighted must hold finite, non-negative counts in every school")
    _table(w.sum(axis=0), "weighted summed over schools")


def _design_effects(
    weighted: npt.ArrayLike,
    counts: npt.ArrayLike | None,
    strata: Sequence[Hashable] | None,
    fpc: npt.ArrayLike | None,
) -> tuple[FloatArray, float, int]:
    """Generalised design effect matrix, Pearson's X^2 and design df (R ``svychisq``)."""
    w = np.asarray(weighted, dtype=float)
    if w.ndim != 3:
        raise ValueError(f"weighted must have shape (schools, rows, cols), got {w.shape}")
    g, nr, nc = w.shape
    _school_tables(w)
    c = w if counts is None else np.asarray(counts, dtype=float)
    if c.shape != w.shape:
        raise ValueError(f"counts has shape {c.shape}, weighted has {w.shape}")
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError("counts must hold finite, non-negative counts")
    n_obs = float(c.sum())
    # Pearson's X^2 is rescaled to the respondents, so there must be some.
    if not n_obs > 0:
        raise ValueError("counts has no respondents")
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
    try:
        delta = np.linalg.solve(denom, numer)
    except np.linalg.LinAlgError:
        # A cell with no weight in any school leaves the interaction contrasts' variance
        # under independence singular: the correction is undefined, not an error of ours.
        raise ValueError(
            f"the Rao-Scott correction of a {nr} x {nc} table needs a design variance of rank "
            f"{denom.shape[0]} under independence; an empty cell leaves it of rank "
            f"{np.linalg.matrix_rank(denom)}"
        ) from None
    if not float(np.trace(delta)) > 1e-12 * float(np.trace(denom)):
        raise ValueError(
            "weighted tables have no between-school variation in the "
            "interaction; the design variance is zero"
        )
    return delta, pearson, design_df(g, strata)


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
        Weighted counts of each subgroup x answer combination in each school
        (:func:`analysis.clusters.psu_tables` makes them from columns).
    counts : array_like, shape (G, r, c), optional
        Unweighted counts; defaults to ``weighted`` (unweighted data).
    strata : sequence, optional
        Stratum of each school.
    fpc : array_like, optional
        Per-school finite population correction, as in :class:`analysis.design.PsuTotals`.

    Returns
    -------
    RaoScottTest

    Raises
    ------
    ValueError
        If the tables have the wrong shape, a negative or non-finite count (in any
        school), an empty margin, no respondents in ``counts``, a stratum with a single
        school, or no design variance.

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
    delta, pearson, nu = _design_effects(weighted, counts, strata, fpc)
    tr = float(np.trace(delta))
    d0 = tr * tr / float(np.trace(delta @ delta))
    f = pearson / tr
    return RaoScottTest(
        f, d0, d0 * nu, float(stats.f.sf(f, d0, d0 * nu)), pearson, tr / delta.shape[0]
    )


def rao_scott_chisq(
    weighted: npt.ArrayLike,
    counts: npt.ArrayLike | None = None,
    strata: Sequence[Hashable] | None = None,
    fpc: npt.ArrayLike | None = None,
) -> RaoScottChisq:
    """Rao-Scott first-order corrected chi-square from per-school tables.

    Parameters
    ----------
    weighted, counts, strata, fpc
        As :func:`rao_scott`.

    Returns
    -------
    RaoScottChisq

    Raises
    ------
    ValueError
        As :func:`rao_scott`.

    Notes
    -----
    R ``svychisq(statistic = "Chisq")``: Pearson's ``X^2`` divided by the mean
    eigenvalue of the generalised design effect matrix ``Delta`` and referred to the
    chi-square on ``(r - 1)(c - 1)`` degrees of freedom it would have under simple
    random sampling.

    References
    ----------
    Rao, J. N. K. and Scott, A. J. (1981). The analysis of categorical data from complex
    sample surveys. *JASA* 76, 221-230.
    Rao, J. N. K. and Scott, A. J. (1984). *Annals of Statistics* 12, 46-60.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> res = rao_scott_chisq(rng.integers(5, 30, size=(8, 2, 3)))
    >>> res.df, res.statistic == res.pearson / res.mean_eigenvalue
    (2, True)
    """
    delta, pearson, _ = _design_effects(weighted, counts, strata, fpc)
    df = delta.shape[0]
    mean_eigenvalue = float(np.trace(delta)) / df
    statistic = pearson / mean_eigenvalue
    return RaoScottChisq(
        statistic, df, float(stats.chi2.sf(statistic, df)), pearson, mean_eigenvalue
    )


def wald_test(
    weighted: npt.ArrayLike,
    strata: Sequence[Hashable] | None = None,
    fpc: npt.ArrayLike | None = None,
    adjusted: bool = True,
) -> WaldTest:
    """Design-based Wald test of independence from per-school tables.

    Parameters
    ----------
    weighted : array_like, shape (G, r, c)
        Weighted counts of each subgroup x answer combination in each school.
    strata : sequence, optional
        Stratum of each school.
    fpc : array_like, optional
        Per-school finite population correction.
    adjusted : bool, default True
        Scale the statistic by ``(nu - d + 1) / nu`` and refer it to ``F(d, nu - d + 1)``
        (R ``statistic = "adjWald"``, which Thomas and Rao recommend); False gives
        ``W / d`` on ``F(d, nu)`` (``statistic = "Wald"``, as SUDAAN).

    Returns
    -------
    WaldTest

    Raises
    ------
    ValueError
        If the tables have the wrong shape, a negative or non-finite count (in any
        school) or an empty margin, if a stratum has a single school, if the covariance
        of the differences is singular (fewer degrees of freedom ``nu = schools -
        strata`` than ``d = (r - 1)(c - 1)``), or, adjusted, if ``nu - d + 1 <= 0``.

    Notes
    -----
    As R ``svychisq``: ``Y_ij = N_ij - N_i. N_.j / N`` for the cells outside the first
    row and column, its covariance ``V`` by linearization of the school totals of the
    cells and margins, and ``W = Y' V^-1 Y``.

    References
    ----------
    Koch, G. G., Freeman, D. H. and Freeman, J. L. (1975). Strategies in the
    multivariate analysis of data from complex surveys. *International Statistical
    Review* 43, 59-78.
    Thomas, D. R. and Rao, J. N. K. (1987). Small-sample comparison of level and power
    for simple goodness-of-fit statistics under cluster sampling. *JASA* 82, 630-636.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> res = wald_test(rng.integers(5, 30, size=(8, 2, 3)))
    >>> res.ndf, res.ddf
    (2, 6)
    """
    w = np.asarray(weighted, dtype=float)
    if w.ndim != 3:
        raise ValueError(f"weighted must have shape (schools, rows, cols), got {w.shape}")
    g, nr, nc = w.shape
    _school_tables(w)
    t = w.sum(axis=0)
    n, row, col = t.sum(), t.sum(axis=1), t.sum(axis=0)
    d = (nr - 1) * (nc - 1)
    # Y_ij and its gradient in (N_ij, N_i., N_.j, N) for i, j >= 1, linearized per school
    y = (t - np.outer(row, col) / n)[1:, 1:].T.ravel()
    grid_i, grid_j = np.meshgrid(np.arange(1, nr), np.arange(1, nc), indexing="ij")
    ii, jj = grid_i.T.ravel(), grid_j.T.ravel()
    z = (
        w[:, ii, jj]
        - w.sum(axis=2)[:, ii] * (col[jj] / n)
        - w.sum(axis=1)[:, jj] * (row[ii] / n)
        + w.sum(axis=(1, 2))[:, None] * (row[ii] * col[jj] / (n * n))
    )
    v = design_covariance(z, strata, fpc)
    nu = design_df(g, strata)
    if np.linalg.matrix_rank(v) < d:
        raise ValueError(
            f"the Wald test of a {nr} x {nc} table needs a design variance of rank {d}; "
            f"the schools give {np.linalg.matrix_rank(v)} (nu = {nu} degrees of freedom)"
        )
    wald = float(y @ np.linalg.solve(v, y))
    if not adjusted:
        f = wald / d
        return WaldTest(f, d, nu, float(stats.f.sf(f, d, nu)), wald, False)
    ddf = nu - d + 1
    if ddf <= 0:
        raise ValueError(f"adjusted Wald test needs schools - strata >= {d}, got {nu}")
    f = wald * ddf / (d * nu)
    return WaldTest(f, d, ddf, float(stats.f.sf(f, d, ddf)), wald, True)
