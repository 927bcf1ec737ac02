"""A scale's reliability: item diagnostics, alpha and omega per group, language checks."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis.logistic import NotEstimable
from analysis.reliability.alpha import (
    AlphaResult,
    _alpha_or_nan,
    _complete,
    _no_variance,
    cronbach_alpha,
)
from analysis.reliability.omega import OmegaResult, mcdonald_omega

FloatArray = npt.NDArray[np.float64]


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
