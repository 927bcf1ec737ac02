"""The intervals beside published values are the statistics library's, chosen per value."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import (
    PsuTotals,
    korn_graubard_interval,
    ratio_estimate,
    sample_mean,
    wilson_interval,
)
from climate.release.intervals import design_effects, district_limits, published_limits


def test_published_percentages_get_wilson_limits_at_the_band_floor() -> None:
    # 31 % of a band 20-39 is read as 6.2 of 20; Newcombe (1998) Table I's 81/263 is 30.8 %
    # of a band whose floor is 263, which gives its Wilson limits (0.2553, 0.3662).
    value = np.array([100 * 81 / 263, 31.0])
    size = np.array([263.0, 20.0])
    low, high = published_limits(value, size, np.array([False, False]), 0 * size, 100 + 0 * size)
    assert (round(low[0], 4), round(high[0], 4)) == (0.2553, 0.3662)
    assert low[1] < 0.31 < high[1]


@given(
    st.integers(1, 400).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d))),
    st.integers(10, 400),
)
def test_published_limits_are_no_narrower_than_at_the_true_size(
    counts: tuple[int, int], low: int
) -> None:
    # Wilson's interval narrows as n grows for a fixed proportion, so the lower end of
    # the band never gives a narrower one than the size inside it.
    y, d = counts
    if d < low:
        y, d = round(y * low / d), low
    share = 100.0 * y / d
    one = np.ones(1)
    a, b = published_limits(
        np.array([share]), np.array([float(low)]), ~one.astype(bool), 0 * one, 100 * one
    )
    exact = wilson_interval(y, d)
    assert b[0] - a[0] >= exact.upper - exact.lower - 1e-12


@given(st.lists(st.integers(0, 8), min_size=2, max_size=60), st.integers(2, 60))
def test_published_mean_limits_hold_the_t_interval_of_the_divisor_n_spread(
    scores: list[int], low: int
) -> None:
    # No spread on [0, 4] with divisor n exceeds sqrt((4 - mean) * mean) (Bhatia and Davis,
    # 2000), so the t interval at that spread and the smaller size holds the exact one
    # shrunk by sqrt((n - 1) / n): the sample variance divides by n - 1.
    values = np.array(scores, dtype=float) / 2
    n = len(values)
    low = min(low, n)
    exact = sample_mean(n, float(values.sum()), float((values**2).sum()))
    shrink = math.sqrt((n - 1) / n)
    one = np.ones(1)
    a, b = published_limits(
        np.array([exact.estimate]), np.array([float(low)]), one.astype(bool), 0 * one, 4 * one
    )
    assert a[0] <= exact.estimate - shrink * (exact.estimate - exact.lower) + 1e-9 or a[0] == 0.0
    assert b[0] >= exact.estimate + shrink * (exact.upper - exact.estimate) - 1e-9 or b[0] == 4.0


def test_published_mean_limits_hold_the_exact_t_interval_at_both_ends() -> None:
    # 12 students, half at 0 and half at 4: mean 2, sample sd sqrt(48 / 11) = 2.089, above
    # the divisor-n bound of 2; the sample-variance bound (Bhatia and Davis, 2000, times
    # n / (n - 1)) still holds it.
    values = np.array([0.0, 4.0] * 6)
    exact = sample_mean(12, float(values.sum()), float((values**2).sum()))
    one = np.ones(1)
    a, b = published_limits(np.array([2.0]), np.array([12.0]), one.astype(bool), 0 * one, 4 * one)
    assert a[0] <= exact.lower
    assert b[0] >= exact.upper


@given(st.lists(st.integers(0, 8), min_size=2, max_size=60))
def test_published_mean_limits_hold_the_exact_t_interval(scores: list[int]) -> None:
    values = np.array(scores, dtype=float) / 2
    n = len(values)
    exact = sample_mean(n, float(values.sum()), float((values**2).sum()))
    one = np.ones(1)
    a, b = published_limits(
        np.array([exact.estimate]), np.array([float(n)]), one.astype(bool), 0 * one, 4 * one
    )
    assert a[0] <= exact.lower + 1e-9 or a[0] == 0.0
    assert b[0] >= exact.upper - 1e-9 or b[0] == 4.0


def test_hidden_values_have_no_limits() -> None:
    nan = np.array([math.nan, math.nan])
    low, high = published_limits(
        nan, np.array([20.0, 20.0]), np.array([False, True]), np.zeros(2), np.array([100.0, 4.0])
    )
    assert np.isnan(low).all()
    assert np.isnan(high).all()


def test_design_effects_are_the_ratio_estimators_over_a_simple_samples() -> None:
    # ratio_estimate's linearization variance over four schools, divided by p (1 - p) / n
    # (Kish 1965, section 8.2): the oracle is analysis.ratio_estimate on the same totals.
    d = np.array([40.0, 60, 50, 45])
    p = np.array([30.0, 50, 18, 44])
    deff = design_effects(p[:, None], d[:, None], np.array([0]))
    cells = [PsuTotals(s, p[s] / 100 * d[s], d[s], int(d[s])) for s in range(4)]
    est = ratio_estimate(cells, "proportion")
    simple = est.estimate * (1 - est.estimate) / d.sum()
    assert deff[0] == pytest.approx(est.se**2 / simple, rel=1e-12)
    assert deff[0] > 1


def test_design_effects_leave_out_coded_values_and_never_shrink() -> None:
    # Alike schools give a ratio below 1: no effect is smaller than a simple sample's. A
    # school whose value is coded or hidden (NaN) is left out; one school is not a design.
    d = np.array([[50.0, 50], [50, 50], [50, 50]])
    p = np.array([[40.0, math.nan], [40, math.nan], [40, 30]])
    deff = design_effects(p, d, np.array([0, 1, 0]))
    assert deff.tolist() == [1.0, 1.0, 1.0]


def test_district_limits_are_korn_graubard_at_the_design_effect() -> None:
    # One percentage, 30 % of 400 with a design effect of 2.5 on 7 df: Korn-Graubard with
    # se sqrt(2.5 * 0.3 * 0.7 / 400) (NCHS standard, Parker et al. 2017).
    value = np.array([[30.0, 2.5]])
    size = np.array([[400.0, 400.0]])
    is_mean = np.array([False, True])
    low, high = district_limits(
        value, size, np.array([2.5, 2.5]), np.array([7.0]), is_mean, np.zeros(2), np.array([100, 4])
    )
    expected = korn_graubard_interval(0.3, math.sqrt(2.5 * 0.3 * 0.7 / 400), 400, 7)
    assert (low[0, 0], high[0, 0]) == (expected.lower, expected.upper)
    # The mean is wider than at a simple sample of the same size.
    flat_low, flat_high = district_limits(
        value, size, np.array([1.0, 1.0]), np.array([7.0]), is_mean, np.zeros(2), np.array([100, 4])
    )
    assert low[0, 1] < flat_low[0, 1] < 2.5 < flat_high[0, 1] < high[0, 1]


def test_a_group_in_one_school_has_no_district_limits() -> None:
    # One school's spread says nothing of the spread between schools: no interval.
    value = np.array([[30.0, 2.5]])
    size = np.array([[40.0, 40.0]])
    low, high = district_limits(
        value,
        size,
        np.array([1.0, 1.0]),
        np.array([0.0]),
        np.array([False, True]),
        np.zeros(2),
        np.array([100, 4]),
    )
    assert np.isnan(low).all()
    assert np.isnan(high).all()
