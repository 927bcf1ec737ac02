"""Tests for the Korn-Graubard and fractional Clopper-Pearson limits in analysis.proportions."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import special, stats

from analysis.design import PsuTotals, ratio_estimate
from analysis.proportions import (
    clopper_pearson_interval,
    clopper_pearson_limits,
    korn_graubard_interval,
    korn_graubard_limits,
)

SharedData = Callable[[str], Path]

# Newcombe (1998) Table I, method 5 (Clopper-Pearson): (successes, n, limits)
NEWCOMBE_EXACT = [
    (81, 263, (0.2527, 0.3676)),
    (15, 148, (0.0578, 0.1617)),
    (0, 20, (0.0, 0.1684)),
    (1, 29, (0.0009, 0.1776)),
]


@pytest.mark.parametrize(("k", "n", "exact"), NEWCOMBE_EXACT)
def test_simple_random_sample_gives_clopper_pearson(
    k: int, n: int, exact: tuple[float, float]
) -> None:
    # With se^2 = p (1 - p) / n and df = n - 1 the effective sample is the sample itself
    # and the t ratio is 1: Korn-Graubard is Clopper-Pearson (Korn and Graubard 1998).
    p = k / n
    ci = korn_graubard_interval(p, math.sqrt(p * (1 - p) / n), n, n - 1)
    assert (round(ci.lower, 4), round(ci.upper, 4)) == exact
    assert ci.n_eff == pytest.approx(n)
    limits = clopper_pearson_limits([k], [n])
    assert (round(float(limits.lower[0]), 4), round(float(limits.upper[0]), 4)) == exact


def test_svyciprop_beta_apiclus1(shared_data: SharedData) -> None:
    # R survey: svyciprop(~I(ell == 0), dclus1, method = "beta"). No printed output of it
    # exists in the survey sources (man/svyciprop.Rd runs it without showing the result),
    # so the expected limits are derived here from R/svyttest.R's definition with scipy:
    # n_eff = p (1 - p) / var * (qt(0.025, nrow - 1) / qt(0.025, degf))^2, then
    # qbeta(0.025, n_eff p, n_eff (1 - p) + 1) and qbeta(0.975, n_eff p + 1, n_eff (1 - p)).
    with shared_data("apiclus1.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    cells = [
        PsuTotals(r["dnum"], float(r["pw"]) * (float(r["ell"]) == 0), float(r["pw"]), 1, fpc=757)
        for r in rows
    ]
    est = ratio_estimate(cells)
    assert (est.n, est.df) == (183, 14)
    p, var = est.estimate, est.se**2
    size = p * (1 - p) / var * (stats.t.ppf(0.025, 182) / stats.t.ppf(0.025, 14)) ** 2
    lower = stats.beta.ppf(0.025, size * p, size * (1 - p) + 1)
    upper = stats.beta.ppf(0.975, size * p + 1, size * (1 - p))
    ci = korn_graubard_interval(est.estimate, est.se, est.n, est.df)
    assert ci.lower == pytest.approx(lower, rel=1e-9)
    assert ci.upper == pytest.approx(upper, rel=1e-9)
    assert ci.n_eff == pytest.approx(size, rel=1e-12)
    # 4 of 183 schools have no English learners; the interval is wide and skewed right
    assert round(ci.estimate, 4) == 0.0219
    assert ci.lower < 0.001 < ci.estimate < 0.1 < ci.upper < 0.2


@pytest.mark.parametrize(("k", "n"), [(7.5, 74.0), (0.3, 10.2), (12.25, 13.5)])
def test_fractional_counts_solve_the_beta_equations(k: float, n: float) -> None:
    # The limits are defined by I_lower(k, n - k + 1) = a/2 and I_upper(k + 1, n - k)
    # = 1 - a/2 (regularized incomplete beta), for whole counts or not.
    ci = clopper_pearson_limits(k, n, 0.9)
    assert special.betainc(k, n - k + 1, ci.lower) == pytest.approx(0.05, rel=1e-8)
    assert special.betainc(k + 1, n - k, ci.upper) == pytest.approx(0.95, rel=1e-8)
    # and lie between the limits of the whole counts on either side
    below, above = (
        clopper_pearson_limits(math.floor(k), n, 0.9),
        clopper_pearson_limits(math.ceil(k), n, 0.9),
    )
    assert below.lower <= ci.lower <= above.lower
    assert below.upper <= ci.upper <= above.upper


def test_integer_api_is_unchanged() -> None:
    ci = clopper_pearson_interval(15, 148)
    assert (ci.successes, ci.n, ci.method) == (15, 148, "clopper-pearson")
    # Newcombe (1998) Table I
    assert (round(ci.lower, 4), round(ci.upper, 4)) == (0.0578, 0.1617)
    with pytest.raises(TypeError, match="integer"):
        # A fractional count is refused by the integer form (the limits form takes it).
        clopper_pearson_interval(cast(Any, 7.5), 74)


def test_zero_and_one_use_the_respondents() -> None:
    # No design variance at p = 0 or 1: Korn and Graubard (1998) take n_eff = n, so the
    # limits are Clopper-Pearson's for 0 (or n) out of n, adjusted to the design df.
    zero = korn_graubard_interval(0.0, 0.0, 40, math.inf)
    exact = clopper_pearson_interval(0, 40)
    ratio = (stats.t.ppf(0.025, 39) / stats.norm.ppf(0.025)) ** 2
    assert zero.lower == 0.0
    assert zero.n_eff == pytest.approx(40 * ratio)
    assert zero.upper < exact.upper  # a larger effective sample than n: narrower
    one = korn_graubard_interval(1.0, 0.0, 40, 39)
    assert one.upper == 1.0
    assert one.lower == pytest.approx(1 - exact.upper)


def test_fewer_degrees_of_freedom_widen_the_interval() -> None:
    wide = korn_graubard_interval(0.1, 0.03, 500, 5)
    narrow = korn_graubard_interval(0.1, 0.03, 500, 200)
    assert wide.lower < narrow.lower
    assert wide.upper > narrow.upper
    assert wide.n_eff < narrow.n_eff


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0.2, 0.05, 1, 10), "n must be at least 2"),
        ((0.2, 0.05, 100, 0), "df must be positive"),
        ((1.2, 0.05, 100, 10), "estimate must lie in"),
        ((0.2, -0.01, 100, 10), "se must be finite"),
        ((0.2, math.inf, 100, 10), "se must be finite"),
        ((math.nan, 0.05, 100, 10), "not NaN"),
    ],
)
def test_bad_input(args: tuple[float, float, int, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        korn_graubard_interval(*args)


def test_limits_pass_missing_estimates_through() -> None:
    ci = korn_graubard_limits([0.2, math.nan], [0.05, 0.05], 400, 30)
    assert math.isnan(ci.lower[1])
    assert math.isnan(ci.upper[1])
    one = korn_graubard_interval(0.2, 0.05, 400, 30)
    assert (ci.lower[0], ci.upper[0]) == (one.lower, one.upper)
    scalar = korn_graubard_limits(0.2, 0.05, 400, 30)
    assert scalar.lower.shape == ()
    assert float(scalar.lower) == one.lower
    empty = clopper_pearson_limits([1.0, math.nan], [0.0, 5.0])
    assert np.isnan(empty.lower).all()
    assert np.isnan(empty.upper).all()
    with pytest.raises(ValueError, match=r"\[0, n\]"):
        clopper_pearson_limits([6.0], [5.0])


@given(
    st.floats(0, 1),
    st.floats(0, 0.5),
    st.integers(2, 10_000),
    st.one_of(st.integers(1, 500).map(float), st.just(math.inf)),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
# Found by this property: an effective sample of about 1e152 with one success, where
# scipy's beta quantile of shapes (2, ~1e151) gave up with a RuntimeWarning.
@example(1e-150, 1e-150, 100, math.inf, 0.95)
def test_limits_are_ordered_and_inside_the_unit_interval(
    p: float, se: float, n: int, df: float, confidence: float
) -> None:
    ci = korn_graubard_interval(p, se, n, df, confidence)
    assert 0.0 <= ci.lower <= ci.estimate <= ci.upper <= 1.0


def test_one_success_in_a_vast_sample_has_the_gamma_limits() -> None:
    # Beta(1, b) has quantile 1 - (1 - q)^(1/b), which is -log(1 - q) / b to rounding for
    # b = 1e151; the upper limit is that of Beta(2, b), Gamma(2) / b (Johnson, Kotz and
    # Balakrishnan 1995, ch. 25: b X tends to Gamma(a) as b grows).
    ci = clopper_pearson_limits([1.0], [1e151])
    assert float(ci.lower[0]) == pytest.approx(-math.log(0.975) / 1e151, rel=1e-12)
    assert float(ci.upper[0]) == pytest.approx(stats.gamma.ppf(0.975, 2) / 1e151, rel=1e-12)


@given(
    st.floats(0, 1),
    st.floats(1e-3, 1e300),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
@example(1e-151, 1e151, 0.95)
@example(0.5, 1e300, 0.95)
@example(5e-324, 1e300, 0.95)
def test_fractional_limits_are_ordered_at_every_size(
    share: float, n: float, confidence: float
) -> None:
    # Counts from 1e-3 to 1e300 respondents (an effective sample can be any of them):
    # the limits exist, enclose k / n and stay inside [0, 1], without a warning.
    ci = clopper_pearson_limits([share * n], [n], confidence)
    lower, upper = float(ci.lower[0]), float(ci.upper[0])
    assert 0.0 <= lower <= share * n / n <= upper <= 1.0


def test_infinite_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        clopper_pearson_limits([math.inf], [math.inf])
    with pytest.raises(ValueError, match="finite"):
        clopper_pearson_limits([1.0], [math.inf])
