"""Tests for analysis.multiplicity."""

import itertools
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.multiplicity import benjamini_hochberg, bonferroni

# Benjamini & Hochberg (1995), section 4: 15 p-values from a clinical trial
BH_1995 = [
    0.0001,
    0.0004,
    0.0019,
    0.0095,
    0.0201,
    0.0278,
    0.0298,
    0.0344,
    0.0459,
    0.3240,
    0.4262,
    0.5719,
    0.6528,
    0.7590,
    1.0000,
]


def test_benjamini_hochberg_1995_example() -> None:
    # Benjamini & Hochberg (1995): 4 rejections at q = 0.05; Bonferroni rejects 3
    bh = benjamini_hochberg(BH_1995, 0.05)
    assert bh.n_rejected == 4
    assert bh.rejected[:4] == (True,) * 4
    assert bonferroni(BH_1995, 0.05).n_rejected == 3


def test_adjusted_values_by_hand() -> None:
    adj = benjamini_hochberg([0.04, 0.01, 0.03])
    # sorted 0.01, 0.03, 0.04 -> 0.03, 0.045, 0.04 -> step-up minima 0.03, 0.04, 0.04
    assert adj.adjusted == pytest.approx((0.04, 0.03, 0.04))
    assert benjamini_hochberg([]).n_rejected == 0


@pytest.mark.parametrize(
    ("p", "level", "match"),
    [
        ([0.1, 1.2], 0.05, "pvalues"),
        ([float("nan")], 0.05, "pvalues"),
        ([float("inf")], 0.05, "pvalues"),
        ([0.5, None], 0.05, "pvalues"),
        # Found by a sweep of degenerate input: numpy's own message named no argument.
        (["0.1x"], 0.05, "pvalues must be numbers"),
        ([0.1], 0.0, "level"),
        ([0.1], float("nan"), "level"),
        ([[0.1]], 0.05, "one-dimensional"),
        (0.1, 0.05, "one-dimensional"),
    ],
)
def test_bad_input(p: object, level: float, match: str) -> None:
    for adjust in (benjamini_hochberg, bonferroni):
        with pytest.raises(ValueError, match=match):
            adjust(cast(Any, p), level)


def test_empty_family_rejects_nothing() -> None:
    for adjust in (benjamini_hochberg, bonferroni):
        assert adjust([]).adjusted == ()
        assert adjust([]).n_rejected == 0


@given(st.lists(st.sampled_from([0.0, 0.01, 0.05, 0.5, 1.0]), min_size=1, max_size=30))
def test_ties_and_extremes(p: list[float]) -> None:
    # p-values of exactly 0 and 1 and ties, as an all-alike family gives them: tied
    # p-values share one adjusted value, 0 stays 0 and 1 stays 1 (Benjamini and
    # Hochberg 1995: m p_(j) / j is 0 at p = 0 and at least 1 at p = 1).
    for adjust in (benjamini_hochberg, bonferroni):
        adj = adjust(p)
        by_p: dict[float, set[float]] = {}
        for raw, a in zip(p, adj.adjusted, strict=True):
            by_p.setdefault(raw, set()).add(a)
            assert raw <= a <= 1.0
        assert all(len(v) == 1 for v in by_p.values())
        assert by_p.get(0.0, {0.0}) == {0.0}
        assert by_p.get(1.0, {1.0}) == {1.0}


@given(st.lists(st.floats(0, 1), min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_properties(p: list[float], rnd: object) -> None:
    bh = benjamini_hochberg(p)
    bonf = bonferroni(p)
    for raw, a, b in zip(p, bh.adjusted, bonf.adjusted, strict=True):
        assert raw <= a + 1e-15 <= b + 2e-15
        assert a <= 1.0
    # never fewer discoveries than Bonferroni
    assert bh.n_rejected >= bonf.n_rejected
    # order-preserving: a smaller p-value never gets a larger adjusted value
    pairs = sorted(zip(p, bh.adjusted, strict=True))
    assert all(x[1] <= y[1] + 1e-15 for x, y in itertools.pairwise(pairs))
