"""What the published percentages of a group reveal about its size.

A whole-number percentage ``p%`` of a group of ``n`` needs an integer count
``y`` with ``(2p - 1) n <= 200 y <= (2p + 1) n - 1``. Below 101 respondents
many sizes have no such count, so each plain percentage rules sizes out, and
a group that publishes forty of them beside its band of n is often pinned to
one size: the band alone protects nothing. Top and bottom codes and plain
codes also name the tier they came from, which bounds the size.

The domain of a group's n is the union of disjoint integer intervals left by
its band and every percentage published of it (in this release and in the
ledger). Only percentages whose denominator is n count: the percentages of
an item with a missing option are of an unknown part of n and constrain n
only through their tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from analysis.disclosure.cells import Structure
from analysis.disclosure.codes import Codes
from analysis.disclosure.ledger import Ledger
from analysis.disclosure.policy import HIDDEN, Policy, denominator_range

__all__ = ["Domain", "domain_bounds", "n_domains", "plain_sizes"]

Domain = tuple[tuple[int, float], ...]
"""Disjoint integer intervals ``(low, high)`` in increasing order; ``high`` may be inf."""

_SMALL = 101
"""From this size up every plain percentage has a count (the rounding interval is wide)."""


@lru_cache(maxsize=1)
def _plain_table() -> npt.NDArray[np.bool_]:
    sizes = np.arange(_SMALL, dtype=np.int64)
    p = np.arange(101, dtype=np.int64)[:, None]
    low = -((-(2 * p - 1) * sizes) // 200)
    high = ((2 * p + 1) * sizes - 1) // 200
    table: npt.NDArray[np.bool_] = (low <= high) & (low <= sizes) & (sizes >= 1)
    return table


def plain_sizes(percent: int) -> npt.NDArray[np.int64]:
    """Group sizes below 101 for which a plain ``percent%`` can occur.

    Examples
    --------
    >>> [int(n) for n in plain_sizes(33) if n <= 20]
    [3, 6, 9, 12, 15, 18]
    """
    if not 0 <= percent <= 100:
        raise ValueError(f"percent must be in 0..100, got {percent}")
    return np.flatnonzero(_plain_table()[percent]).astype(np.int64)


def n_domains(
    structure: Structure,
    codes: Codes,
    policy: Policy,
    lb: npt.NDArray[np.float64],
    ub: npt.NDArray[np.float64],
    ledger: Ledger | None = None,
) -> list[Domain]:
    """The domain of every cell's n, from its bounds and its published percentages.

    Parameters
    ----------
    structure, codes, policy
        The release, its published codes and policy.
    lb, ub : ndarray
        Bounds of every n from the published n codes (``ub`` may be inf).
    ledger : Ledger, optional
        Percentages published by earlier releases count too.

    Returns
    -------
    list of Domain
        One per cell, in cell order.

    Examples
    --------
    A band of 10-19 beside 33 % and 25 % leaves only n = 12.

    >>> from analysis.disclosure.cells import Cell, Dimension, Item, Release, Table
    >>> from analysis.disclosure.primary import primary_suppression
    >>> from analysis.disclosure.codes import published_codes
    >>> rel = Release((Dimension("g", ("a",)),), (Table("t", ("g",)),),
    ...               (Cell((), 12, {"u": (4,), "v": (3,)}),
    ...                Cell((("g", "a"),), 12, {"u": (4,), "v": (3,)})),
    ...               items=(Item("u"), Item("v")))
    >>> s = rel.structure()
    >>> from analysis.disclosure.policy import Tier
    >>> policy = Policy(tiers=(Tier(10, 0, 100),))
    >>> codes = published_codes(s, primary_suppression(s, policy), policy)
    >>> n_domains(s, codes, policy, np.array([10.0, 10.0]), np.array([19.0, 19.0]))
    [((12, 12.0),), ((12, 12.0),)]
    """
    own: list[list[str]] = [[] for _ in range(structure.size)]
    # A percentage of those who answered names a tier too, and the answered are at
    # most n: only the highest tier floor among them counts.
    floor = np.zeros(structure.size)

    def answered_floor(values: Sequence[str]) -> npt.NDArray[np.float64]:
        lows = {
            code: 0.0 if code in ("", HIDDEN) else float(denominator_range(code, policy)[0])
            for code in set(values)
        }
        return np.fromiter((lows[code] for code in values), float, len(values))

    for q, values in codes.counts.items():
        if structure.items[structure.item_of[q]].missing is None:
            for c, code in enumerate(values):
                if code not in ("", HIDDEN):
                    own[c].append(code)
        else:
            np.maximum(floor, answered_floor(values), out=floor)
    if ledger is not None:
        for entry in ledger.entries:
            at = structure.index.get(entry.key)
            if at is None or entry.quantity not in structure.item_of:
                continue
            if structure.items[structure.item_of[entry.quantity]].missing is None:
                if entry.code not in ("", HIDDEN):
                    own[at].append(entry.code)
            else:
                floor[at] = max(floor[at], answered_floor([entry.code])[0])
    table = _plain_table()
    domains: list[Domain] = []
    for c in range(structure.size):
        low, high = float(lb[c]), float(ub[c])
        if low == high:
            domains.append(((int(low), high),))
            continue
        low = max(low, float(floor[c]))
        if not own[c]:
            if low > high:
                raise ValueError(f"published values of cell {c} contradict each other")
            domains.append(((int(low), high),))
            continue
        plain: set[int] = set()
        for code in own[c]:
            tier_low, tier_high = denominator_range(code, policy)
            low, high = max(low, tier_low), min(high, tier_high)
            if code[0].isdigit():
                plain.add(int(code[:-1]))
        if low > high:
            raise ValueError(f"published values of cell {c} contradict each other")
        domains.append(_intervals(low, high, table[sorted(plain)]))
    return domains


def _intervals(low: float, high: float, rows: npt.NDArray[np.bool_]) -> Domain:
    if low > high:
        raise ValueError("empty domain")
    top = min(high, _SMALL - 1)
    out: list[tuple[int, float]] = []
    if low <= top:
        mask: npt.NDArray[np.bool_] = (
            np.ones(_SMALL, dtype=bool) if rows.size == 0 else np.all(rows, axis=0)
        )
        mask[: int(low)] = False
        mask[int(top) + 1 :] = False
        sizes = np.flatnonzero(mask)
        if sizes.size:
            breaks = np.flatnonzero(np.diff(sizes) > 1)
            starts = np.concatenate([[sizes[0]], sizes[breaks + 1]])
            ends = np.concatenate([sizes[breaks], [sizes[-1]]])
            out.extend((int(a), float(b)) for a, b in zip(starts, ends, strict=True))
    if high >= _SMALL:
        start = int(max(low, _SMALL))
        if out and out[-1][1] == start - 1:
            out[-1] = (out[-1][0], high)
        else:
            out.append((start, high))
    if not out:
        raise ValueError("the published percentages of a group contradict its n")
    return tuple(out)


def domain_bounds(domain: Sequence[tuple[int, float]]) -> tuple[int, float]:
    """Lowest and highest n of a domain.

    Examples
    --------
    >>> domain_bounds(((3, 3), (6, 9)))
    (3, 9)
    """
    return domain[0][0], domain[-1][1]
