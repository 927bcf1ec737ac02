"""Tests for analysis.multiplicity."""

import itertools

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
    ("p", "level"), [([0.1, 1.2], 0.05), ([float("nan")], 0.05), ([0.1], 0.0), ([[0.1]], 0.05)]
)
def test_bad_input(p: list[float], level: float) -> None:
    with pytest.raises(ValueError):
        benjamini_hochberg(p, level)


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
