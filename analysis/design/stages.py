"""Multistage cluster samples: the Taylor variance stage by stage.

A two-stage sample draws districts, then schools within each sampled district. When the
first stage is drawn without replacement, the between-district variance no longer
carries all of the sampling variance: each later stage adds its own within-unit term,
scaled by the sampling fractions of the stages above it. :func:`multistage_covariance`
computes that sum, as R ``survey`` does for ``svydesign(id = ~dnum + snum, fpc = ~fpc1 +
fpc2)``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt

from analysis.design.clusters import psu_index, psu_totals
from analysis.design.totals import _sampling_fraction, design_covariance

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
# A unit named by the units above it and its own name: (district, school).
Path = tuple[Hashable, ...]


def multistage_covariance(
    scores: npt.ArrayLike,
    clusters: Sequence[Sequence[Hashable]],
    strata: Sequence[Hashable] | None = None,
    fpc: Sequence[npt.ArrayLike | None] | None = None,
) -> FloatArray:
    """Covariance of linearized totals in a multistage cluster sample.

    Parameters
    ----------
    scores : array_like, shape (rows,) or (rows, k)
        Linearized value (influence value) of every row, a unit of the last stage.
    clusters : sequence of sequences
        One sequence per stage, first stage first: the unit of that stage each row
        belongs to. A unit need only be named uniquely within the unit above it
        (school 3 of district 1 and school 3 of district 2 are different schools).
    strata : sequence, optional
        First-stage stratum of every row; one stratum when omitted. Later stages are
        stratified by the unit above them.
    fpc : sequence, optional
        One entry per stage: for each row, the number of units of that stage in the
        population of its stratum (first stage) or of the unit above it (later
        stages), as values > 1, or the sampling fraction, as values <= 1. An entry of
        None means that stage was drawn with replacement. Omitted, the first stage is
        taken as drawn with replacement.

    Returns
    -------
    ndarray, shape (k, k)

    Notes
    -----
    The variance is the between-unit term of the first stage (:func:`design_covariance`
    on the units' totals, with its fpc), plus, for each first-stage unit, the variance
    of the same kind among its second-stage units multiplied by the first-stage
    sampling fraction ``n_h / N_h``, and so on down the stages (Cochran 1977, sect.
    10.8 and 11.8). A stage drawn with replacement already carries the variance of
    every stage below it (the ultimate-cluster estimator), so nothing below it is
    added. This is R ``survey``'s default for a design with an fpc at each stage.

    A stratum or unit whose fpc says every unit below it was sampled adds nothing,
    even with a single unit sampled; any other with a single sampled unit raises
    ``ValueError``, naming it (R ``survey``'s default ``survey.lonely.psu = "fail"``).

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., Wiley, ch. 10-11.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, sect. 3.2.

    Examples
    --------
    Two districts of 10, then two schools of 4 in each:

    >>> scores = [3.0, 5.0, 8.0, 12.0]
    >>> clusters = [["a", "a", "b", "b"], [1, 2, 1, 2]]
    >>> fpc = [[10, 10, 10, 10], [4, 4, 4, 4]]
    >>> multistage_covariance(scores, clusters, fpc=fpc).round(4)
    array([[117.2]])

    Without a first-stage fpc only the between-district term remains:

    >>> multistage_covariance(scores, clusters).round(4)
    array([[144.]])
    """
    z = np.asarray(scores, dtype=float)
    if z.ndim == 1:
        z = z[:, None]
    if z.ndim != 2:
        raise ValueError(f"scores must be 1- or 2-dimensional, got shape {z.shape}")
    rows = z.shape[0]
    if rows == 0:
        raise ValueError("scores is empty")
    stages = len(clusters)
    if stages == 0:
        raise ValueError("clusters must name the units of at least one stage")
    for k, ids in enumerate(clusters, start=1):
        if len(ids) != rows:
            raise ValueError(f"clusters of stage {k} has {len(ids)} entries for {rows} rows")
    if strata is not None and len(strata) != rows:
        raise ValueError(f"strata has {len(strata)} entries for {rows} rows")
    fpcs = _stage_fpcs(fpc, stages, rows)
    # A unit is named by its path from the top, so that names repeat safely below it.
    paths: list[list[Path]] = []
    for k, ids in enumerate(clusters):
        above: list[Path] = paths[k - 1] if k else [()] * rows
        paths.append([(*p, u) for p, u in zip(above, ids, strict=True)])
    if strata is not None:
        first: dict[Path, Hashable] = {}
        for path, h in zip(paths[0], strata, strict=True):
            if first.setdefault(path, h) != h:
                raise ValueError(f"first-stage unit {path[0]!r} lies in more than one stratum")
    return _stage(z, np.arange(rows), paths, strata, fpcs, 0)


def _stage_fpcs(
    fpc: Sequence[npt.ArrayLike | None] | None, stages: int, rows: int
) -> list[FloatArray | None]:
    if fpc is None:
        return [None] * stages
    if len(fpc) != stages:
        raise ValueError(f"fpc has {len(fpc)} entries for {stages} stages")
    out: list[FloatArray | None] = []
    for k, f in enumerate(fpc, start=1):
        arr = None if f is None else np.asarray(f, dtype=float)
        if arr is not None and arr.shape != (rows,):
            raise ValueError(f"fpc of stage {k} must have one entry per row ({rows})")
        out.append(arr)
    return out


def _stage(
    z: FloatArray,
    index: IntArray,
    paths: list[list[Path]],
    strata: Sequence[Hashable] | None,
    fpcs: list[FloatArray | None],
    k: int,
) -> FloatArray:
    """Variance contributed by stage ``k`` and the stages below it, over rows ``index``."""
    units = psu_index([paths[k][i] for i in index.tolist()], index.size)
    members = [index[units.codes == c] for c in range(units.n_psu)]
    firsts = [int(r[0]) for r in members]
    totals = psu_totals(z[index], units)
    # Below the first stage, the stratum of a unit is the unit above it.
    unit_strata: list[Hashable] | None = None
    if k > 0:
        unit_strata = [paths[k - 1][i] for i in firsts]
    elif strata is not None:
        unit_strata = [strata[i] for i in firsts]
    f = fpcs[k]
    unit_fpc = None if f is None else f[firsts]
    if f is not None:
        for r in members:
            if not np.allclose(f[r], f[r[0]]):
                unit = paths[k][int(r[0])][-1]
                raise ValueError(f"fpc of stage {k + 1} varies within unit {unit!r}")
    if k > 0 and len(members) == 1:
        whole = unit_fpc is not None and _sampling_fraction(unit_fpc, paths[k - 1][firsts[0]]) == 1
        if not whole:
            raise ValueError(
                f"unit {paths[k - 1][firsts[0]][-1]!r} of stage {k} has a single sampled unit "
                f"at stage {k + 1}; its variance is not estimable"
            )
    cov = design_covariance(totals, unit_strata, unit_fpc)
    if f is None or unit_fpc is None or k + 1 == len(paths):
        return cov
    groups = [None] * len(members) if unit_strata is None else unit_strata
    fractions: dict[Hashable, float] = {}
    for h in set(groups):
        in_h = np.array([g == h for g in groups])
        fractions[h] = _sampling_fraction(unit_fpc[in_h], h)
    for h, r in zip(groups, members, strict=True):
        if fractions[h] > 0:
            cov += fractions[h] * _stage(z, r, paths, strata, fpcs, k + 1)
    return cov
