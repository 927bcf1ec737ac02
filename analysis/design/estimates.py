"""Design-based estimates: ratios (proportions, means) and totals, with intervals.

Variances treat each school as a primary sampling unit (see
:mod:`analysis.design.totals`); proportions get survey-logit intervals, means and
totals ``t`` intervals on ``schools - strata`` degrees of freedom, and means and
proportions of a domain (subgroup) on those of :func:`analysis.design.domain_df`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis.design.domains import domain_df
from analysis.design.limits import _logit_limits, _t
from analysis.design.totals import PsuTotals, _collect, _strata_arg, design_covariance, design_df

FloatArray = npt.NDArray[np.float64]
Reliability = Literal["reliable", "caution", "unreliable", "undefined"]
EstimateKind = Literal["proportion", "mean"]

#: Relative standard error at which CDC YRBS data warehouses advise caution.
RSE_CAUTION = 0.30
#: Relative standard error above which an estimate should not be used.
RSE_UNRELIABLE = 0.50


@dataclass(frozen=True, slots=True)
class DesignEstimate:
    """A design-based estimate with its uncertainty.

    Attributes
    ----------
    estimate, se : float
        Point estimate and linearization standard error.
    lower, upper : float
        Confidence limits (survey-logit for proportions, ``t`` for means and totals).
    df : float
        Degrees of freedom of the interval: schools - strata, or for a domain those of
        :func:`analysis.design.domain_df`.
    deff : float or None
        Design effect (design variance over simple-random-sampling variance).
    rse : float or None
        Relative standard error ``se / estimate``; None when the estimate is 0.
    reliability : str
        ``"reliable"`` (rse < 0.30), ``"caution"`` (0.30-0.50), ``"unreliable"``
        (> 0.50) or ``"undefined"`` (estimate 0).
    n_psu, n : int
        Schools and unweighted respondents behind the estimate.
    confidence : float
        Nominal coverage.
    """

    estimate: float
    se: float
    lower: float
    upper: float
    df: float
    deff: float | None
    rse: float | None
    reliability: Reliability
    n_psu: int
    n: int
    confidence: float


def reliability_flag(rse: float | None) -> Reliability:
    """Classify a relative standard error with the CDC YRBS thresholds.

    Parameters
    ----------
    rse : float or None
        Relative standard error; None when undefined.

    Returns
    -------
    str
        ``"reliable"``, ``"caution"``, ``"unreliable"`` or ``"undefined"``.

    References
    ----------
    CDC Youth Risk Behavior Survey data warehouse guidance on relative standard errors.

    Examples
    --------
    >>> reliability_flag(0.12), reliability_flag(0.3), reliability_flag(0.51)
    ('reliable', 'caution', 'unreliable')
    """
    if rse is None or math.isnan(rse):
        return "undefined"
    if rse > RSE_UNRELIABLE:
        return "unreliable"
    if rse >= RSE_CAUTION:
        return "caution"
    return "reliable"


def rse_from_limits(
    estimate: float, lower: float, upper: float, confidence: float = 0.95
) -> float | None:
    """Relative standard error read back from a confidence interval's width.

    Parameters
    ----------
    estimate : float
        The estimate the interval stands around.
    lower, upper : float
        Its confidence limits.
    confidence : float, default 0.95
        Their nominal coverage.

    Returns
    -------
    float or None
        ``(upper - lower) / (2 z) / |estimate|``, with ``z`` the two-sided normal
        quantile; None when the estimate is 0.

    Notes
    -----
    This is the standard error of a symmetric normal interval of the same width. For
    published limits, rounded and perhaps asymmetric (Wilson, survey-logit), it is the
    relative standard error that the published numbers alone say, which is what a flag
    beside them may show.

    References
    ----------
    CDC Youth Risk Behavior Survey data warehouse guidance on relative standard errors.

    Examples
    --------
    >>> round(rse_from_limits(20.0, 12.0, 28.0), 4)
    0.2041
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    if upper < lower:
        raise ValueError(f"upper limit {upper} lies below lower limit {lower}")
    if estimate == 0:
        return None
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return (upper - lower) / (2 * z) / abs(estimate)


