"""Primary suppression: the cells and values that may never be shown.

Reasons are internal: the published tables show one symbol for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from analysis.disclosure.cells import Structure, quantity_name
from analysis.disclosure.policy import (
    HIDDEN,
    Policy,
    code_mean,
    code_n,
    code_percent,
    count_interval,
)

__all__ = ["Pattern", "Reason", "primary_suppression"]


class Reason(IntEnum):
    """Why a cell or value has its status (internal only).

    ``KEPT`` and ``FIXED`` mark a cell or value whose status this release does not
    choose (the data of an earlier edition, shown or hidden as it was then, or what
    changed since, never shown): never a complement, and audited only when marked
    primary instead.

    Examples
    --------
    >>> Reason.SMALL.hidden
    True
    >>> Reason.EMPTY.hidden
    False
    """

    KEPT = -1
    SHOWN = 0
    EMPTY = 1
    SMALL = 2
    PAIR = 3
    COMPLEMENT = 4
    AUDIT = 5
    BLOCK = 6
    SMALL_COUNT = 7
    SMALL_ANSWERED = 8
    UNIFORM = 9
    FIXED = 10

    @property
    def hidden(self) -> bool:
        """Whether this reason hides the value."""
        return self >= Reason.SMALL

    @property
    def primary(self) -> bool:
        """Whether the value is hidden for its own sake (and so is audited)."""
        return self in (Reason.SMALL, Reason.SMALL_COUNT, Reason.SMALL_ANSWERED, Reason.UNIFORM)


@dataclass
class Pattern:
    """A suppression pattern being built: one reason per cell, and per value.

    ``cells[c]`` is the reason of cell ``c``; ``values[q][c]`` the reason of
    the count ``q`` in cell ``c`` when that cell is shown. Sensitive counts
    and every answered option of an item with a missing option have their
    own reasons; other counts follow their cell. ``banded`` holds the cells whose
    n the policy would publish exactly but that publish it in a band instead,
    because the exact number exposed a small group beside them.
    """

    cells: npt.NDArray[np.int8]
    values: dict[str, npt.NDArray[np.int8]]
    banded: set[int] = field(default_factory=set)

    def hidden(self) -> npt.NDArray[np.bool_]:
        """Mask of hidden cells."""
        return self.cells >= Reason.SMALL

    def value_hidden(self, quantity: str) -> npt.NDArray[np.bool_]:
        """Mask of hidden values of one count (hidden cells hide all their values)."""
        own = self.values.get(quantity)
        if own is None:
            return self.hidden()
        return self.hidden() | (own >= Reason.SMALL)

    def copy(self) -> Pattern:
        """An independent copy."""
        return Pattern(
            self.cells.copy(), {q: v.copy() for q, v in self.values.items()}, set(self.banded)
        )


def primary_suppression(structure: Structure, policy: Policy) -> Pattern:
    """Hide small groups, the other side of two-way splits, and telling counts.

    Parameters
    ----------
    structure : Structure
        The release's cells and relations.
    policy : Policy
        Thresholds.

    Returns
    -------
    Pattern
        Groups of 1 to k-1 are ``SMALL``; empty groups ``EMPTY`` (shown, and
        never complements); the partner of a hidden side of a two-category
        split with a shown total ``PAIR``; a sensitive count that its shown n
        and percentage pin to 1..sensitive_count_k-1 ``SMALL_COUNT``; every
        answered option of a shown cell where 1 to k-1 respondents answered
        the item ``SMALL_ANSWERED``; and every answered option of a scale's item
        where the scale's mean is withheld because all scored alike (or at an
        end) ``UNIFORM``: the withheld mean beside them would say that every
        score, and so nearly every count, sits at one value.

    Examples
    --------
    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> rel = Release((Dimension("sex", ("F", "M")),), (Table("t", ("sex",)),),
    ...               (Cell((), 30), Cell((("sex", "F"),), 4), Cell((("sex", "M"),), 26)))
    >>> [Reason(r).name for r in primary_suppression(rel.structure(), Policy()).cells]
    ['SHOWN', 'SMALL', 'PAIR']
    """
    n = structure.n
    cells = np.where(n == 0, Reason.EMPTY, Reason.SHOWN).astype(np.int8)
    cells[(n >= 1) & (n < policy.k)] = Reason.SMALL
    for members in structure.members:
        if len(members) != 3 or cells[members[0]] >= Reason.SMALL:
            continue
        a, b = int(members[1]), int(members[2])
        if cells[a] >= Reason.SMALL and cells[b] == Reason.SHOWN:
            cells[b] = Reason.PAIR
        elif cells[b] >= Reason.SMALL and cells[a] == Reason.SHOWN:
            cells[a] = Reason.PAIR
    values: dict[str, npt.NDArray[np.int8]] = {}
    shown_mask = cells == Reason.SHOWN
    for item in structure.items.values():
        if item.missing is None:
            continue
        answered = structure.denominator(quantity_name(item.name, item.answered[0]))
        small = shown_mask & (answered >= 1) & (answered < policy.k)
        for option in item.answered:
            own = np.zeros(structure.size, dtype=np.int8)
            own[small] = Reason.SMALL_ANSWERED
            values[quantity_name(item.name, option)] = own
    for name, scale in structure.scales.items():
        if scale.item is None or structure.items[scale.item].missing is None:
            continue
        item = structure.items[scale.item]
        first = quantity_name(item.name, item.answered[0])
        scored = structure.denominator(first)
        total, squares = structure.sums[name], structure.squares[name]
        for c in np.flatnonzero(shown_mask & (scored >= policy.k)).tolist():
            size = int(scored[c])
            code = code_mean(
                float(total[c]), float(squares[c]), size, scale.low, scale.high, policy
            )
            if code == HIDDEN:
                for option in item.answered:
                    own = values[quantity_name(item.name, option)]
                    if own[c] == Reason.SHOWN:
                        own[c] = Reason.UNIFORM
    for q in structure.sensitive:
        own = values.setdefault(q, np.zeros(structure.size, dtype=np.int8))
        counts = structure.counts[q]
        size_of = structure.denominator(q)
        for c in np.flatnonzero(shown_mask & (own == Reason.SHOWN)).tolist():
            y = int(counts[c])
            size = int(size_of[c])
            if not 1 <= y < policy.sensitive_count_k or size == 0:
                continue
            # Those who answered are published as n is: exactly or in a band.
            exact = policy.exact_for(structure.keys[c])
            low, high = count_interval(
                code_n(size, policy, exact=exact), code_percent(y, size, policy)
            )
            if low == high:
                own[c] = Reason.SMALL_COUNT
    return Pattern(cells, values)
