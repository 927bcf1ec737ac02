"""Tests for analysis.proportions."""

import math
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from analysis.proportions import (
    clopper_pearson_interval,
    proportion_interval,
    wilson_interval,
    wilson_limits,
)

# Newcombe (1998) Table I: (successes, n, Wilson limits, Clopper-Pearson limits)
NEWCOMBE_TABLE_I = [
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0, 0.1611), (0.0, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
]


@pytest.mark.parametrize(("k", "n", "wilson", "exact"), NEWCOMBE_TABLE_I)
def test_newcombe_table_i(
    k: int, n: int, wilson: tuple[float, float], exact: tuple[float, float]
) -> None:
    w = wilson_interval(k, n)
    cp = clopper_pearson_interval(k, n)
    # Newcombe (1998) Table I, methods 3 (score) and 5 (exact), 4 decimals
    assert (round(w.lower, 4), round(w.upper, 4)) == wilson
    assert (round(cp.lower, 4), round(cp.upper, 4)) == exact
    assert w.method == "wilson"
    assert cp.method == "clopper-pearson"


def test_dispatch_and_confidence_level() -> None:
    assert proportion_interval(15, 148, method="clopper-pearson") == clopper_pearson_interval(
        15, 148
    )
    narrow = wilson_interval(15, 148, confidence=0.80)
    wide = wilson_interval(15, 148, confidence=0.99)
    assert wide.lower < narrow.lower < narrow.upper < wide.upper


@pytest.mark.parametrize(
    ("k", "n", "conf", "exc"),
    [
        (-1, 10, 0.95, ValueError),
        (11, 10, 0.95, ValueError),
        (1, 0, 0.95, ValueError),
        (1, 10, 1.0, ValueError),
        (1.5, 10, 0.95, TypeError),
        (True, 10, 0.95, TypeError),
    ],
)
def test_bad_input(k: Any, n: int, conf: float, exc: type[Exception]) -> None:
    with pytest.raises(exc):
        wilson_interval(k, n, conf)


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match="method"):
        proportion_interval(1, 10, method=cast(Any, "wald"))


@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_intervals_contain_estimate_inside_unit_interval(kn: tuple[int, int]) -> None:
    k, n = kn
    for ci in (wilson_interval(k, n), clopper_pearson_interval(k, n)):
        assert 0.0 <= ci.lower <= ci.estimate <= ci.upper <= 1.0
    # swapping successes and failures mirrors both intervals about 1/2
    for f in (wilson_interval, clopper_pearson_interval):
        a, b = f(k, n), f(n - k, n)
        assert a.lower == pytest.approx(1 - b.upper, abs=1e-12)
        assert a.upper == pytest.approx(1 - b.lower, abs=1e-12)


def test_wilson_limits_match_newcombe_table_i() -> None:
    # Newcombe (1998) Table I, method 3 (score), 4 decimals, all four rows at once.
    ci = wilson_limits([k for k, *_ in NEWCOMBE_TABLE_I], [n for _, n, *_ in NEWCOMBE_TABLE_I])
    got = [(round(a, 4), round(b, 4)) for a, b in zip(ci.lower, ci.upper, strict=True)]
    assert got == [w for *_, w, _ in NEWCOMBE_TABLE_I]


def _wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """Newcombe (1998) method 3 in Python floats, in the order the release has always used."""
    z = 1.959963984540054  # scipy.stats.norm.ppf(0.975)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (0.0 if k == 0 else max(0.0, centre - half), 1.0 if k == n else min(1.0, centre + half))


@given(
    st.lists(
        st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
        min_size=1,
        max_size=20,
    )
)
def test_wilson_limits_are_the_formula_float_for_float(pairs: list[tuple[int, int]]) -> None:
    # Same limits to the last bit, so a published interval never moves with the code.
    ci = wilson_limits([k for k, _ in pairs], [n for _, n in pairs])
    by_hand = [_wilson_by_hand(k, n) for k, n in pairs]
    assert list(zip(ci.lower.tolist(), ci.upper.tolist(), strict=True)) == by_hand
    assert [(w.lower, w.upper) for w in (wilson_interval(k, n) for k, n in pairs)] == by_hand


def test_wilson_limits_are_undefined_without_respondents() -> None:
    ci = wilson_limits([0.0, math.nan, 3.0, 2.0], [0.0, 10.0, math.nan, 10.0])
    assert np.isnan(ci.lower[:3]).all()
    assert np.isnan(ci.upper[:3]).all()
    assert (ci.lower[3], ci.upper[3]) == (
        wilson_interval(2, 10).lower,
        wilson_interval(2, 10).upper,
    )


@pytest.mark.parametrize(
    ("k", "n", "confidence", "match"),
    [
        ([11.0], [10.0], 0.95, "successes"),
        ([-1.0], [10.0], 0.95, "successes"),
        ([1], [2], 1.0, "confidence"),
        # Found in a sweep of degenerate input: inf / inf warned and gave NaN limits.
        ([math.inf], [math.inf], 0.95, "finite"),
        ([1.0], [math.inf], 0.95, "finite"),
    ],
)
def test_wilson_limits_bad_input(
    k: list[float], n: list[float], confidence: float, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        wilson_limits(k, n, confidence)


@given(
    st.floats(1e-3, 1e12).flatmap(
        lambda n: st.tuples(st.floats(0, 1).map(lambda p: p * n), st.just(n))
    ),
    st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999]),
)
# Found by this property: a fractional count far below 1, where centre - half cancels to
# rounding noise (4e-28) above k / n (1e-236).
@example((4.99867880883195e-225, 420708335889.0), 0.95)
def test_wilson_limits_enclose_fractional_shares(
    kn: tuple[float, float], confidence: float
) -> None:
    # Fractional counts (a published share times a size) at any size: ordered limits
    # around k / n inside [0, 1], and no warning on the way.
    k, n = kn
    ci = wilson_limits([k], [n], confidence)
    assert 0.0 <= float(ci.lower[0]) <= k / n <= float(ci.upper[0]) <= 1.0
