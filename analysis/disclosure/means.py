"""The n of hidden groups audited again in each scale's program: means bound them too."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from analysis.disclosure.cells import Scale, Structure
from analysis.disclosure.moves import carry, nearest_change
from analysis.disclosure.primary import Pattern
from analysis.disclosure.programs import Program, View, n_program, scale_program
from analysis.disclosure.solver import blocks, tightened
from analysis.disclosure.witnesses import (
    Finding,
    LayerAudit,
    Seen,
    Target,
    audit_program,
    with_held,
)

__all__ = ["audit_means"]

FloatArray = npt.NDArray[np.float64]


def audit_means(
    seen: View,
    pattern: Pattern,
    scales: list[Scale],
    targets: list[Target],
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
    moves = None if exact else _Moves(with_held(n_program(seen), shown, size, None))
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
            audit_program(program, todo, True, found)
        else:
            state = {t: Seen() for t in todo}
            # Every value of a shown group is held (its sum too): the hidden groups'
            # values then split into small blocks, one per set of linked relations.
            layers = program.matrix.shape[1] // size
            held = with_held(
                program, np.concatenate([shown + k * size for k in range(layers)]), 0, None
            )
            left = audit_program(held, todo, False, found, state=state, conclude=False)
            if left:
                # A second chance with only the exactly published sizes held: witnesses
                # that move a banded group's size beside the hidden ones are points too.
                pinned = np.array([code.isdigit() for code in seen.codes.n], dtype=bool)
                loose = with_held(program, np.flatnonzero(pinned & ~pattern.hidden()), 0, None)
                left = audit_program(loose, left, False, found, state=state, conclude=False)
            for t in left:
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

    def carried(self, structure: Structure, scale: Scale, t: Target) -> bool:
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
