"""Linear regression on survey data, with a design-based (sandwich) covariance.

As R ``svyglm(y ~ x, design)`` with the gaussian family: the coefficients solve the
weighted normal equations ``X' W (y - X b) = 0``; their covariance is the sandwich
``A^-1 V A^-1`` with ``A = X' W X`` and ``V`` the design covariance of the per-school
totals of the scores ``w_i x_i e_i`` (Binder 1983): ``n_h / (n_h - 1)`` scaling and a
finite population correction within strata, schools as primary sampling units.
Coefficients are tested against ``t`` on ``schools - strata + 1 - k`` degrees of
freedom, as R's ``summary.svyglm`` does.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis.columns import Columns, labels, numbers
from analysis.design import psu_covariance, psu_index
from analysis.proportions import Limits

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class LinearFit:
    """A linear model fitted to survey data.

    Attributes
    ----------
    terms : tuple of str
        Column names of the design matrix.
    params : ndarray
        Coefficients.
    cov : ndarray
        Design-based (sandwich) covariance of the coefficients.
    df : int
        Design degrees of freedom: schools (PSUs) minus strata.
    n_psu : int
        Number of schools (every row its own PSU when none were given).
    n : int
        Number of rows fitted.
    """

    terms: tuple[str, ...]
    params: FloatArray
    cov: FloatArray
    df: int
    n_psu: int
    n: int

    @property
    def df_residual(self) -> int:
        """Degrees of freedom of the ``t`` tests: ``df + 1 - k`` (R ``summary.svyglm``)."""
        return self.df + 1 - len(self.terms)

    @property
    def se(self) -> FloatArray:
        """Standard errors (0 where the model fits the data exactly)."""
        # The sandwich is positive semi-definite: a diagonal below 0 is rounding around 0.
        return np.sqrt(np.maximum(np.diag(self.cov), 0.0))

    @property
    def t(self) -> FloatArray:
        """``params / se``; NaN where the standard error is 0."""
        se = self.se
        return np.divide(self.params, se, out=np.full_like(se, np.nan), where=se > 0)

    @property
    def p_values(self) -> FloatArray:
        """Two-sided ``t`` p-values on :attr:`df_residual`.

        NaN where :attr:`df_residual` is not positive, and where the standard error is 0
        (the model fits every school's scores exactly, so :attr:`t` is undefined).
        """
        if self.df_residual <= 0:
            return np.full(len(self.terms), np.nan)
        return np.asarray(2 * stats.t.sf(np.abs(self.t), self.df_residual), dtype=float)

    def conf_int(self, confidence: float = 0.95) -> Limits:
        """``t`` confidence limits on :attr:`df_residual` (R ``confint.svyglm``).

        NaN where :attr:`df_residual` is not positive.
        """
        if not 0 < confidence < 1:
            raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
        if self.df_residual <= 0:
            nan = np.full(len(self.terms), np.nan)
            return Limits(nan, nan.copy())
        half = float(stats.t.ppf(0.5 + confidence / 2, self.df_residual)) * self.se
        return Limits(self.params - half, self.params + half)


def fit_linear(
    design: npt.ArrayLike,
    outcome: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    psu: Sequence[Hashable] | None = None,
    strata: Sequence[Hashable] | None = None,
    fpc: npt.ArrayLike | None = None,
    terms: Sequence[str] | None = None,
) -> LinearFit:
    """Fit a linear model by weighted least squares with a design-based covariance.

    Parameters
    ----------
    design : array_like, shape (n, k)
        Design matrix, including the intercept column.
    outcome : array_like, shape (n,)
        The outcome of each row.
    weights : array_like, shape (n,), optional
        Sampling weights; 1 for every row when omitted.
    psu : sequence, optional
        School (cluster) of each row; every row is its own PSU when omitted.
    strata : sequence, optional
        Stratum of each row.
    fpc : array_like, optional
        Finite population correction of each row: the number of PSUs in its stratum's
        population (> 1) or the sampling fraction (<= 1), as R ``svydesign`` takes it.
    terms : sequence of str, optional
        Column names; ``x0, x1, ...`` by default.

    Returns
    -------
    LinearFit

    Raises
    ------
    ValueError
        On inconsistent shapes, a design without columns, fewer than two rows, values
        that are not finite, negative weights, a design that is not of full column rank
        among rows of positive weight, one school, a stratum with a single school, or a
        school in two strata.

    References
    ----------
    Binder, D. A. (1983). On the variances of asymptotically normal estimators from
    complex surveys. *International Statistical Review* 51, 279-292.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 5.

    Examples
    --------
    >>> x = np.column_stack([np.ones(6), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])
    >>> fit = fit_linear(x, [2.1, 3.9, 6.2, 7.8, 10.1, 12.2], psu=list("aabbcc"))
    >>> fit.params.round(3).tolist(), fit.df, fit.df_residual
    ([-0.02, 2.02], 2, 1)
    """
    x = np.asarray(design, dtype=float)
    y = np.asarray(outcome, dtype=float)
    if x.ndim != 2 or x.shape[1] == 0:
        raise ValueError(f"design must be a matrix with a column, got shape {x.shape}")
    n, k = x.shape
    if y.shape != (n,):
        raise ValueError(f"outcome must have one entry per design row ({n}), got {y.shape}")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"weights must have one entry per design row ({n}), got {w.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("design and outcome must hold finite numbers")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    names = tuple(terms) if terms is not None else tuple(f"x{j}" for j in range(k))
    if len(names) != k:
        raise ValueError(f"terms has {len(names)} names for {k} columns")
    index = psu_index(psu, n, strata, fpc)
    if psu is None and n < 2:
        raise ValueError(f"design has {n} rows: a design variance needs at least two")
    root = np.sqrt(w)
    q, r = np.linalg.qr(x * root[:, None])
    if np.linalg.matrix_rank(r) < k:
        raise ValueError("design is not of full column rank among rows of positive weight")
    params = np.linalg.solve(r, q.T @ (root * y))
    r_inv = np.linalg.inv(r)
    bread = r_inv @ r_inv.T
    scores = x * (w * (y - x @ params))[:, None]
    cov = bread @ psu_covariance(scores, index) @ bread
    return LinearFit(names, params, cov, index.df, index.n_psu, n)


def fit_linear_columns(
    data: Columns,
    outcome: str,
    predictors: Sequence[str],
    weight: str | None = None,
    psu: str | None = None,
    strata: str | None = None,
    fpc: str | None = None,
    intercept: bool = True,
) -> LinearFit:
    """Fit ``outcome ~ predictors`` from columns by name (R ``svyglm(y ~ x1 + x2, design)``).

    Parameters
    ----------
    data : mapping of str to array_like
        Columns by name, one entry per row (a dict of arrays, or a data frame).
    outcome : str
        The outcome column.
    predictors : sequence of str
        Numeric predictor columns, in the order of the coefficients.
    weight, psu, strata, fpc : str, optional
        Columns of the sampling weights, schools, strata and finite population
        correction, as :func:`fit_linear` takes them.
    intercept : bool, default True
        Add an ``Intercept`` column first.

    Returns
    -------
    LinearFit
        With terms ``("Intercept", *predictors)``.

    Raises
    ------
    ValueError
        If a column is missing or not numeric, if every row has a missing value, and
        as :func:`fit_linear`.

    Notes
    -----
    Rows with a missing value (NaN) in the outcome or a predictor are left out, as R's
    default ``na.action`` does; a school that keeps no row then counts as not sampled.

    Examples
    --------
    >>> data = {"y": [2.1, 3.9, 6.2, 7.8, 10.1, float("nan"), 12.2],
    ...         "x": [1, 2, 3, 4, 5, 6, 6], "school": list("aabbccc")}
    >>> fit = fit_linear_columns(data, "y", ["x"], psu="school")
    >>> fit.terms, fit.params.round(3).tolist(), fit.n
    (('Intercept', 'x'), [-0.02, 2.02], 6)
    """
    y = numbers(data, outcome)
    columns = [numbers(data, name) for name in predictors]
    groups: dict[str, list[Hashable]] = {
        name: labels(data, name).tolist() for name in (psu, strata) if name is not None
    }
    extra = [numbers(data, name) for name in (weight, fpc) if name is not None]
    sizes = {c.shape for c in columns + extra}
    sizes |= {(len(v),) for v in groups.values()}
    if sizes - {y.shape}:
        raise ValueError(f"every column must have one entry per row ({y.size})")
    if intercept:
        columns.insert(0, np.ones_like(y))
    if not columns:
        raise ValueError("the model has no columns: give predictors or an intercept")
    x = np.column_stack(columns)
    keep = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    if not keep.any():
        raise ValueError(f"every row has a missing value in {outcome!r} or a predictor")
    rows = np.flatnonzero(keep).tolist()

    def kept(values: list[Hashable] | None) -> list[Hashable] | None:
        return None if values is None else [values[i] for i in rows]

    weights = None if weight is None else extra[0][keep]
    fpcs = None if fpc is None else extra[-1][keep]
    terms = (("Intercept",) if intercept else ()) + tuple(predictors)
    return fit_linear(
        x[keep],
        y[keep],
        weights,
        kept(None if psu is None else groups[psu]),
        kept(None if strata is None else groups[strata]),
        fpcs,
        terms,
    )
