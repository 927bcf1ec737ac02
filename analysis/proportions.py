"""Confidence intervals for one binomial proportion.

Wilson and Clopper-Pearson are the intervals for a single school (or any group treated
as one simple random sample). District-level estimates that treat schools as clusters
live in :mod:`analysis.design`; :func:`korn_graubard_interval` turns such an estimate and
its standard error into the Clopper-Pearson interval of its effective sample size, the
interval NCHS uses for proportions from complex surveys. The ``*_limits`` functions
compute many intervals at once; the ``*_interval`` functions are their one-proportion
forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
ProportionMethod = Literal["wilson", "clopper-pearson"]

# The smallest normal float (scipy's beta quantiles fail on subnormal shapes) and a
# largest effective sample, far beyond any survey's.
_TINY = float(np.finfo(float).tiny)
_HUGE = 1e300
# A gamma variable with a shape this large equals its shape to well within rounding
# (relative spread 1 / sqrt(shape) < 1e-20); beyond it scipy's beta quantile comes back
# NaN or, at some shapes (2 and about 1e150), warns that its root finding gave up.
_GAMMA_LIMIT = 1e40


@dataclass(frozen=True, slots=True, eq=False)
class Limits:
    """Confidence limits of many estimates at once.

    Attributes
    ----------
    lower, upper : ndarray
        Limits aligned with the estimates; NaN where an estimate has none.
    """

    lower: FloatArray
    upper: FloatArray


@dataclass(frozen=True, slots=True)
class ProportionInterval:
    """A proportion with its confidence interval.

    Attributes
    ----------
    estimate : float
        Observed proportion ``successes / n``.
    lower, upper : float
        Confidence limits, always inside ``[0, 1]``.
    successes, n : int
        The counts the interval was computed from.
    confidence : float
        Nominal coverage, e.g. 0.95.
    method : str
        ``"wilson"`` or ``"clopper-pearson"``.
    """

    estimate: float
    lower: float
    upper: float
    successes: int
    n: int
    confidence: float
    method: str


def _as_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer count, got {type(value).__name__}")
    return int(value)


def _check(successes: object, n: object, confidence: float) -> tuple[int, int]:
    k = _as_count(successes, "successes")
    m = _as_count(n, "n")
    if m <= 0:
        raise ValueError(f"n must be positive, got {m}")
    if not 0 <= k <= m:
        raise ValueError(f"successes must lie in [0, n={m}], got {k}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    return k, m


def _counts(k: FloatArray, m: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The counts of the proportions that have some, checked."""
    if not (np.all(np.isfinite(k)) and np.all(np.isfinite(m))):
        raise ValueError("successes and n must be finite for every proportion")
    if np.any((k < 0) | (k > m)):
        raise ValueError("successes must lie in [0, n] for every proportion")
    return k, m


