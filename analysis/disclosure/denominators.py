"""The fewest respondents a group's published values allow: the denominator for its intervals.

A shown group publishes the band of those who answered an item beside the item's
percentages. Below about a hundred respondents the percentages pin the denominator far
more tightly than the band: each whole-number percentage of ``d`` needs an integer count,
the counts of the answered options add up to ``d``, and a top or bottom code names its
tier. The smallest ``d`` that every published value allows is a function of published
values alone, so an interval computed from it reveals nothing new, and it is never above
the true number: the truth is one of the sizes allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from analysis.disclosure.policy import HIDDEN, Policy, denominator_range, n_interval

__all__ = ["answered_range", "fewest_answered"]

_REACH = 400
"""Sizes tried above a band's floor; past it the floor is as good as any."""


def fewest_answered(band: str, codes: Sequence[str], policy: Policy) -> float:
    """The smallest number who answered that a band and the item's percent codes allow.

    Parameters
    ----------
    band : str
        Published band (or exact number) of those who answered.
    codes : sequence of str
        Published codes of every answered option of the item, in any order: percent
        codes, or ``*`` for a hidden one.
    policy : Policy
        The policy that coded them (its tiers).

    Returns
    -------
    float
        The smallest allowed size; the band's floor when the codes add nothing, and NaN
        when the band is hidden or empty.

    Examples
    --------
    40 %, 33 % and 27 % of a band of 10-19: only 15 answers fit all three.

    >>> fewest_answered("10-19", ("40%", "33%", "27%"), Policy())
    15.0
    >>> fewest_answered("40-99", ("65%", "35%"), Policy())
    40.0
    >>> fewest_answered("89", ("65%", "35%"), Policy())
    89.0
    """
    if band in ("", HIDDEN):
        return float("nan")
    low, high = n_interval(band)
    if low == high:
        return float(low)
    return float(answered_range(band, codes, policy)[0])


def answered_range(band: str, codes: Sequence[str], policy: Policy) -> tuple[int, float]:
    """The fewest and the most who answered that a band and the item's percent codes allow.

    Examples
    --------
    >>> answered_range("10-19", ("40%", "33%", "27%"), Policy())
    (15, 15.0)
    >>> answered_range("300+", ("40%", "60%"), Policy())
    (300, inf)
    """
    low, high = n_interval(band)
    if low == high:
        return int(low), high
    shown = tuple(sorted(c for c in codes if c not in ("", HIDDEN)))
    return _allowed(int(low), high, shown, len(shown) < len(codes), policy)


@lru_cache(maxsize=65536)
def _allowed(
    low: int, high: float, codes: tuple[str, ...], partial: bool, policy: Policy
) -> tuple[int, float]:
    top = int(min(high, low + _REACH))
    d = np.arange(max(low, 1), top + 1, dtype=np.int64)
    ok = np.ones(d.shape, dtype=bool)
    least = np.zeros(d.shape, dtype=np.int64)
    most = np.zeros(d.shape, dtype=np.int64)
    for code in codes:
        tier_low, tier_high = denominator_range(code, policy)
        ok &= (d >= tier_low) & (d <= tier_high)
        if code.startswith("<="):
            p = int(code[2:-1])
            a, b = np.zeros_like(d), ((2 * p + 1) * d - 1) // 200
        elif code.startswith(">="):
            p = int(code[2:-1])
            a, b = -((-(2 * p - 1) * d) // 200), d
        else:
            p = int(code[:-1])
            a, b = -((-(2 * p - 1) * d) // 200), ((2 * p + 1) * d - 1) // 200
        a, b = np.maximum(a, 0), np.minimum(b, d)
        ok &= a <= b
        least += a
        most += b
    # The answered options add up to those who answered; a hidden one may be any part.
    ok &= least <= d
    if not partial and codes:
        ok &= d <= most
    found = np.flatnonzero(ok)
    if not found.size:
        return low, high
    # Past the sizes tried every size may fit: the most is known only inside them.
    largest = float(d[found[-1]]) if top == high else high
    return int(d[found[0]]), largest
