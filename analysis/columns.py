"""Columns by name: copied once, read as numbers or as labels, with errors that name them.

The one reader of named columns for the whole library: the models' column front
(:func:`analysis.regression.fit_linear_columns`), the per-school tables
(:func:`analysis.tables.psu_tables`) and the data-frame front (:mod:`analysis.frames`)
all read their columns here. It imports nothing else from the library, so any module
may import it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
AnyArray = npt.NDArray[Any]
#: Columns by name, one entry per row: a dict of lists or arrays, or a data frame.
Columns = Mapping[str, Sequence[object] | npt.ArrayLike]
#: Read-only columns by name, all of one length.
Frame = Mapping[str, AnyArray]


def read_columns(data: Columns) -> dict[str, AnyArray]:
    """Read-only copies of every column, refusing columns of different lengths.

    Examples
    --------
    >>> sorted(read_columns({"a": [1, 2], "b": ["x", "y"]}))
    ['a', 'b']
    >>> read_columns({"a": [1, 2], "b": ["x"]})
    Traceback (most recent call last):
    ...
    ValueError: columns must all have one entry per row; their lengths: {'a': 2, 'b': 1}
    """
    columns: dict[str, AnyArray] = {}
    # Iterating a mapping (or a data frame) gives its column names.
    for name in data:
        values = np.array(data[name])
        if values.ndim != 1:
            raise ValueError(f"column {name!r} must be one-dimensional, got shape {values.shape}")
        values.setflags(write=False)
        columns[name] = values
    if not columns:
        raise ValueError("data has no columns")
    lengths = {name: v.size for name, v in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"columns must all have one entry per row; their lengths: {lengths}")
    if not next(iter(lengths.values())):
        raise ValueError("data has no rows")
    return columns


def column(columns: Frame, name: str) -> AnyArray:
    """The column called ``name``; a ``ValueError`` naming it (and a near name) if none is.

    Examples
    --------
    >>> column({"api00": np.array([1.0])}, "api0")
    Traceback (most recent call last):
    ...
    ValueError: data has no column 'api0'; did you mean 'api00'?
    """
    values: AnyArray = _find(columns, name)
    return values


def _find(columns: Columns, name: str) -> Any:
    # The values as given: converting before choosing a dtype would turn mixed labels
    # into text and tuple labels into a second axis.
    if name not in columns:
        near = difflib.get_close_matches(str(name), [str(c) for c in columns], n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ValueError(f"data has no column {name!r}{hint}")
    return columns[name]


def numbers(columns: Columns, name: str) -> FloatArray:
    """A column as floats (NaN where missing); a ``ValueError`` naming it if it is not numeric.

    Examples
    --------
    >>> numbers({"y": [1, 2.5]}, "y").tolist()
    [1.0, 2.5]
    """
    values = _find(columns, name)
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"column {name!r} must hold numbers (NaN where missing)") from exc


def labels(columns: Columns, name: str) -> AnyArray:
    """A column as Python objects, for comparing and grouping values of any kind.

    Examples
    --------
    >>> labels({"school": [1, "a"]}, "school").tolist()
    [1, 'a']
    """
    return np.asarray(_find(columns, name), dtype=object)


def equal(values: AnyArray, value: Hashable) -> BoolArray:
    """Whether each value is ``value`` (element by element, even for a tuple ``value``)."""
    return np.array([v == value for v in values.tolist()], dtype=bool)


def missing(values: AnyArray) -> BoolArray:
    """Whether each value is missing: None or NaN.

    Examples
    --------
    >>> missing(np.array(["a", None, float("nan")], dtype=object)).tolist()
    [False, True, True]
    """
    return np.array(
        [v is None or (isinstance(v, float | np.floating) and math.isnan(v)) for v in values],
        dtype=bool,
    )


def levels(values: Collection[Hashable]) -> list[Hashable]:
    """Distinct values in sorted order (R's factor levels), by text when they do not compare.

    Examples
    --------
    >>> levels({"b", "a"}), levels({1, "a"})
    (['a', 'b'], [1, 'a'])
    """
    try:
        return sorted(values)  # type: ignore[type-var]
    except TypeError:
        return sorted(values, key=str)


def codes(values: Sequence[Hashable] | AnyArray) -> npt.NDArray[np.intp]:
    """Each value's position among the distinct values, in order of first appearance.

    Examples
    --------
    >>> codes(["b", "a", "b", ("b", 1)]).tolist()
    [0, 1, 0, 2]
    """
    found: dict[Hashable, int] = {}
    items = values.tolist() if isinstance(values, np.ndarray) else values
    return np.fromiter(
        (found.setdefault(v, len(found)) for v in items), dtype=np.intp, count=len(items)
    )
