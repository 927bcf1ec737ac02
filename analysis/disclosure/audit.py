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

Speed comes from these facts. Rows with one free variable are bounds, and
relations split into connected blocks once fixed values are taken out; blocks
without a target need no program. The true data are a feasible point. Every
optimum of an aggregate objective (push all unresolved targets up, then down)
is another feasible point, and two feasible points that differ in a target
prove its interval is not a point, so most targets are settled by a handful
of programs per block. Only the targets still unsettled get their own probes.

The count programs are the hard ones: a percentage of those who answered
couples each count with its group's n and skipped count. Without ``exact``
the count audit therefore looks for its witnesses in restrictions of the
attacker's program: first with every n and every skipped count held at its
true value (each percentage is then a plain bound on its count), then with
only the shown groups held. A point of a restriction is a point of the full
program, so what they settle is settled; what they leave is reported as
``"unproven"`` and treated as exposed, so the gate hides more rather than
waiting minutes for a proof. ``exact=True`` solves the full program.

References
----------
.. [1] Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley,
   section 4.4 (audit by linear programming).
.. [2] de Wolf, P.-P. et al. *tau-ARGUS user's manual*, "Audit".
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from analysis.disclosure.cells import Scale, Structure, quantity_name
from analysis.disclosure.codes import Codes
from analysis.disclosure.ledger import Ledger
from analysis.disclosure.moves import carry, nearest_change
from analysis.disclosure.policy import Policy
from analysis.disclosure.primary import Pattern, Reason
from analysis.disclosure.programs import (
    Program,
    View,
    item_program,
    n_program,
    scale_program,
    view,
)
from analysis.disclosure.solver import TOL, Solver, blocks, tightened

