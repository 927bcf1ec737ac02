"""Vectorised intervals agree with the statistics library and its known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import PsuTotals, ratio_estimate, sample_mean, wilson_interval
from climate.release.intervals import clustered, t_mean, wilson


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


def _one_by_one(y: np.ndarray, x: np.ndarray, is_mean: np.ndarray) -> list[tuple[float, float]]:
    """The library's ratio estimate, one row at a time; NaN where it has nothing to say."""
    result = []
    for row_y, row_x, mean in zip(y, x, is_mean, strict=True):
        cells = [
            PsuTotals(i, float(a), float(b), int(b))
            for i, (a, b) in enumerate(zip(row_y, row_x, strict=True))
        ]
        if row_x.sum() <= 0 or len(cells) < 2:
            result.append((math.nan, math.nan))
            continue
        est = ratio_estimate(cells, "mean" if mean else "proportion", 0.95)
        result.append((est.lower, est.upper))
    return result


def _same(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> bool:
    return all(
        (p == q) or (math.isnan(p) and math.isnan(q))
        for pair_a, pair_b in zip(a, b, strict=True)
        for p, q in zip(pair_a, pair_b, strict=True)
    )


def test_clustered_equals_ratio_estimate_on_known_rows() -> None:
    # ratio_estimate's own example (0.3641 over four schools), then 0 and 1 of all
    # (Clopper-Pearson), a mean of scores, a row with no respondents, one empty school.
    x = np.array(
        [
            [40.0, 60, 50, 45],
            [40, 60, 50, 45],
            [40, 60, 50, 45],
            [10, 12, 9, 11],
            [0, 0, 0, 0],
            [40, 0, 50, 45],
        ]
    )
    y = np.array(
        [
            [12.0, 30, 9, 20],
            [0, 0, 0, 0],
            [40, 60, 50, 45],
            [31.5, 30.25, 27, 29.75],
            [0, 0, 0, 0],
            [12, 0, 9, 20],
        ]
    )
    is_mean = np.array([False, False, False, True, False, False])
    low, high = clustered(y, x, is_mean)
    assert _same(list(zip(low.tolist(), high.tolist(), strict=True)), _one_by_one(y, x, is_mean))
    assert np.isnan(low[4])
    assert np.isnan(high[4])


@given(
    st.integers(1, 200).flatmap(
        lambda schools: st.lists(
            st.tuples(
                st.lists(st.integers(0, 300), min_size=schools, max_size=schools),
                st.lists(st.floats(0, 1), min_size=schools, max_size=schools),
                st.booleans(),
            ),
            min_size=1,
            max_size=6,
        )
    )
)
def test_clustered_is_ratio_estimate_float_for_float(
    rows: list[tuple[list[int], list[float], bool]],
) -> None:
    # Same limits to the last bit, so a published interval never moves with the speed-up.
    x = np.array([r[0] for r in rows], dtype=float)
    share = np.array([r[1] for r in rows])
    is_mean = np.array([r[2] for r in rows])
    y = np.where(is_mean[:, None], x * (1 + 3 * share), np.floor(x * share))
    low, high = clustered(y, x, is_mean)
    assert _same(list(zip(low.tolist(), high.tolist(), strict=True)), _one_by_one(y, x, is_mean))
