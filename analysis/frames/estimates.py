"""Means, totals and proportions of columns, overall or by subgroup (R ``svymean``, ...).

A subgroup (domain) keeps every row in the design, with the rows outside it counting as
zero, so that its standard error takes in the schools where it has no member (R's
``subset`` of a design); :func:`analysis.design.design_mean` and
:func:`analysis.design.design_total` do the estimating.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Literal, TypeVar, overload

import numpy as np

from analysis.columns import BoolArray, Frame, equal, labels, levels, missing, numbers
from analysis.design import DesignEstimate, SampleDesign, design_mean, design_total
from analysis.proportions import KornGraubardInterval, korn_graubard_interval

#: A subgroup: a column and the value its members have there, e.g. ``("stype", "E")``.
Domain = tuple[str, Hashable]
T = TypeVar("T")


class Estimates:
    """Estimates of a :class:`~analysis.frames.Survey` (its ``columns``, ``design``)."""

    __slots__ = ()
    columns: Frame
    design: SampleDesign

    @overload
    def mean(
        self,
        column: str,
        *,
        by: None = None,
        domain: Domain | None = None,
        na_rm: bool = False,
        confidence: float = 0.95,
    ) -> DesignEstimate: ...
    @overload
    def mean(
        self,
        column: str,
        *,
        by: str,
        domain: Domain | None = None,
        na_rm: bool = False,
        confidence: float = 0.95,
    ) -> dict[Hashable, DesignEstimate]: ...
    def mean(
        self,
        column: str,
        *,
        by: str | None = None,
        domain: Domain | None = None,
        na_rm: bool = False,
        confidence: float = 0.95,
    ) -> DesignEstimate | Mapping[Hashable, DesignEstimate]:
        """Weighted mean of a column, overall or per subgroup (R ``svymean``, ``svyby``).

        Parameters
        ----------
        column : str
            A numeric column.
        by : str, optional
            Estimate the mean in each subgroup (each value) of this column.
        domain : (str, value), optional
            Estimate the mean of one subgroup: the rows whose column has that value.
        na_rm : bool, default False
            Leave the rows missing the value (NaN) out, as a subgroup (R ``na.rm``);
            without it, a missing value is an error.
        confidence : float, default 0.95
            Nominal coverage of the interval.

        Returns
        -------
        DesignEstimate or dict
            :func:`analysis.design.design_mean`'s estimate; with ``by``, one per value,
            in sorted order.

        Examples
        --------
        Three of 30 schools, two students in each:

        >>> from analysis import survey
        >>> s = survey({"school": [1, 1, 2, 2, 3, 3], "fpc": [30] * 6,
        ...             "grade": [6, 7, 6, 7, 6, 7],
        ...             "score": [4.0, 6.0, 5.0, 7.0, 2.0, 3.0]}, ids="school", fpc="fpc")
        >>> est = s.mean("score")
        >>> round(est.estimate, 4), round(est.se, 4), est.df
        (4.5, 0.9874, 2)
        >>> {g: round(e.estimate, 4) for g, e in s.mean("score", by="grade").items()}
        {6: 3.6667, 7: 5.3333}
        >>> round(s.mean("score", domain=("grade", 7)).se, 4)
        1.1402
        """
        y = numbers(self.columns, column)

        def one(inside: BoolArray | None) -> DesignEstimate:
            inside = self._answered(column, ~np.isnan(y), inside, na_rm)
            values = y if inside is None else np.where(inside, y, 0.0)
            return design_mean(self.design, values, confidence=confidence, domain=inside)

        return self._per_domain(one, by, domain)

    @overload
    def total(
        self,
        column: str,
        *,
        by: None = None,
        domain: Domain | None = None,
        na_rm: bool = False,
        confidence: float = 0.95,
    ) -> DesignEstimate: ...
    @overload
    def total(
        self,
        column: str,
        *,
        by: str,
        domain: Domain | None = None,
        na_rm: bool = False,
        confidence: float = 0.95,
    ) -> dict[Hashable, DesignEstimate]: ...
    def total(
        self,
        column: str,
        *,
        by: str | None = None,
        domain: Domain | None = None,
        na_rm: bool = False,
        confidence: float = 0.95,
    ) -> DesignEstimate | Mapping[Hashable, DesignEstimate]:
        """Weighted population total of a column, overall or per subgroup (R ``svytotal``).

        Parameters
        ----------
        column : str
            A numeric column.
        by, domain, na_rm, confidence
            As in :meth:`mean`; rows outside the subgroup, or missing the value with
            ``na_rm``, add 0.

        Returns
        -------
        DesignEstimate or dict
            :func:`analysis.design.design_total`'s estimate; with ``by``, one per value.

        Examples
        --------
        >>> from analysis import survey
        >>> s = survey({"school": ["a", "a", "b", "b"], "w": [10.0] * 4,
        ...             "enrolled": [1.0, 2.0, 3.0, 5.0]}, ids="school", weights="w")
        >>> est = s.total("enrolled")
        >>> est.estimate, round(est.se, 4), est.df
        (110.0, 50.0, 1)
        """
        y = numbers(self.columns, column)

        def one(inside: BoolArray | None) -> DesignEstimate:
            inside = self._answered(column, ~np.isnan(y), inside, na_rm)
            values = y if inside is None else np.where(inside, y, 0.0)
            return design_total(self.design, values, confidence)

        return self._per_domain(one, by, domain)

    @overload
    def proportion(
        self,
        column: str,
        level: Hashable,
        *,
        method: Literal["logit"] = "logit",
        by: None = None,
        domain: Domain | None = None,
        na_rm: bool = False,
        confidence: float = 0.95,
    ) -> DesignEstimate: ...
    @overload
    def proportion(
        self,
        column: str,
        level: Hashable,
        *,
        method: Literal["logit"] = "logit",
        by: str,
        domain: Domain | None = None,
        na_rm: bool = False,
        confidence: float = 0.95,
    ) -> dict[Hashable, DesignEstimate]: ...
    @overload
    def proportion(
        self,
        column: str,
        level: Hashable,
        *,
        method: Literal["korn-graubard"],
        by: None = None,
        domain: Domain | None = None,
        na_rm: bool = False,
        confidence: float = 0.95,
    ) -> KornGraubardInterval: ...
    @overload
    def proportion(
        self,
        column: str,
        level: Hashable,
        *,
        method: Literal["korn-graubard"],
        by: str,
        domain: Domain | None = None,
        na_rm: bool = False,
        confidence: float = 0.95,
    ) -> dict[Hashable, KornGraubardInterval]: ...
    def proportion(
        self,
        column: str,
        level: Hashable,
        *,
        method: Literal["logit", "korn-graubard"] = "logit",
        by: str | None = None,
        domain: Domain | None = None,
        na_rm: bool = False,
        confidence: float = 0.95,
    ) -> (
        DesignEstimate
        | KornGraubardInterval
        | Mapping[Hashable, DesignEstimate | KornGraubardInterval]
    ):
        """Share of rows whose column has a value, with its interval (R ``svyciprop``).

        Parameters
        ----------
        column : str
            Any column.
        level
            The value counted, e.g. ``"Yes"``; a value the column never has gives 0.
        method : {"logit", "korn-graubard"}
            The survey-logit interval of :func:`analysis.design.design_mean`, or the
            Korn-Graubard interval of :func:`analysis.proportions.korn_graubard_interval`
            (R ``method = "beta"``) from the same estimate, standard error, respondents
            and degrees of freedom.
        by, domain, na_rm, confidence
            As in :meth:`mean`; a missing value is None or NaN.

        Returns
        -------
        DesignEstimate, KornGraubardInterval or dict
            With ``by``, one per value.

        Examples
        --------
        >>> from analysis import survey
        >>> s = survey({"school": [1, 1, 2, 2, 3, 3, 4, 4],
        ...             "worried": ["yes", "no", "no", "no", "yes", "yes", "no", "yes"]},
        ...            ids="school")
        >>> est = s.proportion("worried", "yes")
        >>> est.estimate, round(est.se, 4), round(est.lower, 4), round(est.upper, 4)
        (0.5, 0.2041, 0.0692, 0.9308)
        >>> ci = s.proportion("worried", "yes", method="korn-graubard")
        >>> round(ci.lower, 4), round(ci.upper, 4)
        (0.0478, 0.9522)
        """
        if method not in ("logit", "korn-graubard"):
            raise ValueError(f"method must be 'logit' or 'korn-graubard', got {method!r}")
        values = labels(self.columns, column)
        has = equal(values, level).astype(float)
        answered = ~missing(values)

        def one(inside: BoolArray | None) -> DesignEstimate | KornGraubardInterval:
            inside = self._answered(column, answered, inside, na_rm)
            est = design_mean(self.design, has, "proportion", confidence, domain=inside)
            if method == "logit":
                return est
            return korn_graubard_interval(est.estimate, est.se, est.n, est.df, confidence)

        return self._per_domain(one, by, domain)

    def _answered(
        self, column: str, answered: BoolArray, inside: BoolArray | None, na_rm: bool
    ) -> BoolArray | None:
        """The rows to estimate from: ``inside`` (all when None) less those missing a value."""
        unanswered = ~answered if inside is None else inside & ~answered
        if not unanswered.any():
            return inside
        if not na_rm:
            raise ValueError(
                f"column {column!r} has {int(unanswered.sum())} missing values; pass "
                "na_rm=True to leave those rows out"
            )
        return answered if inside is None else inside & answered

    def _per_domain(
        self, one: Callable[[BoolArray | None], T], by: str | None, domain: Domain | None
    ) -> T | dict[Hashable, T]:
        """``one`` over the whole sample or ``domain``, or per value of column ``by``."""
        inside = None
        if domain is not None:
            name, level = domain
            inside = equal(labels(self.columns, name), level)
            if not inside.any():
                raise ValueError(f"domain: no row has {name} == {level!r}")
        if by is None:
            return one(inside)
        groups = labels(self.columns, by)
        out: dict[Hashable, T] = {}
        for value in levels(set(groups[~missing(groups)].tolist())):
            member = equal(groups, value)
            out[value] = one(member if inside is None else member & inside)
        return out
