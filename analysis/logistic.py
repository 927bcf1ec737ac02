"""Logistic regression fitted on grouped binomial cells, with a school-clustered sandwich.

When every predictor is categorical (or a function of a categorical, such as
polynomial year terms), respondents sharing a covariate pattern in a school are
exchangeable in the likelihood: a cell with ``events`` out of ``trials`` contributes
exactly what its respondents contribute as rows. The fit on cells therefore has the
same coefficients, model-based covariance and log-likelihood as the fit on student
rows, and the per-school score totals ``sum_c x_c (y_c - n_c p_c)`` give the
school-clustered sandwich exactly. Cells must not span schools when a clustered
covariance is wanted.

Data that hold no finite estimate raise :class:`NotEstimable`, a ``ValueError`` that
names its reason, so that a report can say why instead of showing a number.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from analysis.design import psu_covariance, psu_index

FloatArray = npt.NDArray[np.float64]
#: Why a model has no estimate: the outcome is separated by the predictors (its
#: coefficients run off to infinity), Newton's method did not settle, or the variance
#: of a coefficient that a test needs is zero.
Unestimability = Literal["separation", "no convergence", "no variance"]

# A fitted share this close to 0 or 1 is one the model fits exactly, which only an
# infinite coefficient can do: the outcome is separated (R glm.fit's threshold).
_FITTED_EXACTLY = 10 * float(np.finfo(float).eps)
# A Newton step below _STALLED_STEP that is not half its predecessor and moves the
# log-likelihood by no more than _STALLED_GAIN of itself (a few units in its last place)
# is rounding noise.
_STALLED_STEP = 1e-6
_STALLED_GAIN = 8 * float(np.finfo(float).eps)


class NotEstimable(ValueError):
    """The data hold no finite estimate (or no variance) of what was asked.

    Attributes
    ----------
    reason : str
        ``"separation"``, ``"no convergence"`` or ``"no variance"``.

    Examples
    --------
    >>> x = np.column_stack([np.ones(2), [0.0, 1.0]])
    >>> try:
    ...     fit_grouped_logit(x, [0, 5], [5, 5])
    ... except NotEstimable as exc:
    ...     exc.reason
    'separation'
    """

    def __init__(self, reason: Unestimability, message: str) -> None:
        super().__init__(message)
        self.reason: Unestimability = reason


@dataclass(frozen=True, slots=True, eq=False)
class LogitFit:
    """A fitted logistic model.

    Attributes
    ----------
    terms : tuple of str
        Column names of the design matrix.
    params : ndarray
        Coefficients on the logit scale.
    model_cov : ndarray
        Model-based covariance ``(X' W X)^-1``.
    cluster_cov : ndarray or None
        School-clustered sandwich (``G/(G-1)`` scaling and finite population correction
        within strata); None when no schools were given.
    loglik : float
        Log-likelihood, equal to that of the fit on student rows.
    df : float
        Degrees of freedom for Wald tests: schools - strata when clustered, else ``inf``.
    n_psu : int
        Number of schools (0 when unclustered).
    iterations : int
        Newton iterations used.
    """

    terms: tuple[str, ...]
    params: FloatArray
    model_cov: FloatArray
    cluster_cov: FloatArray | None
    loglik: float
    df: float
    n_psu: int
    iterations: int

    @property
    def cov(self) -> FloatArray:
        """The covariance used for inference: clustered when available."""
        return self.model_cov if self.cluster_cov is None else self.cluster_cov

    @property
    def se(self) -> FloatArray:
        """Standard errors from :attr:`cov` (0 where rounding leaves a zero variance below 0)."""
        # The sandwich is positive semi-definite; a diagonal entry below 0 is rounding
        # around an exact 0, which callers test for, not the root of a negative number.
        return np.sqrt(np.maximum(np.diag(self.cov), 0.0))


def _codes(labels: Sequence[Hashable], name: str) -> tuple[npt.NDArray[np.intp], list[Hashable]]:
    index: dict[Hashable, int] = {}
    codes = np.fromiter(
        (index.setdefault(v, len(index)) for v in labels), dtype=np.intp, count=len(labels)
    )
    levels = list(index)
    try:
        ordered = sorted(levels)  # type: ignore[type-var]
    except TypeError:
        ordered = sorted(levels, key=str)
    remap = np.array([ordered.index(v) for v in levels], dtype=np.intp)
    if codes.size == 0:
        raise ValueError(f"{name} is empty")
    return remap[codes], ordered


def treatment_columns(labels: Sequence[Hashable], name: str) -> tuple[FloatArray, tuple[str, ...]]:
    """Dummy columns for a categorical variable, first sorted level as reference.

    Parameters
    ----------
    labels : sequence
        The category of each cell.
    name : str
        Variable name, used to label the columns ``name[level]``.

    Returns
    -------
    columns : ndarray, shape (n, levels - 1)
    terms : tuple of str

    Examples
    --------
    >>> cols, terms = treatment_columns(["b", "a", "c", "a"], "grade")
    >>> cols.tolist(), terms
    ([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.0, 0.0]], ('grade[b]', 'grade[c]'))
    """
    codes, levels = _codes(labels, name)
    cols = (codes[:, None] == np.arange(1, len(levels))[None, :]).astype(float)
    return cols, tuple(f"{name}[{lv}]" for lv in levels[1:])


def fit_grouped_logit(
    design: npt.ArrayLike,
    events: npt.ArrayLike,
    trials: npt.ArrayLike,
    psu: Sequence[Hashable] | None = None,
    strata: Sequence[Hashable] | None = None,
    terms: Sequence[str] | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
    fpc: npt.ArrayLike | None = None,
) -> LogitFit:
    """Fit a logistic model to binomial cells by Newton-Raphson.

    Parameters
    ----------
    design : array_like, shape (cells, k)
        Design matrix, including the intercept column.
    events, trials : array_like, shape (cells,)
        Respondents with the outcome and respondents in each cell.
    psu : sequence, optional
        School of each cell; gives the clustered sandwich.
    strata : sequence, optional
        Stratum of each cell's school.
    terms : sequence of str, optional
        Column names; ``x0, x1, ...`` by default.
    tol : float, default 1e-10
        Convergence tolerance on the largest Newton step. A step below 1e-6 that no
        longer shrinks and moves the log-likelihood by a few units in its last place at
        most also ends the iteration: rounding keeps the step from shrinking further
        where a share is close to 0 or 1.
    max_iter : int, default 100
        Iteration limit.
    fpc : array_like, optional
        Finite population correction of each cell's school: the number of schools in
        its stratum's population (> 1) or the sampling fraction (<= 1), as R
        ``svydesign(fpc = )`` takes it. Scales each stratum's share of the sandwich by
        ``1 - f``; needs ``psu``.

    Returns
    -------
    LogitFit

    Raises
    ------
    NotEstimable
        When the outcome is separated by the predictors (no respondent, or every one,
        has it; or a level's cells are all 0 or all 100 %), so that no finite maximum
        exists, or when Newton's method does not converge.
    ValueError
        On inconsistent shapes, a design without columns, values that are not finite,
        counts outside ``0 <= events <= trials``, no respondents at all, a design that
        is not of full rank, ``strata`` or ``fpc`` without ``psu``, one school, a
        stratum with a single school, or a school with two strata or two fpc values.

    References
    ----------
    McCullagh, P. and Nelder, J. A. (1989). *Generalized Linear Models*, 2nd ed., ch. 4.
    Binder, D. A. (1983). On the variances of asymptotically normal estimators from
    complex surveys. *International Statistical Review* 51, 279-292.
    Albert, A. and Anderson, J. A. (1984). On the existence of maximum likelihood
    estimates in logistic regression models. *Biometrika* 71, 1-10.

    Examples
    --------
    >>> x = np.column_stack([np.ones(4), [0.0, 1.0, 0.0, 1.0]])
    >>> fit = fit_grouped_logit(x, [10, 20, 12, 25], [50, 50, 50, 50], psu=["a", "a", "b", "b"])
    >>> fit.params.round(4).tolist(), fit.df
    ([-1.2657, 1.065], 1)
    """
    x = np.asarray(design, dtype=float)
    y = np.asarray(events, dtype=float)
    n = np.asarray(trials, dtype=float)
    if x.ndim != 2 or x.shape[1] == 0:
        raise ValueError(f"design must be a matrix with a column, got shape {x.shape}")
    if y.shape != (x.shape[0],) or n.shape != y.shape:
        raise ValueError("events and trials must have one entry per design row")
    for name, values in (("design", x), ("events", y), ("trials", n)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} must hold finite numbers")
    if np.any(n < 0) or np.any(y < 0) or np.any(y > n):
        raise ValueError("cells must satisfy 0 <= events <= trials")
    names = tuple(terms) if terms is not None else tuple(f"x{j}" for j in range(x.shape[1]))
    if len(names) != x.shape[1]:
        raise ValueError(f"terms has {len(names)} names for {x.shape[1]} columns")
    keep = n > 0
    x, y, n = x[keep], y[keep], n[keep]
    if not keep.any():
        raise ValueError("trials has no respondents in any cell")
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError("design is not of full column rank (a level with no respondents?)")
    if y.sum() == 0 or y.sum() == n.sum():
        has = "no respondent" if y.sum() == 0 else "every respondent"
        raise NotEstimable("separation", f"{has} has the outcome: its logit is infinite")
    beta = np.zeros(x.shape[1])
    beta[0] = special.logit(min(max(y.sum() / n.sum(), 1e-6), 1 - 1e-6))
    ll = _loglik(x, y, n, beta)
    iterations = 0
    size = math.inf
    converged = True
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        p = special.expit(x @ beta)
        info = x.T @ (x * (n * p * (1 - p))[:, None])
        if np.any(np.abs(beta) > 30):
            break
        try:
            step = np.linalg.solve(info, x.T @ (y - n * p))
        except np.linalg.LinAlgError as exc:
            raise NotEstimable(
                "separation", "information matrix is singular: fitted shares of 0 or 1"
            ) from exc
        # step halving keeps Newton monotone from a poor start
        for _ in range(30):
            ll_new = _loglik(x, y, n, beta + step)
            if ll_new >= ll - 1e-9 * abs(ll):
                break
            step /= 2
        gain = ll_new - ll
        beta = beta + step
        ll = ll_new
        size, previous = float(np.max(np.abs(step))), size
        if size < tol:
            break
        # With a share a few 1e-7 from 0 or 1, rounding in y - n p holds Newton's step
        # near 1e-10 for ever, no longer shrinking, while the likelihood moves by an ulp
        # or two at most: converged to the precision the data allow.
        if size < _STALLED_STEP and size > previous / 2 and abs(gain) <= _STALLED_GAIN * abs(ll):
            break
    else:
        converged = False
    p = special.expit(x @ beta)
    exact = bool(np.any(np.minimum(p, 1 - p) < _FITTED_EXACTLY))
    if not converged and not exact:
        raise NotEstimable("no convergence", f"no convergence in {max_iter} iterations")
    if exact or np.any(np.abs(beta) > 30) or not np.all(np.isfinite(beta)):
        raise NotEstimable(
            "separation", "coefficients diverge: an outcome is (nearly) separated by a level"
        )
    try:
        bread = np.linalg.inv(x.T @ (x * (n * p * (1 - p))[:, None]))
    except np.linalg.LinAlgError as exc:
        raise NotEstimable(
            "separation", "information matrix is singular: fitted shares of 0 or 1"
        ) from exc
    if not np.all(np.diag(bread) > 0):
        # The inverse of a positive definite matrix has a positive diagonal; anything else
        # is an information matrix singular to rounding.
        raise NotEstimable("separation", "information matrix is singular: fitted shares of 0 or 1")
    cluster_cov = None
    df: float = math.inf
    n_psu = 0
    if psu is not None:
        f = None if fpc is None else np.asarray(fpc, dtype=float)
        if f is not None and f.shape != keep.shape:
            raise ValueError(f"fpc has {f.size} entries for {keep.size} cells")
        index = psu_index(
            _kept(psu, keep, "psu"),
            int(keep.sum()),
            None if strata is None else _kept(strata, keep, "strata"),
            None if f is None else f[keep],
        )
        if index.n_psu < 2:
            raise ValueError("psu names one school; omit psu to fit one school unclustered")
        meat = psu_covariance(x * (y - n * p)[:, None], index)
        cluster_cov = bread @ meat @ bread
        n_psu = index.n_psu
        df = index.df
    elif strata is not None or fpc is not None:
        raise ValueError("strata and fpc describe schools: give psu with them")
    return LogitFit(names, beta, bread, cluster_cov, ll, df, n_psu, iterations)


def _kept(values: Sequence[Hashable], keep: npt.NDArray[np.bool_], name: str) -> list[Hashable]:
    """The entries of the cells that have respondents (``keep``)."""
    if len(values) != keep.size:
        raise ValueError(f"{name} has {len(values)} entries for {keep.size} cells")
    return [v for v, k in zip(values, keep.tolist(), strict=True) if k]


def _loglik(x: FloatArray, y: FloatArray, n: FloatArray, beta: FloatArray) -> float:
    eta = x @ beta
    # log(p) = -log(1 + e^-eta), log(1 - p) = -log(1 + e^eta), computed stably
    return float(-(y * np.logaddexp(0, -eta)).sum() - ((n - y) * np.logaddexp(0, eta)).sum())


def categorical_design(
    factors: Mapping[str, Sequence[Hashable]], n_cells: int
) -> tuple[FloatArray, tuple[str, ...]]:
    """Intercept plus treatment-coded columns for each categorical factor.

    Parameters
    ----------
    factors : mapping of str to sequence
        Name and per-cell level of each factor (e.g. grade, gender, race/ethnicity).
    n_cells : int
        Number of cells (rows).

    Returns
    -------
    design : ndarray
    terms : tuple of str

    Examples
    --------
    >>> x, terms = categorical_design({"gender": ["f", "m", "f"]}, 3)
    >>> terms
    ('Intercept', 'gender[m]')
    """
    cols: list[FloatArray] = [np.ones((n_cells, 1))]
    names: list[str] = ["Intercept"]
    for name, labels in factors.items():
        if len(labels) != n_cells:
            raise ValueError(f"factor {name!r} has {len(labels)} entries for {n_cells} cells")
        c, t = treatment_columns(labels, name)
        cols.append(c)
        names.extend(t)
    return np.hstack(cols), tuple(names)
