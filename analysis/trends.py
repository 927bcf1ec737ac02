"""Trends over survey years, CDC YRBS style, fitted on grouped binomial cells.

Per indicator: logistic regression of the outcome on orthogonal polynomial year terms
(linear; quadratic only with at least 7 years), adjusted for categorical covariates
(grade, gender, race/ethnicity), with a school-clustered sandwich from school x cell
totals. The size of the trend is reported in percentage points per year from
predictive margins; its direction from the test of the linear term, adjusted across
the indicators of one report with Benjamini-Hochberg. Year-over-year change is a
paired contrast: the same schools appear in both years.

A trend the data cannot estimate raises :class:`analysis.logistic.NotEstimable` with its
reason: separation (a share of 0 or 100 % that the year terms can fit exactly), no
convergence, or no variance (school-clustered, the schools' contributions cancel exactly,
as when every school moves alike or each school appears in one year only).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from analysis.comparisons import Contrast, difference
from analysis.design import PsuTotals
from analysis.logistic import LogitFit, NotEstimable, categorical_design, fit_grouped_logit
from analysis.multiplicity import benjamini_hochberg

FloatArray = npt.NDArray[np.float64]
Direction = Literal["increasing", "decreasing", "no change"]

#: Fewest distinct years for which a quadratic term is tested (NCHS guidance).
MIN_YEARS_QUADRATIC = 7
#: A year term's clustered variance below this share of its model-based variance is a
#: zero that rounding left behind: no design effect is a trillionth.
ZERO_VARIANCE = 1e-12


def orthogonal_polynomials(scores: Sequence[float], degree: int) -> FloatArray:
    """Orthonormal polynomial contrasts over the given year scores (R ``contr.poly``).

    Parameters
    ----------
    scores : sequence of float
        Distinct, sorted scores (years).
    degree : int
        Highest degree, below the number of scores.

    Returns
    -------
    ndarray, shape (len(scores), degree)
        Column ``j`` is the degree ``j + 1`` polynomial, orthogonal to the constant and
        to lower degrees, of unit length, with a positive leading coefficient.

    Raises
    ------
    ValueError
        If a score is NaN or infinite, scores repeat, or ``degree`` lies outside
        ``[1, len(scores) - 1]``.

    References
    ----------
    R Core Team, ``stats::contr.poly``.

    Examples
    --------
    >>> orthogonal_polynomials([1, 2, 3, 4, 5], 2).round(7)[:, 0].tolist()
    [-0.6324555, -0.3162278, 0.0, 0.3162278, 0.6324555]
    """
    s = np.asarray(scores, dtype=float)
    if s.ndim != 1 or not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite numbers in one dimension")
    if np.unique(s).size != s.size:
        raise ValueError("scores must be distinct values")
    if not 1 <= degree < s.size:
        raise ValueError(f"degree must lie in [1, {s.size - 1}], got {degree}")
    centred = s - s.mean()
    q, r = np.linalg.qr(np.vander(centred, degree + 1, increasing=True))
    out = np.asarray(q[:, 1:] * np.sign(np.diag(r))[1:], dtype=float)
    # contrasts that are zero in exact arithmetic should print as 0, not -1e-17
    out[np.abs(out) < 1e-14] = 0.0
    return out


@dataclass(frozen=True, slots=True, eq=False)
class TrendFit:
    """Trend of one indicator.

    Attributes
    ----------
    years : tuple of float
        Distinct survey years.
    margins : tuple of float
        Predictive margins: the modelled prevalence in each year over the observed
        covariate mix.
    change : float
        Average change in percentage points per year, ``(m_last - m_first) / span``.
    change_se, change_lower, change_upper : float
        Its standard error and confidence limits (delta method).
    linear_coef, linear_p : float
        Linear orthogonal-polynomial coefficient and its two-sided p-value.
    quadratic_p : float or None
        p-value of the quadratic term, when fitted (7 or more years).
    adjusted_p : float or None
        Linear p-value after Benjamini-Hochberg across a report (see
        :func:`adjust_trends`).
    direction : str
        ``"increasing"``, ``"decreasing"`` or ``"no change"`` at ``level``, from the
        adjusted p-value when present.
    level, confidence : float
        Test level and interval coverage.
    fit : LogitFit
        The underlying model.
    """

    years: tuple[float, ...]
    margins: tuple[float, ...]
    change: float
    change_se: float
    change_lower: float
    change_upper: float
    linear_coef: float
    linear_p: float
    quadratic_p: float | None
    adjusted_p: float | None
    direction: Direction
    level: float
    confidence: float
    fit: LogitFit


def _wald_p(coef: float, se: float, df: float) -> float:
    return float(2 * stats.t.sf(abs(coef) / se, df)) if se > 0 else float(coef == 0)


def _direction(coef: float, p: float, level: float) -> Direction:
    if p >= level:
        return "no change"
    return "increasing" if coef > 0 else "decreasing"


def fit_trend(
    year: Sequence[float],
    events: npt.ArrayLike,
    trials: npt.ArrayLike,
    covariates: Mapping[str, Sequence[Hashable]] | None = None,
    psu: Sequence[Hashable] | None = None,
    strata: Sequence[Hashable] | None = None,
    quadratic: bool = True,
    level: float = 0.05,
    confidence: float = 0.95,
) -> TrendFit:
    """Fit the trend model for one indicator from binomial cells.

    Parameters
    ----------
    year : sequence of float
        Survey year of each cell.
    events, trials : array_like
        Respondents with the outcome, and respondents, per cell.
    covariates : mapping of str to sequence, optional
        Categorical adjustment variables (grade, gender, race/ethnicity), per cell.
    psu : sequence, optional
        School of each cell. Give it for district trends (school-clustered
        sandwich, ``t`` with ``schools - strata`` df); omit it for one school
        (model-based variance, normal reference).
    strata : sequence, optional
        Stratum of each cell's school.
    quadratic : bool, default True
        Add a quadratic term when there are at least 7 distinct years.
    level : float, default 0.05
        Level for the direction.
    confidence : float, default 0.95
        Coverage of the interval for the change.

    Returns
    -------
    TrendFit

    Raises
    ------
    NotEstimable
        With ``reason`` ``"separation"`` or ``"no convergence"`` when the model has no
        finite fit (see :func:`analysis.fit_grouped_logit`), and ``"no variance"`` when
        the school-clustered variance of a year term or of the change is zero, which
        would make any change look certain.
    ValueError
        On bad input: a year that is NaN or infinite, a single year, ``level`` or
        ``confidence`` outside ``(0, 1)``, and as :func:`analysis.fit_grouped_logit`.

    References
    ----------
    Centers for Disease Control and Prevention (2020). *Conducting Trend Analyses of
    YRBS Data*.
    Graubard, B. I. and Korn, E. L. (1999). Predictive margins with survey data.
    *Biometrics* 55, 652-659.

    Examples
    --------
    >>> year = [2021, 2022, 2023] * 4
    >>> school = [s for s in "abcd" for _ in range(3)]
    >>> events = [30, 36, 45, 20, 27, 30, 25, 26, 33, 40, 44, 52]
    >>> t = fit_trend(year, events, [100] * 12, psu=school)
    >>> t.direction, round(t.change, 2), t.fit.df
    ('increasing', 5.62, 3)
    """
    yr = np.asarray(year, dtype=float)
    y = np.asarray(events, dtype=float)
    if yr.ndim != 1 or not np.all(np.isfinite(yr)):
        raise ValueError("year must hold one finite number per cell")
    levels = np.unique(yr)
    if levels.size < 2:
        raise ValueError("year must take at least two distinct values")
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    degree = 2 if quadratic and levels.size >= MIN_YEARS_QUADRATIC else 1
    poly = orthogonal_polynomials(levels.tolist(), degree)
    where = np.searchsorted(levels, yr)
    base, names = categorical_design(dict(covariates or {}), yr.size)
    year_terms = ("year[linear]", "year[quadratic]")[:degree]
    x = np.hstack([base[:, :1], poly[where], base[:, 1:]])
    terms = ("Intercept", *year_terms, *names[1:])
    fit = fit_grouped_logit(x, y, trials, psu=psu, strata=strata, terms=terms)
    year_var = np.diag(fit.cov)[1 : 1 + degree]
    if np.any(year_var <= ZERO_VARIANCE * np.diag(fit.model_cov)[1 : 1 + degree]):
        raise NotEstimable(
            "no variance",
            "the school-clustered variance of the trend is zero: the schools' "
            "contributions cancel exactly",
        )
    se = fit.se
    linear_p = _wald_p(float(fit.params[1]), float(se[1]), fit.df)
    quad_p = _wald_p(float(fit.params[2]), float(se[2]), fit.df) if degree == 2 else None

    n = np.asarray(trials, dtype=float)
    margins, grads = [], []
    for row in poly:
        xt = x.copy()
        xt[:, 1 : 1 + degree] = row
        p = special.expit(xt @ fit.params)
        margins.append(float((n * p).sum() / n.sum()))
        grads.append((xt * (n * p * (1 - p))[:, None]).sum(axis=0) / n.sum())
    span = float(levels[-1] - levels[0])
    change = 100 * (margins[-1] - margins[0]) / span
    grad = 100 * (grads[-1] - grads[0]) / span
    change_var = float(grad @ fit.cov @ grad)
    # Two schools give a sandwich of rank 1, which can miss the change's direction
    # altogether (a school with only the middle year): an interval of width 0.
    if change_var <= ZERO_VARIANCE * float(grad @ fit.model_cov @ grad):
        raise NotEstimable(
            "no variance",
            "the school-clustered variance of the change is zero: the schools' "
            "contributions to it cancel exactly",
        )
    change_se = math.sqrt(change_var)
    q = float(stats.t.ppf(0.5 + confidence / 2, fit.df))
    coef = float(fit.params[1])
    return TrendFit(
        tuple(levels.tolist()),
        tuple(margins),
        change,
        change_se,
        change - q * change_se,
        change + q * change_se,
        coef,
        linear_p,
        quad_p,
        None,
        _direction(coef, linear_p, level),
        level,
        confidence,
        fit,
    )


def adjust_trends(trends: Sequence[TrendFit], level: float = 0.05) -> tuple[TrendFit, ...]:
    """Benjamini-Hochberg across the linear-trend tests of one report.

    Parameters
    ----------
    trends : sequence of TrendFit
        Every trend shown together.
    level : float, default 0.05
        False discovery rate.

    Returns
    -------
    tuple of TrendFit
        Copies with ``adjusted_p`` set and ``direction`` decided from it.

    References
    ----------
    Benjamini, Y. and Hochberg, Y. (1995). *JRSS B* 57, 289-300.

    Examples
    --------
    >>> year = [1, 2, 3] * 4
    >>> school = [s for s in "abcd" for _ in range(3)]
    >>> up = [30, 36, 45, 20, 27, 30, 25, 26, 33, 40, 44, 52]
    >>> flat = [30, 31, 29, 20, 21, 22, 25, 23, 27, 40, 41, 39]
    >>> a = fit_trend(year, up, [100] * 12, psu=school)
    >>> b = fit_trend(year, flat, [100] * 12, psu=school)
    >>> [t.direction for t in adjust_trends([a, b])]
    ['increasing', 'no change']
    """
    adj = benjamini_hochberg([t.linear_p for t in trends], level)
    return tuple(
        dataclasses.replace(
            t, adjusted_p=p, level=level, direction=_direction(t.linear_coef, p, level)
        )
        for t, p in zip(trends, adj.adjusted, strict=True)
    )


def year_over_year(
    previous: Sequence[PsuTotals], current: Sequence[PsuTotals], confidence: float = 0.95
) -> Contrast:
    """Change from one year to the next, ``current - previous``, paired by school.

    Parameters
    ----------
    previous, current : sequence of PsuTotals
        Per-school totals of the indicator in each year.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    Contrast
        A school in both years enters the variance once, with its covariance.

    Examples
    --------
    >>> prev = [PsuTotals(s, y, 100) for s, y in zip("abcd", [20, 40, 30, 50])]
    >>> curr = [PsuTotals(s, y, 100) for s, y in zip("abcd", [25, 44, 36, 53])]
    >>> c = year_over_year(prev, curr)
    >>> round(c.estimate, 3), c.p_value < 0.05
    (0.045, True)
    """
    return difference(current, previous, confidence)
