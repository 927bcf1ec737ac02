"""Per-school totals and their between-school (design) covariance.

:class:`PsuTotals` is the row the service's ``GROUP BY school`` produces;
:func:`design_covariance` is the Taylor-linearization variance of per-school
linearized totals, with ``n_h/(n_h - 1)`` scaling and an optional finite population
correction within each stratum.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PsuTotals:
    """Weighted totals of one primary sampling unit (normally one school).

    Attributes
    ----------
    psu : Hashable
        School (cluster) identifier. Rows sharing an identifier are summed.
    y : float
        Weighted numerator total: the count answering yes, or the sum of scores.
    x : float
        Weighted denominator total: the number of respondents (or sum of weights).
    n : int, default 0
        Unweighted respondents; 0 means unknown, in which case ``x`` is used.
    yy : float or None
        Weighted sum of squared scores, needed only for the design effect of a mean.
    stratum : Hashable or None
        Stratum of the school, if the design is stratified.
    fpc : float or None
        Finite population correction as R ``survey`` takes it: the number of schools
        in the stratum's population (values > 1) or the sampling fraction (<= 1).
    """

    psu: Hashable
    y: float
    x: float
    n: int = 0
    yy: float | None = None
    stratum: Hashable | None = None
    fpc: float | None = None


@dataclass(frozen=True, slots=True)
class _Design:
    psu: tuple[Hashable, ...]
    y: FloatArray
    x: FloatArray
    n: FloatArray
    yy: FloatArray | None
    strata: tuple[Hashable, ...]
    fpc: FloatArray | None


def design_covariance(
    scores: npt.ArrayLike,
    strata: Sequence[Hashable] | None = None,
    fpc: npt.ArrayLike | None = None,
) -> FloatArray:
    """Between-PSU covariance of per-PSU linearized totals.

    ``sum_h (1 - f_h) n_h / (n_h - 1) sum_i (z_hi - zbar_h)(z_hi - zbar_h)'``, the
    with-replacement (or finite-population-corrected) estimator R ``survey`` uses. A
    stratum whose fpc says it was sampled whole adds nothing, even with a single PSU; any
    other stratum with a single PSU raises ``ValueError``.

    Parameters
    ----------
    scores : array_like, shape (G,) or (G, k)
        Linearized totals (influence values) per PSU.
    strata : sequence, optional
        Stratum of each PSU; one stratum when omitted.
    fpc : array_like, optional
        Per-PSU population count of PSUs in its stratum (> 1) or sampling fraction.

    Returns
    -------
    ndarray, shape (k, k)

    Examples
    --------
    >>> design_covariance([1.0, -1.0, 2.0, -2.0]).round(4)
    array([[13.3333]])
    """
    z = np.asarray(scores, dtype=float)
    if z.ndim == 1:
        z = z[:, None]
    if z.ndim != 2:
        raise ValueError(f"scores must be 1- or 2-dimensional, got shape {z.shape}")
    g = z.shape[0]
    labels: Sequence[Hashable] = [0] * g if strata is None else strata
    if len(labels) != g:
        raise ValueError(f"strata has {len(labels)} entries for {g} PSUs")
    f_all = None if fpc is None else np.asarray(fpc, dtype=float)
    if f_all is not None and f_all.shape != (g,):
        raise ValueError(f"fpc must have one entry per PSU ({g}), got shape {f_all.shape}")
    groups: dict[Hashable, list[int]] = {}
    for i, h in enumerate(labels):
        groups.setdefault(h, []).append(i)
    cov = np.zeros((z.shape[1], z.shape[1]))
    for h, rows in groups.items():
        n_h = len(rows)
        frac = 0.0 if f_all is None else _sampling_fraction(f_all[rows], h)
        # A stratum sampled whole adds no sampling variance, even with one PSU (R survey
        # treats it as self-representing).
        if frac == 1:
            continue
        if n_h < 2:
            where = "the design" if strata is None else f"stratum {h!r}"
            raise ValueError(f"{where} has a single PSU; its variance is not estimable")
        zc = z[rows] - z[rows].mean(axis=0)
        factor = n_h / (n_h - 1)
        if f_all is not None:
            factor *= 1 - frac
        cov += factor * zc.T @ zc
    return cov


def _sampling_fraction(fpc: FloatArray, stratum: Hashable) -> float:
    """Sampling fraction ``n / N`` of one stratum from its sampled units' fpc values."""
    pop = fpc.ravel()
    if np.any(np.isnan(pop)) or not np.allclose(pop, pop[0]):
        raise ValueError(f"fpc varies within stratum {stratum!r} or is missing")
    frac = float(pop[0]) if pop[0] <= 1 else pop.size / float(pop[0])
    if not 0 <= frac <= 1:
        raise ValueError(f"fpc of stratum {stratum!r} gives sampling fraction {frac}")
    # Rounding must not leave a stratum taken whole with a sliver of variance.
    return 1.0 if math.isclose(frac, 1.0, rel_tol=1e-12) else frac


def design_df(n_psu: int, strata: Sequence[Hashable] | None = None) -> int:
    """Design degrees of freedom: number of PSUs minus number of strata.

    Examples
    --------
    >>> design_df(15), design_df(4, ["a", "a", "b", "b"])
    (14, 2)
    """
    return n_psu - (1 if strata is None else len(set(strata)))


def _collect(cells: Sequence[PsuTotals]) -> _Design:
    if len(cells) == 0:
        raise ValueError("cells is empty")
    if not all(isinstance(c, PsuTotals) for c in cells):
        raise TypeError("cells must hold PsuTotals rows")
    merged: dict[Hashable, list[float]] = {}
    info: dict[Hashable, tuple[Hashable | None, float | None]] = {}
    has_yy = all(c.yy is not None for c in cells)
    for c in cells:
        if c.x < 0 or c.n < 0:
            raise ValueError(f"PSU {c.psu!r} has a negative total")
        row = merged.setdefault(c.psu, [0.0, 0.0, 0.0, 0.0])
        row[0] += c.y
        row[1] += c.x
        row[2] += c.n if c.n > 0 else c.x
        row[3] += c.yy if c.yy is not None else 0.0
        prior = info.setdefault(c.psu, (c.stratum, c.fpc))
        if prior != (c.stratum, c.fpc):
            raise ValueError(f"PSU {c.psu!r} appears with different stratum or fpc")
    keys = tuple(merged)
    arr = np.array([merged[k] for k in keys], dtype=float)
    strata = tuple(info[k][0] for k in keys)
    fpcs = [info[k][1] for k in keys]
    if any(f is None for f in fpcs) and not all(f is None for f in fpcs):
        raise ValueError("fpc must be given for every PSU or for none")
    fpc = None if fpcs[0] is None else np.array(fpcs, dtype=float)
    return _Design(
        keys, arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3] if has_yy else None, strata, fpc
    )


def _strata_arg(d: _Design) -> Sequence[Hashable] | None:
    return None if all(s is None for s in d.strata) else d.strata
