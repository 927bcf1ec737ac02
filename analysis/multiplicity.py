"""Control of false discoveries across the family of comparisons in one report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Adjustment:
    """Adjusted p-values and decisions for a family of tests.

    Attributes
    ----------
    adjusted : tuple of float
        Adjusted p-values, in the order the p-values were given.
    rejected : tuple of bool
        Whether each hypothesis is rejected (``adjusted <= level``).
    level : float
        False discovery rate (or family-wise error rate) controlled.
    method : str
        ``"benjamini-hochberg"`` or ``"bonferroni"``.
    """

    adjusted: tuple[float, ...]
    rejected: tuple[bool, ...]
    level: float
    method: str

    @property
    def n_rejected(self) -> int:
        """Number of rejected hypotheses."""
        return sum(self.rejected)


def _pvalues(pvalues: Sequence[float], level: float) -> np.ndarray:
    try:
        p = np.asarray(pvalues, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("pvalues must be numbers") from exc
    if p.ndim != 1:
        raise ValueError(f"pvalues must be one-dimensional, got shape {p.shape}")
    if np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("pvalues must all lie in [0, 1]")
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
    return p


def benjamini_hochberg(pvalues: Sequence[float], level: float = 0.05) -> Adjustment:
    """Benjamini-Hochberg step-up procedure controlling the false discovery rate.

    Parameters
    ----------
    pvalues : sequence of float
        The p-values of every comparison shown in one report.
    level : float, default 0.05
        False discovery rate ``q``.

    Returns
    -------
    Adjustment
        Adjusted p-values ``min_{j >= i} min(1, m p_(j) / j)`` in input order; tied
        p-values get one adjusted value. An empty family gives empty tuples.

    Raises
    ------
    ValueError
        If a p-value is not a number in ``[0, 1]`` (NaN included), ``pvalues`` is not
        one-dimensional, or ``level`` lies outside ``(0, 1)``.

    References
    ----------
    Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a
    practical and powerful approach to multiple testing. *JRSS B* 57, 289-300.

    Examples
    --------
    >>> adj = benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    >>> [round(p, 4) for p in adj.adjusted], adj.n_rejected
    ([0.04, 0.0533, 0.0533, 0.2], 1)
    """
    p = _pvalues(pvalues, level)
    m = p.size
    if m == 0:
        return Adjustment((), (), level, "benjamini-hochberg")
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    stepped = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return Adjustment(
        tuple(float(v) for v in adjusted),
        tuple(bool(v <= level) for v in adjusted),
        level,
        "benjamini-hochberg",
    )


def bonferroni(pvalues: Sequence[float], level: float = 0.05) -> Adjustment:
    """Bonferroni adjustment controlling the family-wise error rate.

    Parameters
    ----------
    pvalues : sequence of float
        The p-values of the family.
    level : float, default 0.05
        Family-wise error rate.

    Returns
    -------
    Adjustment
        ``min(1, m p)`` in input order; an empty family gives empty tuples.

    Raises
    ------
    ValueError
        As :func:`benjamini_hochberg`.

    References
    ----------
    Dunn, O. J. (1961). Multiple comparisons among means. *JASA* 56, 52-64.

    Examples
    --------
    >>> bonferroni([0.01, 0.04]).adjusted
    (0.02, 0.08)
    """
    p = _pvalues(pvalues, level)
    adjusted = np.minimum(1.0, p * p.size)
    return Adjustment(
        tuple(float(v) for v in adjusted),
        tuple(bool(v <= level) for v in adjusted),
        level,
        "bonferroni",
    )
