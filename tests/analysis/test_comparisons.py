"""Tests for analysis.comparisons."""

import math

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.comparisons import (
    difference,
    newcombe_difference,
    odds_ratio,
    woolf_odds_ratio,
)
from analysis.design import PsuTotals

# Newcombe (1998) "Interval estimation for the difference between independent
# proportions", Statistics in Medicine 17:873-890, Table II, method 10
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "limits"), NEWCOMBE_TABLE_II)
def test_newcombe_table_ii(counts: tuple[int, int, int, int], limits: tuple[float, float]) -> None:
    c = newcombe_difference(*counts)
    assert (round(c.lower, 4), round(c.upper, 4)) == limits
    assert c.estimate == pytest.approx(counts[0] / counts[1] - counts[2] / counts[3])


def test_woolf_by_hand() -> None:
    c = woolf_odds_ratio(20, 50, 10, 50)
    # OR = (20 * 40) / (30 * 10); SE = sqrt(1/20 + 1/30 + 1/10 + 1/40)
    se = math.sqrt(1 / 20 + 1 / 30 + 1 / 10 + 1 / 40)
    assert c.estimate == pytest.approx(800 / 300)
    assert c.lower == pytest.approx(800 / 300 * math.exp(-1.959963984540054 * se))
    with pytest.raises(ValueError, match="positive"):
        woolf_odds_ratio(0, 10, 3, 10)


def _two_groups(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    g = 15
    school = np.repeat(np.arange(g), rng.integers(30, 90, size=g))
    group = rng.integers(0, 2, size=school.size)
    u = rng.normal(0, 0.7, g)
    p = 1 / (1 + np.exp(-(-0.5 + 0.4 * group + u[school])))
    y = (rng.random(school.size) < p).astype(float)
    return school, group, y


def _cells(school: np.ndarray, y: np.ndarray, keep: np.ndarray) -> list[PsuTotals]:
    return [
        PsuTotals(int(s), float(y[keep & (school == s)].sum()), float((keep & (school == s)).sum()))
        for s in np.unique(school)
    ]


def test_difference_equals_clustered_linear_probability_model() -> None:
    school, group, y = _two_groups(2)
    a, b = _cells(school, y, group == 1), _cells(school, y, group == 0)
    c = difference(a, b)
    fit = sm.OLS(y, sm.add_constant(group.astype(float))).fit(
        cov_type="cluster", cov_kwds={"groups": school, "use_correction": False}
    )
    g = 15
    # independent implementation: statsmodels' cluster sandwich times G/(G-1)
    assert c.estimate == pytest.approx(fit.params[1], rel=1e-12)
    assert c.se == pytest.approx(math.sqrt(fit.cov_params()[1, 1] * g / (g - 1)), rel=1e-9)
    assert c.df == g - 1


def test_odds_ratio_equals_clustered_logistic_model() -> None:
    school, group, y = _two_groups(4)
    a, b = _cells(school, y, group == 1), _cells(school, y, group == 0)
    c = odds_ratio(a, b)
    fit = sm.GLM(y, sm.add_constant(group.astype(float)), family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": school, "use_correction": False}
    )
    assert math.log(c.estimate) == pytest.approx(fit.params[1], rel=1e-9)
    assert c.se == pytest.approx(math.sqrt(fit.cov_params()[1, 1] * 15 / 14), rel=1e-8)
    assert c.lower < c.estimate < c.upper


def test_same_schools_in_both_groups_use_the_covariance() -> None:
    # schools that are high in one year are high in the next: a paired design
    prev = [PsuTotals(s, y, 100) for s, y in enumerate([10, 30, 50, 70, 20, 60])]
    curr = [PsuTotals(s, y + 5, 100) for s, y in enumerate([10, 30, 50, 70, 20, 60])]
    paired = difference(curr, prev)
    unpaired = difference(curr, [PsuTotals(s + 100, c.y, c.x) for s, c in enumerate(prev)])
    assert paired.estimate == pytest.approx(0.05)
    assert paired.se is not None
    assert unpaired.se is not None
    assert paired.se < unpaired.se / 10


def test_mismatched_strata_rejected() -> None:
    a = [PsuTotals(1, 1, 4, stratum="x"), PsuTotals(2, 2, 4, stratum="x")]
    b = [PsuTotals(1, 1, 4, stratum="y"), PsuTotals(2, 2, 4, stratum="y")]
    with pytest.raises(ValueError, match="stratum"):
        difference(a, b)
    with pytest.raises(ValueError, match="inside"):
        odds_ratio([PsuTotals(1, 0, 4), PsuTotals(2, 0, 4)], [PsuTotals(1, 1, 4)])


rows = st.lists(
    st.tuples(st.integers(5, 60), st.floats(0.05, 0.95), st.floats(0.05, 0.95)),
    min_size=3,
    max_size=12,
)


@settings(max_examples=50, deadline=None)
@given(rows)
def test_contrast_properties(data: list[tuple[int, float, float]]) -> None:
    a = [PsuTotals(i, round(n * f), n) for i, (n, f, _) in enumerate(data)]
    b = [PsuTotals(i, round(n * f), n) for i, (n, _, f) in enumerate(data)]
    ab, ba = difference(a, b), difference(b, a)
    assert ab.estimate == pytest.approx(-ba.estimate, abs=1e-12)
    assert ab.se == pytest.approx(ba.se, rel=1e-9, abs=1e-15)
    assert ab.lower <= ab.estimate <= ab.upper
    assert difference(a[::-1], b).se == pytest.approx(ab.se, rel=1e-9, abs=1e-15)
    if 0 < ab.estimate_a < 1 and 0 < ab.estimate_b < 1:
        o = odds_ratio(a, b)
        assert o.lower <= o.estimate <= o.upper
        assert odds_ratio(b, a).estimate == pytest.approx(1 / o.estimate)


@given(st.integers(1, 300), st.integers(1, 300), st.data())
def test_newcombe_properties(na: int, nb: int, data: st.DataObject) -> None:
    ka = data.draw(st.integers(0, na))
    kb = data.draw(st.integers(0, nb))
    c = newcombe_difference(ka, na, kb, nb)
    assert -1.0 <= c.lower <= c.estimate <= c.upper <= 1.0
