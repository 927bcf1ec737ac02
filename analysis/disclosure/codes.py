"""The published codes of a suppression pattern: what the attacker sees."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.disclosure.cells import Structure
from analysis.disclosure.policy import HIDDEN, Policy, code_n, code_percent
from analysis.disclosure.primary import Pattern

__all__ = ["Codes", "published_codes"]


@dataclass(frozen=True)
class Codes:
    """Published n code per cell and percent code per cell for every count.

    Empty cells publish n as ``"0"`` and their percentages as ``""``; so do
    shown cells where nobody answered an item. The missing option of an item
    is never published: its code is ``""`` everywhere.
    """

    n: tuple[str, ...]
    counts: dict[str, tuple[str, ...]]


def published_codes(structure: Structure, pattern: Pattern, policy: Policy) -> Codes:
    """Code every value of ``structure`` under ``pattern``.

    Examples
    --------
    >>> from analysis.disclosure.cells import Cell, Dimension, Item, Release, Table
    >>> from analysis.disclosure.primary import primary_suppression
    >>> rel = Release((Dimension("g", ("a", "b")),), (Table("t", ("g",)),),
    ...               (Cell((), 40, {"u": (6,)}), Cell((("g", "a"),), 20, {"u": (3,)}),
    ...                Cell((("g", "b"),), 20, {"u": (3,)})), items=(Item("u"),))
    >>> s = rel.structure()
    >>> published_codes(s, primary_suppression(s, Policy()), Policy()).counts["u"]
    ('15%', '15%', '15%')
    """
    hidden = pattern.hidden()
    n_codes = tuple(
        HIDDEN if hidden[c] else code_n(int(structure.n[c]), policy) for c in range(structure.size)
    )
    counts: dict[str, tuple[str, ...]] = {}
    for q, values in structure.counts.items():
        if not structure.published(q):
            counts[q] = ("",) * structure.size
            continue
        mask = pattern.value_hidden(q)
        denominator = structure.denominator(q)
        counts[q] = tuple(
            HIDDEN
            if mask[c]
            else ""
            if denominator[c] == 0
            else code_percent(int(values[c]), int(denominator[c]), policy)
            for c in range(structure.size)
        )
    return Codes(n_codes, counts)
