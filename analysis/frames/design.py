"""The :class:`Survey`: a sample's columns with their design, built by :func:`survey`."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from analysis.columns import Columns, Frame, labels, numbers, read_columns
from analysis.design import SampleDesign, sample_design
from analysis.frames.estimates import Estimates
from analysis.frames.models import Models
from analysis.weights import calibrated_design


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Survey(Estimates, Models):
    """A sample's rows with their design, estimating from columns by name.

    Build one with :func:`survey`; :meth:`rake` returns one with calibrated weights. The
    estimates are :meth:`mean`, :meth:`total` and :meth:`proportion`; the tests and
    models :meth:`chisq`, :meth:`linear`, :meth:`logit` and :meth:`alpha`.

    Attributes
    ----------
    columns : mapping of str to ndarray
        Read-only copies of the data's columns, one entry per row.
    design : SampleDesign
        The design of the rows, calibration included, as
        :func:`analysis.design.design_mean` and :func:`analysis.design.design_total`
        take it.
    ids, fpc : tuple
        The columns naming each stage's units and its finite population correction
        (None for a stage drawn with replacement); ``ids`` is empty when each row is a
        unit.
    strata, weights : str or None
        The columns of the first-stage strata and of the sampling weights.
    """

    columns: Frame
    design: SampleDesign
    ids: tuple[str, ...]
    strata: str | None
    weights: str | None
    fpc: tuple[str | None, ...]

    def __repr__(self) -> str:
        d = self.design
        parts = [f"{d.weights.size} rows", f"{len(set(d.clusters[0]))} first-stage units"]
        named = {"ids": self.ids, "strata": self.strata, "weights": self.weights, "fpc": self.fpc}
        parts += [f"{key}={value!r}" for key, value in named.items() if value]
        if d.calibration is not None:
            parts.append("calibrated")
        return f"Survey({', '.join(parts)})"

    def rake(
        self,
        margins: Sequence[str] | Mapping[str, str | Sequence[str]],
        targets: Mapping[str, Mapping[Hashable, float]],
        *,
        trim_upper: float | None = None,
        tol: float = 1e-8,
        max_iter: int = 500,
    ) -> Survey:
        """Rake the weights to population margins (R ``rake``; one margin ``postStratify``).

        Parameters
        ----------
        margins : sequence of str, or mapping
            The columns raked to, or a mapping from each margin's name to its column or
            to several columns (a crossed margin, whose categories are tuples of their
            values, like R's ``~school + grade``).
        targets : mapping
            For each margin (by column, or by name), the population total of every
            category.
        trim_upper, tol, max_iter
            As in :func:`analysis.weights.rake`.

        Returns
        -------
        Survey
            The same rows with the weights of :func:`analysis.weights.calibrated_design`,
            whose means, totals and proportions take the calibration into their variance.

        Examples
        --------
        >>> s = survey({"district": ["d1", "d1", "d2", "d2"], "w": [10.0] * 4,
        ...             "level": ["E", "H", "E", "H"]}, ids="district", weights="w")
        >>> raked = s.rake(["level"], {"level": {"E": 60, "H": 40}})
        >>> raked.design.weights.tolist()
        [30.0, 20.0, 30.0, 20.0]
        >>> est = raked.proportion("level", "E")
        >>> round(est.estimate, 4), round(est.se, 4)
        (0.6, 0.0)
        """
        if isinstance(margins, str):
            raise TypeError("margins takes a sequence of column names or a mapping, not a str")
        named = margins if isinstance(margins, Mapping) else {m: m for m in margins}
        categories: dict[str, Sequence[Hashable]] = {}
        for name, cols in named.items():
            if isinstance(cols, str):
                categories[name] = labels(self.columns, cols).tolist()
            else:
                crossed = [labels(self.columns, c).tolist() for c in cols]
                categories[name] = list(zip(*crossed, strict=True))
        design = calibrated_design(self.design, categories, targets, trim_upper, tol, max_iter)
        return dataclasses.replace(self, design=design)


def survey(
    data: Columns,
    ids: str | Sequence[str] | None = None,
    strata: str | None = None,
    weights: str | None = None,
    fpc: str | Sequence[str | None] | None = None,
    *,
    nest: bool = False,
) -> Survey:
    """Describe a sample by its columns (R ``svydesign``).

    Parameters
    ----------
    data : mapping of str to array_like
        Columns by name, one entry per row: a dict of lists or arrays, or a data frame.
        Every column must have the same length.
    ids : str or sequence of str, optional
        The column naming the units of each stage, first stage first (R
        ``id = ~dnum + snum``); omitted, each row is a unit (R ``id = ~1``).
    strata : str, optional
        The first-stage strata.
    weights : str, optional
        Sampling weights; 1 for every row when omitted.
    fpc : str or sequence, optional
        The finite population correction of each stage, as R ``svydesign`` takes it:
        the number of units in the population of the stratum or of the unit above
        (values > 1), or the sampling fraction (<= 1); None (or fewer names than
        stages) for a stage drawn with replacement.
    nest : bool, default False
        First-stage units are named only within their stratum (R ``nest = TRUE``).

    Returns
    -------
    Survey

    Raises
    ------
    ValueError
        If a column is missing (the message names it), the columns differ in length,
        or the design does not hold together (a unit in two strata, a negative
        weight, more fpc than stages, ...).

    Examples
    --------
    Two districts of 10, then two schools of 4 in each:

    >>> data = {"district": ["a", "a", "b", "b"], "school": [1, 2, 1, 2],
    ...         "fpc1": [10] * 4, "fpc2": [4] * 4, "w": [5.0] * 4,
    ...         "score": [3.0, 5.0, 8.0, 12.0]}
    >>> s = survey(data, ids=["district", "school"], weights="w", fpc=["fpc1", "fpc2"])
    >>> s  # doctest: +NORMALIZE_WHITESPACE
    Survey(4 rows, 2 first-stage units, ids=('district', 'school'), weights='w',
           fpc=('fpc1', 'fpc2'))
    >>> round(s.total("score").se, 4)
    54.1295
    """
    columns = read_columns(data)
    rows = len(next(iter(columns.values())))
    stages = _names(ids, "ids")
    fpcs = _names(fpc, "fpc")
    if len(fpcs) > max(len(stages), 1):
        raise ValueError(f"fpc names {len(fpcs)} stages, ids {max(len(stages), 1)}")
    units = [labels(columns, name).tolist() for name in stages] or [list(range(rows))]
    layers = None if strata is None else labels(columns, strata).tolist()
    if nest and layers is not None:
        units[0] = list(zip(layers, units[0], strict=True))
    w = np.ones(rows) if weights is None else numbers(columns, weights)
    per_stage = [None if f is None else numbers(columns, f) for f in fpcs]
    per_stage += [None] * (len(units) - len(per_stage))
    design = sample_design(w, units, strata=layers, fpc=per_stage)
    return Survey(MappingProxyType(columns), design, stages, strata, weights, fpcs)


def _names(value: str | Sequence[str | None] | None, what: str) -> tuple[Any, ...]:
    """Column names given as one name, several, or none."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    names = tuple(value)
    if not names:
        raise ValueError(f"{what} is empty: name a column, or pass None")
    return names
