"""Tests for analysis.design.limits and rse_from_limits: limits of many estimates at once."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.design import (
    PsuTotals,
    bounded_mean_limits,
    ratio_estimate,
    ratio_limits,
    rse_from_limits,
    sample_mean,
)

FloatArray = npt.NDArray[np.float64]


def _one_by_one(
    y: FloatArray, x: FloatArray, is_mean: npt.NDArray[np.bool_]
) -> list[tuple[float, float]]:
    """ratio_estimate one row at a time; NaN where it has nothing to say."""
    result = []
    for row_y, row_x, mean in zip(y, x, is_mean, strict=True):
        cells = [
            PsuTotals(i, float(a), float(b), int(b))
            for i, (a, b) in enumerate(zip(row_y, row_x, strict=True))
        ]
        # A domain (a school without respondents) in one school has no interval.
        lonely = (row_x <= 0).any() and (row_x > 0).sum() < 2
        if row_x.sum() <= 0 or len(cells) < 2 or lonely:
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


def _pairs(low: FloatArray, high: FloatArray) -> list[tuple[float, float]]:
    return list(zip(low.tolist(), high.tolist(), strict=True))


def test_ratio_limits_equal_ratio_estimate_on_known_rows() -> None:
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
    ci = ratio_limits(y, x, is_mean)
    assert _same(_pairs(ci.lower, ci.upper), _one_by_one(y, x, is_mean))
    assert np.isnan(ci.lower[4])
    assert np.isnan(ci.upper[4])
    # Clopper-Pearson on 195 respondents with none: 1 - 0.025 ** (1 / 195)
    assert ci.lower[1] == 0.0
    assert ci.upper[1] == pytest.approx(1 - 0.025 ** (1 / 195))


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
def test_ratio_limits_are_ratio_estimate_float_for_float(
    rows: list[tuple[list[int], list[float], bool]],
) -> None:
    # Same limits to the last bit, so a published interval never moves with the speed-up.
    x = np.array([r[0] for r in rows], dtype=float)
    share = np.array([r[1] for r in rows])
    is_mean = np.array([r[2] for r in rows])
    y = np.where(is_mean[:, None], x * (1 + 3 * share), np.floor(x * share))
    ci = ratio_limits(y, x, is_mean)
    assert _same(_pairs(ci.lower, ci.upper), _one_by_one(y, x, is_mean))


def test_ratio_limits_bad_input() -> None:
    with pytest.raises(ValueError, match="one shape"):
        ratio_limits([[1.0, 2.0]], [[1.0, 2.0, 3.0]], [False])
    with pytest.raises(ValueError, match="outside"):
        ratio_limits([[3.0, 2.0]], [[2.0, 2.0]], [False])


def test_bounded_mean_limits_by_hand() -> None:
    # Mean 2 on [0, 4]: the widest spread is sqrt((4 - 2)(2 - 0)) = 2 (Bhatia and Davis,
    # 2000); R qt(0.975, 24) = 2.063899, so 2 -+ 2.063899 * 2 / 5. At the scale's end
    # there is no spread left, and no respondents give no limits.
    ci = bounded_mean_limits([2.0, 4.0, 2.0], [25, 25, 0], 0.0, 4.0)
    assert ci.lower[0] == pytest.approx(2 - 2.063899 * 2 / 5, abs=1e-6)
    assert ci.upper[0] == pytest.approx(2 + 2.063899 * 2 / 5, abs=1e-6)
    assert (ci.lower[1], ci.upper[1]) == (4.0, 4.0)
    assert np.isnan([ci.lower[2], ci.upper[2]]).all()


@given(st.lists(st.integers(0, 8), min_size=2, max_size=60), st.integers(1, 60))
def test_bounded_mean_limits_hold_the_t_interval_of_the_divisor_n_spread(
    scores: list[int], low: int
) -> None:
    # No spread with divisor n on [0, 4] exceeds sqrt((4 - mean) * mean) (Bhatia and
    # Davis, 2000), so the t interval at that spread and a smaller size holds the exact
    # one shrunk by sqrt((n - 1) / n): the sample variance divides by n - 1.
    values = np.array(scores, dtype=float) / 2
    n = len(values)
    exact = sample_mean(n, float(values.sum()), float((values**2).sum()))
    shrink = math.sqrt((n - 1) / n)
    ci = bounded_mean_limits([exact.estimate], [min(low, n)], 0.0, 4.0)
    assert ci.lower[0] <= exact.estimate - shrink * (exact.estimate - exact.lower) + 1e-9 or (
        ci.lower[0] == 0.0
    )
    assert ci.upper[0] >= exact.estimate + shrink * (exact.upper - exact.estimate) - 1e-9 or (
        ci.upper[0] == 4.0
    )


def test_rse_from_limits() -> None:
    # A normal 95 % interval 20 -+ 1.959964 * 4 has se 4, so rse 4 / 20.
    z = 1.959963984540054  # scipy.stats.norm.ppf(0.975)
    assert rse_from_limits(20.0, 20 - z * 4, 20 + z * 4) == pytest.approx(0.2, rel=1e-12)
    assert rse_from_limits(0.0, 0.0, 3.0) is None
    with pytest.raises(ValueError, match="below"):
        rse_from_limits(1.0, 2.0, 1.0)
    with pytest.raises(ValueError, match="confidence"):
        rse_from_limits(1.0, 0.0, 2.0, confidence=95)
