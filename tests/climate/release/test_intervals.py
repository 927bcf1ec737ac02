"""The intervals beside published values are the statistics library's, chosen per value."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import PsuTotals, domain_df, ratio_estimate, sample_mean, wilson_interval
from analysis.design.estimates import EstimateKind
from climate.release.intervals import clustered, published_limits


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


@pytest.mark.xfail(
    strict=True,
    reason="the widest spread bounds the divisor-n variance; the sample variance of scores "
    "at both ends of the scale is n / (n - 1) times larger, so the t interval is narrower",
)
def test_published_mean_limits_hold_the_exact_t_interval_at_both_ends() -> None:
    # 12 students, half at 0 and half at 4: mean 2, sample sd sqrt(48 / 11) = 2.089 > 2.
    values = np.array([0.0, 4.0] * 6)
    exact = sample_mean(12, float(values.sum()), float((values**2).sum()))
    one = np.ones(1)
    a, b = published_limits(np.array([2.0]), np.array([12.0]), one.astype(bool), 0 * one, 4 * one)
    assert a[0] <= exact.lower
    assert b[0] >= exact.upper


def test_hidden_values_have_no_limits() -> None:
    nan = np.array([math.nan, math.nan])
    low, high = published_limits(
        nan, np.array([20.0, 20.0]), np.array([False, True]), np.zeros(2), np.array([100.0, 4.0])
    )
    assert np.isnan(low).all()
    assert np.isnan(high).all()


def test_district_limits_are_ratio_estimates_over_schools() -> None:
    # ratio_estimate's own example (0.3641 over four schools) and a mean of scores.
    x = np.array([[40.0, 60, 50, 45], [10, 12, 9, 11]])
    y = np.array([[12.0, 30, 9, 20], [31.5, 30.25, 27, 29.75]])
    low, high = clustered(y, x, np.array([False, True]), subgroup=False)
    kinds: tuple[EstimateKind, ...] = ("proportion", "mean")
    for i, kind in enumerate(kinds):
        cells = [PsuTotals(s, y[i, s], x[i, s], int(x[i, s])) for s in range(4)]
        est = ratio_estimate(cells, kind)
        assert est.df == 3
        assert (low[i], high[i]) == (est.lower, est.upper)
    assert low[0] == pytest.approx(0.165, abs=5e-4)


def test_district_limits_of_a_group_take_a_domains_degrees_of_freedom() -> None:
    # A group with most of its members in two of five schools: analysis.domain_df gives
    # it fewer degrees of freedom than the 4 of its schools, so wider limits; the same
    # totals as the district's whole keep the design's 4.
    x = np.array([[30.0, 25, 3, 2, 1], [30, 25, 3, 2, 1]])
    y = np.array([[9.0, 10, 1, 1, 0], [75.0, 70, 8, 6, 3]])
    is_mean = np.array([False, True])
    low, high = clustered(y, x, is_mean, subgroup=True)
    whole_low, whole_high = clustered(y, x, is_mean, subgroup=False)
    kinds: tuple[EstimateKind, ...] = ("proportion", "mean")
    for i, kind in enumerate(kinds):
        cells = [PsuTotals(s, y[i, s], x[i, s], int(x[i, s])) for s in range(5)]
        est = ratio_estimate(cells, kind, domain=True)
        assert est.df == domain_df(x[i]) < 4
        assert (low[i], high[i]) == (est.lower, est.upper)
        assert low[i] < whole_low[i] < whole_high[i] < high[i]


def test_a_group_in_one_school_has_no_district_limits() -> None:
    # One school's spread says nothing of the spread between schools: no interval,
    # published as empty, where the design's degrees of freedom gave one of width 0.
    x = np.array([[40.0, 0, 0], [40, 0, 0]])
    y = np.array([[10.0, 0, 0], [100, 0, 0]])
    low, high = clustered(y, x, np.array([False, True]), subgroup=True)
    assert np.isnan(low).all()
    assert np.isnan(high).all()
    flat_low, flat_high = clustered(y, x, np.array([False, True]), subgroup=False)
    assert (flat_low == flat_high).all()