def _beta_quantile(q: float, a: FloatArray, b: FloatArray) -> FloatArray:
    """Quantile ``q`` of Beta(a, b) elementwise, for positive shapes of any size."""
    out = np.empty(a.shape)
    # Beta(a, b) = G_a / (G_a + G_b) with independent gammas; a shape past _GAMMA_LIMIT
    # leaves its gamma at the shape itself, so the quantile is that of the other gamma.
    big_b = b >= _GAMMA_LIMIT
    big_a = (a >= _GAMMA_LIMIT) & ~big_b
    mid = ~(big_a | big_b)
    out[mid] = stats.beta.ppf(q, a[mid], b[mid])
    g = stats.gamma.ppf(q, a[big_b])
    out[big_b] = g / (g + b[big_b])
    g = stats.gamma.ppf(1 - q, b[big_a])
    out[big_a] = a[big_a] / (a[big_a] + g)
    return np.asarray(out, dtype=float)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> ProportionInterval:
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    successes : int
        Number of respondents with the outcome.
    n : int
        Number of respondents.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    ProportionInterval

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA* 22, 209-212.
    Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
    comparison of seven methods. *Statistics in Medicine* 17, 857-872 (method 3).

    Examples
    --------
    >>> ci = wilson_interval(81, 263)
    >>> round(ci.lower, 4), round(ci.upper, 4)
    (0.2553, 0.3662)
    """
    k, m = _check(successes, n, confidence)
    limits = wilson_limits(np.array([k], dtype=float), np.array([m], dtype=float), confidence)
    lower, upper = float(limits.lower[0]), float(limits.upper[0])
    return ProportionInterval(k / m, lower, upper, k, m, confidence, "wilson")


def wilson_limits(successes: npt.ArrayLike, n: npt.ArrayLike, confidence: float = 0.95) -> Limits:
    """Wilson score limits of many proportions at once.

    Parameters
    ----------
    successes : array_like
        Respondents with the outcome, per proportion; need not be whole numbers
        (a published percentage times a size).
    n : array_like
        Respondents, per proportion, broadcast against ``successes``.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    Limits
        NaN where ``n`` is not positive or either input is NaN.

    Raises
    ------
    ValueError
        If a count is infinite or lies outside ``[0, n]``, or ``confidence`` lies
        outside ``(0, 1)``.

    Notes
    -----
    ``(p + z^2 / 2n -+ z sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n)``, with the
    lower limit 0 at ``p = 0`` and the upper 1 at ``p = 1``, and kept on their side of
    ``p`` where rounding would put them across it. Each limit is the same float as
    :func:`wilson_interval` gives for its proportion alone.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA* 22, 209-212.
    Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
    comparison of seven methods. *Statistics in Medicine* 17, 857-872 (method 3).

    Examples
    --------
    >>> ci = wilson_limits([81, 15, 0], [263, 148, 0])
    >>> ci.lower.round(4).tolist(), ci.upper.round(4).tolist()
    ([0.2553, 0.0624, nan], [0.3662, 0.1605, nan])
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    k, m = np.broadcast_arrays(np.asarray(successes, dtype=float), np.asarray(n, dtype=float))
    lower, upper = np.full(k.shape, np.nan), np.full(k.shape, np.nan)
    # Only where there is a proportion: no 0/0 to warn about, nothing to hide.
    some = (m > 0) & ~np.isnan(k)
    k, m = _counts(k[some], m[some])
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = k / m
    denom = 1 + z * z / m
    centre = (p + z * z / (2 * m)) / denom
    half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / denom
    # centre - half cancels to rounding noise when k is far below 1 (a tiny fractional
    # count), which can land above k / n: the limits enclose k / n by construction.
    lower[some] = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, p))
    upper[some] = np.where(k == m, 1.0, np.clip(centre + half, p, 1.0))
    return Limits(lower, upper)


def clopper_pearson_interval(
    successes: int, n: int, confidence: float = 0.95
) -> ProportionInterval:
    """Clopper-Pearson ("exact") interval for a binomial proportion.

    Parameters
    ----------
    successes : int
        Number of respondents with the outcome.
    n : int
        Number of respondents.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    ProportionInterval

    References
    ----------
    Clopper, C. J. and Pearson, E. S. (1934). The use of confidence or fiducial limits
    illustrated in the case of the binomial. *Biometrika* 26, 404-413.
    Newcombe, R. G. (1998), *Statistics in Medicine* 17, 857-872 (method 5).

    Examples
    --------
    >>> ci = clopper_pearson_interval(15, 148)
    >>> round(ci.lower, 4), round(ci.upper, 4)
    (0.0578, 0.1617)
    """
    k, m = _check(successes, n, confidence)
    limits = clopper_pearson_limits([k], [m], confidence)
    lower, upper = float(limits.lower[0]), float(limits.upper[0])
    return ProportionInterval(k / m, lower, upper, k, m, confidence, "clopper-pearson")


