"""Witness search: feasible points of an attacker's program that settle audited values.

The truth is a point; optima of aggregate objectives (push every unsettled value up,
then down) are more, and two points that differ in a value prove its interval is not a
point. Programs split into blocks of linked variables; values a block's shared points
leave unsettled get their own probes, and only then, if asked, exact optima.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from analysis.disclosure.programs import Program
from analysis.disclosure.solver import TOL, Solver, blocks, tightened

__all__ = [
    "RESTRICTED_BLOCK",
    "Finding",
    "LayerAudit",
    "Seen",
    "Target",
    "audit_program",
    "with_held",
]

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
    cleared: set[tuple[int, str]] = field(default_factory=set)
    """Values (cell, quantity) a cheaper attacker's pass found protected this time."""

    @property
    def failures(self) -> list[Finding]:
        """Findings that are not protected."""
        return [f for f in self.findings if f.failure]


def with_held(
    program: Program, cells: npt.NDArray[np.int64], size: int, missing: int | None
) -> Program:
    """``program`` with the n (and missing count) of ``cells`` fixed at its true value."""
    lb, ub = program.lb.copy(), program.ub.copy()
    held = cells if missing is None else np.concatenate([cells, missing + cells])
    lb[held] = ub[held] = program.truth[held]
    return program.bounded(lb, ub)


@dataclass(frozen=True)
class Target:
    """One audited value: its cell, variable, the n (less missing) it must stay below, width."""

    cell: int
    var: int
    n_var: int | None
    minus_var: int | None
    width: int
    quantity: str


@dataclass
class Seen:
    """The values a target took at the feasible points seen, and what they proved."""

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


def _settled(target: Target, seen: Seen) -> bool:
    wide = seen.integer_high() - seen.integer_low() >= target.width
    if target.n_var is None:
        return wide
    return wide and seen.positive and seen.below_all


def audit_program(
    program: Program,
    targets: list[Target],
    exact: bool,
    out: LayerAudit,
    *,
    state: dict[Target, Seen] | None = None,
    conclude: bool = True,
    vertices: bool = False,
) -> list[Target]:
    """Audit ``targets`` block by block; without ``conclude``, return those left unsettled.

    ``state`` carries the feasible points seen by an earlier, more restricted program.
    With ``vertices`` (only without ``conclude``) a witness is a whole vertex of a
    relaxation and no branch and bound is run: for restrictions whose relations are nearly
    a network, where a vertex is whole wherever a point is easy to find at all.
    """
    if not targets:
        return []
    state = {t: Seen() for t in targets} if state is None else state
    lb, ub = tightened(program)
    component = blocks(program, lb, ub)
    by_block: dict[int, list[Target]] = {}
    left: list[Target] = []
    for t in targets:
        block = int(component[t.var])
        if block < 0:
            if not conclude:
                # Held at its true value here: the truth is the one point seen.
                _see_truth(program, t, state[t])
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
        if not conclude and len(variables) > RESTRICTED_BLOCK:
            # Too large to search in a restriction: its targets go on unsettled, the truth
            # the one point seen of them.
            for t in by_block[block]:
                _see_truth(program, t, state[t])
            left.extend(by_block[block])
            continue
        left.extend(
            _audit_block(
                bounded,
                variables,
                by_block[block],
                exact,
                out,
                state,
                conclude,
                vertices,
            )
        )
    return left


def _see_truth(program: Program, t: Target, seen: Seen) -> None:
    n_value = None
    if t.n_var is not None:
        n_value = float(program.truth[t.n_var])
        if t.minus_var is not None:
            n_value -= float(program.truth[t.minus_var])
    seen.add(float(program.truth[t.var]), n_value)


