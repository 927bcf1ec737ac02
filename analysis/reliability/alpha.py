"""Cronbach's alpha: from respondents' rows or from the sums a database makes, with Feldt limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class AlphaResult:
    """Cronbach's alpha with its Feldt interval.

    Attributes
    ----------
    alpha : float
        Cronbach's alpha (raw, from covariances); at most 1, may be negative.
    lower, upper : float
        Feldt confidence limits.
    standardized : float
        Alpha from the mean inter-item correlation; NaN when the standardized items sum to
        a constant (it is then undefined).
    n, k : int
        Complete respondents and items.
    confidence : float
        Nominal coverage.
    """

    alpha: float
    lower: float
    upper: float
    standardized: float
    n: int
    k: int
    confidence: float


def _complete(data: npt.ArrayLike, min_items: int = 2) -> FloatArray:
    x = np.asarray(data, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"data must be a (respondents, items) matrix, got shape {x.shape}")
    if np.any(np.isinf(x)):
        raise ValueError("data must hold finite scores (NaN where unanswered)")
    if x.shape[1] < min_items:
        raise ValueError(f"data needs at least {min_items} items, got {x.shape[1]}")
    x = np.asarray(x[~np.isnan(x).any(axis=1)], dtype=np.float64)
    if x.shape[0] < 3:
        raise ValueError(f"data has {x.shape[0]} complete respondents; at least 3 are needed")
    if np.any(x.var(axis=0) == 0):
        raise ValueError("data has an item with no variance among complete respondents")
    return x


def _no_variance(variance: float, scale: float) -> bool:
    """Whether a variance is 0, or what rounding leaves of a 0 beside ``scale``."""
    return variance <= 1e-12 * scale


def _alpha_or_nan(x: FloatArray) -> float:
    """Alpha of the items of ``x``; NaN where their total has no variance."""
    cov = np.cov(x, rowvar=False)
    if _no_variance(float(cov.sum()), float(np.trace(cov))):
        return float("nan")
    return _alpha_of(cov)


def _alpha_of(cov: FloatArray) -> float:
    k = int(cov.shape[0])
    item_var = float(np.trace(cov))
    total_var = float(cov.sum())
    # Items that cancel out (every respondent has the same total) leave alpha undefined:
    # it tends to minus infinity. Rounding can leave a tiny total variance instead of 0.
    if _no_variance(total_var, item_var):
        raise ValueError("data has items whose total score has no variance; alpha is undefined")
    # Alpha is at most 1; rounding can leave identical items a hair above it.
    return min(k / (k - 1) * (1 - item_var / total_var), 1.0)


def cronbach_alpha(data: npt.ArrayLike, confidence: float = 0.95) -> AlphaResult:
    """Cronbach's alpha with a Feldt confidence interval, and standardized alpha.

    Parameters
    ----------
    data : array_like, shape (respondents, items)
        Item scores (reverse-coded already); NaN where unanswered.
    confidence : float, default 0.95
        Nominal coverage of the interval.

    Returns
    -------
    AlphaResult

    Raises
    ------
    ValueError
        If ``data`` is not a matrix of at least 2 items, holds an infinite score, has
        fewer than 3 complete respondents, an item with no variance, or items whose
        total has no variance.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika* 16, 297-334.
    Feldt, L. S., Woodruff, D. J. and Salih, F. A. (1987). Statistical inference for
    coefficient alpha. *Applied Psychological Measurement* 11, 93-103.

    Examples
    --------
    >>> round(cronbach_alpha([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4]]).alpha, 6)
    0.948529
    """
    _check_confidence(confidence)
    x = _complete(data)
    return _from_covariance(np.cov(x, rowvar=False), int(x.shape[0]), confidence)


def alpha_from_moments(
    n: int,
    sums: npt.ArrayLike,
    products: npt.ArrayLike,
    reverse: Sequence[bool] | None = None,
    confidence: float = 0.95,
) -> AlphaResult:
    """Cronbach's alpha from sufficient statistics of the complete respondents.

    A database can reduce a scale's answers to these moments with one ``GROUP BY``,
    so alpha never needs the respondents' rows.

    Parameters
    ----------
    n : int
        Respondents who answered every item of the scale (at least 3).
    sums : array_like, shape (k,)
        Per item, the sum of the answers.
    products : array_like, shape (k, k)
        Sums of products of answers, ``products[i, j] = sum(x_i * x_j)``.
    reverse : sequence of bool, optional
        Items scored in reverse (``min + max - x``). Reverse coding changes no variance
        and flips the sign of the item's covariances, so the moments may be of the raw
        answers.
    confidence : float, default 0.95
        Nominal coverage of the Feldt interval.

    Returns
    -------
    AlphaResult
        The same result as :func:`cronbach_alpha` on the respondents' rows.

    Examples
    --------
    >>> x = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4]])
    >>> round(alpha_from_moments(4, x.sum(axis=0), x.T @ x).alpha, 6)
    0.948529
    """
    _check_confidence(confidence)
    s = np.asarray(sums, dtype=float)
    products_ = np.asarray(products, dtype=float)
    k = s.size
    if s.ndim != 1 or k < 2:
        raise ValueError(f"sums must hold one sum per item for at least 2 items, got {s.shape}")
    if products_.shape != (k, k):
        raise ValueError(f"products must be a {k} x {k} matrix, got shape {products_.shape}")
    if int(n) != n or n < 3:
        raise ValueError(f"n has {n} complete respondents; at least 3 are needed")
    cov = (products_ - np.outer(s, s) / n) / (n - 1)
    if reverse is not None:
        if len(reverse) != k:
            raise ValueError(f"reverse has {len(reverse)} entries for {k} items")
        signs = np.where(np.asarray(reverse, dtype=bool), -1.0, 1.0)
        cov = cov * np.outer(signs, signs)
    # Sums of squares rounded in the database can leave a constant item a hair from 0.
    if np.any(np.diag(cov) <= 1e-12 * max(1.0, float(np.abs(np.diag(cov)).max()))):
        raise ValueError("data has an item with no variance among complete respondents")
    return _from_covariance(cov, int(n), confidence)


def feldt_interval(alpha: float, n: int, k: int, confidence: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence limits of alpha for ``n`` respondents and ``k`` items.

    The limits are ordered by construction and both equal 1 when ``alpha`` is 1. A
    smaller ``n`` gives a wider interval, so a lower bound on ``n`` gives limits at
    least as wide as the exact ones.

    Parameters
    ----------
    alpha : float
        Cronbach's alpha, at most 1.
    n, k : int
        Respondents (at least 2) and items (at least 2).
    confidence : float, default 0.95

    Returns
    -------
    tuple of float
        ``(lower, upper)``.

    References
    ----------
    Feldt, L. S., Woodruff, D. J. and Salih, F. A. (1987). Statistical inference for
    coefficient alpha. *Applied Psychological Measurement* 11, 93-103.

    Examples
    --------
    >>> [round(v, 4) for v in feldt_interval(0.948529, 4, 3)]
    [0.6604, 0.9965]
    """
    _check_confidence(confidence)
    if not (n >= 2 and k >= 2):
        raise ValueError(f"Feldt limits need at least 2 respondents and 2 items, got {n}, {k}")
    if not alpha <= 1:
        raise ValueError(f"alpha is at most 1, got {alpha}")
    df1, df2 = n - 1, (n - 1) * (k - 1)
    g = 1 - confidence
    lower = min(alpha, 1 - (1 - alpha) * float(stats.f.ppf(1 - g / 2, df1, df2)))
    upper = max(alpha, 1 - (1 - alpha) * float(stats.f.ppf(g / 2, df1, df2)))
    return lower, upper


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")


def _from_covariance(cov: FloatArray, n: int, confidence: float) -> AlphaResult:
    k = int(cov.shape[0])
    a = _alpha_of(cov)
    lower, upper = feldt_interval(a, n, k, confidence)
    sd = np.sqrt(np.diag(cov))
    r = cov / np.outer(sd, sd)
    rbar = float((r.sum() - k) / (k * (k - 1)))
    # Standardized items that sum to a constant leave standardized alpha undefined (NaN).
    spread = 1 + (k - 1) * rbar
    std = k * rbar / spread if spread > 1e-12 else float("nan")
    return AlphaResult(a, lower, upper, std, n, k, confidence)