@dataclass(frozen=True, slots=True)
class RatioScores:
    """A ratio estimate with its per-PSU linearized totals, for building contrasts.

    Attributes
    ----------
    estimate : float
        ``sum(y) / sum(x)``.
    psu : tuple
        PSU identifiers, aligned with ``scores``.
    scores : ndarray
        Linearized totals ``(y_i - R x_i) / X`` per PSU.
    strata : tuple
        Stratum of each PSU (None when unstratified).
    fpc : ndarray or None
        Per-PSU finite population correction, as in :class:`PsuTotals`.
    n : int
        Unweighted respondents.
    """

    estimate: float
    psu: tuple[Hashable, ...]
    scores: FloatArray
    strata: tuple[Hashable, ...]
    fpc: FloatArray | None
    n: int


def ratio_scores(cells: Sequence[PsuTotals]) -> RatioScores:
    """Ratio ``sum(y) / sum(x)`` and its per-PSU linearized totals.

    Parameters
    ----------
    cells : sequence of PsuTotals
        One row per school (rows of the same school are summed).

    Returns
    -------
    RatioScores

    References
    ----------
    Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., ch. 6.

    Examples
    --------
    >>> rs = ratio_scores([PsuTotals("a", 1, 4), PsuTotals("b", 3, 4)])
    >>> rs.estimate, rs.scores.tolist()
    (0.5, [-0.125, 0.125])
    """
    d = _collect(cells)
    total_x = float(d.x.sum())
    if total_x <= 0:
        raise ValueError("cells have no respondents (sum of x is 0)")
    r = float(d.y.sum()) / total_x
    return RatioScores(
        r, d.psu, (d.y - r * d.x) / total_x, d.strata, d.fpc, round(float(d.n.sum()))
    )


def ratio_estimate(
    cells: Sequence[PsuTotals],
    kind: EstimateKind = "proportion",
    confidence: float = 0.95,
    *,
    domain: bool | None = None,
) -> DesignEstimate:
    """Proportion or mean ``sum(y) / sum(x)`` with a school-clustered interval.

    Parameters
    ----------
    cells : sequence of PsuTotals
        One row per school (rows of the same school are summed).
    kind : {"proportion", "mean"}
        Proportions get a survey-logit interval; means a ``t`` interval.
    confidence : float, default 0.95
        Nominal coverage.
    domain : bool, optional
        Whether the cells estimate a domain (subgroup), whose interval takes the
        degrees of freedom of :func:`analysis.design.domain_df`. By default the cells
        are a domain when some school has no respondent in them (``x`` is 0 there):
        pass a row for every school of the design, 0 where it has no member.

    Returns
    -------
    DesignEstimate

    Raises
    ------
    ValueError
        If the cells have no respondents, or are a domain with members in too few
        schools to leave a degree of freedom (one school, or one per stratum).

    Notes
    -----
    The variance is that of the linearized totals ``z_i = (y_i - R x_i) / X`` across
    schools (:func:`design_covariance`), with ``df = schools - strata``, or for a
    domain ``df = domain_df(x, n, strata, fpc)``. The
    survey-logit interval is ``expit(logit(R) +- t_df se / (R (1 - R)))`` (R
    ``svyciprop(method = "logit")``). At ``R = 0`` or ``1`` it falls back to a
    Clopper-Pearson interval on the unweighted respondents. The design effect divides
    by ``s^2 / n``, with ``s^2`` the weighted element variance.

    References
    ----------
    Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., ch. 6.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.

    Examples
    --------
    >>> cells = [PsuTotals("a", 12, 40, 40), PsuTotals("b", 30, 60, 60),
    ...          PsuTotals("c", 9, 50, 50), PsuTotals("d", 20, 45, 45)]
    >>> est = ratio_estimate(cells)
    >>> round(est.estimate, 4), round(est.se, 4), est.df
    (0.3641, 0.0774, 3)

    A subgroup with members in three of the four schools, most of them in one:

    >>> cells = [PsuTotals("a", 5, 20), PsuTotals("b", 1, 3), PsuTotals("c", 1, 2),
    ...          PsuTotals("d", 0, 0)]
    >>> est = ratio_estimate(cells)
    >>> round(est.estimate, 4), round(est.df, 2)
    (0.28, 1.59)
    """
    d = _collect(cells)
    total_x = float(d.x.sum())
    if total_x <= 0:
        raise ValueError("cells have no respondents (sum of x is 0)")
    r = float(d.y.sum()) / total_x
    if kind == "proportion" and not -1e-12 <= r <= 1 + 1e-12:
        raise ValueError(f"proportion estimate {r} lies outside [0, 1]; check y <= x")
    strata = _strata_arg(d)
    z = (d.y - r * d.x) / total_x
    var = float(design_covariance(z, strata, d.fpc)[0, 0])
    se = math.sqrt(max(var, 0.0))
    df: float = design_df(len(d.psu), strata)
    if bool(np.any(d.x <= 0)) if domain is None else domain:
        df = domain_df(d.x, d.n, strata, d.fpc)
        if df < 1:
            members = int(np.count_nonzero(d.x > 0))
            raise ValueError(
                f"cells: the domain has members in {members} of {len(d.psu)} PSUs, too few "
                "to leave a degree of freedom for an interval"
            )
    t = _t(confidence, df)
    n_total = float(d.n.sum())
    if kind == "proportion":
        r = min(max(r, 0.0), 1.0)
        lower, upper = _logit_limits(r, se, df, n_total, confidence)
        element_var: float | None = r * (1 - r) * n_total / (n_total - 1) if n_total > 1 else None
    elif kind == "mean":
        lower, upper = r - t * se, r + t * se
        element_var = None
        if d.yy is not None and n_total > 1:
            element_var = (float(d.yy.sum()) / total_x - r * r) * n_total / (n_total - 1)
    else:
        raise ValueError(f"kind must be 'proportion' or 'mean', got {kind!r}")
    deff = None
    if element_var is not None and element_var > 0:
        deff = var / (element_var / n_total)
    rse = None if r == 0 else se / abs(r)
    return DesignEstimate(
        r,
        se,
        lower,
        upper,
        df,
        deff,
        rse,
        reliability_flag(rse),
        len(d.psu),
        round(n_total),
        confidence,
    )


