"""Complementary suppression: the cheapest complements that keep every rule.

Over the one global relation matrix of the release, these rules must hold:

1. no relation has exactly one hidden cell (it would follow by subtraction);
2. when a relation's total is shown, its hidden parts do not sum to 1..k-1
   (their sum would be a published small group);
3. a hidden cell of one respondent is not paired with only one other hidden
   cell (that respondent could subtract themself and learn the other);
4. a shown group does not hide just one answered option of an item (the
   options add up to the group's answered count).

Rules 1 to 3 hold for the cells (with each group's n); rule 1 holds again in
each count's own layer, where a shown group may hide one value. Among all sets
of complements that keep them, the one chosen hides the fewest respondents: a
complement costs its n (times ``total_cost`` for a margin cell), so a small group
beside a hidden one is hidden before a large one, whatever the number of
relations it opens. The choice is the integer program of
:mod:`analysis.disclosure.least_cost`, solved by HiGHS to proven optimality (its
relaxation is most often whole already) or, past ``MAX_NODES`` branch-and-bound
nodes, to the best point found with the bound it proved; if it finds none, a
greedy pass (fewest new broken relations, then the lowest cost) runs to a fixed
point and is pruned of what it made redundant. A relation that no
complement can mend is left to the audit, which hides its block. Empty cells are
never complements. HiGHS is deterministic and the limit counts nodes, not
seconds, so the same input always gives the same pattern.

References
----------
.. [1] Fischetti, M. and Salazar-Gonzalez, J.-J. (2001). Solving the cell
   suppression problem on tabular data with linear constraints. *Management
   Science* 47(7), 1008-1027.
.. [2] Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley,
   chapter 4 (secondary suppression as a least-cost problem).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.disclosure.cells import Structure, quantity_name
from analysis.disclosure.least_cost import Memberships, cheapest_cells
from analysis.disclosure.policy import Policy
from analysis.disclosure.primary import Pattern, Reason

__all__ = [
    "Complements",
    "cheapest_complement",
    "complementary_suppression",
    "cost_of",
    "hide_cheapest",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Complements:
    """What complementary suppression added, its cost, and a lower bound on the cheapest.

    ``cost`` adds the cost of every complement added (n, times ``total_cost`` for a
    margin cell); ``bound`` is what the programs proved no set of complements can
    undercut, so ``gap`` is 0 when the choice is proven cheapest.

    Examples
    --------
    >>> Complements(2, 50.0, 40.0).gap
    0.2
    >>> (Complements(1, 10.0, 10.0) + Complements(2, 30.0, 30.0)).cost
    40.0
    """

    added: int = 0
    cost: float = 0.0
    bound: float = 0.0

    @property
    def gap(self) -> float:
        """Relative gap ``(cost - bound) / cost``: 0 when proven cheapest."""
        return 0.0 if self.cost <= 0 else max(0.0, (self.cost - self.bound) / self.cost)

    def __add__(self, other: Complements) -> Complements:
        return Complements(
            self.added + other.added, self.cost + other.cost, self.bound + other.bound
        )


def cost_of(structure: Structure, policy: Policy) -> FloatArray:
    """The cost of hiding each cell: its n, times ``total_cost`` for a margin cell.

    Examples
    --------
    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> rel = Release((Dimension("g", ("a", "b")),), (Table("t", ("g",)),),
    ...               (Cell((), 30), Cell((("g", "a"),), 12), Cell((("g", "b"),), 18)))
    >>> cost_of(rel.structure(), Policy()).tolist()
    [60.0, 12.0, 18.0]
    """
    factor = np.where(structure.is_total, policy.total_cost, 1.0)
    cost: FloatArray = structure.n.astype(np.float64) * factor
    return cost


def complementary_suppression(
    structure: Structure, pattern: Pattern, policy: Policy
) -> Complements:
    """Add the cheapest complements to ``pattern`` in place so that every rule holds.

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
    Complements
        How many complements were added, their cost and the bound proved.

    Examples
    --------
    The group of 4 needs a partner: the 26 costs less than the 30 or the total.

    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> from analysis.disclosure.primary import primary_suppression
    >>> rel = Release((Dimension("g", ("a", "b", "c")),), (Table("t", ("g",)),),
    ...               (Cell((), 60), Cell((("g", "a"),), 4), Cell((("g", "b"),), 26),
    ...                Cell((("g", "c"),), 30)))
    >>> s = rel.structure()
    >>> p = primary_suppression(s, Policy())
    >>> complementary_suppression(s, p, Policy())
    Complements(added=1, cost=26.0, bound=26.0)
    >>> [Reason(r).name for r in p.cells]
    ['SHOWN', 'SMALL', 'COMPLEMENT', 'SHOWN']
    """
    cost = cost_of(structure, policy)
    memberships = Memberships.of(structure)
    hidden = pattern.hidden()
    eligible = pattern.cells == Reason.SHOWN
    added, found = _layer(memberships, structure, hidden, eligible, cost, policy, sums=True)
    for c in added:
        pattern.cells[c] = Reason.COMPLEMENT
    total = found
    pending = set(pattern.values)
    while pending:
        for q in sorted(pending):
            own = pattern.values[q]
            hidden_q = pattern.value_hidden(q)
            eligible_q = (pattern.cells == Reason.SHOWN) & (own == Reason.SHOWN)
            added_q, found_q = _layer(
                memberships, structure, hidden_q, eligible_q, cost, policy, sums=False
            )
            for c in added_q:
                own[c] = Reason.COMPLEMENT
            total += found_q
        within = _within_cells(structure, pattern)
        spent = sum(float(cost[c]) for _, c in within)
        total += Complements(len(within), spent, spent)
        pending = {q for q, _ in within}
    return total


def _within_cells(structure: Structure, pattern: Pattern) -> list[tuple[str, int]]:
    """Hide a second answered option wherever a shown group hides only one.

    The answered options of an item add up to the group's answered count, so one hidden
    percentage beside the others follows by subtraction once that count is pinned (and
    beside a group of under 101 it usually is). The partner is the option with the most
    answers, which leaves the hidden one the widest range; ties go to the first option.
    Every option of the group costs the same, so the choice is also a cheapest one.
    Returns the values hidden, as (quantity, cell).
    """
    changed: list[tuple[str, int]] = []
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
            changed.append((quantities[j], c))
    return changed


def _layer(
    memberships: Memberships,
    structure: Structure,
    hidden: BoolArray,
    eligible: BoolArray,
    cost: FloatArray,
    policy: Policy,
    *,
    sums: bool,
) -> tuple[list[int], Complements]:
    """The complements of one layer (the cells, or one count's values) and their cost."""
    if not memberships.broken(hidden, policy, sums=sums).any():
        return [], Complements()
    n = structure.n
    found = cheapest_cells(memberships, hidden, eligible, cost, policy, sums=sums)
    if found.cells is None:
        # No point within the node limit: the greedy fixed point, pruned of what it
        # made redundant, stands in; the program's bound still says how far it may be.
        greedy = _fixed_point(structure, hidden, eligible, n, policy, sums=sums)
        chosen = _pruned(structure, hidden, greedy, cost, policy, sums=sums)
    else:
        chosen = found.cells
        mended = hidden.copy()
        mended[chosen] = True
        if (
            memberships.broken(mended, policy, sums=sums)
            & memberships.mendable(mended, eligible & ~mended, policy, sums=sums)
        ).any():
            # The program's rows are the rules, so this never adds; it keeps them
            # whole should a rounded point ever miss one.
            chosen = sorted(
                chosen + _fixed_point(structure, mended, eligible, n, policy, sums=sums)
            )
    spent = float(cost[chosen].sum())
    return chosen, Complements(len(chosen), spent, min(spent, found.bound))


def _pruned(
    structure: Structure,
    hidden: BoolArray,
    added: list[int],
    cost: FloatArray,
    policy: Policy,
    *,
    sums: bool,
) -> list[int]:
    """``added`` without the complements that the others make redundant, dearest first."""
    mask = hidden.copy()
    mask[added] = True
    for c in sorted(added, key=lambda c: (-float(cost[c]), -c)):
        mask[c] = False
        if any(
            _broken(structure.members[r], mask, structure.n, policy, sums)
            for r in structure.cell_relations[c]
        ):
            mask[c] = True
    return [c for c in sorted(added) if mask[c]]


def cheapest_complement(
    structure: Structure,
    relation: int,
    hidden: BoolArray,
    eligible: BoolArray,
    policy: Policy,
) -> int | None:
    """The complement in ``relation`` whose hiding, with the partners it needs, costs least.

    A candidate costs its own cost plus, for every relation it would leave with a
    single hidden cell, the cheapest partner there (rule 1 asks for one). A candidate
    that would leave such a relation with no partner is taken only when no other is
    left. Ties go to the cheaper cell itself, then to the first cell.

    Examples
    --------
    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> rel = Release((Dimension("g", ("a", "b", "c")),), (Table("t", ("g",)),),
    ...               (Cell((), 60), Cell((("g", "a"),), 4), Cell((("g", "b"),), 26),
    ...                Cell((("g", "c"),), 30)))
    >>> s = rel.structure()
    >>> hidden = np.array([False, True, True, False])
    >>> cheapest_complement(s, 0, hidden, ~hidden, Policy())
    3
    """
    cost = cost_of(structure, policy)
    best: tuple[bool, float, float, int] | None = None
    for c in structure.members[relation].tolist():
        if not eligible[c] or hidden[c]:
            continue
        estimate = float(cost[c])
        stranded = False
        for r in structure.cell_relations[c]:
            members = structure.members[r]
            if hidden[members].any():
                continue
            partners = [float(cost[d]) for d in members.tolist() if d != c and eligible[d]]
            if partners:
                estimate += min(partners)
            else:
                stranded = True
        candidate = (stranded, estimate, float(cost[c]), c)
        if best is None or candidate < best:
            best = candidate
    return None if best is None else best[3]


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
