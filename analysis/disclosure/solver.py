"""The audit's programs as HiGHS solves them: bound tightening, witnesses, probes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from analysis.disclosure.programs import Program

__all__ = ["TOL", "Solver", "blocks", "tightened"]

FloatArray = npt.NDArray[np.float64]

TOL = 1e-6
"""Tolerance on constraint values and integrality."""


def tightened(program: Program) -> tuple[FloatArray, FloatArray]:
    """Variable bounds after moving every row with one free variable into its bounds.

    Repeated until nothing changes, so chains of pinned values are followed. Blocks
    split further once these values are seen to be fixed.
    """
    lb, ub = program.lb.copy(), program.ub.copy()
    matrix = program.matrix
    integer = program.integrality()
    nonzero = sparse.csr_array((matrix != 0).astype(np.int8))
    for _ in range(20):
        free = (lb != ub).astype(np.int8)
        single = np.flatnonzero(nonzero @ free == 1)
        if single.size == 0:
            break
        fixed_values = np.where(lb == ub, lb, 0.0)
        offset = matrix[single] @ fixed_values
        rows = sparse.csr_array(matrix[single] @ sparse.diags_array(free.astype(np.float64)))
        rows.eliminate_zeros()
        changed = False
        for k, r in enumerate(single.tolist()):
            j = int(rows.indices[rows.indptr[k]])
            a = float(rows.data[rows.indptr[k]])
            low = (program.lo[r] - offset[k]) / a
            high = (program.hi[r] - offset[k]) / a
            if a < 0:
                low, high = high, low
            if integer[j]:
                low = math.ceil(low - TOL) if math.isfinite(low) else low
                high = math.floor(high + TOL) if math.isfinite(high) else high
            if low > lb[j] + TOL:
                lb[j] = low
                changed = True
            if high < ub[j] - TOL:
                ub[j] = high
                changed = True
        if not changed:
            break
    if np.any(lb > ub):
        raise ValueError("published values contradict each other")
    return lb, ub


def blocks(program: Program, lb: FloatArray, ub: FloatArray) -> npt.NDArray[np.int64]:
    """The block of every variable (-1 where fixed): variables linked through a row.

    Fixed variables are constants, so they link nothing.
    """
    free = np.flatnonzero(lb != ub)
    sub = program.matrix[:, free]
    sub_bool = sparse.csr_array((sub != 0).astype(np.int8))
    adjacency = sparse.csr_array(sub_bool.T @ sub_bool)
    _, labels = connected_components(adjacency, directed=False)
    component = np.full(program.matrix.shape[1], -1, dtype=np.int64)
    component[free] = labels
    return component


@dataclass
class Solver:
    """One block's program, solved as it is or with one bound or one row added.

    ``lo <= matrix @ v <= hi``, ``lb <= v <= ub``, ``v`` integer where ``integer``;
    ``programs`` counts the programs solved.
    """

    quantity: str
    matrix: sparse.csr_array
    lo: FloatArray
    hi: FloatArray
    lb: FloatArray
    ub: FloatArray
    integer: npt.NDArray[np.bool_]
    programs: int = 0

    def whole(self, point: FloatArray) -> FloatArray:
        """``point`` with its integer variables rounded."""
        return np.where(self.integer, point.round(), point)

    def feasible(
        self,
        point: FloatArray,
        *,
        bounds: tuple[FloatArray, FloatArray] | None = None,
        row: tuple[FloatArray, float] | None = None,
    ) -> bool:
        """Whether ``point`` satisfies the program (and the extra bound or row)."""
        lb, ub = (self.lb, self.ub) if bounds is None else bounds
        residual = self.matrix @ point
        return bool(
            np.all(residual >= self.lo - TOL)
            and np.all(residual <= self.hi + TOL)
            and np.all(point >= lb - TOL)
            and np.all(point <= ub + TOL)
            and (row is None or float(row[0] @ point) <= row[1] + TOL)
        )

    def solve(
        self,
        objective: FloatArray,
        *,
        gap: float = 0.0,
        relax: bool = False,
        bounds: tuple[FloatArray, FloatArray] | None = None,
        row: tuple[FloatArray, float] | None = None,
        nodes: int | None = None,
    ) -> FloatArray | None:
        """An optimal (or, with ``gap``, good) point; None when a probe is infeasible.

        With ``nodes``, branch and bound stops after that many nodes with the best point
        found, or None when it found none: only for searches whose None proves nothing.
        """
        self.programs += 1
        lb, ub = (self.lb, self.ub) if bounds is None else bounds
        matrix, lo, hi = self.matrix, self.lo, self.hi
        if row is not None:
            matrix = sparse.csr_array(sparse.vstack([matrix, row[0][None, :]], format="csr"))
            lo = np.append(lo, -np.inf)
            hi = np.append(hi, row[1])
        integer = self.integer.any() and not relax
        options: dict[str, float] = {}
        if integer and gap:
            options["mip_rel_gap"] = gap
        if integer and nodes is not None:
            options["node_limit"] = nodes
        result = milp(
            objective,
            integrality=self.integer.astype(np.float64) if integer else None,
            bounds=Bounds(lb, ub),
            constraints=LinearConstraint(matrix, lo, hi),
            options=options or None,
        )
        if nodes is not None and result.status != 2 and result.x is None:
            return None  # the node limit came first
        if result.status == 2:
            if bounds is None and row is None:
                raise ValueError(f"published values for {self.quantity!r} contradict each other")
            return None
        if result.x is None:
            raise ValueError(f"audit of {self.quantity!r} failed: {result.message}")
        point: FloatArray = np.asarray(result.x, dtype=np.float64)
        return self.whole(point) if integer else point

    def probe(
        self,
        *,
        bounds: tuple[FloatArray, FloatArray] | None = None,
        row: tuple[FloatArray, float] | None = None,
        nodes: int | None = None,
    ) -> FloatArray | None:
        """A feasible integer point under the extra bound or row, or None if there is none
        (or, with ``nodes``, none was found in that many nodes)."""
        return self.witness(np.zeros(len(self.lb)), bounds=bounds, row=row, nodes=nodes)

    def witness(
        self,
        objective: FloatArray,
        *,
        gap: float = 0.0,
        bounds: tuple[FloatArray, FloatArray] | None = None,
        row: tuple[FloatArray, float] | None = None,
        nodes: int | None = None,
    ) -> FloatArray | None:
        """A feasible integer point, good for ``objective``; None if there is none.

        With ``nodes`` (see :meth:`solve`) None may also mean none was found in time; with
        ``nodes=0`` only a whole vertex of the relaxation is looked at, and no branch and
        bound is run.
        """
        if not self.integer.any():
            return self.solve(objective, bounds=bounds, row=row)
        # The relaxation proves most impossibilities at a fraction of the cost, and
        # its vertex is often whole already (the relations are nearly a network).
        relaxed = self.solve(objective, relax=True, bounds=bounds, row=row)
        if relaxed is None:
            return None
        whole = self.whole(relaxed)
        if np.abs(relaxed - whole).max(initial=0.0) <= TOL and self.feasible(
            whole, bounds=bounds, row=row
        ):
            return whole
        if nodes == 0:
            return None  # a whole vertex of the relaxation, or nothing
        return self.solve(objective, gap=gap, bounds=bounds, row=row, nodes=nodes)
