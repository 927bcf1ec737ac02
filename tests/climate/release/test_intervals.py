"""Vectorised intervals agree with the statistics library and its known answers."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import sample_mean, wilson_interval
from climate.release.intervals import t_mean, wilson


def test_wilson_matches_newcombe_table_one() -> None:
    # Newcombe (1998) Table I: 81/263, 15/148, 0/20, 1/29.
    low, high = wilson(np.array([81.0, 15, 0, 1]), np.array([263.0, 148, 20, 29]))
    expected = [(0.2553, 0.3662), (0.0624, 0.1605), (0.0, 0.1611), (0.0061, 0.1718)]
    assert [(round(a, 4), round(b, 4)) for a, b in zip(low, high, strict=True)] == expected


@pytest.mark.parametrize(("k", "n"), [(3, 10), (0, 12), (12, 12), (57, 400)])
def test_wilson_equals_the_library(k: int, n: int) -> None:
    low, high = wilson(np.array([float(k)]), np.array([float(n)]))
    ci = wilson_interval(k, n)
    assert (low[0], high[0]) == pytest.approx((ci.lower, ci.upper))


def test_t_mean_equals_sample_mean_and_needs_two() -> None:
    # sample_mean's own example: n=4, sum 10, sum of squares 30.
    low, high = t_mean(np.array([4.0, 1.0]), np.array([10.0, 2.0]), np.array([30.0, 4.0]))
    est = sample_mean(4, 10.0, 30.0)
    assert (low[0], high[0]) == pytest.approx((est.lower, est.upper))
    assert np.isnan(low[1])
    assert np.isnan(high[1])