def clopper_pearson_limits(
    successes: npt.ArrayLike, n: npt.ArrayLike, confidence: float = 0.95
) -> Limits:
    """Clopper-Pearson limits of many proportions, counts not necessarily whole.

    Parameters
    ----------
    successes : array_like
        Respondents with the outcome, per proportion; may be fractional (an effective
        count such as ``p * n_eff``).
    n : array_like
        Respondents (or an effective sample size), broadcast against ``successes``.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    Limits
        NaN where ``n`` is not positive or either input is NaN.

    Raises
    ------
    ValueError
        If a count is infinite or lies outside ``[0, n]``, or ``confidence`` lies
        outside ``(0, 1)``.

    Notes
    -----
    The beta quantiles ``B(a/2; k, n - k + 1)`` and ``B(1 - a/2; k + 1, n - k)``, which
    for whole counts are the limits that invert the binomial test; the lower limit is 0
    at ``k = 0`` and the upper 1 at ``k = n``. Limits are clipped to enclose ``k / n``.

    References
    ----------
    Clopper, C. J. and Pearson, E. S. (1934). The use of confidence or fiducial limits
    illustrated in the case of the binomial. *Biometrika* 26, 404-413.
    Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with
    small expected number of positive counts estimated from survey data. *Survey
    Methodology* 24, 193-201.

    Examples
    --------
    >>> ci = clopper_pearson_limits([15, 0, 7.5], [148, 20, 74])
    >>> ci.lower.round(4).tolist(), ci.upper.round(4).tolist()
    ([0.0578, 0.0, 0.0433], [0.1617, 0.1684, 0.1936])
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    k, m = np.broadcast_arrays(np.asarray(successes, dtype=float), np.asarray(n, dtype=float))
    lower, upper = np.full(k.shape, np.nan), np.full(k.shape, np.nan)
    some = (m > 0) & ~np.isnan(k)
    k, m = _counts(k[some], m[some])
    alpha = 1 - confidence
    # A beta with a zero (or subnormal, which scipy cannot take) shape has no quantiles:
    # there the limit is 0 or 1, and a stand-in shape of 1 keeps the call defined.
    has_low, has_high = k >= _TINY, m - k >= _TINY
    low = _beta_quantile(alpha / 2, np.where(has_low, k, 1.0), m - k + 1)
    high = _beta_quantile(1 - alpha / 2, k + 1, np.where(has_high, m - k, 1.0))
    p = k / m
    # For samples so large (an effective sample from a tiny se) that the quantile comes
    # back NaN or on the wrong side of k / n, the interval has shrunk to k / n itself.
    lower[some] = np.where(has_low, np.fmin(low, p), 0.0)
    upper[some] = np.where(has_high, np.fmax(high, p), 1.0)
    return Limits(lower, upper)


@dataclass(frozen=True, slots=True)
class KornGraubardInterval:
    """A design-based proportion with its Korn-Graubard interval.

    Attributes
    ----------
    estimate : float
        The design-based proportion.
    lower, upper : float
        Confidence limits, ``lower <= estimate <= upper``, inside ``[0, 1]``.
    n_eff : float
        Effective sample size after the degrees-of-freedom adjustment.
    df : float
        Design degrees of freedom the interval was adjusted to.
    confidence : float
        Nominal coverage.
    """

    estimate: float
    lower: float
    upper: float
    n_eff: float
    df: float
    confidence: float


def _effective_sizes(
    p: FloatArray, se: FloatArray, n: FloatArray, df: FloatArray, confidence: float
) -> FloatArray:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError("estimate must lie in [0, 1] for every proportion")
    if np.any(se < 0) or np.any(np.isinf(se)):
        raise ValueError("se must be finite and non-negative for every proportion")
    if np.any(~(n >= 2)):
        raise ValueError("n must be at least 2 respondents: t on n - 1 degrees of freedom")
    if np.any(~(df > 0)):
        raise ValueError("df must be positive: the design has no degrees of freedom")
    pq = p * (1 - p)
    # An estimate of 0 or 1, or no design variance, says nothing of the effective sample:
    # Korn and Graubard take the respondents themselves.
    known = (se > 0) & (pq > 0)
    half = (1 - confidence) / 2
    ratio = stats.t.ppf(half, n - 1) / stats.t.ppf(half, df)
    with np.errstate(over="ignore"):
        root = np.where(known, np.sqrt(pq) / np.where(known, se, 1.0), np.sqrt(n)) * ratio
        size = root * root
    # Sizes beyond floats' reach are kept finite; their limits are 0 and 1, or p itself.
    return np.asarray(np.clip(size, _TINY, _HUGE), dtype=float)


def _korn_graubard(
    p: FloatArray, se: FloatArray, n: FloatArray, df: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Lower and upper limits and the adjusted effective sample sizes."""
    size = _effective_sizes(p, se, n, df, confidence)
    limits = clopper_pearson_limits(p * size, size, confidence)
    # p n_eff / n_eff can round one unit away from p: the limits enclose p itself.
    return np.fmin(limits.lower, p), np.fmax(limits.upper, p), size


