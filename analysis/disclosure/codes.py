"""The published codes of a suppression pattern: what the attacker sees."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from analysis.disclosure.cells import Structure, quantity_name
from analysis.disclosure.policy import HIDDEN, Policy, code_mean, code_n
from analysis.disclosure.primary import Pattern

__all__ = ["Codes", "published_codes"]


@dataclass(frozen=True)
class Codes:
    """Published n code per cell, percent code per cell for every count, mean code per scale.

    Empty cells publish n as ``"0"`` and their percentages as ``""``; so do
    shown cells where nobody answered an item. The missing option of an item
    is never published: its code is ``""`` everywhere. A mean is ``""`` where
    nobody was scored. With ``Policy.answered_bands``, ``answered`` gives for
    an item with a missing option the band of those who answered beside its
    shown percentages, ``""`` where none is shown.
    """

    n: tuple[str, ...]
    counts: dict[str, tuple[str, ...]]
    means: dict[str, tuple[str, ...]] = field(default_factory=dict)
    answered: dict[str, tuple[str, ...]] = field(default_factory=dict)


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
    exact = [
        policy.exact_for(key) and c not in pattern.banded for c, key in enumerate(structure.keys)
    ]
    n_codes = tuple(
        HIDDEN if hidden[c] else code_n(int(structure.n[c]), policy, exact=exact[c])
        for c in range(structure.size)
    )
    counts: dict[str, tuple[str, ...]] = {}
    for q, values in structure.counts.items():
        if not structure.published(q):
            counts[q] = ("",) * structure.size
            continue
        mask = pattern.value_hidden(q)
        denominator = structure.denominator(q)
        coded = _percent_codes(values, denominator, ~mask & (denominator > 0), policy)
        counts[q] = tuple(
            HIDDEN if mask[c] else "" if denominator[c] == 0 else coded[c]
            for c in range(structure.size)
        )
    answered: dict[str, tuple[str, ...]] = {}
    for name, item in structure.items.items():
        if item.missing is None or not policy.answered_bands:
            continue
        size = structure.denominator(quantity_name(name, item.answered[0]))
        options = [counts[quantity_name(name, o)] for o in item.answered]
        answered[name] = tuple(
            code_n(int(size[c]), policy, exact=exact[c])
            if any(codes[c] not in ("", HIDDEN) for codes in options)
            else ""
            for c in range(structure.size)
        )
    return Codes(n_codes, counts, _means(structure, pattern, policy), answered)


def _percent_codes(
    values: npt.NDArray[np.int64],
    denominator: npt.NDArray[np.int64],
    wanted: npt.NDArray[np.bool_],
    policy: Policy,
) -> list[str]:
    """``code_percent`` of every cell at once (``""`` where not ``wanted``)."""
    tiers = policy.tiers_sorted
    mins = np.array([t.min_n for t in tiers])
    fits = denominator[:, None] >= mins[None, :]
    if np.any(wanted & ~fits.any(axis=1)):
        bad = int(denominator[np.flatnonzero(wanted & ~fits.any(axis=1))[0]])
        raise ValueError(f"n={bad} is below every tier")
    tier = np.argmax(fits, axis=1)
    low = np.array([t.low for t in tiers])[tier]
    high = np.array([t.high for t in tiers])[tier]
    rounded = (200 * values + denominator) // np.maximum(2 * denominator, 1)
    # One string per distinct code: -1 - low for a bottom code, 1000 + high for a top code.
    key = np.where(rounded <= low, -1 - low, np.where(rounded >= high, 1000 + high, rounded))
    key = np.where(wanted, key, -10_000)
    labels: dict[int, str] = {-10_000: ""}
    for k in np.unique(key).tolist():
        if k not in labels:
            labels[k] = f"<={-1 - k}%" if k < 0 else f">={k - 1000}%" if k >= 1000 else f"{k}%"
    return [labels[k] for k in key.tolist()]


def _means(structure: Structure, pattern: Pattern, policy: Policy) -> dict[str, tuple[str, ...]]:
    means: dict[str, tuple[str, ...]] = {}
    for name, scale in structure.scales.items():
        hidden = pattern.hidden()
        size = structure.n
        if scale.item is not None:
            item = structure.items[scale.item]
            first = quantity_name(item.name, item.answered[0])
            # The mean shares the status of its item's percentages (those scored), so
            # it is hidden wherever they are and has their complements.
            hidden = pattern.value_hidden(first)
            size = structure.denominator(first)
        total, squares = structure.sums[name], structure.squares[name]
        means[name] = tuple(
            HIDDEN
            if hidden[c] or 1 <= size[c] < policy.k
            else ""
            if size[c] == 0
            else code_mean(
                float(total[c]), float(squares[c]), int(size[c]), scale.low, scale.high, policy
            )
            for c in range(structure.size)
        )
    return means