__all__ = ["Finding", "LayerAudit", "audit_pattern"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Finding:
    """The attacker's interval for one audited value, and the verdict.

    ``failure`` is ``""`` when protected, else ``"point"`` (determined),
    ``"narrow"`` (narrower than ``min_width``), ``"zero"`` (provably 0),
    ``"all"`` (provably every respondent) or ``"unproven"`` (a count the fast
    audit could not show protected, treated as exposed). ``upper`` is ``math.inf`` when
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
    counts: bool = True,
    only: Collection[str] | None = None,
    settled: Collection[tuple[int, str]] = (),
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
    counts : bool
        Audit the sensitive counts too; with False only the n of hidden
        groups (a cheap first pass before the count programs).
    only : collection of str, optional
        Audit only the counts of these items, and not the n: for a pattern
        whose cells are unchanged since an audit of everything.
    settled : collection of (cell, quantity)
        Values shown protected by an audit of an earlier pattern that this
        one only hides more of: every point of that attacker's program is a
        point of this one's, so they stay protected and are not audited.

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
    seen = view(structure, codes, policy, ledger)
    primary_cells = [c for c in range(structure.size) if pattern.cells[c] == Reason.SMALL]
    size = structure.size
    done = set(settled)
    n_targets = [
        _Target(c, c, None, None, policy.min_width, "n")
        for c in primary_cells
        if (c, "n") not in done
    ]
    if only is None:
        _audit_program(n_program(seen), n_targets, exact, out)
    scales = [s for s in structure.scales.values() if only is None or s.item in only]
    if scales and n_targets:
        _audit_means(seen, pattern, scales, n_targets, exact, out)
    for item in structure.items.values() if counts else ():
        if only is not None and item.name not in only:
            continue
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
                    if (c, q) not in done:
                        targets.append(_Target(c, (1 + j) * size + c, c, minus, 1, q))
        if not targets:
            continue
        program = item_program(seen, quantities, missing)
        if not exact:
            # Witnesses come from the program with every n and every skipped count held at
            # its true value: each published percentage is then a plain bound on its count,
            # the layers couple only cell by cell, and the programs are small and easy.
            # Then with only the shown groups held, so hidden groups' sizes move too. Their
            # points are points of the full program, so whatever they settle is settled.
            state = {t: _Seen() for t in targets}
            for cells in (np.arange(size), np.flatnonzero(~pattern.hidden())):
                held = _held(program, cells, size, m_var)
                targets = _audit_program(held, targets, False, out, state=state, conclude=False)
            # What no restriction settles counts as exposed ("unproven") and gets a
            # complement: the full program can take minutes to prove either way, and
            # erring towards hiding is safe.
            for t in targets:
                seen_t = state[t]
                out.findings.append(
                    Finding(
                        t.cell,
                        t.quantity,
                        seen_t.integer_low(),
                        seen_t.integer_high(),
                        False,
                        "unproven",
                    )
                )
        else:
            _audit_program(program, targets, exact, out)
    return out


def _audit_means(
    seen: View,
    pattern: Pattern,
    scales: list[Scale],
    targets: list[_Target],
    exact: bool,
    out: LayerAudit,
) -> None:
    """Audit the n of hidden groups again in each scale's program: means bound them too.

    Only failures are added: a pass here does not replace the n program's interval.
    Without ``exact``, sizes that the program of n alone allows with every shown
    group held are carried over to each scale when one kind of respondent can make
    the change (:mod:`analysis.disclosure.moves`). The scale's program is solved for
    the groups left, with every value of the shown groups held; what that leaves is
    ``unproven``.
    """
    structure = seen.structure
    size = structure.size
    failed = {f.cell for f in out.findings if f.quantity == "n" and f.failure}
    targets = [t for t in targets if t.cell not in failed]
    shown = np.flatnonzero(~pattern.hidden())
    moves = None if exact else _Moves(_held(n_program(seen), shown, size, None))
    for scale in scales:
        todo = [t for t in targets if t.cell not in failed]
        if not todo:
            break
        if moves is not None:
            todo = [t for t in todo if not moves.carried(structure, scale, t)]
            if not todo:
                continue
        program = scale_program(seen, scale)
        found = LayerAudit()
        if exact:
            _audit_program(program, todo, True, found)
        else:
            state = {t: _Seen() for t in todo}
            # Every value of a shown group is held (its sum too): the hidden groups'
            # values then split into small blocks, one per set of linked relations.
            layers = program.matrix.shape[1] // size
            held = _held(
                program, np.concatenate([shown + k * size for k in range(layers)]), 0, None
            )
            for t in _audit_program(held, todo, False, found, state=state, conclude=False):
                low, high = state[t].integer_low(), state[t].integer_high()
                found.findings.append(Finding(t.cell, "n", low, high, False, "unproven"))
        out.programs += found.programs
        for f in found.failures:
            out.findings.append(f)
            failed.add(f.cell)
    if moves is not None:
        out.programs += moves.programs


class _Moves:
    """Smallest changes of the hidden groups' n, kept per block and shared by its targets."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.lb, self.ub = tightened(program)
        self.component = blocks(program, self.lb, self.ub)
        self.order = np.argsort(self.component, kind="stable")
        self.found: dict[int, list[FloatArray]] = {}
        self.tried: set[tuple[int, int]] = set()
        self.verdicts: dict[tuple[int, str], bool] = {}
        self.programs = 0

    def _make(self, var: int, step: int) -> None:
        block = int(self.component[var])
        if block < 0 or (var, step) in self.tried:
            return
        self.tried.add((var, step))
        ordered = self.component[self.order]
        variables = self.order[
            np.searchsorted(ordered, block, "left") : np.searchsorted(ordered, block, "right")
        ]
        self.programs += 1
        change = nearest_change(self.program, self.lb, self.ub, variables, var, step)
        if change is not None:
            self.found.setdefault(block, []).append(change)

    def carried(self, structure: Structure, scale: Scale, t: _Target) -> bool:
        """Whether a change of at least the target's width carries over to ``scale``."""
        block = int(self.component[t.var])
        for step in (0, t.width, -t.width):
            if step:
                self._make(t.var, step)
            # Another target's change serves whenever it moves this one far enough.
            for change in self.found.get(block, []):
                if abs(change[t.var]) < t.width:
                    continue
                key = (id(change), scale.name)
                if key not in self.verdicts:
                    self.verdicts[key] = (
                        carry(structure, scale, change[: structure.size]) is not None
                    )
                if self.verdicts[key]:
                    return True
        return False


def _held(
    program: Program, cells: npt.NDArray[np.int64], size: int, missing: int | None
) -> Program:
    """``program`` with the n (and missing count) of ``cells`` fixed at its true value."""
    lb, ub = program.lb.copy(), program.ub.copy()
    held = cells if missing is None else np.concatenate([cells, missing + cells])
    lb[held] = ub[held] = program.truth[held]
    return program.bounded(lb, ub)


@dataclass(frozen=True)
class _Target:
    cell: int
    var: int
    n_var: int | None
    minus_var: int | None
    width: int
    quantity: str


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
        if value >= 1 - TOL:
            self.positive = True
        if n_value is not None and n_value - value >= 1 - TOL:
            self.below_all = True

    def integer_low(self) -> float:
        return math.ceil(self.low - TOL)

    def integer_high(self) -> float:
        return math.floor(self.high + TOL) if math.isfinite(self.high) else self.high


def _settled(target: _Target, seen: _Seen) -> bool:
    wide = seen.integer_high() - seen.integer_low() >= target.width
    if target.n_var is None:
        return wide
    return wide and seen.positive and seen.below_all


def _audit_program(
    program: Program,
    targets: list[_Target],
    exact: bool,
    out: LayerAudit,
    *,
    state: dict[_Target, _Seen] | None = None,
    conclude: bool = True,
) -> list[_Target]:
    """Audit ``targets`` block by block; without ``conclude``, return those left unsettled.

    ``state`` carries the feasible points seen by an earlier, more restricted program.
    """
    if not targets:
        return []
    state = {t: _Seen() for t in targets} if state is None else state
    lb, ub = tightened(program)
    component = blocks(program, lb, ub)
    by_block: dict[int, list[_Target]] = {}
    left: list[_Target] = []
    for t in targets:
        block = int(component[t.var])
        if block < 0:
            if not conclude:
                # Held at its true value here: the truth is the one point seen.
                n_value = None
                if t.n_var is not None:
                    n_value = float(program.truth[t.n_var])
                    if t.minus_var is not None:
                        n_value -= float(program.truth[t.minus_var])
                state[t].add(float(program.truth[t.var]), n_value)
                left.append(t)
                continue
            # A fixed target is a point: the published values pin it.
            value = float(lb[t.var])
            out.findings.append(Finding(t.cell, t.quantity, value, value, True, "point"))
            continue
        by_block.setdefault(block, []).append(t)
    bounded = program.bounded(lb, ub)
    order = np.argsort(component, kind="stable")
    ordered = component[order]
    for block in sorted(by_block):
        variables = order[
            np.searchsorted(ordered, block, "left") : np.searchsorted(ordered, block, "right")
        ]
        left.extend(
            _audit_block(
                bounded,
                variables,
                by_block[block],
                exact,
                out,
                state,
                conclude,
            )
        )
    return left


def _audit_block(
    program: Program,
    variables: npt.NDArray[np.int64],
    targets: list[_Target],
    exact: bool,
    out: LayerAudit,
    seen: dict[_Target, _Seen],
    conclude: bool,
) -> list[_Target]:
    full = program.matrix
    local = {int(v): i for i, v in enumerate(variables)}
    cols = full[:, variables]
    touched = np.flatnonzero(np.diff(cols.indptr) > 0)
    fixed_mask = np.ones(full.shape[1], dtype=bool)
    fixed_mask[variables] = False
    offset = full[touched][:, np.flatnonzero(fixed_mask)] @ program.lb[fixed_mask]
    solver = Solver(
        targets[0].quantity,
        sparse.csr_array(cols[touched]),
        program.lo[touched] - offset,
        program.hi[touched] - offset,
        program.lb[variables],
        program.ub[variables],
        program.integrality()[variables],
    )
    truth = program.truth[variables]
    if solver.feasible(truth):
        _observe(truth, targets, local, seen, program.lb)

    def pending() -> list[_Target]:
        return [t for t in targets if exact or not _settled(t, seen[t])]

    passes = itertools.product(range(1 if exact else _PASSES), (-1.0, 1.0, 0.0))
    before = len(targets) + 1
    for _, direction in passes:
        todo = pending()
        if not todo:
            break
        if direction == -1.0:
            # Another pass only while the last one settled something.
            if len(todo) == before:
                break
            before = len(todo)
        objective = np.zeros(len(variables))
        for t in todo:
            if direction != 0.0:
                objective[local[t.var]] = direction
            else:
                _add_slack(objective, t, local)
        if not objective.any():
            continue
        # Any feasible point serves as a witness: no need to prove it optimal.
        point = solver.witness(objective, gap=_LOOSE_GAP)
        if point is not None:
            _observe(point, targets, local, seen, program.lb)
    left: list[_Target] = []
    for t in pending():
        s = seen[t]
        witnessed = not exact and _witnessed(
            t, s, solver, local, targets, seen, program.lb, conclusive=conclude
        )
        if witnessed:
            continue
        if not conclude:
            left.append(t)
        elif not (s.exact_low and s.exact_high):
            _exact_interval(t, s, solver, local, targets, seen, program.lb)
    for t in targets:
        if t in left:
            continue
        s = seen[t]
        lower = s.integer_low()
        upper = math.inf if s.high >= program.cap - TOL else s.integer_high()
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
                t.cell,
                t.quantity,
                lower,
                upper,
                s.exact_low and s.exact_high,
                failure,
            )
        )
    out.programs += solver.programs
    return left


