"""The audit: an attacker who solves integer programs over everything published.

Variables are the groups' n (``x``) and, layer by layer, one sensitive count
(``y``). Constraints are every published code of this release and of the
ledger (exact n or band; coded percentage as a linear inequality in ``y`` and
``x``), every relation ``total = sum(parts)``, ``0 <= y <= x``, integrality,
and ``x >= 1`` for hidden groups (empty groups are shown as empty, so a hidden
group is known to be non-empty).

For every hidden primary group the feasible integer interval of its n must be
at least ``min_width`` wide; for every hidden sensitive count (of a hidden
primary group, or hidden on its own) the interval must not be a point, and the
count must be neither provably 0 nor provably all of n.

Speed comes from four facts. Relations split into connected blocks once
fixed values are taken out, and blocks without a target need no program. The
true data are a feasible point. Every optimum of an aggregate objective (push
all unresolved targets up, then down) is another feasible point, and two
feasible points that differ in a target prove its interval is not a point,
so most targets are settled by a handful of programs per block. Only the
targets still unsettled get their own exact minimum and maximum.

References
----------
.. [1] Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley,
   section 4.4 (audit by linear programming).
.. [2] de Wolf, P.-P. et al. *tau-ARGUS user's manual*, "Audit".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from analysis.disclosure.cells import Structure, quantity_name
from analysis.disclosure.codes import Codes
from analysis.disclosure.ledger import Ledger
from analysis.disclosure.policy import (
    Policy,
    count_bounds,
    denominator_range,
    n_interval,
    percent_rows,
)
from analysis.disclosure.primary import Pattern, Reason

__all__ = ["Finding", "LayerAudit", "audit_pattern"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Finding:
    """The attacker's interval for one audited value, and the verdict.

    ``failure`` is ``""`` when protected, else ``"point"`` (determined),
    ``"narrow"`` (narrower than ``min_width``), ``"zero"`` (provably 0) or
    ``"all"`` (provably every respondent). ``upper`` is ``math.inf`` when
    unbounded. ``exact`` says whether the interval is the integer optimum or
    only spanned by feasible points found on the way.
    """

    cell: int
    quantity: str
    lower: float
    upper: float
    exact: bool
    failure: str


@dataclass
class LayerAudit:
    """Findings of an audit run and the number of programs it solved."""

    findings: list[Finding] = field(default_factory=list)
    programs: int = 0

    @property
    def failures(self) -> list[Finding]:
        """Findings that are not protected."""
        return [f for f in self.findings if f.failure]


def audit_pattern(
    structure: Structure,
    pattern: Pattern,
    codes: Codes,
    policy: Policy,
    *,
    ledger: Ledger | None = None,
    exact: bool = False,
) -> LayerAudit:
    """Audit a pattern: the n of each hidden primary group, and each hidden sensitive count.

    Parameters
    ----------
    structure, pattern, codes, policy
        The release, its suppression pattern, its published codes and policy.
    ledger : Ledger, optional
        Values published by earlier releases; they constrain the attacker too.
    exact : bool
        Compute the exact integer interval of every target (slower), instead
        of stopping once the verdict is proven.

    Returns
    -------
    LayerAudit

    Examples
    --------
    The handbook's 15 = 10 + 3 + x1 + x2 with both hidden: each is forced to 1.

    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> from analysis.disclosure.primary import primary_suppression
    >>> from analysis.disclosure.codes import published_codes
    >>> from analysis.disclosure.policy import Tier
    >>> rel = Release((Dimension("g", ("a", "b", "c", "d")),), (Table("t", ("g",)),),
    ...               (Cell((), 15), Cell((("g", "a"),), 10), Cell((("g", "b"),), 3),
    ...                Cell((("g", "c"),), 1), Cell((("g", "d"),), 1)))
    >>> s = rel.structure()
    >>> policy = Policy(k=2, exact_n=True, tiers=(Tier(1, 0, 100),))
    >>> p = primary_suppression(s, policy)
    >>> result = audit_pattern(s, p, published_codes(s, p, policy), policy, exact=True)
    >>> [(f.lower, f.upper, f.failure) for f in result.findings]
    [(1, 1, 'point'), (1, 1, 'point')]
    """
    out = LayerAudit()
    lb, ub = _n_bounds(structure, codes, ledger)
    cap = float(4 * int(structure.n.max(initial=0)) + 1000)
    primary_cells = [
        c for c in range(structure.size) if pattern.cells[c] == Reason.SMALL
    ]
    size = structure.size
    rel = structure.matrix
    n_layer = _Program(
        matrix=rel.tocsr(),
        lo=np.zeros(rel.shape[0]),
        hi=np.zeros(rel.shape[0]),
        lb=lb,
        ub=np.minimum(ub, cap),
        truth=structure.n.astype(np.float64),
        cap=cap,
    )
    n_targets = [_Target(c, c, None, None, policy.min_width, "n") for c in primary_cells]
    _audit_program(n_layer, n_targets, exact, out)
    for item in structure.items.values():
        quantities = [quantity_name(item.name, o) for o in item.options]
        missing = structure.missing(item.name)
        m_var = None if missing is None else (1 + quantities.index(missing)) * size
        targets = []
        for j, q in enumerate(quantities):
            if q not in structure.sensitive:
                continue
            hidden_q = pattern.value_hidden(q)
            own = pattern.values.get(q)
            for c in range(size):
                if not hidden_q[c] or structure.n[c] == 0:
                    continue
                if pattern.cells[c] == Reason.SMALL or (
                    own is not None and Reason(int(own[c])).primary
                ):
                    minus = None if m_var is None else m_var + c
                    targets.append(_Target(c, (1 + j) * size + c, c, minus, 1, q))
        if not targets:
            continue
        program = _item_program(structure, codes, policy, quantities, missing, lb, ub, cap, ledger)
        _audit_program(program, targets, exact, out)
    return out


@dataclass(frozen=True)
class _Target:
    cell: int
    var: int
    n_var: int | None
    minus_var: int | None
    width: int
    quantity: str


@dataclass
class _Program:
    matrix: sparse.csr_array
    lo: FloatArray
    hi: FloatArray
    lb: FloatArray
    ub: FloatArray
    truth: FloatArray
    cap: float
    integer: bool = True


def _n_bounds(
    structure: Structure, codes: Codes, ledger: Ledger | None
) -> tuple[FloatArray, FloatArray]:
    lb = np.zeros(structure.size)
    ub = np.zeros(structure.size)
    for c, code in enumerate(codes.n):
        lb[c], ub[c] = n_interval(code)
    if ledger is not None:
        for entry in ledger.entries:
            at = structure.index.get(entry.key)
            if at is None or entry.quantity != "n":
                continue
            low, high = n_interval(entry.code)
            lb[at], ub[at] = max(lb[at], low), min(ub[at], high)
            if lb[at] > ub[at]:
                raise ValueError(
                    f"ledger: release {entry.release!r} contradicts n of cell {entry.key}"
                )
    return lb, ub


def _item_program(
    structure: Structure,
    codes: Codes,
    policy: Policy,
    quantities: list[str],
    missing: str | None,
    lb: FloatArray,
    ub: FloatArray,
    cap: float,
    ledger: Ledger | None,
) -> _Program:
    """Variables: n of every cell, then the count of every option of one item.

    Published percentages are rows ``lo <= 200 y + b (x - m) <= hi`` in the
    count ``y``, the group's ``x`` and the item's missing count ``m``.
    """
    size = structure.size
    layers = 1 + len(quantities)
    rel = structure.matrix
    blocks = [sparse.kron(sparse.identity(layers, format="csr"), rel, format="csr")]
    lows = [np.zeros(rel.shape[0] * layers)]
    highs = [np.zeros(rel.shape[0] * layers)]
    eye = sparse.identity(size, format="csr")
    # The options of a respondent are exclusive: they add up to at most n
    # (exactly n when the data show every respondent counted once).
    blocks.append(sparse.hstack([-eye] + [eye] * len(quantities), format="csr"))
    exhaustive = structure.exhaustive[structure.item_of[quantities[0]]]
    lows.append(np.zeros(size) if exhaustive else np.full(size, -np.inf))
    highs.append(np.zeros(size))
    low_y = np.zeros(size * len(quantities))
    high_y = np.tile(np.where(ub == 0, 0.0, cap), len(quantities))
    m_col = None if missing is None else (1 + quantities.index(missing)) * size
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    row_lo: list[float] = []
    row_hi: list[float] = []

    def add_row(terms: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(row_lo)
        for col, value in terms:
            rows.append(r)
            cols.append(col)
            vals.append(value)
        row_lo.append(low)
        row_hi.append(high)

    published: list[tuple[int, int, str]] = []
    for j, q in enumerate(quantities):
        if q == missing:
            continue
        for c, code in enumerate(codes.counts[q]):
            if code == "" and m_col is not None and ub[c] > 0:
                # A shown group whose percentages are empty: nobody answered.
                add_row([(c, 1.0), (m_col + c, -1.0)], 0.0, 0.0)
            elif code not in ("", "*"):
                published.append((j, c, code))
        if ledger is not None:
            for entry in ledger.entries:
                at = structure.index.get(entry.key)
                if at is not None and entry.quantity == q and entry.code not in ("", "*"):
                    published.append((j, at, entry.code))
    lb_x = lb.copy()
    ub_x = np.minimum(ub, cap)
    for j, c, code in published:
        y_col = (1 + j) * size + c
        if m_col is None and lb[c] != ub[c]:
            # Beside a band without a missing option only the projection on
            # y is kept: it stays a network program that integer solves
            # finish fast, at the price of a weaker attacker.
            low, high = count_bounds(lb[c], ub[c], code)
            low_y[j * size + c] = max(low_y[j * size + c], low)
            high_y[j * size + c] = min(high_y[j * size + c], high)
            continue
        for a, b, row_low, row_high in percent_rows(code):
            terms = [(y_col, float(a)), (c, float(b))]
            if m_col is not None:
                terms.append((m_col + c, float(-b)))
            add_row(terms, row_low, row_high)
        # The tier of a code bounds its denominator.
        low_d, high_d = denominator_range(code, policy)
        if m_col is not None:
            add_row([(c, 1.0), (m_col + c, -1.0)], low_d, high_d)
        else:
            lb_x[c] = max(lb_x[c], low_d)
            ub_x[c] = min(ub_x[c], high_d)
        if m_col is None:
            # The projection on y is implied by the rows; as bounds it lets
            # presolve settle most counts before branching.
            low, high = count_bounds(lb[c], ub[c], code)
            low_y[j * size + c] = max(low_y[j * size + c], low)
            high_y[j * size + c] = min(high_y[j * size + c], high)
    width = size * layers
    blocks.append(
        sparse.csr_array(
            (np.array(vals), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
            shape=(len(row_lo), width),
        )
    )
    lows.append(np.array(row_lo))
    highs.append(np.array(row_hi))
    matrix = sparse.csr_array(sparse.vstack(blocks, format="csr"))
    truth = np.concatenate(
        [structure.n, *(structure.counts[q] for q in quantities)]
    ).astype(np.float64)
    return _Program(
        matrix,
        np.concatenate(lows),
        np.concatenate(highs),
        np.concatenate([lb_x, low_y]),
        np.concatenate([ub_x, high_y]),
        truth,
        cap,
    )


@dataclass
class _Seen:
    low: float = math.inf
    high: float = -math.inf
    positive: bool = False
    below_all: bool = False
    exact_low: bool = False
    exact_high: bool = False

    def add(self, value: float, n_value: float | None) -> None:
        self.low = min(self.low, value)
        self.high = max(self.high, value)
        if value >= 1 - _TOL:
            self.positive = True
        if n_value is not None and n_value - value >= 1 - _TOL:
            self.below_all = True

    def integer_low(self) -> float:
        return math.ceil(self.low - _TOL)

    def integer_high(self) -> float:
        return math.floor(self.high + _TOL) if math.isfinite(self.high) else self.high


_TOL = 1e-6


def _settled(target: _Target, seen: _Seen) -> bool:
    wide = seen.integer_high() - seen.integer_low() >= target.width
    if target.n_var is None:
        return wide
    return wide and seen.positive and seen.below_all


def _audit_program(
    program: _Program, targets: list[_Target], exact: bool, out: LayerAudit
) -> None:
    if not targets:
        return
    fixed = program.lb == program.ub
    free = np.flatnonzero(~fixed)
    sub = program.matrix[:, free]
    sub_bool = sparse.csr_array((sub != 0).astype(np.int8))
    adjacency = sparse.csr_array(sub_bool.T @ sub_bool)
    _, labels = connected_components(adjacency, directed=False)
    component = np.full(program.matrix.shape[1], -1, dtype=np.int64)
    component[free] = labels
    by_block: dict[int, list[_Target]] = {}
    for t in targets:
        block = int(component[t.var])
        if block < 0:
            # A fixed target is a point: the published values pin it.
            value = float(program.lb[t.var])
            out.findings.append(Finding(t.cell, t.quantity, value, value, True, "point"))
            continue
        by_block.setdefault(block, []).append(t)
    for block in sorted(by_block):
        variables = free[labels == block]
        _audit_block(program, variables, by_block[block], exact, out)


def _audit_block(
    program: _Program,
    variables: npt.NDArray[np.int64],
    targets: list[_Target],
    exact: bool,
    out: LayerAudit,
) -> None:
    quantity = targets[0].quantity
    full = program.matrix
    local = {int(v): i for i, v in enumerate(variables)}
    cols = full[:, variables]
    touched = np.flatnonzero(np.diff(cols.indptr) > 0)
    a_sub = cols[touched]
    fixed_mask = np.ones(full.shape[1], dtype=bool)
    fixed_mask[variables] = False
    offset = full[touched][:, np.flatnonzero(fixed_mask)] @ program.lb[fixed_mask]
    lo = program.lo[touched] - offset
    hi = program.hi[touched] - offset
    lb = program.lb[variables]
    ub = program.ub[variables]
    constraints = LinearConstraint(a_sub, lo, hi)
    bounds = Bounds(lb, ub)
    integrality = np.full(len(variables), 1.0 if program.integer else 0.0)

    def solve(objective: FloatArray) -> FloatArray:
        out.programs += 1
        result = milp(objective, integrality=integrality, bounds=bounds, constraints=constraints)
        if result.status == 2:
            raise ValueError(f"published values for {quantity!r} contradict each other")
        if result.x is None:
            raise ValueError(f"audit of {quantity!r} failed: {result.message}")
        point: FloatArray = np.asarray(result.x, dtype=np.float64)
        return point.round() if program.integer else point

    seen = {t: _Seen() for t in targets}
    truth = program.truth[variables]
    residual = a_sub @ truth
    if (
        np.all(residual >= lo - 1e-6) and np.all(residual <= hi + 1e-6)
        and np.all(truth >= lb) and np.all(truth <= ub)
    ):
        _observe(truth, targets, local, seen, program.lb)

    def pending() -> list[_Target]:
        return [t for t in targets if exact or not _settled(t, seen[t])]

    for direction in (-1.0, 1.0, 0.0):
        todo = pending()
        if not todo:
            break
        objective = np.zeros(len(variables))
        for t in todo:
            if direction != 0.0:
                objective[local[t.var]] = direction
            else:
                _add_slack(objective, t, local)
        if not objective.any():
            continue
        _observe(solve(objective), targets, local, seen, program.lb)
    for t in pending():
        s = seen[t]
        i = local[t.var]
        for sign in (-1.0, 1.0):
            objective = np.zeros(len(variables))
            objective[i] = sign
            point = solve(objective)
            _observe(point, targets, local, seen, program.lb)
            if sign < 0:
                s.exact_high = True
            else:
                s.exact_low = True
        if t.n_var is not None and not s.below_all:
            objective = np.zeros(len(variables))
            _add_slack(objective, t, local)
            _observe(solve(objective), targets, local, seen, program.lb)
    for t in targets:
        s = seen[t]
        lower = s.integer_low()
        upper = math.inf if s.high >= program.cap - _TOL else s.integer_high()
        failure = ""
        if upper == lower:
            failure = "point"
        elif upper - lower < t.width:
            failure = "narrow"
        elif t.n_var is not None and not s.positive:
            failure = "zero"
        elif t.n_var is not None and not s.below_all:
            failure = "all"
        out.findings.append(
            Finding(
                t.cell, t.quantity, lower, upper,
                s.exact_low and s.exact_high and program.integer, failure,
            )
        )


def _add_slack(objective: FloatArray, t: _Target, local: dict[int, int]) -> None:
    # Minimising count - (n - missing) looks for a point where the count is
    # below everyone who answered.
    if t.n_var is None:
        return
    objective[local[t.var]] += 1.0
    if t.n_var in local:
        objective[local[t.n_var]] -= 1.0
    if t.minus_var is not None and t.minus_var in local:
        objective[local[t.minus_var]] += 1.0


def _observe(
    point: FloatArray,
    targets: Iterable[_Target],
    local: dict[int, int],
    seen: dict[_Target, _Seen],
    fixed: FloatArray,
) -> None:
    def value(var: int) -> float:
        # A variable outside this block is pinned by what is published.
        return float(point[local[var]]) if var in local else float(fixed[var])

    for t in targets:
        n_value: float | None = None
        if t.n_var is not None:
            n_value = value(t.n_var)
            if t.minus_var is not None:
                n_value -= value(t.minus_var)
        seen[t].add(float(point[local[t.var]]), n_value)
