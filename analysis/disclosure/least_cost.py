"""The least-cost complement program: which cells to hide so the rules hold, at least cost.

For one layer (the cells, or one count's values) with some cells hidden and some
free to hide, the program has one binary ``x`` per free cell (hide it) and one
binary ``y`` per relation (it holds a hidden cell). For a relation with ``H`` of
its members already hidden:

- ``x_d <= y`` for every free member, and ``y = 1`` when ``H > 0``;
- ``H + sum(x) >= 2 y``: no relation with exactly one hidden cell (rule 1);

and where the layer is the cells' own, with their n:

- when the total is not hidden, ``n of the hidden parts + k x_total >= k y``:
  hidden parts of a shown total do not sum to 1..k-1 (rule 2);
- a hidden cell of one respondent has at least two hidden partners (rule 3).

The objective is the cost of the cells hidden. A relation that has a hidden member
and keeps a rule broken even with every free member hidden cannot be mended by
complements; its rows are left out (the audit hides its block), so the program is
always feasible.

References
----------
.. [1] Fischetti, M. and Salazar-Gonzalez, J.-J. (2001). Solving the cell
   suppression problem on tabular data with linear constraints. *Management
   Science* 47(7), 1008-1027.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.disclosure.cells import Structure
from analysis.disclosure.policy import Policy

__all__ = ["MAX_NODES", "TOL", "Memberships", "Solution", "cheapest_cells"]

MAX_NODES = 5000
"""Branch-and-bound nodes one program may use; past them it answers with a gap.

A limit on nodes, unlike one on seconds, stops at the same point on every run.
"""

TOL = 1e-6
"""Tolerance on integrality and rows of a relaxed point."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Memberships:
    """The relations of a structure as one flat list of (relation, cell) memberships.

    ``head[r]`` is the position of relation ``r``'s total; its parts follow it.

    Examples
    --------
    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> rel = Release((Dimension("g", ("a", "b")),), (Table("t", ("g",)),),
    ...               (Cell((), 30), Cell((("g", "a"),), 12), Cell((("g", "b"),), 18)))
    >>> m = Memberships.of(rel.structure())
    >>> m.cell.tolist(), m.head.tolist()
    ([0, 1, 2], [0])
    """

    relation: IntArray
    cell: IntArray
    head: IntArray
    n: IntArray

    @classmethod
    def of(cls, structure: Structure) -> Memberships:
        """Flatten the relations of ``structure``."""
        sizes = np.array([len(m) for m in structure.members], dtype=np.int64)
        cell = (
            np.concatenate(structure.members).astype(np.int64)
            if structure.members
            else np.zeros(0, dtype=np.int64)
        )
        relation = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        head = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        return cls(relation, cell, head[: len(sizes)], structure.n[cell])

    @property
    def relations(self) -> int:
        """Number of relations."""
        return len(self.head)

    def per_relation(self, values: npt.NDArray[np.generic]) -> FloatArray:
        """Sum of a per-membership array within each relation."""
        sums: FloatArray = np.bincount(
            self.relation, weights=values, minlength=self.relations
        ).astype(np.float64)
        return sums

    def broken(self, hidden: BoolArray, policy: Policy, *, sums: bool) -> BoolArray:
        """Which relations break a rule under ``hidden``.

        Examples
        --------
        >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
        >>> rel = Release((Dimension("g", ("a", "b", "c")),), (Table("t", ("g",)),),
        ...               (Cell((), 30), Cell((("g", "a"),), 4), Cell((("g", "b"),), 4),
        ...                Cell((("g", "c"),), 22)))
        >>> m = Memberships.of(rel.structure())
        >>> m.broken(np.array([False, True, True, False]), Policy(), sums=True).tolist()
        [True]
        >>> m.broken(np.array([False, True, True, False]), Policy(), sums=False).tolist()
        [False]
        """
        h = hidden[self.cell]
        count = self.per_relation(h)
        out: BoolArray = count == 1
        if not sums:
            return out
        total_hidden = h[self.head]
        parts = self.per_relation(np.where(h, self.n, 0)) - np.where(
            total_hidden, self.n[self.head], 0
        )
        out |= ~total_hidden & (parts >= 1) & (parts < policy.k)
        ones = self.per_relation(h & (self.n == 1)) > 0
        out |= (count == 2) & ones
        return out

    def mendable(
        self, hidden: BoolArray, free: BoolArray, policy: Policy, *, sums: bool
    ) -> BoolArray:
        """Which relations could keep every rule if all their free members were hidden.

        The rules only ever ask for more hidden members, so that is the test of
        whether any set of complements can mend a relation. A relation with nothing
        hidden is mendable (by hiding nothing).
        """
        could = (hidden | free)[self.cell]
        count = self.per_relation(could)
        held = self.per_relation(hidden[self.cell])
        ok: BoolArray = count >= 2
        if sums:
            total = could[self.head]
            parts = self.per_relation(np.where(could, self.n, 0)) - np.where(
                total, self.n[self.head], 0
            )
            ok &= total | (parts >= policy.k)
            ones = self.per_relation(hidden[self.cell] & (self.n == 1)) > 0
            ok &= ~ones | (count >= 3)
        mendable: BoolArray = ok | (held == 0)
        return mendable


