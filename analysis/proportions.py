"""Confidence intervals for one binomial proportion from a simple random sample.

These are the intervals for a single school (or any group treated as one simple
random sample). District-level intervals that treat schools as clusters live in
:mod:`analysis.design`. :func:`wilson_limits` computes the Wilson interval of many
proportions at once; :func:`wilson_interval` is its one-proportion form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
ProportionMethod = Literal["wilson", "clopper-pearson"]


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
        If a count lies outside ``[0, n]`` or ``confidence`` outside ``(0, 1)``.

    Notes
    -----
    ``(p + z^2 / 2n -+ z sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n)``, with the
    lower limit 0 at ``p = 0`` and the upper 1 at ``p = 1``. Each limit is the same float
    as :func:`wilson_interval` gives for its proportion alone.

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
    k, m = k[some], m[some]
    if np.any((k < 0) | (k > m)):
        raise ValueError("successes must lie in [0, n] for every proportion")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = k / m
    denom = 1 + z * z / m
    centre = (p + z * z / (2 * m)) / denom
    half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / denom
    lower[some] = np.where(k == 0, 0.0, np.maximum(0.0, centre - half))
    upper[some] = np.where(k == m, 1.0, np.minimum(1.0, centre + half))
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
    alpha = 1 - confidence
    lower = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, m - k + 1))
    upper = 1.0 if k == m else float(stats.beta.ppf(1 - alpha / 2, k + 1, m - k))
    return ProportionInterval(k / m, lower, upper, k, m, confidence, "clopper-pearson")


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
