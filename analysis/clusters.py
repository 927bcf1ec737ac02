"""Per-school tables of two categorical columns, for the design-based tests.

:func:`psu_tables` reads the columns by name (:mod:`analysis.columns`), maps each
respondent to its school with :func:`analysis.design.psu_index`, and counts the two
columns into the per-school tables that :func:`analysis.tables.rao_scott` and
:func:`analysis.tables.wald_test` take.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.columns import BoolArray, Columns, labels, levels, missing, numbers
from analysis.design import psu_index

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class PsuTables:
    """Per-school tables of one subgroup x answer cross-tabulation.

    Attributes
    ----------
    weighted, counts : ndarray, shape (G, r, c)
        Weighted and unweighted counts per school, row level and column level.
    schools : tuple
        The school (PSU) of each table.
    rows, cols : tuple
        Levels of the row and column variables, sorted (R's factor levels).
    strata : tuple or None
        Stratum of each school.
    fpc : ndarray or None
        Finite population correction of each school.
    """

    weighted: FloatArray
    counts: FloatArray
    schools: tuple[Hashable, ...]
    rows: tuple[Hashable, ...]
    cols: tuple[Hashable, ...]
    strata: tuple[Hashable, ...] | None
    fpc: FloatArray | None


def _factor(values: list[Hashable], name: str) -> tuple[list[Hashable], BoolArray]:
    """The sorted levels of a column and whether each value is one (not missing)."""
    present = ~missing(np.array(values, dtype=object))
    ordered = levels({v for v, ok in zip(values, present.tolist(), strict=True) if ok})
    if len(ordered) < 2:
        raise ValueError(f"column {name!r} has fewer than two levels")
    return ordered, present


def psu_tables(
    data: Columns,
    rows: str,
    cols: str,
    psu: str,
    weight: str | None = None,
    strata: str | None = None,
    fpc: str | None = None,
) -> PsuTables:
    """Per-school tables of two columns, for the design-based tests.

    Parameters
    ----------
    data : mapping of str to array_like
        Columns by name, one entry per respondent (a dict of arrays, or a data frame).
    rows, cols : str
        The two categorical columns (subgroup and answer). A missing value (None or
        NaN) leaves its respondent out of the tables but keeps its school.
    psu : str
        The school (cluster) column.
    weight : str, optional
        Sampling weights; 1 for every respondent when omitted.
    strata, fpc : str, optional
        Stratum and finite population correction columns, as R ``svydesign`` takes them.

    Returns
    -------
    PsuTables

    Examples
    --------
    >>> t = psu_tables({"g": ["a", "b", "a", "b"], "y": [0, 1, 1, 1],
    ...                 "school": [1, 1, 2, 2]}, "g", "y", "school")
    >>> t.weighted.tolist(), t.rows, t.cols
    ([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]], ('a', 'b'), (0, 1))
    """
    row_values, col_values = labels(data, rows).tolist(), labels(data, cols).tolist()
    n = len(row_values)
    if n == 0:
        raise ValueError(f"column {rows!r} has no rows")
    index = psu_index(
        labels(data, psu).tolist(),
        n,
        None if strata is None else labels(data, strata).tolist(),
        None if fpc is None else numbers(data, fpc),
    )
    w = np.ones(n) if weight is None else numbers(data, weight)
    if w.shape != (n,) or len(col_values) != n:
        raise ValueError("every column must have one entry per respondent")
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"column {weight!r} must hold finite, non-negative weights")
    row_levels, row_ok = _factor(row_values, rows)
    col_levels, col_ok = _factor(col_values, cols)
    keep = row_ok & col_ok
    r_at = {v: i for i, v in enumerate(row_levels)}
    c_at = {v: i for i, v in enumerate(col_levels)}
    ri = np.array([r_at[v] if ok else 0 for v, ok in zip(row_values, keep, strict=True)])
    ci = np.array([c_at[v] if ok else 0 for v, ok in zip(col_values, keep, strict=True)])
    shape = (index.n_psu, len(row_levels), len(col_levels))
    weighted, counts = np.zeros(shape), np.zeros(shape)
    at = (index.codes[keep], ri[keep], ci[keep])
    np.add.at(weighted, at, w[keep])
    np.add.at(counts, at, 1.0)
    return PsuTables(
        weighted,
        counts,
        index.labels,
        tuple(row_levels),
        tuple(col_levels),
        index.strata,
        index.fpc,
    )