@dataclass(frozen=True)
class Solution:
    """Cells to hide (None when the program found no point) and the proven bound.

    ``bound`` is a lower bound on the cost of every set of complements that keeps
    the rules; ``optimal`` says the cells are proven cheapest.
    """

    cells: list[int] | None
    bound: float
    optimal: bool


def cheapest_cells(
    memberships: Memberships,
    hidden: BoolArray,
    free: BoolArray,
    cost: FloatArray,
    policy: Policy,
    *,
    sums: bool,
) -> Solution:
    """Solve the complement program of one layer.

    Parameters
    ----------
    memberships : Memberships
        The relations.
    hidden : array of bool
        Cells hidden already (kept hidden).
    free : array of bool
        Cells that may be hidden (shown, non-empty, eligible in this layer).
    cost : array of float
        Cost of hiding each cell.
    policy : Policy
        ``k`` for rule 2.
    sums : bool
        Whether rules 2 and 3 apply (the cells' own layer).

    Returns
    -------
    Solution

    Examples
    --------
    A group of 4 beside groups of 26 and 30 under a total of 60: the 26 is the
    cheapest partner (the total costs twice its n).

    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> rel = Release((Dimension("g", ("a", "b", "c")),), (Table("t", ("g",)),),
    ...               (Cell((), 60), Cell((("g", "a"),), 4), Cell((("g", "b"),), 26),
    ...                Cell((("g", "c"),), 30)))
    >>> s = rel.structure()
    >>> hidden = np.array([False, True, False, False])
    >>> cheapest_cells(Memberships.of(s), hidden, ~hidden, np.array([120.0, 4, 26, 30]),
    ...                Policy(), sums=True)
    Solution(cells=[2], bound=26.0, optimal=True)
    """
    m = memberships
    free = free & ~hidden
    cells = np.flatnonzero(free)
    if not len(cells):
        return Solution([], 0.0, True)
    position = np.full(len(hidden), -1, dtype=np.int64)
    position[cells] = np.arange(len(cells))
    at = position[m.cell]
    is_free = at >= 0
    is_hidden = hidden[m.cell]
    held = m.per_relation(is_hidden)
    active = (m.per_relation(is_free) > 0) & m.mendable(hidden, free, policy, sums=sums)
    y_of = np.full(m.relations, -1, dtype=np.int64)
    y_of[active] = len(cells) + np.arange(int(active.sum()))
    y = y_of[m.relation]
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    lows: list[FloatArray] = []
    count = 0

    def block(row: IntArray, col: IntArray, val: FloatArray, low: FloatArray) -> None:
        nonlocal count
        rows.append(row + count)
        cols.append(col)
        vals.append(val)
        lows.append(low)
        count += len(low)

    # y - x_d >= 0 for every free member: a relation with a hidden cell holds one.
    link = np.flatnonzero(is_free & (y >= 0))
    pairs = np.arange(len(link))
    block(
        np.concatenate([pairs, pairs]),
        np.concatenate([y[link], at[link]]),
        np.concatenate([np.ones(len(link)), -np.ones(len(link))]),
        np.zeros(len(link)),
    )
    # Rule 1: sum of free x - 2 y >= -H.
    order = np.flatnonzero(active)
    row_of = np.full(m.relations, -1, dtype=np.int64)
    row_of[order] = np.arange(len(order))
    member = np.flatnonzero(is_free & (y >= 0))
    block(
        np.concatenate([row_of[m.relation[member]], row_of[order]]),
        np.concatenate([at[member], y_of[order]]),
        np.concatenate([np.ones(len(member)), np.full(len(order), -2.0)]),
        -held[order],
    )
    if sums:
        # Rule 2 where the total is shown: n x of the parts + k x_total - k y >= -n of hidden parts.
        shown_total = active & ~is_hidden[m.head]
        rule2 = np.flatnonzero(shown_total)
        row_of = np.full(m.relations, -1, dtype=np.int64)
        row_of[rule2] = np.arange(len(rule2))
        weight = m.n.astype(np.float64)
        weight[m.head] = policy.k
        member = np.flatnonzero(is_free & shown_total[m.relation])
        hidden_parts = m.per_relation(np.where(is_hidden, m.n, 0))
        block(
            np.concatenate([row_of[m.relation[member]], row_of[rule2]]),
            np.concatenate([at[member], y_of[rule2]]),
            np.concatenate([weight[member], np.full(len(rule2), -float(policy.k))]),
            -hidden_parts[rule2],
        )
        # Rule 3: a hidden one-respondent member needs two hidden partners; a free one
        # (only when k is 1) needs them if it is hidden.
        for j in np.flatnonzero((m.n == 1) & active[m.relation] & (is_hidden | is_free)).tolist():
            r = int(m.relation[j])
            part = np.flatnonzero((m.relation == r) & is_free)
            if is_free[j]:
                coefficient, low = np.where(part == j, -2.0, 1.0), -float(held[r])
            elif held[r] < 3:
                coefficient, low = np.ones(len(part)), 3.0 - float(held[r])
            else:
                continue
            block(np.zeros(len(part), dtype=np.int64), at[part], coefficient, np.array([low]))
    size = len(cells) + len(order)
    matrix = sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(count, size),
    )
    objective = np.concatenate([cost[cells], np.zeros(len(order))])
    lower = np.concatenate([np.zeros(len(cells)), (held[order] > 0).astype(np.float64)])
    constraints = LinearConstraint(matrix, np.concatenate(lows), np.full(count, np.inf))
    bounds = Bounds(lower, np.ones(size))
    # The relations are nearly a network, so the relaxation's vertex is most often whole
    # already, and then it is the integer optimum, proven, at a fifth of the cost.
    relaxed = milp(objective, bounds=bounds, constraints=constraints)
    if relaxed.x is not None:
        point = np.asarray(relaxed.x, dtype=np.float64)
        whole = point.round()
        if np.abs(point - whole).max(initial=0.0) <= TOL and bool(
            np.all(matrix @ whole >= constraints.lb - TOL)
        ):
            return Solution(cells[whole[: len(cells)] > 0.5].tolist(), float(relaxed.fun), True)
    result = milp(
        objective,
        integrality=np.ones(size),
        bounds=bounds,
        constraints=constraints,
        options={"node_limit": MAX_NODES},
    )
    dual = getattr(result, "mip_dual_bound", None)
    bound = float(dual) if dual is not None and np.isfinite(dual) else 0.0
    if relaxed.x is not None:
        bound = max(bound, float(relaxed.fun))
    if result.x is None:
        return Solution(None, bound, False)
    chosen = cells[np.asarray(result.x[: len(cells)]) > 0.5].tolist()
    return Solution(chosen, bound, result.status == 0)
