"""The audit of every item's counts: bounds propagated over the attacker's whole program.

The integer programs of :mod:`analysis.disclosure.audit` prove sensitive counts safe, at a
cost that grows with every item audited. Every other item's counts are audited here, by the
attacker who propagates bounds: each row ``lo <= a @ v <= hi`` of an item's program (every
relation, every published n, band and percentage of this release and of the ledger, the
options adding up to those who answered) bounds each of its variables by the others' bounds,
until nothing moves. What that attacker proves is proved: a hidden group's count pinned to
one value, or proved 0 or all of those who answered, is exposed, and the gate hides more.

No count of a small group (hidden for its size, or whose answers are hidden because few
answered) may be pinned; a larger group's counts are pinned by its rounded percentages
whether shown or hidden. No hidden group's count, small or hidden to protect another, may
be proved 0 or all of those who answered, which a shown group's top and bottom codes never
tell.

References
----------
.. [1] Achterberg, T. (2007). *Constraint Integer Programming*, section 7.1 (domain
   propagation of linear constraints).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from analysis.disclosure.cells import Scale, quantity_name
from analysis.disclosure.primary import Pattern, Reason
from analysis.disclosure.programs import Program, View, item_program, scale_program, spans
from analysis.disclosure.witnesses import Finding

__all__ = ["propagated", "propagation_findings"]

FloatArray = npt.NDArray[np.float64]

_ROUNDS = 100
_TOL = 1e-7


def propagated(program: Program, rounds: int = _ROUNDS) -> tuple[FloatArray, FloatArray]:
    """Variable bounds once every row has bounded every variable, to a fixed point.

    Examples
    --------
    ``x + y = 5`` with ``x`` in ``[3, 9]`` and ``y`` in ``[2, 9]`` leaves ``x = 3, y = 2``.

    >>> from scipy import sparse
    >>> p = Program(sparse.csr_array(np.array([[1.0, 1.0]])), np.array([5.0]),
    ...             np.array([5.0]), np.array([3.0, 2.0]), np.array([9.0, 9.0]),
    ...             np.array([3.0, 2.0]), 100.0)
    >>> [b.tolist() for b in propagated(p)]
    [[3.0, 2.0], [3.0, 2.0]]
    """
    matrix = sparse.csr_array(program.matrix)
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    lb, ub = program.lb.astype(float).copy(), program.ub.astype(float).copy()
    integer = program.integrality()
    m = matrix.shape[0]
    row_ptr = matrix.indptr.astype(np.int64)
    cols_all, a_all = matrix.indices.astype(np.int64), matrix.data
    # The rows of every variable, to find which rows a moved bound touches.
    by_col = sparse.csc_array(matrix)
    col_ptr, col_rows = by_col.indptr.astype(np.int64), by_col.indices.astype(np.int64)
    active = np.arange(m)
    for _ in range(rounds):
        if not active.size:
            break
        # Only rows with a variable whose bounds moved last round can bound anything anew:
        # every other row would find what it found before, which the bounds hold already.
        entries = spans(row_ptr[active], row_ptr[active + 1] - row_ptr[active])
        rows = np.repeat(np.arange(active.size), np.diff(row_ptr)[active])
        cols, a = cols_all[entries], a_all[entries]
        lo, hi = program.lo[active][rows], program.hi[active][rows]
        k = active.size
        low_term = np.where(a > 0, a * lb[cols], a * ub[cols])
        high_term = np.where(a > 0, a * ub[cols], a * lb[cols])
        low_inf = np.isinf(low_term)
        high_inf = np.isinf(high_term)
        low_sum = np.bincount(rows, np.where(low_inf, 0.0, low_term), minlength=k)
        high_sum = np.bincount(rows, np.where(high_inf, 0.0, high_term), minlength=k)
        low_count = np.bincount(rows, low_inf, minlength=k)
        high_count = np.bincount(rows, high_inf, minlength=k)
        # The row's activity without this term: infinite if another term is.
        rest_low = np.where(
            low_count[rows] - low_inf > 0, -math.inf, low_sum[rows] - np.where(low_inf, 0, low_term)
        )
        rest_high = np.where(
            high_count[rows] - high_inf > 0,
            math.inf,
            high_sum[rows] - np.where(high_inf, 0, high_term),
        )
        with np.errstate(invalid="ignore"):
            top = (hi - rest_low) / a  # a x <= hi - rest_low
            bottom = (lo - rest_high) / a  # a x >= lo - rest_high
        new_low = np.where(a > 0, bottom, top)
        new_high = np.where(a > 0, top, bottom)
        new_low = np.nan_to_num(new_low, nan=-math.inf, posinf=math.inf, neginf=-math.inf)
        new_high = np.nan_to_num(new_high, nan=math.inf, posinf=math.inf, neginf=-math.inf)
        round_int = integer[cols]
        new_low = np.where(round_int & np.isfinite(new_low), np.ceil(new_low - 1e-6), new_low)
        new_high = np.where(round_int & np.isfinite(new_high), np.floor(new_high + 1e-6), new_high)
        next_lb, next_ub = lb.copy(), ub.copy()
        np.maximum.at(next_lb, cols, new_low)
        np.minimum.at(next_ub, cols, new_high)
        if np.any(next_lb > next_ub + 1e-6):
            raise ValueError("published values contradict each other")
        moved = (next_lb > lb + _TOL * (1 + np.abs(lb))) | (next_ub < ub - _TOL * (1 + np.abs(ub)))
        lb, ub = next_lb, next_ub
        changed = np.flatnonzero(moved)
        active = np.unique(
            col_rows[spans(col_ptr[changed], col_ptr[changed + 1] - col_ptr[changed])]
        )
    return lb, ub


def with_answered(program: Program, size: int, m_col: int) -> Program:
    """``program`` with those who answered (``n - missing``) as variables of their own.

    Every row that holds ``b n - b m`` of one group holds ``b a`` instead, and the new
    rows ``a - n + m = 0`` tie them: bounds then travel through the answered count whole,
    where over ``n`` and ``m`` apart each would lose the other's width.
    """
    matrix = sparse.coo_array(program.matrix)
    matrix.sum_duplicates()
    rows, cols, data = matrix.row, matrix.col, matrix.data
    width = program.matrix.shape[1]
    on_n = np.flatnonzero(cols < size)
    on_m = np.flatnonzero((cols >= m_col) & (cols < m_col + size))
    key_n = rows[on_n].astype(np.int64) * size + cols[on_n]
    key_m = rows[on_m].astype(np.int64) * size + (cols[on_m] - m_col)
    # Entries of one row on a group's n and its missing count, of opposite values.
    pair, at_n, at_m = np.intersect1d(key_n, key_m, assume_unique=True, return_indices=True)
    opposite = (data[on_m[at_m]] == -data[on_n[at_n]]) & (data[on_n[at_n]] != 0)
    pair, at_n, at_m = pair[opposite], at_n[opposite], at_m[opposite]
    if pair.size:
        drop = np.zeros(len(data), dtype=bool)
        drop[on_n[at_n]] = True
        drop[on_m[at_m]] = True
        new_rows = pair // size
        new_cols = width + pair % size
        new_data = data[on_n[at_n]]
        rows = np.concatenate([rows[~drop], new_rows])
        cols = np.concatenate([cols[~drop], new_cols])
        data = np.concatenate([data[~drop], new_data])
    height = program.matrix.shape[0]
    link = np.arange(size)
    rows = np.concatenate([rows, height + link, height + link, height + link])
    cols = np.concatenate([cols, width + link, link, m_col + link])
    data = np.concatenate([data, np.ones(size), -np.ones(size), np.ones(size)])
    matrix = sparse.csr_array((data, (rows, cols)), shape=(height + size, width + size))
    truth = program.truth[:size] - program.truth[m_col : m_col + size]
    return Program(
        matrix,
        np.concatenate([program.lo, np.zeros(size)]),
        np.concatenate([program.hi, np.zeros(size)]),
        np.concatenate([program.lb, np.zeros(size)]),
        np.concatenate([program.ub, program.ub[:size]]),
        np.concatenate([program.truth, truth]),
        program.cap,
        np.concatenate([program.integrality(), np.ones(size, dtype=bool)]),
    )


@dataclass
class _Item:
    """One item's program, built when first needed, and what it is built from."""

    name: str
    quantities: list[str]
    m_col: int | None
    key: tuple[object, ...]
    build: Callable[[], Program]
    program: Program | None = None

    def get(self) -> Program:
        if self.program is None:
            self.program = self.build()
        return self.program