def _audit_block(
    program: Program,
    variables: npt.NDArray[np.int64],
    targets: list[Target],
    exact: bool,
    out: LayerAudit,
    seen: dict[Target, Seen],
    conclude: bool,
    vertices: bool,
) -> list[Target]:
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

    def pending() -> list[Target]:
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
        # Any feasible point serves as a witness: no need to prove it optimal, nor to search
        # long for one. Branch and bound stops after a fixed number of nodes (a count, not
        # seconds, so the same release gives the same verdicts); a target this leaves
        # unsettled gets the probes below, which are exact. In a restriction only the
        # relaxation's vertex is looked at (see _witnessed).
        nodes = 0 if vertices and not conclude else _WITNESS_NODES
        point = solver.witness(objective, gap=_LOOSE_GAP, nodes=nodes)
        if point is not None:
            _observe(point, targets, local, seen, program.lb)
    left: list[Target] = []
    for t in pending():
        s = seen[t]
        witnessed = not exact and _witnessed(
            t, s, solver, local, targets, seen, program.lb, conclusive=conclude, vertices=vertices
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


RESTRICTED_BLOCK = 10_000
"""Variables above which a block of a restriction of the attacker's program is not searched
for witnesses: its targets are left to the next restriction, and then hidden. In a district
of 200 schools, holding only the exactly published sizes joined every table into blocks of
17,000 variables whose relaxations took half a minute each, and found no witness."""

_LOOSE_GAP = 0.25
"""Relative gap at which an aggregate program stops: its point is only a witness."""

_PASSES = 3
"""Rounds of aggregate programs, repeated while each settles more targets."""

_WITNESS_NODES: int | None = 200
"""Branch-and-bound nodes an aggregate program may search for a point, and a probe in a
restriction of the attacker's program searched without ``vertices``."""


def _witnessed(
    t: Target,
    s: Seen,
    solver: Solver,
    local: dict[int, int],
    targets: list[Target],
    seen: dict[Target, Seen],
    fixed: FloatArray,
    *,
    conclusive: bool = True,
    vertices: bool = False,
) -> bool:
    """Look for feasible points that settle ``t``; False when none exists.

    Without ``conclusive`` the program is a restriction of the attacker's, so finding
    no point proves nothing about the attacker's interval.
    """
    i = local[t.var]
    # In a restriction a probe that finds nothing proves nothing, and the target is left to
    # the next restriction, then hidden: such a probe stops after a count of nodes, or with
    # ``vertices`` looks only at the relaxation's vertex.
    nodes = None if conclusive else (0 if vertices else _WITNESS_NODES)

    def probe(
        bounds: tuple[FloatArray, FloatArray] | None = None,
        row: tuple[FloatArray, float] | None = None,
    ) -> FloatArray | None:
        return solver.probe(bounds=bounds, row=row, nodes=nodes)

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
            probe(bounds=bounded(-math.inf, high - t.width))
        )
        if not down and not (
            solver.ub[i] >= low + t.width and found(probe(bounds=bounded(low + t.width, math.inf)))
        ):
            if t.width == 1 and conclusive:
                # No point on either side of the one seen: the interval is
                # exactly that point, no optimum needed.
                s.exact_low = s.exact_high = True
            return False
    if t.n_var is None:
        return True
    if not s.positive and not found(probe(bounds=bounded(1.0, math.inf))):
        return False
    if not s.below_all:
        row = np.zeros(len(solver.lb))
        _add_slack(row, t, local)
        # count - (n - missing) <= -1 with the variables of other blocks fixed
        shift = _slack_shift(t, local, fixed)
        if not found(probe(row=(row, -1.0 - shift))):
            return False
    return s.positive and s.below_all


def _slack_shift(t: Target, local: dict[int, int], fixed: FloatArray) -> float:
    shift = 0.0
    if t.n_var is not None and t.n_var not in local:
        shift -= float(fixed[t.n_var])
    if t.minus_var is not None and t.minus_var not in local:
        shift += float(fixed[t.minus_var])
    return shift


def _exact_interval(
    t: Target,
    s: Seen,
    solver: Solver,
    local: dict[int, int],
    targets: list[Target],
    seen: dict[Target, Seen],
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


def _add_slack(objective: FloatArray, t: Target, local: dict[int, int]) -> None:
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
    targets: Iterable[Target],
    local: dict[int, int],
    seen: dict[Target, Seen],
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
