"""Tests for analysis.regression."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.regression import LinearFit, fit_linear, fit_linear_columns

SharedData = Callable[[str], Path]
Columns = dict[str, list[str]]

# R survey's `fpc` data set, as printed by example(fpc) in tests/testoutput/fpc.Rout.save:
# stratid, psuid, weight, nh, Nh, x
FPC_DATA = [
    (1, 1, 3, 5, 15, 2.8),
    (1, 2, 3, 5, 15, 4.1),
    (1, 3, 3, 5, 15, 6.8),
    (1, 4, 3, 5, 15, 6.8),
    (1, 5, 3, 5, 15, 9.2),
    (2, 1, 4, 3, 12, 3.7),
    (2, 2, 4, 3, 12, 6.6),
    (2, 3, 4, 3, 12, 4.2),
]


def _columns(shared_data: SharedData, name: str) -> Columns:
    with shared_data(name).open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {column: [r[column] for r in rows] for column in rows[0]}


def test_svyglm_dclus1_with_fpc(shared_data: SharedData) -> None:
    data = _columns(shared_data, "apiclus1.csv")
    fit = fit_linear_columns(data, "api00", ["ell", "meals"], weight="pw", psu="dnum", fpc="fpc")
    # R survey 4.5 vignette (inst/doc/survey.pdf): summary(svyglm(api00 ~ ell + meals,
    # design = dclus1)), dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc):
    #             Estimate Std. Error t value Pr(>|t|)
    # (Intercept) 817.1823    18.6709  43.768 1.32e-14
    # ell          -0.5088     0.3259  -1.561    0.144
    # meals        -3.1456     0.3018 -10.423 2.29e-07
    assert fit.terms == ("Intercept", "ell", "meals")
    assert fit.params.round(4).tolist() == [817.1823, -0.5088, -3.1456]
    assert fit.se.round(4).tolist() == [18.6709, 0.3259, 0.3018]
    assert fit.t.round(3).tolist() == [43.768, -1.561, -10.423]
    assert [float(f"{p:.3g}") for p in fit.p_values] == [1.32e-14, 0.144, 2.29e-07]
    assert (fit.df, fit.df_residual, fit.n_psu, fit.n) == (14, 12, 15, 183)


def test_svyglm_dclus2(shared_data: SharedData) -> None:
    data = _columns(shared_data, "apiclus2.csv")
    fit = fit_linear_columns(data, "api00", ["ell", "meals", "mobility"], weight="pw", psu="dnum")
    # R survey, http://r-survey.r-forge.r-project.org/survey/example-regression.html:
    # summary(svyglm(api00 ~ ell + meals + mobility, design = dclus2)), dclus2 <-
    # svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2): with no fpc the
    # variance is the first stage's (districts, with replacement).
    #             Estimate Std. Error
    # (Intercept) 811.4907    30.8795
    # ell          -2.0592     1.4075
    # meals        -1.7772     1.1053
    # mobility      0.3253     0.5305
    # (That page's p-values come from an older R survey that tested on n - k degrees of
    # freedom; survey 4.5 uses degf + 1 - k, checked on dclus1 above.)
    assert fit.params.round(4).tolist() == [811.4907, -2.0592, -1.7772, 0.3253]
    assert fit.se.round(4).tolist() == [30.8795, 1.4075, 1.1053, 0.5305]
    assert (fit.df, fit.df_residual) == (39, 36)


@pytest.mark.parametrize(("fpc", "se"), [(None, 0.7413), ("Nh", 0.616)])
def test_stratified_design_with_and_without_fpc(fpc: str | None, se: float) -> None:
    data: dict[str, list[float]] = {
        name: [float(row[i]) for row in FPC_DATA]
        for i, name in enumerate(("stratid", "psuid", "weight", "nh", "Nh", "x"))
    }
    # nest = TRUE: PSU numbers restart in each stratum
    data["psu"] = [s * 100 + p for s, p in zip(data["stratid"], data["psuid"], strict=True)]
    fit = fit_linear_columns(data, "x", [], weight="weight", psu="psu", strata="stratid", fpc=fpc)
    # R survey tests/testoutput/fpc.Rout.save: svymean(~x, withoutfpc) -> 5.4481, SE
    # 0.7413; svymean(~x, withfpc) -> SE 0.616. svyglm(x ~ 1) is svymean: its estimating
    # equation sum w (x - b) = 0 linearizes to the mean's influence values.
    assert round(float(fit.params[0]), 4) == 5.4481
    assert round(float(fit.se[0]), 4) == se
    assert fit.df == 6  # 8 PSUs - 2 strata


def test_domain_means_as_regression() -> None:
    # R survey tests/domain.Rout.save: summary(svyglm(x ~ I(x > 4) + 0, design = dfpc)),
    # dfpc <- svydesign(id = ~psuid, strat = ~stratid, weight = ~weight, data = fpc,
    # nest = TRUE):
    #               Estimate Std. Error
    # I(x > 4)FALSE   3.3143     0.3117
    # I(x > 4)TRUE    6.1950     0.7555
    x = np.array([row[5] for row in FPC_DATA])
    design = np.column_stack([x <= 4, x > 4]).astype(float)
    fit = fit_linear(
        design,
        x,
        weights=[row[2] for row in FPC_DATA],
        psu=[(row[0], row[1]) for row in FPC_DATA],
        strata=[row[0] for row in FPC_DATA],
    )
    assert fit.params.round(4).tolist() == [3.3143, 6.1950]
    assert fit.se.round(4).tolist() == [0.3117, 0.7555]


def test_exact_fit_has_no_variance_and_no_test() -> None:
    x = np.column_stack([np.ones(6), np.arange(6.0)])
    with np.errstate(all="raise"):
        fit = fit_linear(x, 3 + 2 * np.arange(6.0), psu=list("aabbcc"))
        assert fit.params == pytest.approx([3.0, 2.0])
        assert fit.se == pytest.approx([0.0, 0.0], abs=1e-12)
        # se below rounding: t and p are NaN, not a division by zero
        exact = fit_linear(np.ones((4, 1)), [5.0] * 4, psu=list("abcd"))
        assert exact.se.tolist() == [0.0]
        assert math.isnan(exact.t[0])
        assert math.isnan(exact.p_values[0])


def test_no_residual_degrees_of_freedom() -> None:
    x = np.column_stack([np.ones(6), [1.0, 2.0, 3.0, 4.0, 5.0, 7.0], [0, 1, 0, 1, 1, 0]])
    fit = fit_linear(x, [1.0, 2.5, 2.9, 4.2, 5.0, 7.3], psu=list("aabbcc"))
    assert (fit.df, fit.df_residual) == (2, 0)
    assert np.isnan(fit.p_values).all()
    limits = fit.conf_int()
    assert np.isnan(limits.lower).all()
    assert np.isnan(limits.upper).all()


def test_confidence_limits_use_the_residual_df() -> None:
    x = np.column_stack([np.ones(8), np.arange(8.0)])
    y = [0.3, 1.2, 1.9, 3.4, 3.8, 5.3, 5.8, 7.4]
    fit = fit_linear(x, y, psu=list("aabbccdd"))
    limits = fit.conf_int(0.9)
    half = (limits.upper - limits.lower) / 2
    # t quantile 0.95 on df_residual = 4 - 1 + 1 - 2 = 2 degrees of freedom: 2.919986
    np.testing.assert_allclose(half, 2.919986 * fit.se, rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"psu": ["a"] * 4}, "one school"),
        ({"psu": list("abcd"), "strata": list("xxxy")}, "single PSU"),
        ({"psu": list("aabb"), "strata": list("xyxy")}, "two values of strata"),
        ({"weights": [1.0, -1.0, 1.0, 1.0]}, "non-negative"),
        ({"weights": [1.0, 1.0]}, "weights must have one entry"),
        ({"psu": ["a", "b"]}, "psu has 2 entries"),
        ({"fpc": [10, 10, 10, 0.1], "psu": list("aabb")}, "two values of fpc"),
    ],
)
def test_bad_designs(kwargs: dict[str, list[str] | list[float] | list[int]], match: str) -> None:
    x = np.column_stack([np.ones(4), [1.0, 2.0, 3.0, 5.0]])
    with pytest.raises(ValueError, match=match):
        fit_linear(x, [1.0, 2.0, 2.0, 4.0], **cast(Any, kwargs))


def test_bad_models() -> None:
    with pytest.raises(ValueError, match="full column rank"):
        fit_linear(np.column_stack([np.ones(4), np.ones(4)]), [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="full column rank"):
        # the rows that could identify the slope have weight 0
        fit_linear(np.column_stack([np.ones(4), [0, 0, 1, 1.0]]), [1, 2, 3, 4.0], [1, 1, 0, 0])
    with pytest.raises(ValueError, match="finite"):
        fit_linear(np.ones((3, 1)), [1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="no column 'z'"):
        fit_linear_columns({"y": [1.0, 2.0]}, "y", ["z"])
    with pytest.raises(ValueError, match="'g' must hold numbers"):
        fit_linear_columns({"y": [1.0, 2.0], "g": ["a", "b"]}, "y", ["g"])
    with pytest.raises(ValueError, match="one entry per row"):
        fit_linear_columns({"y": [1.0, 2.0, 3.0], "x": [1.0, 2.0]}, "y", ["x"])
    with pytest.raises(ValueError, match="no columns"):
        fit_linear_columns({"y": [1.0, 2.0]}, "y", [], intercept=False)


def test_missing_values_leave_their_rows_out() -> None:
    y = [1.0, 2.2, np.nan, 3.9, 5.1, 6.2, 6.8]
    x_values = [1.0, 2.0, 3.0, np.nan, 5.0, 6.0, 7.0]
    schools = ["a", "a", "b", "b", "c", "c", "c"]
    fit = fit_linear_columns({"y": y, "x": x_values, "s": schools}, "y", ["x"], psu="s")
    keep = [0, 1, 4, 5, 6]
    x = np.column_stack([np.ones(5), np.array(x_values)[keep]])
    same = fit_linear(x, np.array(y)[keep], psu=[schools[i] for i in keep])
    np.testing.assert_allclose(fit.params, same.params)
    np.testing.assert_allclose(fit.cov, same.cov)
    assert (fit.n, fit.n_psu) == (5, 2)  # school b kept no row


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0.2, 5.0), min_size=12, max_size=12),
    st.permutations(range(12)),
    st.floats(0.01, 100.0),
)
def test_invariant_to_row_order_and_weight_scale(
    weights: list[float], perm: list[int], scale: float
) -> None:
    rng = np.random.default_rng(7)
    x = np.column_stack([np.ones(12), rng.normal(size=12), rng.normal(size=12)])
    y = x @ [1.0, 2.0, -1.0] + rng.normal(size=12)
    psu = [i // 2 for i in range(12)]
    strata = ["s" if i < 6 else "t" for i in range(12)]
    w: npt.NDArray[np.float64] = np.array(weights)
    a = fit_linear(x, y, w, psu, strata)
    b = fit_linear(
        x[perm], y[perm], w[perm] * scale, [psu[i] for i in perm], [strata[i] for i in perm]
    )
    # R's svyglm rescales weights to mean 1; neither coefficients nor sandwich notice
    np.testing.assert_allclose(b.params, a.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(b.cov, a.cov, rtol=1e-7, atol=1e-12)


# Degenerate input: few rows, zero weights, constant outcomes and predictors, one school.

LINEAR_REFUSALS = r"full column rank|one school|single PSU|rows: a design variance"


@st.composite
def small_designs(
    draw: st.DrawFn,
) -> tuple[npt.NDArray[np.float64], list[float], list[float], list[str] | None]:
    """1 to 8 rows: a predictor that may be constant, weights that may be 0, schools."""
    n = draw(st.integers(1, 8))
    values = st.sampled_from([0.0, 1.0, 2.0, 5.0])
    x = np.column_stack([np.ones(n), draw(st.lists(values, min_size=n, max_size=n))])
    y = draw(st.lists(values, min_size=n, max_size=n))
    w = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0]), min_size=n, max_size=n))
    psu = draw(st.none() | st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
    return x, y, w, psu


@settings(max_examples=200, deadline=None)
@given(small_designs())
@example((np.ones((1, 2)), [1.0], [1.0], None))
@example((np.column_stack([np.ones(4), np.arange(4.0)]), [1.0, 3.0, 5.0, 7.0], [1.0] * 4, None))
def test_linear_fit_is_defined_or_refused_by_name(
    design: tuple[npt.NDArray[np.float64], list[float], list[float], list[str] | None],
) -> None:
    x, y, w, psu = design
    fit = _linear_or_refusal(x, y, w, psu)
    if isinstance(fit, str):
        assert re.search(LINEAR_REFUSALS, fit), fit
        return
    assert np.all(np.isfinite(fit.params))
    assert np.all(np.isfinite(fit.se))
    assert np.all(fit.se >= 0)
    limits = fit.conf_int()
    p = fit.p_values
    if fit.df_residual <= 0:
        assert np.isnan(limits.lower).all()
        assert np.isnan(p).all()
        return
    assert np.all(limits.lower <= fit.params)
    assert np.all(fit.params <= limits.upper)
    # p is NaN exactly where the standard error is 0, a probability everywhere else
    np.testing.assert_array_equal(np.isnan(p), fit.se == 0)
    assert np.all((p[fit.se > 0] >= 0) & (p[fit.se > 0] <= 1))


def _linear_or_refusal(
    x: npt.NDArray[np.float64], y: list[float], w: list[float], psu: list[str] | None
) -> LinearFit | str:
    try:
        return fit_linear(x, y, w, psu)
    except ValueError as error:
        return str(error)


def test_refusals_name_what_is_missing() -> None:
    # Found by a sweep of degenerate input: a design without columns gave an empty fit,
    # one row without schools was said to name "one school", and columns whose every
    # row has a missing value were said not to be of full rank.
    with pytest.raises(ValueError, match="design must be a matrix with a column"):
        fit_linear(np.ones((3, 0)), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="design has 1 rows"):
        fit_linear(np.ones((1, 1)), [1.0])
    with pytest.raises(ValueError, match="every row has a missing value in 'y'"):
        fit_linear_columns({"y": [np.nan, np.nan], "x": [1.0, 2.0]}, "y", ["x"])