def _programs(seen: View) -> list[_Item]:
    """Every item's program (a scale's cut-point item with its means), answered counts apart."""
    structure = seen.structure
    size = structure.size
    codes = seen.codes
    flag_items = {s.item: s for s in structure.scales.values() if s.item is not None}
    # What every program is built from besides its item's own codes: the view of every n.
    common = (
        id(structure),
        id(seen.policy),
        id(seen.ledger),
        codes.n,
        seen.lb.tobytes(),
        seen.ub.tobytes(),
        seen.domains,
    )
    found = []
    for item in structure.items.values():
        quantities = [quantity_name(item.name, o) for o in item.options]
        missing = structure.missing(item.name)
        scale = flag_items.get(item.name)
        m_col = None if missing is None else (1 + quantities.index(missing)) * size

        def build(
            scale: Scale | None = scale,
            quantities: list[str] = quantities,
            missing: str | None = missing,
            m_col: int | None = m_col,
        ) -> Program:
            program = (
                scale_program(seen, scale)
                if scale is not None
                else item_program(seen, quantities, missing)
            )
            return program if m_col is None else with_answered(program, size, m_col)

        own = (
            item.name,
            tuple(codes.counts[q] for q in quantities),
            codes.answered.get(item.name),
            None if scale is None else codes.means.get(scale.name),
        )
        found.append(_Item(item.name, quantities, m_col, (common, own), build))
    return found


