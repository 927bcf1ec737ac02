"""Differences and odds ratios between two groups, with confidence intervals.

Two kinds of input:

* per-school totals (:class:`analysis.design.PsuTotals`) for each group, at district
  level. Schools are matched by identifier, so when both groups come from the same
  schools (two subgroups, or the same indicator in two years) the covariance between
  the groups is part of the variance, as it must be.
* plain counts for one school, treated as two independent simple random samples
  (Newcombe's hybrid score interval for the difference, Woolf's for the odds ratio).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.design import PsuTotals, design_covariance, design_df, ratio_scores
from analysis.proportions import _as_count, wilson_interval

# exp() of a log odds ratio or limit above this is past the largest float: infinite.
_LOG_MAX = math.log(float(np.finfo(float).max))


@dataclass(frozen=True, slots=True)
class Contrast:
    """A contrast between groups ``a`` and ``b`` with its interval and test.

    Attributes
    ----------
    estimate : float
        ``p_a - p_b`` for a difference, ``odds_a / odds_b`` for an odds ratio.
    lower, upper : float
        Confidence limits.
    se : float or None
        Standard error (of the log odds ratio for odds ratios); None for Newcombe's
        interval, which has no single standard error.
    p_value : float or None
        Two-sided p-value for no difference; None for Newcombe's interval.
    df : float
        Degrees of freedom of the reference ``t`` (``inf`` for a normal reference).
    estimate_a, estimate_b : float
        The two group proportions (or means).
    confidence : float
        Nominal coverage.
    method : str
        How the interval was computed.
    """

    estimate: float
    lower: float
    upper: float
    se: float | None
    p_value: float | None
    df: float
    estimate_a: float
    estimate_b: float
    confidence: float
    method: str


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")


def _quantile(confidence: float, df: float) -> float:
    _check_confidence(confidence)
    return float(stats.t.ppf(0.5 + confidence / 2, df))


def _half_width(confidence: float, df: float, se: float) -> float:
    """``t_df se``; 0 when ``se`` is 0, as it is when strata taken whole leave ``df`` 0."""
    _check_confidence(confidence)
    if se == 0:
        return 0.0
    return float(stats.t.ppf(0.5 + confidence / 2, df)) * se


def _exp(value: float) -> float:
    return math.exp(value) if value <= _LOG_MAX else math.inf


def _aligned(
    a: Sequence[PsuTotals], b: Sequence[PsuTotals]
) -> tuple[float, float, np.ndarray, np.ndarray, list[Hashable] | None, np.ndarray | None]:
    for name, cells in (("a", a), ("b", b)):
        if any(
            isinstance(c, PsuTotals) and not (math.isfinite(c.y) and math.isfinite(c.x))
            for c in cells
        ):
            raise ValueError(f"{name} has a total that is not a finite number")
    ra, rb = ratio_scores(a), ratio_scores(b)
    psus: dict[Hashable, int] = {}
    strata: dict[Hashable, Hashable] = {}
    fpcs: dict[Hashable, float | None] = {}
    for rs in (ra, rb):
        for i, p in enumerate(rs.psu):
            psus.setdefault(p, len(psus))
            s = rs.strata[i]
            f = None if rs.fpc is None else float(rs.fpc[i])
            if strata.setdefault(p, s) != s or fpcs.setdefault(p, f) != f:
                raise ValueError(f"PSU {p!r} has a different stratum or fpc in the two groups")
    za, zb = np.zeros(len(psus)), np.zeros(len(psus))
    za[[psus[p] for p in ra.psu]] = ra.scores
    zb[[psus[p] for p in rb.psu]] = rb.scores
    labels = [strata[p] for p in psus]
    fvals = [fpcs[p] for p in psus]
    if any(f is None for f in fvals) and not all(f is None for f in fvals):
        raise ValueError("fpc must be given for every PSU or for none")
    fpc = None if fvals[0] is None else np.array(fvals, dtype=float)
    strata_arg = None if all(s is None for s in labels) else labels
    return ra.estimate, rb.estimate, za, zb, strata_arg, fpc


def difference(
    a: Sequence[PsuTotals], b: Sequence[PsuTotals], confidence: float = 0.95
) -> Contrast:
    """Difference of two ratio estimates ``R_a - R_b`` with a school-clustered interval.

    Parameters
    ----------
    a, b : sequence of PsuTotals
        Per-school totals of the two groups; schools are matched by ``psu``.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    Contrast
        ``t`` interval and test with ``df = schools - strata``. When ``se`` is 0 (the
        schools' contributions cancel, or every stratum was taken whole so that
        ``df`` is 0) both limits equal the estimate and the p-value is 0, or 1 when the
        estimate is 0.

    Raises
    ------
    ValueError
        If a group has no respondents or a total that is not finite, a school lies in
        two strata, or a stratum sampled in part has a single school.

    Notes
    -----
    The linearized total of the difference in school ``i`` is ``z_ai - z_bi``, so a
    school contributing to both groups (the same school in two years, two subgroups
    of one school) enters the variance once, with its covariance.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys*, sect. 2.4 (``svycontrast``).

    Examples
    --------
    >>> a = [PsuTotals(s, y, 50) for s, y in zip("wxyz", [20, 25, 18, 30])]
    >>> b = [PsuTotals(s, y, 50) for s, y in zip("wxyz", [15, 22, 10, 24])]
    >>> c = difference(a, b)
    >>> round(c.estimate, 3), c.df, c.lower > 0
    (0.11, 3, True)
    """
    pa, pb, za, zb, strata, fpc = _aligned(a, b)
    var = float(design_covariance(za - zb, strata, fpc)[0, 0])
    se = math.sqrt(max(var, 0.0))
    df = design_df(za.size, strata)
    half = _half_width(confidence, df, se)
    est = pa - pb
    p = float(2 * stats.t.sf(abs(est) / se, df)) if se > 0 else (1.0 if est == 0 else 0.0)
    return Contrast(est, est - half, est + half, se, p, df, pa, pb, confidence, "linearization")


def odds_ratio(
    a: Sequence[PsuTotals], b: Sequence[PsuTotals], confidence: float = 0.95
) -> Contrast:
    """Odds ratio of two proportions with a school-clustered interval on the log scale.

    Parameters
    ----------
    a, b : sequence of PsuTotals
        Per-school totals of the two groups; schools are matched by ``psu``.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    Contrast
        ``se`` is that of the log odds ratio. When it is 0 the limits equal the
        estimate, as in :func:`difference`; a limit (or the estimate) past the largest
        float is ``inf``.

    Raises
    ------
    ValueError
        If a proportion is 0 or 1 (its odds are 0 or infinite), and as
        :func:`difference`.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys*, sect. 6.1.

    Examples
    --------
    >>> a = [PsuTotals(s, y, 50) for s, y in zip("wxyz", [20, 25, 18, 30])]
    >>> b = [PsuTotals(s, y, 50) for s, y in zip("wxyz", [15, 22, 10, 24])]
    >>> round(odds_ratio(a, b).estimate, 3)
    1.579
    """
    pa, pb, za, zb, strata, fpc = _aligned(a, b)
    if not (0 < pa < 1 and 0 < pb < 1):
        raise ValueError(f"odds ratio needs both proportions inside (0, 1), got {pa}, {pb}")
    z = za / (pa * (1 - pa)) - zb / (pb * (1 - pb))
    se = math.sqrt(max(float(design_covariance(z, strata, fpc)[0, 0]), 0.0))
    df = design_df(za.size, strata)
    half = _half_width(confidence, df, se)
    log_or = math.log(pa / (1 - pa)) - math.log(pb / (1 - pb))
    p = float(2 * stats.t.sf(abs(log_or) / se, df)) if se > 0 else float(log_or == 0)
    return Contrast(
        _exp(log_or),
        _exp(log_or - half),
        _exp(log_or + half),
        se,
        p,
        df,
        pa,
        pb,
        confidence,
        "linearization",
    )


def newcombe_difference(
    successes_a: int, n_a: int, successes_b: int, n_b: int, confidence: float = 0.95
) -> Contrast:
    """Newcombe's hybrid score interval for ``p_a - p_b`` from independent samples.

    Parameters
    ----------
    successes_a, n_a, successes_b, n_b : int
        Counts of the two groups (e.g. two subgroups within one school).
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    Contrast
        ``se`` and ``p_value`` are None.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873-890
    (method 10).

    Examples
    --------
    >>> c = newcombe_difference(56, 70, 48, 80)
    >>> round(c.lower, 4), round(c.upper, 4)
    (0.0524, 0.3339)
    """
    wa = wilson_interval(successes_a, n_a, confidence)
    wb = wilson_interval(successes_b, n_b, confidence)
    pa, pb = wa.estimate, wb.estimate
    d = pa - pb
    lower = d - math.sqrt((pa - wa.lower) ** 2 + (wb.upper - pb) ** 2)
    upper = d + math.sqrt((wa.upper - pa) ** 2 + (pb - wb.lower) ** 2)
    return Contrast(d, lower, upper, None, None, math.inf, pa, pb, confidence, "newcombe")


def woolf_odds_ratio(
    successes_a: int, n_a: int, successes_b: int, n_b: int, confidence: float = 0.95
) -> Contrast:
    """Odds ratio with Woolf's logit interval from two independent samples.

    Parameters
    ----------
    successes_a, n_a, successes_b, n_b : int
        Counts of the two groups. No cell of the 2 x 2 table may be zero.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    Contrast
        Normal reference (``df = inf``); ``se`` is that of the log odds ratio.

    Raises
    ------
    TypeError
        If a count is not an integer.
    ValueError
        If a cell of the 2 x 2 table is not positive.

    References
    ----------
    Woolf, B. (1955). On estimating the relation between blood group and disease.
    *Annals of Human Genetics* 19, 251-253.

    Examples
    --------
    >>> c = woolf_odds_ratio(20, 50, 10, 50)
    >>> round(c.estimate, 3), round(c.se, 4)
    (2.667, 0.4564)
    """
    ka, ma = _as_count(successes_a, "successes_a"), _as_count(n_a, "n_a")
    kb, mb = _as_count(successes_b, "successes_b"), _as_count(n_b, "n_b")
    cells = (ka, ma - ka, kb, mb - kb)
    if min(cells) <= 0:
        raise ValueError(f"every cell of the 2 x 2 table must be positive, got {cells}")
    a, b, c, d = (float(v) for v in cells)
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = _quantile(confidence, math.inf)
    p = float(2 * stats.norm.sf(abs(log_or) / se))
    return Contrast(
        math.exp(log_or),
        math.exp(log_or - z * se),
        math.exp(log_or + z * se),
        se,
        p,
        math.inf,
        a / ma,
        c / mb,
        confidence,
        "woolf",
    )
