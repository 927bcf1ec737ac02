"""Rows (respondents, cells) grouped into their primary sampling units (schools).

Models and tables are fitted on rows, but their design variance comes from per-school
totals of the rows' linearized scores. :func:`psu_index` maps each row to its school
and checks that a school lies in one stratum with one finite population correction;
:func:`psu_totals` sums row values within schools; :func:`psu_covariance` is the design
covariance (:func:`design_covariance`) of those sums, the sandwich meat of
:mod:`analysis.regression` and :mod:`analysis.logistic`. :func:`multistage_covariance`
groups each stage's units with the same two functions.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.columns import codes
from analysis.design.totals import design_covariance, design_df

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True, eq=False)
class PsuIndex:
    """The school (PSU) of each row, with each school's stratum and fpc.

    Attributes
    ----------
    codes : ndarray of int, shape (rows,)
        Position of each row's school in :attr:`labels`.
    labels : tuple
        School identifiers, in order of first appearance.
    strata : tuple or None
        Stratum of each school; None for an unstratified design.
    fpc : ndarray or None
        Finite population correction of each school, as
        :func:`analysis.design.design_covariance` takes it.
    """

    codes: IntArray
    labels: tuple[Hashable, ...]
    strata: tuple[Hashable, ...] | None
    fpc: FloatArray | None

    @property
    def n_psu(self) -> int:
        """Number of schools."""
        return len(self.labels)

    @property
    def df(self) -> int:
        """Design degrees of freedom: schools minus strata."""
        return design_df(self.n_psu, self.strata)


def _per_psu(
    values: Sequence[Hashable], codes: IntArray, labels: tuple[Hashable, ...], name: str
) -> list[Hashable]:
    first: dict[int, Hashable] = {}
    for code, value in zip(codes.tolist(), values, strict=True):
        seen = first.setdefault(code, value)
        same = seen == value or (_is_nan(seen) and _is_nan(value))
        if not same:
            raise ValueError(f"PSU {labels[code]!r} has two values of {name}")
    return [first[c] for c in range(len(labels))]


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def psu_index(
    psu: Sequence[Hashable] | None,
    n_rows: int,
    strata: Sequence[Hashable] | None = None,
    fpc: npt.ArrayLike | None = None,
) -> PsuIndex:
    """Map rows to their schools (PSUs), each school to its stratum and fpc.

    Parameters
    ----------
    psu : sequence or None
        School of each row; None makes every row its own PSU (R ``id = ~1``).
    n_rows : int
        Number of rows.
    strata : sequence, optional
        Stratum of each row.
    fpc : array_like, optional
        Finite population correction of each row: the number of PSUs in its stratum's
        population (> 1) or the sampling fraction (<= 1).

    Returns
    -------
    PsuIndex

    Raises
    ------
    ValueError
        If there are no rows, an argument has the wrong length, or a school has two
        strata or two fpc values.

    Examples
    --------
    >>> index = psu_index(["a", "a", "b", "c"], 4, strata=["s", "s", "s", "t"])
    >>> index.codes.tolist(), index.labels, index.strata, index.df
    ([0, 0, 1, 2], ('a', 'b', 'c'), ('s', 's', 't'), 1)
    """
    if n_rows < 1:
        raise ValueError(f"n_rows must be at least 1, got {n_rows}")
    rows: Sequence[Hashable] = range(n_rows) if psu is None else psu
    if len(rows) != n_rows:
        raise ValueError(f"psu has {len(rows)} entries for {n_rows} rows")
    row_codes = codes(rows)
    names = tuple(dict.fromkeys(rows))
    psu_strata = None
    if strata is not None:
        if len(strata) != n_rows:
            raise ValueError(f"strata has {len(strata)} entries for {n_rows} rows")
        psu_strata = tuple(_per_psu(strata, row_codes, names, "strata"))
    psu_fpc = None
    if fpc is not None:
        f = np.asarray(fpc, dtype=float)
        if f.shape != (n_rows,):
            raise ValueError(f"fpc must have one entry per row ({n_rows}), got shape {f.shape}")
        psu_fpc = np.array(_per_psu(f.tolist(), row_codes, names, "fpc"), dtype=float)
    return PsuIndex(row_codes, names, psu_strata, psu_fpc)


def psu_totals(values: npt.ArrayLike, index: PsuIndex) -> FloatArray:
    """Sum row values within each school.

    Parameters
    ----------
    values : array_like, shape (rows,) or (rows, k)
        Per-row values (scores, weighted counts).
    index : PsuIndex
        The school of each row.

    Returns
    -------
    ndarray, shape (schools, k)

    Raises
    ------
    ValueError
        If ``values`` does not have one row per index row, or holds NaN or an infinity.

    Examples
    --------
    >>> psu_totals([1.0, 2.0, 3.0], psu_index(["a", "b", "a"], 3)).tolist()
    [[4.0], [2.0]]
    """
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    if v.ndim != 2 or v.shape[0] != index.codes.size:
        raise ValueError(f"values must have one row per index row, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("values must be finite numbers")
    totals = np.zeros((index.n_psu, v.shape[1]))
    np.add.at(totals, index.codes, v)
    return totals


def psu_covariance(scores: npt.ArrayLike, index: PsuIndex) -> FloatArray:
    """Design covariance of row scores summed within schools.

    Parameters
    ----------
    scores : array_like, shape (rows,) or (rows, k)
        Linearized scores (influence values) of each row.
    index : PsuIndex
        The school, stratum and fpc of each row.

    Returns
    -------
    ndarray, shape (k, k)
        ``sum_h (1 - f_h) n_h / (n_h - 1) sum_i (z_hi - zbar_h)(z_hi - zbar_h)'`` over the
        school totals ``z_hi``, as R ``survey`` computes it (``svyrecvar``).

    Raises
    ------
    ValueError
        If there is one school, a stratum has a single school, or a score is not finite.

    References
    ----------
    Binder, D. A. (1983). On the variances of asymptotically normal estimators from
    complex surveys. *International Statistical Review* 51, 279-292.

    Examples
    --------
    >>> index = psu_index(["a", "a", "b", "c", "d"], 5)
    >>> psu_covariance([1.0, 0.0, -1.0, 2.0, -2.0], index).round(4)
    array([[13.3333]])
    """
    if index.n_psu < 2:
        raise ValueError("psu names one school: a design variance needs at least two")
    return design_covariance(psu_totals(scores, index), index.strata, index.fpc)
