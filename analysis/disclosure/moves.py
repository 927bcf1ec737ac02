"""Whether new sizes of hidden groups stay consistent with the published means.

The audit finds feasible sizes for the hidden groups in the program of n
alone. A scale's program adds, per group, the scored count, the counts at or
above the scale's cut and below it, and the sum of scores. A change ``delta``
of the hidden groups' n (zero on every shown group) that satisfies the
relations extends to a point of the scale's program when one kind of
respondent can carry it: add or take ``|delta|`` respondents who all were
unscored, or all at or above the cut with one common score ``s``, or all
below it with one common score. Every layer then changes by a multiple of
``delta``, so every relation still holds, the shown groups and their means
are untouched, and only the groups that lose respondents need checking: they
must have that many of the kind, and what is left must still fit the
scale's range and cut. Each such group bounds ``s`` by an interval; the
change extends when the intervals meet.

Small changes carry best, so the change tried for a group is the one of
least total size that moves its n by the width required
(:func:`nearest_change`, one linear program over the group's block in the
program of n). The scale's own program, far harder with its continuous
sums, is solved only for the groups no change settles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.disclosure.cells import Scale, Structure, quantity_name
from analysis.disclosure.programs import Program

__all__ = ["carry", "nearest_change"]

FloatArray = npt.NDArray[np.float64]

_TOL = 1e-9


def carry(structure: Structure, scale: Scale, delta: FloatArray) -> FloatArray | None:
    """A point of the scale's program whose n are the true ones plus ``delta``.

    Parameters
    ----------
    structure : Structure
        The release with its true counts and sums.
    scale : Scale
        The scale whose means are published.
    delta : ndarray
        Integer change of every group's n; zero on the shown groups, and
        ``relations @ delta == 0``.

    Returns
    -------
    ndarray or None
        The point in the variable order of
        :func:`analysis.disclosure.programs.scale_program` (n, each option's
        count of the scale's item, sums), or None when no one kind of
        respondent carries the change, which proves nothing.

    Examples
    --------
    >>> from analysis.disclosure.cells import Cell, Dimension, Release, Table
    >>> scale = Scale("s", 1, 4)
    >>> rel = Release((Dimension("g", ("a", "b")),), (Table("t", ("g",)),),
    ...               (Cell((), 8, {}, {"s": (16.0, 40.0)}),
    ...                Cell((("g", "a"),), 3, {}, {"s": (3.0, 3.0)}),
    ...                Cell((("g", "b"),), 5, {}, {"s": (13.0, 37.0)})),
    ...               scales=(scale,))
    >>> s = rel.structure()

    One of b's five moves to a with a score of 2.5: the four left in b keep a
    sum of 10.5, within 1 to 4 each.

    >>> carry(s, scale, np.array([0.0, 1.0, -1.0])).tolist()
    [8.0, 4.0, 4.0, 16.0, 5.5, 10.5]

    All three of a move to b only if they score 1 each, as they do.

    >>> carry(s, scale, np.array([0.0, -3.0, 3.0])).tolist()
    [8.0, 0.0, 8.0, 16.0, 0.0, 16.0]
    """
    n = structure.n.astype(np.float64)
    total = structure.sums[scale.name]
    losing = np.flatnonzero(delta < -0.5)
    k = -delta[losing]
    if scale.item is None:
        loss = _Loss(k, total[losing], n[losing], None, None)
        score = _score(scale, loss, scale.low, scale.high, None)
        return None if score is None else np.concatenate([n + delta, total + score * delta])
    item = structure.items[scale.item]
    layers = [
        structure.counts[quantity_name(item.name, o)].astype(np.float64) for o in item.options
    ]
    position = {o: j for j, o in enumerate(item.options)}
    scored = n if item.missing is None else n - layers[position[item.missing]]
    # (option, lowest and highest score of one who gives it, side of the cut)
    kinds: list[tuple[str, float, float, bool | None]] = []
    cut_counts: tuple[FloatArray | None, FloatArray | None] = (None, None)
    if scale.cut is None:
        kinds += [(o, scale.low, scale.high, None) for o in item.answered]
    else:
        above, below = item.answered[:2]
        kinds += [(above, scale.cut, scale.high, True), (below, scale.low, scale.cut, False)]
        cut_counts = (layers[position[above]][losing], layers[position[below]][losing])
    for option, s_low, s_high, side in kinds:
        layer = layers[position[option]]
        if not bool(np.all(layer[losing] >= k)):
            continue
        loss = _Loss(
            k, total[losing], scored[losing], *(cut_counts if side is not None else (None, None))
        )
        score = _score(scale, loss, s_low, s_high, side)
        if score is not None:
            return _point(n, layers, position[option], total + score * delta, delta)
    if item.missing is not None and bool(np.all(layers[position[item.missing]][losing] >= k)):
        # Unscored respondents move: every scored count and every sum stays as it is.
        return _point(n, layers, position[item.missing], total, delta)
    return None


@dataclass(frozen=True)
class _Loss:
    """What the groups that lose respondents hold: how many go, sums, scored, cut counts."""

    k: FloatArray
    total: FloatArray
    scored: FloatArray
    above: FloatArray | None
    below: FloatArray | None


def _score(
    scale: Scale, loss: _Loss, s_low: float, s_high: float, side: bool | None
) -> float | None:
    """A score ``s`` in ``[s_low, s_high]`` that ``k`` of each losing group can take away."""
    low, high, k = scale.low, scale.high, loss.k
    # What stays must fit the range: low (d - k) <= sum - s k <= high (d - k).
    uppers = [low + (loss.total - low * loss.scored) / k]
    lowers = [high - (high * loss.scored - loss.total) / k]
    if (
        side is not None
        and scale.cut is not None
        and loss.above is not None
        and loss.below is not None
    ):
        # And the cut: cut a + low b <= sum <= high a + cut b, the k taken from a or b.
        slack_low = loss.total - scale.cut * loss.above - low * loss.below
        slack_high = high * loss.above + scale.cut * loss.below - loss.total
        uppers.append((scale.cut if side else low) + slack_low / k)
        lowers.append((high if side else scale.cut) - slack_high / k)
    upper = min([s_high, *(float(u.min(initial=np.inf)) for u in uppers)])
    lower = max([s_low, *(float(v.max(initial=-np.inf)) for v in lowers)])
    if lower > upper + _TOL:
        return None
    return min(max((lower + upper) / 2, s_low), s_high)


def _point(
    n: FloatArray, layers: list[FloatArray], at: int, total: FloatArray, delta: FloatArray
) -> FloatArray:
    moved = [layer + delta if j == at else layer for j, layer in enumerate(layers)]
    return np.concatenate([n + delta, *moved, total])


def nearest_change(
    program: Program,
    lb: FloatArray,
    ub: FloatArray,
    variables: npt.NDArray[np.int64],
    var: int,
    step: int,
) -> FloatArray | None:
    """The change of one block's variables least in total size that moves ``var`` by ``step``.

    ``lb`` and ``ub`` are the variables' bounds, with every variable outside
    the block fixed at its true value. Solved as a linear program over the
    positive and negative parts of the change; None when there is no such
    change or the optimum is not whole (the relations of a two-way table give
    whole vertices; three-way tables need not).

    Examples
    --------
    >>> p = Program(sparse.csr_array(np.array([[1.0, -1.0, -1.0, -1.0]])), np.zeros(1),
    ...             np.zeros(1), np.array([9.0, 1, 3, 1]), np.array([9.0, 9, 9, 9]),
    ...             np.array([9.0, 5, 3, 1]), 100.0)
    >>> nearest_change(p, p.lb, p.ub, np.array([1, 2, 3]), 3, 2).tolist()
    [0.0, -2.0, 0.0, 2.0]
    """
    size = len(variables)
    cols = program.matrix[:, variables]
    touched = np.flatnonzero(np.diff(cols.indptr) > 0)
    part = sparse.csr_array(cols[touched])
    # The truth satisfies every row, so a change must keep A @ change within the slack.
    base = program.matrix[touched] @ program.truth
    truth = program.truth[variables]
    upper = np.concatenate([ub[variables] - truth, truth - lb[variables]])
    lower = np.zeros(2 * size)
    at = int(np.searchsorted(variables, var))
    lower[at if step > 0 else size + at] = abs(step)
    # Without this, taking one away and adding it back would be cheapest.
    upper[size + at if step > 0 else at] = 0.0
    if np.any(lower > upper):
        return None
    result = milp(
        np.ones(2 * size),
        constraints=LinearConstraint(
            sparse.hstack([part, -part], format="csr"),
            program.lo[touched] - base,
            program.hi[touched] - base,
        ),
        bounds=Bounds(lower, upper),
    )
    if result.status != 0 or result.x is None:
        return None
    change = np.asarray(result.x[:size] - result.x[size:], dtype=np.float64)
    whole = change.round()
    if np.abs(change - whole).max(initial=0.0) > 1e-6:
        return None
    out = np.zeros(len(program.truth))
    out[variables] = whole
    return out
