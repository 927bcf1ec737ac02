"""Complementary suppression: a deterministic greedy pass to a fixed point.

Over the one global relation matrix of the release, until no rule is broken:

1. no relation has exactly one hidden cell (it would follow by subtraction);
2. when a relation's total is shown, its hidden parts do not sum to 1..k-1
   (their sum would be a published small group);
3. a hidden cell of one respondent is not paired with only one other hidden
   cell (that respondent could subtract themself and learn the other);
4. a shown group does not hide just one answered option of an item (the
   options add up to the group's answered count).

Complements are chosen by the fewest new broken relations, then the lowest cost
(n, times ``total_cost`` for margin cells), then the cell order, so the same
input always gives the same pattern. Empty cells are never complements.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

from analysis.disclosure.cells import Structure, quantity_name
from analysis.disclosure.policy import Policy
from analysis.disclosure.primary import Pattern, Reason

__all__ = ["complementary_suppression", "hide_cheapest"]


def complementary_suppression(structure: Structure, pattern: Pattern, policy: Policy) -> int:
    """Add complements to ``pattern`` in place until every rule holds.

    Parameters
    ----------
    structure : Structure
        Cells and relations.
    pattern : Pattern
        Pattern after primary suppression; updated in place.
    policy : Policy
        Thresholds and the cost of totals.

    Returns
    -------
    int
        Number of complements added.

    Examples
    --------
    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> from analysis.disclosure.primary import primary_suppression
    >>> rel = Release((Dimension("g", ("a", "b", "c")),), (Table("t", ("g",)),),
    ...               (Cell((), 60), Cell((("g", "a"),), 4), Cell((("g", "b"),), 26),
    ...                Cell((("g", "c"),), 30)))
    >>> s = rel.structure()
    >>> p = primary_suppression(s, Policy())
    >>> complementary_suppression(s, p, Policy())
    1
    >>> [Reason(r).name for r in p.cells]
    ['SHOWN', 'SMALL', 'COMPLEMENT', 'SHOWN']
    """
    n = structure.n
    hidden = pattern.hidden()
    eligible = pattern.cells == Reason.SHOWN
    added = _fixed_point(structure, hidden, eligible, n, policy, sums=True)
    for c in added:
        pattern.cells[c] = Reason.COMPLEMENT
    total = len(added)
    pending = set(pattern.values)
    while pending:
        for q in sorted(pending):
            own = pattern.values[q]
            hidden_q = pattern.value_hidden(q)
            eligible_q = (pattern.cells == Reason.SHOWN) & (own == Reason.SHOWN)
            added_q = _fixed_point(structure, hidden_q, eligible_q, n, policy, sums=False)
            for c in added_q:
                own[c] = Reason.COMPLEMENT
            total += len(added_q)
        within = _within_cells(structure, pattern)
        total += len(within)
        pending = within
    return total


def _within_cells(structure: Structure, pattern: Pattern) -> set[str]:
    """Hide a second answered option wherever a shown group hides only one.

    The answered options of an item add up to the group's answered count, so one hidden
    percentage beside the others follows by subtraction once that count is pinned (and
    beside a group of under 101 it usually is). The partner is the option with the most
    answers, which leaves the hidden one the widest range; ties go to the first option.
    Returns the quantities that gained a hidden value.
    """
    changed: set[str] = set()
    shown = pattern.cells == Reason.SHOWN
    for item in structure.items.values():
        quantities = [quantity_name(item.name, o) for o in item.answered]
        if len(quantities) < 2 or any(q not in pattern.values for q in quantities):
            continue
        hidden = np.stack([pattern.values[q] >= Reason.SMALL for q in quantities])
        lone = np.flatnonzero(shown & (hidden.sum(axis=0) == 1))
        for c in lone.tolist():
            counts = [
                (-int(structure.counts[q][c]), j)
                for j, q in enumerate(quantities)
                if not hidden[j, c]
            ]
            _, j = min(counts)
            pattern.values[quantities[j]][c] = Reason.COMPLEMENT
            changed.add(quantities[j])
    return changed


def hide_cheapest(
    structure: Structure,
    relation: int,
    hidden: npt.NDArray[np.bool_],
    eligible: npt.NDArray[np.bool_],
    policy: Policy,
) -> int | None:
    """The complement the greedy rule would pick in ``relation``, or None."""
    members = structure.members[relation]
    best: tuple[int, float, int] | None = None
    for c in members.tolist():
        if not eligible[c] or hidden[c]:
            continue
        fresh = sum(
            1
            for r in structure.cell_relations[c]
            if r != relation and not hidden[structure.members[r]].any()
        )
        cost = float(structure.n[c]) * (policy.total_cost if structure.is_total[c] else 1.0)
        candidate = (fresh, cost, c)
        if best is None or candidate < best:
            best = candidate
    return None if best is None else best[2]


def _broken(
    members: npt.NDArray[np.int64],
    hidden: npt.NDArray[np.bool_],
    n: npt.NDArray[np.int64],
    policy: Policy,
    sums: bool,
) -> bool:
    mask = hidden[members]
    count = int(mask.sum())
    if count == 0:
        return False
    if count == 1:
        return True
    if not sums:
        return False
    sizes = n[members[mask]]
    if not mask[0] and 1 <= int(sizes.sum()) < policy.k:
        return True
    return count == 2 and int(sizes.min()) == 1


def _fixed_point(
    structure: Structure,
    hidden: npt.NDArray[np.bool_],
    eligible: npt.NDArray[np.bool_],
    n: npt.NDArray[np.int64],
    policy: Policy,
    *,
    sums: bool,
) -> list[int]:
    hidden = hidden.copy()
    queue = deque(range(len(structure.members)))
    queued = np.ones(len(structure.members), dtype=bool)
    added: list[int] = []
    while queue:
        r = queue.popleft()
        queued[r] = False
        if not _broken(structure.members[r], hidden, n, policy, sums):
            continue
        c = hide_cheapest(structure, r, hidden, eligible, policy)
        if c is None:
            # Nothing left to hide here; the audit decides whether the block
            # must be hidden whole.
            continue
        hidden[c] = True
        added.append(c)
        for other in (r, *structure.cell_relations[c]):
            if not queued[other]:
                queued[other] = True
                queue.append(other)
    return added
