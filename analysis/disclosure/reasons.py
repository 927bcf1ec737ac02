"""Which hidden groups the published numbers already prove small: a reason that leaks nothing.

A reader is owed a reason for a hidden group. "Fewer than k students" is true of a group
hidden for its size, but saying it of every such group would tell an attacker which hidden
groups are small and which are hidden to protect another. So the reason is read off the
published numbers alone: a hidden group gets it only where interval propagation over the
published sizes (every relation ``total = sum(parts)``, every hidden group at least one
student) already bounds it below k. Anyone can repeat the propagation, so the reason is a
function of what is published and narrows nothing; every other hidden group gets the one
symbol, which covers both causes.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from analysis.disclosure.cells import Structure
from analysis.disclosure.policy import HIDDEN, Policy, n_interval

__all__ = ["provably_small"]

_ROUNDS = 50


def provably_small(
    structure: Structure, n_codes: tuple[str, ...], policy: Policy
) -> npt.NDArray[np.bool_]:
    """Per cell, whether it is hidden and its published relations bound its n below ``k``.

    Parameters
    ----------
    structure : Structure
        The release's cells and relations.
    n_codes : tuple of str
        The published n code of every cell (``*`` where hidden).
    policy : Policy
        Gives ``k``.

    Returns
    -------
    ndarray of bool

    Examples
    --------
    A total of 25 with a shown part of 20 leaves 5 for two hidden parts: each is at most 4.

    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> rel = Release((Dimension("g", ("a", "b", "c")),), (Table("t", ("g",)),),
    ...               (Cell((), 25), Cell((("g", "a"),), 20), Cell((("g", "b"),), 3),
    ...                Cell((("g", "c"),), 2)))
    >>> provably_small(rel.structure(), ("25", "20", "*", "*"), Policy()).tolist()
    [False, False, True, True]
    >>> provably_small(rel.structure(), ("20-39", "20-39", "*", "*"), Policy()).tolist()
    [False, False, False, False]
    """
    hidden = np.array([code == HIDDEN for code in n_codes], dtype=bool)
    low = np.zeros(structure.size)
    high = np.zeros(structure.size)
    for c, code in enumerate(n_codes):
        low[c], high[c] = n_interval(code)
    # Relations whose every member is bounded are the only ones that bound a part.
    for _ in range(_ROUNDS):
        changed = False
        for members in structure.members:
            total, parts = int(members[0]), members[1:]
            low_sum, high_sum = float(low[parts].sum()), float(high[parts].sum())
            if low_sum > low[total]:
                low[total], changed = low_sum, True
            if high_sum < high[total]:
                high[total], changed = high_sum, True
            if math.isinf(high[total]):
                continue
            for c in parts.tolist():
                others = [p for p in parts.tolist() if p != c]
                top = high[total] - float(low[others].sum())
                bottom = low[total] - float(high[others].sum())
                if top < high[c]:
                    high[c], changed = top, True
                if bottom > low[c]:
                    low[c], changed = bottom, True
        if not changed:
            break
    return hidden & (high < policy.k)
