"""Internal consistency of a scale: alpha, omega, item diagnostics, language checks.

Respondents with any missing item are left out (listwise deletion), so every
statistic of one call rests on the same respondents.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis.logistic import NotEstimable

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


@dataclass(frozen=True, slots=True)
class OmegaResult:
    """McDonald's omega (total) from a one-factor model of the correlations.

    Attributes
    ----------
    omega : float
    loadings : tuple of float
        Standardized loadings.
    iterations : int
        Principal-axis iterations used.
    """

    omega: float
    loadings: tuple[float, ...]
    iterations: int


@dataclass(frozen=True, slots=True)
class ItemStatistic:
    """Diagnostics of one item.

    Attributes
    ----------
    item : str
    mean, sd : float
    item_rest : float
        Correlation of the item with the sum of the other items; NaN when that sum is
        the same for every respondent (it has no correlation).
    alpha_if_deleted : float
        Cronbach's alpha of the scale without this item; NaN when the other items
        cancel out, so that their total is the same for every respondent.
    """

    item: str
    mean: float
    sd: float
    item_rest: float
    alpha_if_deleted: float


@dataclass(frozen=True, slots=True)
class ScaleReliability:
    """Reliability of one scale in one group (administration, language, ...).

    Attributes
    ----------
    group : Hashable
    alpha : AlphaResult
    omega : OmegaResult or None
        None when the one-factor model cannot be fitted (fewer than 3 items) or does
        not converge.
    items : tuple of ItemStatistic
    """

    group: Hashable
    alpha: AlphaResult
    omega: OmegaResult | None
    items: tuple[ItemStatistic, ...]


@dataclass(frozen=True, slots=True)
class LanguageCheck:
    """Comparison of one language's alpha with the reference language's.

    Attributes
    ----------
    language : Hashable
    alpha, reference_alpha : float
    drop : float
        ``reference_alpha - alpha``.
    p_value : float
        One-sided Feldt (1969) test that the language's alpha is lower.
    flagged : bool
        ``drop >= margin`` and ``p_value < level``: the translation may have changed
        what an item measures.
    """

    language: Hashable
    alpha: float
    reference_alpha: float
    drop: float
    p_value: float
    flagged: bool


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


def mcdonald_omega(data: npt.ArrayLike, tol: float = 1e-9, max_iter: int = 10_000) -> OmegaResult:
    """McDonald's omega total from a one-factor principal-axis solution.

    ``omega = (sum l)^2 / ((sum l)^2 + sum (1 - l^2))`` with standardized loadings
    ``l`` from iterated principal-axis factoring of the correlation matrix (which
    converges to the unweighted least-squares solution); communalities are kept
    below 1.

    Parameters
    ----------
    data : array_like, shape (respondents, items)
        At least 3 items.
    tol : float, default 1e-9
        Convergence tolerance on the communalities.
    max_iter : int, default 10000
        Iteration limit; communalities near the 0.995 cap can take some thousands.

    Returns
    -------
    OmegaResult
        ``omega`` lies in ``[0, 1)``: communalities are capped at 0.995. It does not
        depend on the order of the respondents.

    Raises
    ------
    NotEstimable
        With reason ``"no convergence"`` when the communalities do not settle within
        ``max_iter`` iterations (a ``ValueError``).
    ValueError
        As :func:`cronbach_alpha`, for fewer than 3 items, and if ``max_iter < 1``.

    Notes
    -----
    Items that share no single factor (negatively correlated groups of items, or
    copies of one item opposed to another) can have several one-factor solutions;
    omega is then the one the iteration reaches from the squared multiple
    correlations, and says little about the scale.

    References
    ----------
    McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Erlbaum, ch. 6.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(2000, 1))
    >>> x = 0.7 * f + np.sqrt(1 - 0.49) * rng.normal(size=(2000, 4))
    >>> round(mcdonald_omega(x).omega, 2)
    0.8
    """
    if max_iter < 1:
        raise ValueError(f"max_iter must be at least 1, got {max_iter}")
    x = _complete(data, min_items=3)
    # Respondents in one fixed order: an iteration that starts on a saddle between
    # solutions goes the way rounding in r tips it, which must not depend on the order
    # the respondents came in.
    x = x[np.lexsort(x.T[::-1])]
    r: FloatArray = np.asarray(np.corrcoef(x, rowvar=False), dtype=np.float64)
    # Squared multiple correlations start the iteration. For a positive definite r the
    # diagonal of its inverse is at least 1; a singular r (items that are linear
    # combinations of others) leaves rounding noise there, even 0, so start from 0.5.
    try:
        inv_diag = np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        inv_diag = np.zeros(r.shape[0])
    h = 1 - 1 / inv_diag if np.all(inv_diag >= 1) else np.full(r.shape[0], 0.5)
    it = 0
    loadings = np.sqrt(np.clip(h, 0, None))
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        rh = r.copy()
        np.fill_diagonal(rh, h)
        vals, vecs = np.linalg.eigh(rh)
        loadings = vecs[:, -1] * math.sqrt(max(float(vals[-1]), 0.0))
        new_h = np.minimum(loadings**2, 0.995)
        if float(np.max(np.abs(new_h - h))) < tol:
            h = new_h
            break
        h = new_h
    else:
        raise NotEstimable(
            "no convergence", f"the one-factor model did not converge in {max_iter} iterations"
        )
    if loadings.sum() < 0:
        loadings = -loadings
    loadings = np.sign(loadings) * np.sqrt(h)
    common = float(loadings.sum()) ** 2
    omega = common / (common + float((1 - h).sum()))
    return OmegaResult(omega, tuple(float(v) for v in loadings), it)


def item_statistics(
    data: npt.ArrayLike, items: Sequence[str] | None = None
) -> tuple[ItemStatistic, ...]:
    """Item-rest correlations and alpha-if-deleted for every item.

    Parameters
    ----------
    data : array_like, shape (respondents, items)
        At least 3 items, so that alpha is defined without any one of them.
    items : sequence of str, optional
        Item names; ``item0, item1, ...`` by default.

    Returns
    -------
    tuple of ItemStatistic
        One per item; see :class:`ItemStatistic` for when a value is NaN.

    Raises
    ------
    ValueError
        As :func:`cronbach_alpha` (fewer than 3 complete respondents, an item with no
        variance, an infinite score), for fewer than 3 items, or if ``items`` does not
        name every column.

    References
    ----------
    Nunnally, J. C. and Bernstein, I. H. (1994). *Psychometric Theory*, 3rd ed., ch. 8.

    Examples
    --------
    >>> stats_ = item_statistics([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4]], "abc")
    >>> [round(s.item_rest, 3) for s in stats_]
    [0.992, 0.866, 0.87]
    """
    x = _complete(data, min_items=3)
    names = tuple(items) if items is not None else tuple(f"item{j}" for j in range(x.shape[1]))
    if len(names) != x.shape[1]:
        raise ValueError(f"items has {len(names)} names for {x.shape[1]} columns")
    total = x.sum(axis=1)
    out = []
    for j, name in enumerate(names):
        others = np.delete(x, j, axis=1)
        rest = total - x[:, j]
        # A rest score alike for everyone has no correlation (corrcoef would divide by 0).
        flat = _no_variance(float(rest.var()), float(others.var(axis=0).sum()))
        rest_r = float("nan") if flat else float(np.corrcoef(x[:, j], rest)[0, 1])
        out.append(
            ItemStatistic(
                name,
                float(x[:, j].mean()),
                float(x[:, j].std(ddof=1)),
                rest_r,
                _alpha_or_nan(others),
            )
        )
    return tuple(out)


def scale_reliability(
    data: npt.ArrayLike,
    groups: Sequence[Hashable] | None = None,
    items: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> tuple[ScaleReliability, ...]:
    """Alpha, omega and item diagnostics of one scale, per group.

    Parameters
    ----------
    data : array_like, shape (respondents, items)
    groups : sequence, optional
        Group of each respondent (administration, language, or a tuple of both);
        one group, ``None``, when omitted.
    items : sequence of str, optional
        Item names.
    confidence : float, default 0.95

    Returns
    -------
    tuple of ScaleReliability
        One per group, in order of first appearance; empty when ``data`` has no rows.

    Raises
    ------
    ValueError
        If ``data`` is not a matrix or ``groups`` has the wrong length, or, naming the
        group, where :func:`cronbach_alpha` or :func:`item_statistics` raises for it.

    Examples
    --------
    >>> data = [[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4]] * 2
    >>> out = scale_reliability(data, ["en"] * 4 + ["es"] * 4)
    >>> [(r.group, round(r.alpha.alpha, 4)) for r in out]
    [('en', 0.9485), ('es', 0.9485)]
    """
    x = np.asarray(data, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"data must be a (respondents, items) matrix, got shape {x.shape}")
    labels: Sequence[Hashable] = [None] * x.shape[0] if groups is None else groups
    if len(labels) != x.shape[0]:
        raise ValueError(f"groups has {len(labels)} entries for {x.shape[0]} respondents")
    order: dict[Hashable, list[int]] = {}
    for i, g in enumerate(labels):
        order.setdefault(g, []).append(i)
    out = []
    for g, rows in order.items():
        sub = x[rows]
        try:
            alpha = cronbach_alpha(sub, confidence)
            omega = _omega_or_none(sub)
            diag = item_statistics(sub, items) if sub.shape[1] >= 3 else ()
        except ValueError as exc:
            raise ValueError(f"group {g!r}: {exc}") from exc
        out.append(ScaleReliability(g, alpha, omega, diag))
    return tuple(out)


def _omega_or_none(data: FloatArray) -> OmegaResult | None:
    if data.shape[1] < 3:
        return None
    try:
        return mcdonald_omega(data)
    except NotEstimable:
        return None


def compare_languages(
    alphas: Mapping[Hashable, AlphaResult],
    reference: Hashable = "en",
    margin: float = 0.10,
    level: float = 0.05,
) -> tuple[LanguageCheck, ...]:
    """Flag languages whose alpha falls well below the reference language's.

    Parameters
    ----------
    alphas : mapping of language to AlphaResult
        Alpha of one scale in each language.
    reference : Hashable, default "en"
        The source language of the instrument.
    margin : float, default 0.10
        Smallest drop in alpha worth flagging.
    level : float, default 0.05
        Level of Feldt's one-sided test.

    Returns
    -------
    tuple of LanguageCheck
        One per language other than the reference. When the reference alpha is 1 no
        language can be shown lower: ``p_value`` is 1.

    Raises
    ------
    ValueError
        If the reference language is missing, an alpha is not a number at most 1 or
        rests on fewer than 2 respondents (naming the language), ``margin`` is not
        finite, or ``level`` lies outside ``(0, 1)``.

    Notes
    -----
    Feldt's statistic ``W = (1 - alpha_lang) / (1 - alpha_ref)`` is referred to
    ``F(n_ref - 1, n_lang - 1)``; a flag needs both a drop of at least ``margin``
    and significance, so that noise in a small sample is not called a bad translation.

    References
    ----------
    Feldt, L. S. (1969). A test of the hypothesis that Cronbach's alpha or Kuder-
    Richardson coefficient twenty is the same for two tests. *Psychometrika* 34, 363-373.

    Examples
    --------
    >>> en = AlphaResult(0.85, 0.83, 0.87, 0.85, 400, 6, 0.95)
    >>> so = AlphaResult(0.62, 0.52, 0.70, 0.62, 120, 6, 0.95)
    >>> compare_languages({"en": en, "so": so})[0].flagged
    True
    """
    if reference not in alphas:
        raise ValueError(f"reference language {reference!r} is not among the alphas")
    if not math.isfinite(margin):
        raise ValueError(f"margin must be a finite number, got {margin}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
    for lang, res in alphas.items():
        # Feldt's F needs n - 1 > 0 degrees of freedom, and a NaN alpha no comparison.
        if not (math.isfinite(res.alpha) and res.alpha <= 1):
            raise ValueError(f"language {lang!r}: alpha must be a number at most 1")
        if not res.n >= 2:
            raise ValueError(f"language {lang!r}: alpha rests on {res.n} respondents")
    ref = alphas[reference]
    out = []
    for lang, res in alphas.items():
        if lang == reference:
            continue
        if ref.alpha >= 1:
            p = 1.0
        else:
            w = (1 - res.alpha) / (1 - ref.alpha)
            p = float(stats.f.sf(w, ref.n - 1, res.n - 1))
        drop = ref.alpha - res.alpha
        out.append(LanguageCheck(lang, res.alpha, ref.alpha, drop, p, drop >= margin and p < level))
    return tuple(out)