def total_estimate(cells: Sequence[PsuTotals], confidence: float = 0.95) -> DesignEstimate:
    """Weighted population total ``sum(y)`` with a school-clustered ``t`` interval.

    Parameters
    ----------
    cells : sequence of PsuTotals
        One row per school; ``x`` is not used except to count respondents when
        ``n`` is unknown.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    DesignEstimate
        ``deff`` is None.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys*, ch. 3 (R ``svytotal``).

    Examples
    --------
    >>> cells = [PsuTotals(i, y, 1.0) for i, y in enumerate([10.0, 14.0, 9.0, 11.0])]
    >>> est = total_estimate(cells)
    >>> est.estimate, round(est.se, 4)
    (44.0, 4.3205)
    """
    d = _collect(cells)
    total = float(d.y.sum())
    strata = _strata_arg(d)
    var = float(design_covariance(d.y, strata, d.fpc)[0, 0])
    se = math.sqrt(max(var, 0.0))
    df = design_df(len(d.psu), strata)
    t = _t(confidence, df)
    rse = None if total == 0 else se / abs(total)
    return DesignEstimate(
        total,
        se,
        total - t * se,
        total + t * se,
        df,
        None,
        rse,
        reliability_flag(rse),
        len(d.psu),
        round(float(d.n.sum())),
        confidence,
    )


def sample_mean(
    n: int, total: float, sum_squares: float, confidence: float = 0.95
) -> DesignEstimate:
    """Mean of one school's scores with a ``t`` interval, from SQL sums.

    Parameters
    ----------
    n : int
        Respondents with a score.
    total : float
        Sum of the scores.
    sum_squares : float
        Sum of the squared scores.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    DesignEstimate
        With ``df = n - 1``, ``deff = 1`` and ``n_psu = 1``.

    Examples
    --------
    >>> est = sample_mean(4, 10.0, 30.0)
    >>> est.estimate, round(est.se, 4), round(est.lower, 4)
    (2.5, 0.6455, 0.4457)
    """
    if n < 2:
        raise ValueError(f"n must be at least 2 for an interval, got {n}")
    mean = total / n
    var = (sum_squares - n * mean * mean) / (n - 1)
    if var < -1e-9 * max(1.0, abs(sum_squares)):
        raise ValueError("sum_squares is smaller than total**2 / n; the sums are inconsistent")
    se = math.sqrt(max(var, 0.0) / n)
    t = _t(confidence, n - 1)
    rse = None if mean == 0 else se / abs(mean)
    return DesignEstimate(
        mean,
        se,
        mean - t * se,
        mean + t * se,
        n - 1,
        1.0,
        rse,
        reliability_flag(rse),
        1,
        n,
        confidence,
    )
