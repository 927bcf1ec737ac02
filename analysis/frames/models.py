"""Tests of association, linear and logistic models, and alpha, from columns by name.

The tests and models take their variance from the first-stage units (schools) alone:
R's with-replacement (ultimate cluster) variance, exact for a one-stage design and for
one whose first stage was drawn with replacement. A design drawn without replacement at
its first stage and sampled again below it, or with calibrated weights, needs more than
these functions take, so they refuse it rather than understate or overstate the
standard errors.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, overload

import numpy as np
import numpy.typing as npt

from analysis.clusters import psu_tables
from analysis.columns import (
    AnyArray,
    FloatArray,
    Frame,
    codes,
    column,
    equal,
    labels,
    levels,
    missing,
    numbers,
)
from analysis.design import SampleDesign
from analysis.logistic import LogitFit, fit_grouped_logit, treatment_columns
from analysis.regression import LinearFit, fit_linear_columns
from analysis.reliability import AlphaResult, cronbach_alpha
from analysis.tables import (
    RaoScottChisq,
    RaoScottTest,
    WaldTest,
    rao_scott,
    rao_scott_chisq,
    wald_test,
)

Statistic = Literal["F", "Chisq", "Wald", "adjWald"]


@dataclass(frozen=True, slots=True)
class _FirstStage:
    """Per row: its first-stage unit (as a code), weight, stratum and fpc."""

    psu: npt.NDArray[np.intp]
    weights: FloatArray
    strata: tuple[Hashable, ...] | None
    fpc: FloatArray | None


class _StageNames(NamedTuple):
    """The names the first stage was given among the columns."""

    psu: str
    weight: str
    strata: str | None
    fpc: str | None


class Models:
    """Tests and models of a :class:`~analysis.frames.Survey` (its ``columns``, ``design``)."""

    __slots__ = ()
    columns: Frame
    design: SampleDesign

    @overload
    def chisq(self, rows: str, cols: str, statistic: Literal["F"] = "F") -> RaoScottTest: ...
    @overload
    def chisq(self, rows: str, cols: str, statistic: Literal["Chisq"]) -> RaoScottChisq: ...
    @overload
    def chisq(self, rows: str, cols: str, statistic: Literal["Wald", "adjWald"]) -> WaldTest: ...
    def chisq(
        self, rows: str, cols: str, statistic: Statistic = "F"
    ) -> RaoScottTest | RaoScottChisq | WaldTest:
        """Design-based test of association of two columns (R ``svychisq``).

        Parameters
        ----------
        rows, cols : str
            Two categorical columns; rows missing either (None or NaN) are left out.
        statistic : {"F", "Chisq", "Wald", "adjWald"}
            :func:`analysis.tables.rao_scott`, :func:`analysis.tables.rao_scott_chisq`,
            or :func:`analysis.tables.wald_test` plain or adjusted, as R names them.

        Returns
        -------
        RaoScottTest, RaoScottChisq or WaldTest

        Raises
        ------
        ValueError
            For calibrated weights, or a first stage drawn without replacement above a
            later stage (see :mod:`analysis.frames.models`), and as the test does.

        Examples
        --------
        >>> from analysis import survey
        >>> s = survey({"school": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5],
        ...             "grade": [6, 7, 7, 6, 6, 7, 6, 7, 7, 7, 6, 6, 6, 7, 7],
        ...             "worried": list("nyynnyyynnnnnyy")}, ids="school")
        >>> res = s.chisq("grade", "worried")
        >>> round(res.f, 4), round(res.ndf, 4), round(res.ddf, 4), round(res.p_value, 4)
        (3.1734, 1.0, 4.0, 0.1494)
        >>> s.chisq("grade", "worried", statistic="adjWald").ddf
        4
        """
        if statistic not in ("F", "Chisq", "Wald", "adjWald"):
            raise ValueError(f"statistic must be F, Chisq, Wald or adjWald, got {statistic!r}")
        data, names = self._stage_columns("chisq", {rows, cols})
        data |= {rows: column(self.columns, rows), cols: column(self.columns, cols)}
        t = psu_tables(data, rows, cols, names.psu, names.weight, names.strata, names.fpc)
        if statistic == "F":
            return rao_scott(t.weighted, t.counts, t.strata, t.fpc)
        if statistic == "Chisq":
            return rao_scott_chisq(t.weighted, t.counts, t.strata, t.fpc)
        return wald_test(t.weighted, t.strata, t.fpc, adjusted=statistic == "adjWald")

    def linear(
        self, outcome: str, predictors: Sequence[str], *, intercept: bool = True
    ) -> LinearFit:
        """Linear model of numeric columns (R ``svyglm(y ~ x1 + x2, design)``).

        Parameters
        ----------
        outcome : str
            The outcome column.
        predictors : sequence of str
            Numeric predictor columns, in the order of the coefficients.
        intercept : bool, default True
            Add an ``Intercept`` term first.

        Returns
        -------
        LinearFit
            :func:`analysis.regression.fit_linear_columns`'s fit; rows missing a value
            (NaN) are left out.

        Raises
        ------
        ValueError
            As :meth:`chisq`, and as :func:`analysis.regression.fit_linear_columns`.

        Examples
        --------
        >>> from analysis import survey
        >>> s = survey({"school": list("aabbcc"), "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        ...             "y": [2.1, 3.9, 6.2, 7.8, 10.1, 12.2]}, ids="school")
        >>> fit = s.linear("y", ["x"])
        >>> fit.terms, fit.params.round(3).tolist(), fit.df
        (('Intercept', 'x'), [-0.02, 2.02], 2)
        """
        if isinstance(predictors, str):
            raise TypeError("predictors takes a sequence of column names, not a str")
        data, names = self._stage_columns("linear", {outcome, *predictors})
        data |= {name: column(self.columns, name) for name in (outcome, *predictors)}
        return fit_linear_columns(
            data,
            outcome,
            predictors,
            weight=names.weight,
            psu=names.psu,
            strata=names.strata,
            fpc=names.fpc,
            intercept=intercept,
        )

    def logit(
        self,
        outcome: str,
        predictors: Sequence[str],
        *,
        event: Hashable | None = None,
        factors: Collection[str] = (),
    ) -> LogitFit:
        """Logistic model of a yes/no column (R ``svyglm(..., family = quasibinomial())``).

        Rows sharing a school and the value of every predictor are pooled into one
        binomial cell of weighted counts, which :func:`analysis.logistic.fit_grouped_logit`
        fits: the same coefficients and school-clustered sandwich as a fit on the rows
        (the sandwich does not depend on the scale of the weights).

        Parameters
        ----------
        outcome : str
            The outcome column.
        predictors : sequence of str
            Predictor columns. A column of numbers is a numeric term; any other
            (strings, categories) is categorical, coded against its first sorted value
            in ``name[value]`` terms.
        event : optional
            The value of the outcome modelled. By default the outcome must have two
            values and the later in sorted order is the event ("Yes" of "No" and "Yes",
            1 of 0 and 1), as R takes a two-level factor.
        factors : collection of str, optional
            Numeric predictors to treat as categorical (numeric codes of categories).

        Returns
        -------
        LogitFit
            Its ``cluster_cov`` (and ``se``) is the design-based covariance; with
            sampling weights, ``loglik`` and ``model_cov`` are those of the weighted
            cells. Rows missing the outcome or a predictor are left out.

        Raises
        ------
        ValueError
            As :meth:`chisq`, and :class:`~analysis.logistic.NotEstimable` as
            :func:`~analysis.logistic.fit_grouped_logit` raises it.

        Examples
        --------
        >>> from analysis import survey
        >>> s = survey({"school": [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3],
        ...             "grade": [6, 7] * 6,
        ...             "worried": ["no", "yes", "yes", "yes", "no", "no",
        ...                         "yes", "no", "no", "yes", "no", "yes"]}, ids="school")
        >>> fit = s.logit("worried", ["grade"], factors=["grade"])
        >>> fit.terms, fit.params.round(4).tolist(), fit.df
        (('Intercept', 'grade[7]'), [-0.6931, 1.3863], 2)
        """
        if isinstance(predictors, str):
            raise TypeError("predictors takes a sequence of column names, not a str")
        stage = self._first_stage("logit")
        answers = labels(self.columns, outcome)
        keep = ~missing(answers)
        seen = set(answers[keep].tolist())
        if event is None:
            if len(seen) != 2:
                raise ValueError(
                    f"column {outcome!r} has {len(seen)} values; name the one modelled with event="
                )
            event = levels(seen)[1]
        elif event not in seen:
            raise ValueError(f"column {outcome!r} has no value {event!r}")
        y = equal(answers, event).astype(float)
        terms: list[tuple[str, AnyArray, bool]] = []
        for name in predictors:
            categorical = name in factors or column(self.columns, name).dtype.kind not in "biuf"
            if categorical:
                values = labels(self.columns, name)
                keep &= ~missing(values)
            else:
                values = numbers(self.columns, name)
                keep &= ~np.isnan(values)
            terms.append((name, values, categorical))
        rows = np.flatnonzero(keep)
        # One cell per school and combination of predictor values.
        key = np.column_stack([stage.psu, *(codes(v) for _, v, _ in terms)])[rows]
        _, first, cell = np.unique(key, axis=0, return_index=True, return_inverse=True)
        cell, at, w = cell.ravel(), rows[first], stage.weights[rows]
        x: list[FloatArray] = [np.ones((at.size, 1))]
        names = ["Intercept"]
        for name, values, categorical in terms:
            if categorical:
                dummies, dummy_names = treatment_columns(values[at].tolist(), name)
                x.append(dummies)
                names.extend(dummy_names)
            else:
                x.append(np.asarray(values[at], dtype=float)[:, None])
                names.append(name)
        return fit_grouped_logit(
            np.hstack(x),
            np.bincount(cell, weights=w * y[rows]),
            np.bincount(cell, weights=w),
            psu=stage.psu[at].tolist(),
            strata=None if stage.strata is None else [stage.strata[i] for i in at.tolist()],
            terms=names,
            fpc=None if stage.fpc is None else stage.fpc[at],
        )

    def alpha(self, items: Sequence[str], *, confidence: float = 0.95) -> AlphaResult:
        """Cronbach's alpha of item columns, with its Feldt interval.

        Alpha describes the respondents as they are, unweighted and with no design, as
        :func:`analysis.reliability.cronbach_alpha` computes it; rows missing an item
        (NaN) are left out.

        Parameters
        ----------
        items : sequence of str
            Item score columns, reverse-coded already.
        confidence : float, default 0.95
            Nominal coverage of the interval.

        Returns
        -------
        AlphaResult

        Examples
        --------
        >>> from analysis import survey
        >>> s = survey({"q1": [1, 2, 3, 4, 5], "q2": [2, 2, 3, 5, 4], "q3": [1, 3, 3, 4, 5]})
        >>> round(s.alpha(["q1", "q2", "q3"]).alpha, 4)
        0.9451
        """
        if isinstance(items, str):
            raise TypeError("items takes a sequence of column names, not a str")
        scores = np.column_stack([numbers(self.columns, name) for name in items])
        return cronbach_alpha(scores, confidence)

    def _first_stage(self, what: str) -> _FirstStage:
        """The first stage, for a method whose variance comes from it alone."""
        d = self.design
        if d.calibration is not None:
            raise ValueError(
                f"{what} does not take calibrated weights into its variance; use the survey "
                "before rake()"
            )
        if len(d.clusters) > 1 and d.fpc[0] is not None:
            raise ValueError(
                f"{what} takes its variance from first-stage units drawn with replacement, "
                f"but this design has an fpc for the first of its {len(d.clusters)} stages; "
                "without that fpc it would take the with-replacement approximation"
            )
        return _FirstStage(codes(d.clusters[0]), d.weights, d.strata, d.fpc[0])

    def _stage_columns(
        self, what: str, taken: Collection[str]
    ) -> tuple[dict[str, AnyArray], _StageNames]:
        """The first stage as columns, under names that are none of ``taken``."""
        stage = self._first_stage(what)

        def free(role: str) -> str:
            name = role
            while name in taken:
                name = f"_{name}"
            return name

        names = _StageNames(
            free("psu"),
            free("weight"),
            None if stage.strata is None else free("strata"),
            None if stage.fpc is None else free("fpc"),
        )
        data: dict[str, AnyArray] = {names.psu: stage.psu, names.weight: stage.weights}
        if names.strata is not None:
            data[names.strata] = np.asarray(stage.strata, dtype=object)
        if names.fpc is not None and stage.fpc is not None:
            data[names.fpc] = stage.fpc
        return data, names