def _digest(bounds: tuple[FloatArray, FloatArray] | None) -> bytes | None:
    if bounds is None:
        return None
    return hashlib.blake2b(bounds[0].tobytes() + bounds[1].tobytes(), digest_size=16).digest()


def _with_sizes(program: Program, lb: FloatArray, ub: FloatArray) -> Program:
    low, high = program.lb.copy(), program.ub.copy()
    size = len(lb)
    low[:size] = np.maximum(low[:size], lb)
    high[:size] = np.minimum(high[:size], ub)
    return program.bounded(low, high)


def propagation_findings(
    seen: View,
    pattern: Pattern,
    *,
    passes: int = 3,
    memo: dict[Hashable, tuple[FloatArray, FloatArray]] | None = None,
) -> list[Finding]:
    """The propagating attacker's verdict on every hidden count of every item.

    Each item's program bounds every group's n (a group holds at least those who
    answered each item); the bounds found in one item's program are carried into every
    other's, ``passes`` times over, so the items constrain one another as they do in the
    one program that holds them all.

    Failures are ``"point"`` for a small group's count pinned, ``"zero"`` and ``"all"``
    for any hidden group's count proved 0 or all of those who answered, where anyone may
    have answered.

    ``memo``, kept by the caller between audits of one release, holds the bounds each
    item's program gave: an item whose program and starting bounds are those of the last
    audit (a later round that hid only other items' values) is not propagated again.
    """
    structure = seen.structure
    size = structure.size
    programs = _programs(seen)
    n_lb, n_ub = seen.lb.copy(), seen.ub.copy()
    bounds: dict[str, tuple[FloatArray, FloatArray]] = {}
    used: dict[Hashable, tuple[FloatArray, FloatArray]] = {}
    for _ in range(passes):
        before = (n_lb.copy(), n_ub.copy())
        for item in programs:
            # A later pass goes on from the bounds the last one proved: they hold in this
            # program whatever the sizes, so only what the new sizes add is propagated.
            start = bounds.get(item.name)
            key = (item.key, n_lb.tobytes(), n_ub.tobytes(), _digest(start))
            if memo is not None and key in memo:
                lb, ub = memo[key]
            else:
                program = item.get()
                lb, ub = propagated(
                    _with_sizes(program if start is None else program.bounded(*start), n_lb, n_ub)
                )
            used[key] = bounds[item.name] = (lb, ub)
            n_lb, n_ub = np.maximum(n_lb, lb[:size]), np.minimum(n_ub, ub[:size])
        if np.array_equal(before[0], n_lb) and np.array_equal(before[1], n_ub):
            break
    if memo is not None:
        # Only this audit's bounds are kept: the next audit of the release differs from it
        # in a few items at most, and older ones would only take memory.
        memo.clear()
        memo.update(used)
    found: list[Finding] = []
    for item in programs:
        name, quantities, m_col = item.name, item.quantities, item.m_col
        missing = structure.missing(name)
        answered = [q for q in quantities if q != missing]
        watch = [q for q in answered if pattern.value_hidden(q)[structure.n > 0].any()]
        if not watch:
            continue
        lb, ub = bounds[name]
        x_ub = np.minimum(ub[:size], n_ub)
        m_lb = np.zeros(size) if m_col is None else lb[m_col : m_col + size]
        # The most who may have answered.
        a_ub = x_ub if m_col is None else np.minimum(x_ub - m_lb, ub[-size:])
        # Where anyone may have answered, a count proved 0 or all of them tells something.
        someone = a_ub >= 1
        columns = {q: (1 + j) * size for j, q in enumerate(quantities)}
        for q in watch:
            own = pattern.values.get(q)
            # A small group: hidden for its size, or its answers hidden because few answered.
            small = pattern.cells == Reason.SMALL
            if own is not None:
                small = small | np.isin(own, [r.value for r in Reason if r.primary])
            y_lb = lb[columns[q] : columns[q] + size]
            y_ub = ub[columns[q] : columns[q] + size]
            others = [columns[o] for o in answered if o != q]
            rest_zero = (
                np.all([ub[c : c + size] == 0 for c in others], axis=0)
                if others
                else np.zeros(size, dtype=bool)
            )
            for c in np.flatnonzero(pattern.value_hidden(q) & (structure.n > 0)).tolist():
                failure = ""
                if small[c] and y_lb[c] == y_ub[c]:
                    failure = "point"
                elif someone[c] and y_ub[c] == 0:
                    failure = "zero"
                elif someone[c] and (y_lb[c] >= a_ub[c] or rest_zero[c]):
                    failure = "all"
                # Every verdict, passes too: a value that failed an earlier round's audit
                # is cleared only by a later pass.
                found.append(Finding(c, q, y_lb[c], y_ub[c], False, failure))
    return found
