"""Vectorised intervals agree with the statistics library and its known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import PsuTotals, ratio_estimate, sample_mean, wilson_interval
from climate.release.intervals import clustered, published_limits, wilson


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
    d = max(d, low)
    share = 100.0 * y / d
    one = np.ones(1)
    a, b = published_limits(
        np.array([share]), np.array([float(low)]), ~one.astype(bool), 0 * one, 100 * one
    )
    c, e = wilson(np.array([share / 100 * d]), np.array([float(d)]))
    assert b[0] - a[0] >= e[0] - c[0] - 1e-12


@given(st.lists(st.integers(0, 8), min_size=2, max_size=60), st.integers(2, 60))
def test_published_mean_limits_hold_the_exact_t_interval(scores: list[int], low: int) -> None:
    # No spread on [0, 4] exceeds sqrt((4 - mean) * mean) (Bhatia and Davis, 2000), so the
    # t interval at the widest spread and the smaller size holds the exact one.
    values = np.array(scores, dtype=float) / 2
    n = len(values)
    low = min(low, n)
    exact = sample_mean(n, float(values.sum()), float((values**2).sum()))
    one = np.ones(1)
    a, b = published_limits(
        np.array([exact.estimate]), np.array([float(low)]), one.astype(bool), 0 * one, 4 * one
    )
    assert a[0] <= exact.lower + 1e-9 or a[0] == 0.0
    assert b[0] >= exact.upper - 1e-9 or b[0] == 4.0


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