def korn_graubard_limits(
    estimate: npt.ArrayLike,
    se: npt.ArrayLike,
    n: npt.ArrayLike,
    df: npt.ArrayLike,
    confidence: float = 0.95,
) -> Limits:
    """Korn-Graubard limits of many design-based proportions at once.

    Parameters
    ----------
    estimate : array_like
        Design-based proportions.
    se : array_like
        Their design-based (linearization) standard errors.
    n : array_like
        Respondents behind each estimate (rows of the design), at least 2.
    df : array_like
        Design degrees of freedom (schools - strata); ``inf`` skips the adjustment.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    Limits
        NaN where the estimate or its standard error is NaN.

    Raises
    ------
    ValueError
        If an estimate lies outside ``[0, 1]``, a standard error is negative or
        infinite, ``n < 2``, ``df <= 0`` or ``confidence`` outside ``(0, 1)``.

    Notes
    -----
    As R ``svyciprop(method = "beta")``: the effective sample size
    ``n_eff = p (1 - p) / se^2`` is scaled by ``(t_{n-1} / t_df)^2`` (quantiles at
    ``(1 - confidence) / 2``), and the limits are the Clopper-Pearson limits of
    ``p n_eff`` out of ``n_eff`` (:func:`clopper_pearson_limits`). Where the estimate is
    0 or 1 or its standard error is 0, ``n_eff = n`` before the adjustment, as Korn and
    Graubard (1998) set it for an estimate of 0; R leaves such an interval undefined.

    References
    ----------
    Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with
    small expected number of positive counts estimated from survey data. *Survey
    Methodology* 24, 193-201.
    Parker, J. D. et al. (2017). National Center for Health Statistics data presentation
    standards for proportions. *Vital and Health Statistics* 2(175).

    Examples
    --------
    >>> ci = korn_graubard_limits([0.2, 0.0], [0.05, 0.0], [400, 400], [30, 30])
    >>> ci.lower.round(4).tolist(), ci.upper.round(4).tolist()
    ([0.1074, 0.0], [0.3241, 0.0099])
    """
    p, s, m, d = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (estimate, se, n, df)))
    lower, upper = np.full(p.shape, np.nan), np.full(p.shape, np.nan)
    some = ~np.isnan(p) & ~np.isnan(s)
    lower[some], upper[some], _ = _korn_graubard(p[some], s[some], m[some], d[some], confidence)
    return Limits(lower, upper)


def korn_graubard_interval(
    estimate: float, se: float, n: int, df: float, confidence: float = 0.95
) -> KornGraubardInterval:
    """Korn-Graubard interval of one design-based proportion (NCHS, R ``svyciprop`` "beta").

    Parameters
    ----------
    estimate : float
        The design-based proportion, e.g. :attr:`analysis.DesignEstimate.estimate`.
    se : float
        Its design-based standard error.
    n : int
        Respondents behind the estimate, at least 2.
    df : float
        Design degrees of freedom (schools - strata); ``inf`` skips the adjustment.
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    KornGraubardInterval

    Raises
    ------
    ValueError
        As :func:`korn_graubard_limits`, and if the estimate or standard error is NaN.

    Notes
    -----
    See :func:`korn_graubard_limits`.

    References
    ----------
    Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with
    small expected number of positive counts estimated from survey data. *Survey
    Methodology* 24, 193-201.

    Examples
    --------
    >>> ci = korn_graubard_interval(0.2, 0.05, 400, 30)
    >>> round(ci.lower, 4), round(ci.upper, 4), round(ci.n_eff, 1)
    (0.1074, 0.3241, 59.3)
    """
    if np.isnan(estimate) or np.isnan(se):
        raise ValueError("estimate and se must be numbers, not NaN")
    p, s, m, d = (np.array([v], dtype=float) for v in (estimate, se, n, df))
    lower, upper, size = _korn_graubard(p, s, m, d, confidence)
    return KornGraubardInterval(
        float(estimate), float(lower[0]), float(upper[0]), float(size[0]), float(df), confidence
    )


def proportion_interval(
    successes: int,
    n: int,
    confidence: float = 0.95,
    method: ProportionMethod = "wilson",
) -> ProportionInterval:
    """Interval for one proportion by the named method (Wilson by default).

    Parameters
    ----------
    successes, n : int
        Counts.
    confidence : float, default 0.95
        Nominal coverage.
    method : {"wilson", "clopper-pearson"}
        Which interval to compute.

    Returns
    -------
    ProportionInterval

    Examples
    --------
    >>> proportion_interval(0, 20, method="clopper-pearson").upper.__round__(4)
    0.1684
    """
    if method == "wilson":
        return wilson_interval(successes, n, confidence)
    if method == "clopper-pearson":
        return clopper_pearson_interval(successes, n, confidence)
    raise ValueError(f"method must be 'wilson' or 'clopper-pearson', got {method!r}")
