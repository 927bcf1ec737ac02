"""Tests for analysis.comparisons."""

import math
import re
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.comparisons import (
    Contrast,
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


# Degenerate input: what each contrast returns, or which ValueError it raises.

KNOWN_REFUSALS = r"single PSU|no respondents|inside \(0, 1\)"


@st.composite
def paired_groups(draw: st.DrawFn) -> tuple[list[PsuTotals], list[PsuTotals]]:
    """Two groups over 1 to 6 schools: empty schools, identical schools, strata, fpc."""
    g = draw(st.integers(1, 6))
    strata = draw(st.lists(st.sampled_from(["s", "t"]), min_size=g, max_size=g))
    stratified = draw(st.booleans())
    # None, every stratum taken whole (fpc 1), or half of it sampled.
    fpc = draw(st.sampled_from([None, 1.0, 0.5]))
    same = draw(st.booleans())
    groups = []
    for _ in range(2):
        first = draw(st.tuples(st.integers(0, 40), st.floats(0, 1)))
        rows = []
        for i in range(g):
            x, share = first if same else draw(st.tuples(st.integers(0, 40), st.floats(0, 1)))
            rows.append(
                PsuTotals(
                    i, round(x * share), x, stratum=strata[i] if stratified else None, fpc=fpc
                )
            )
        groups.append(rows)
    return groups[0], groups[1]


@settings(max_examples=150, deadline=None)
@given(paired_groups(), st.sampled_from([0.5, 0.9, 0.95, 0.999]))
# Found by a sweep of degenerate input: one school in each group with its stratum taken
# whole has df = 0, and t on 0 df made both limits NaN.
@example(([PsuTotals(0, 1, 4, fpc=1.0)], [PsuTotals(0, 2, 4, fpc=1.0)]), 0.95)
@example(
    (
        [PsuTotals(0, 1, 4, stratum="s", fpc=1.0), PsuTotals(1, 3, 4, stratum="t", fpc=1.0)],
        [PsuTotals(0, 2, 4, stratum="s", fpc=1.0), PsuTotals(1, 2, 4, stratum="t", fpc=1.0)],
    ),
    0.95,
)
def test_contrasts_are_defined_or_refused_by_name(
    groups: tuple[list[PsuTotals], list[PsuTotals]], confidence: float
) -> None:
    a, b = groups
    for contrast in (difference, odds_ratio):
        c = _contrast_or_refusal(contrast, a, b, confidence)
        if isinstance(c, str):
            assert re.search(KNOWN_REFUSALS, c), c
            continue
        values = (c.estimate, c.lower, c.upper, c.se, c.p_value, c.estimate_a, c.estimate_b)
        assert not any(v is None or math.isnan(v) for v in values), c
        assert c.lower <= c.estimate <= c.upper
        assert c.p_value is not None
        assert 0.0 <= c.p_value <= 1.0
        if c.se == 0:
            # no sampling error (schools alike, or strata taken whole): a point interval
            assert c.lower == c.estimate == c.upper


def _contrast_or_refusal(
    contrast: Callable[[list[PsuTotals], list[PsuTotals], float], Contrast],
    a: list[PsuTotals],
    b: list[PsuTotals],
    confidence: float,
) -> Contrast | str:
    try:
        return contrast(a, b, confidence)
    except ValueError as error:
        return str(error)


def test_strata_taken_whole_give_a_point_interval() -> None:
    # A census of schools has no sampling error: se 0, df 0, limits at the estimate
    # (R survey: svydesign(fpc = ) with every school sampled gives SE 0).
    c = difference([PsuTotals(0, 1, 4, fpc=1.0)], [PsuTotals(0, 2, 4, fpc=1.0)])
    assert (c.estimate, c.lower, c.upper, c.se, c.df) == (-0.25, -0.25, -0.25, 0.0, 0)
    o = odds_ratio([PsuTotals(0, 1, 4, fpc=1.0)], [PsuTotals(0, 2, 4, fpc=1.0)])
    # (1/3) / (1/1): the odds of 1 in 4 against the odds of 2 in 4
    assert o.lower == o.estimate == o.upper == pytest.approx(1 / 3)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_totals_that_are_not_numbers_are_refused(bad: float) -> None:
    # Found by a sweep of degenerate input: a NaN total gave a NaN estimate and limits.
    good = [PsuTotals("a", 2, 4), PsuTotals("b", 1, 4)]
    for a, b, name in (
        ([PsuTotals("a", bad, 4), PsuTotals("b", 1, 4)], good, "a"),
        (good, [PsuTotals("a", 2, bad), PsuTotals("b", 1, 4)], "b"),
    ):
        with pytest.raises(ValueError, match=f"^{name} has a total that is not a finite"):
            difference(a, b)
        with pytest.raises(ValueError, match=f"^{name} has a total that is not a finite"):
            odds_ratio(a, b)


def test_odds_ratio_beyond_the_floats_is_infinite() -> None:
    # Found by a sweep of degenerate input: exp() of a log odds ratio (or limit) past
    # 709.8 raised OverflowError. 1e-323 of 1 against 7 of 8 is odds ratio 7e323.
    a = [PsuTotals(1, 3, 4), PsuTotals(2, 4, 4)]
    b = [PsuTotals(1, 1e-323, 0.5), PsuTotals(2, 0.0, 0.5)]
    c = odds_ratio(a, b)
    assert c.estimate == c.upper == math.inf
    # and a coverage so near 1 that t on 1 df is 3e11 leaves the limits at 0 and inf
    a = [PsuTotals(1, 20, 50), PsuTotals(2, 25, 50)]
    b = [PsuTotals(1, 15, 50), PsuTotals(2, 22, 50)]
    wide = odds_ratio(a, b, confidence=1 - 1e-12)
    assert (wide.lower, wide.upper) == (0.0, math.inf)
    assert wide.lower <= wide.estimate <= wide.upper


@pytest.mark.parametrize(
    ("counts", "error"),
    [
        # Found by a sweep of degenerate input: a NaN count gave NaN limits.
        ((math.nan, 10, 5, 10), TypeError),
        ((2.5, 10, 5, 10), TypeError),
        ((2, 10, 5, True), TypeError),
        ((10, 10, 5, 10), ValueError),
        ((2, 10, 0, 10), ValueError),
    ],
)
def test_woolf_refuses_counts_it_cannot_use(
    counts: tuple[float, float, float, float], error: type[Exception]
) -> None:
    with pytest.raises(error):
        woolf_odds_ratio(*(cast(Any, v) for v in counts))


@given(st.integers(1, 300), st.integers(1, 300), st.data())
def test_woolf_limits_are_ordered(na: int, nb: int, data: st.DataObject) -> None:
    ka = data.draw(st.integers(1, max(1, na - 1)))
    kb = data.draw(st.integers(1, max(1, nb - 1)))
    if min(ka, na - ka, kb, nb - kb) <= 0:
        with pytest.raises(ValueError, match="positive"):
            woolf_odds_ratio(ka, na, kb, nb)
        return
    c = woolf_odds_ratio(ka, na, kb, nb)
    assert 0 < c.lower <= c.estimate <= c.upper < math.inf
    assert c.p_value is not None
    assert 0 <= c.p_value <= 1