_LOOSE_GAP = 0.25
"""Relative gap at which an aggregate program stops: its point is only a witness."""

_PASSES = 3
"""Rounds of aggregate programs, repeated while each settles more targets."""


def _witnessed(
    t: _Target,
    s: _Seen,
    solver: Solver,
    local: dict[int, int],
    targets: list[_Target],
    seen: dict[_Target, _Seen],
    fixed: FloatArray,
    *,
    conclusive: bool = True,
) -> bool:
    """Look for feasible points that settle ``t``; False when none exists.

    Without ``conclusive`` the program is a restriction of the attacker's, so finding
    no point proves nothing about the attacker's interval.
    """
    i = local[t.var]

    def bounded(low: float, high: float) -> tuple[FloatArray, FloatArray]:
        lb, ub = solver.lb.copy(), solver.ub.copy()
        lb[i], ub[i] = max(lb[i], low), min(ub[i], high)
        return lb, ub

    def found(point: FloatArray | None) -> bool:
        if point is not None:
            _observe(point, targets, local, seen, fixed)
        return point is not None

    if not math.isfinite(s.low):
        return False
    if s.integer_high() - s.integer_low() < t.width:
        # A point at least width below the highest seen, or above the lowest.
        low, high = s.integer_low(), s.integer_high()
        down = solver.lb[i] <= high - t.width and found(
            solver.probe(bounds=bounded(-math.inf, high - t.width))
        )
        if not down and not (
            solver.ub[i] >= low + t.width
            and found(solver.probe(bounds=bounded(low + t.width, math.inf)))
        ):
            if t.width == 1 and conclusive:
                # No point on either side of the one seen: the interval is
                # exactly that point, no optimum needed.
                s.exact_low = s.exact_high = True
            return False
    if t.n_var is None:
        return True
    if not s.positive and not found(solver.probe(bounds=bounded(1.0, math.inf))):
        return False
    if not s.below_all:
        row = np.zeros(len(solver.lb))
        _add_slack(row, t, local)
        # count - (n - missing) <= -1 with the variables of other blocks fixed
        shift = _slack_shift(t, local, fixed)
        if not found(solver.probe(row=(row, -1.0 - shift))):
            return False
    return s.positive and s.below_all


def _slack_shift(t: _Target, local: dict[int, int], fixed: FloatArray) -> float:
    shift = 0.0
    if t.n_var is not None and t.n_var not in local:
        shift -= float(fixed[t.n_var])
    if t.minus_var is not None and t.minus_var not in local:
        shift += float(fixed[t.minus_var])
    return shift


def _exact_interval(
    t: _Target,
    s: _Seen,
    solver: Solver,
    local: dict[int, int],
    targets: list[_Target],
    seen: dict[_Target, _Seen],
    fixed: FloatArray,
) -> None:
    """The exact integer minimum and maximum of ``t``, and its slack below n."""
    i = local[t.var]
    for sign in (-1.0, 1.0):
        objective = np.zeros(len(solver.lb))
        objective[i] = sign
        point = solver.solve(objective)
        if point is not None:
            _observe(point, targets, local, seen, fixed)
        if sign < 0:
            s.exact_high = True
        else:
            s.exact_low = True
    if t.n_var is not None and not s.below_all:
        objective = np.zeros(len(solver.lb))
        _add_slack(objective, t, local)
        point = solver.solve(objective)
        if point is not None:
            _observe(point, targets, local, seen, fixed)


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
