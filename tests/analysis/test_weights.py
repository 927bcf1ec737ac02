"""Tests for analysis.weights."""

import math
from collections.abc import Hashable

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.design import PsuTotals, ratio_estimate
from analysis.weights import StratumTotals, rake, stratified_estimate, trim_weights


def test_rake_independent_table_closed_form() -> None:
    # Deming & Stephan (1940): when the sample table is proportional to a product of its
    # margins, raking lands on the independence table T_i T_j / T in closed form
    counts = np.array([10, 20, 30, 60], dtype=float)  # rows (10+20, 30+60) cols 1:2
    rows, cols = ["a", "a", "b", "b"], ["x", "y", "x", "y"]
    targets: dict[str, dict[Hashable, float]] = {
        "row": {"a": 300.0, "b": 700.0},
        "col": {"x": 400.0, "y": 600.0},
    }
    cal = rake(counts, {"row": rows, "col": cols}, targets)
    expected = np.array([300 * 400, 300 * 600, 700 * 400, 700 * 600]) / 1000
    np.testing.assert_allclose(cal.weights * counts, expected, rtol=1e-8)
    assert cal.converged


def test_rake_school_by_grade_and_gender_margins() -> None:
    rng = np.random.default_rng(3)
    school = np.repeat(["s1", "s2", "s3"], 6)
    grade = np.tile(np.repeat([9, 10, 11], 2), 3)
    gender = np.tile(["f", "m"], 9)
    counts = rng.integers(5, 40, size=18).astype(float)
    school_grade = list(zip(school.tolist(), grade.tolist(), strict=True))
    enrol: dict[Hashable, float] = {k: float(rng.integers(80, 200)) for k in set(school_grade)}
    total = sum(enrol.values())
    targets: dict[str, dict[Hashable, float]] = {
        "school_grade": enrol,
        "gender": {"f": total * 0.52, "m": total * 0.48},
    }
    cal = rake(
        counts, {"school_grade": school_grade, "gender": gender.tolist()}, targets, trim_upper=4.0
    )
    weighted = cal.weights * counts
    assert cal.converged
    for key, goal in enrol.items():
        got = sum(w for w, k in zip(weighted, school_grade, strict=True) if k == key)
        assert got == pytest.approx(goal, rel=1e-7)
    assert weighted[gender == "f"].sum() == pytest.approx(total * 0.52, rel=1e-7)
    assert cal.weights.max() <= 4.0 * total / counts.sum() * (1 + 1e-6)


@pytest.mark.parametrize(
    ("margins", "targets", "match"),
    [
        ({"g": ["a", "b"]}, {"g": {"a": 1.0}}, "no target"),
        ({"g": ["a", "a"]}, {"g": {"a": 1.0, "b": 2.0}}, "no respondents"),
        ({"g": ["a"]}, {"g": {"a": 1.0}}, "entries"),
        ({"g": ["a", "b"]}, {"h": {"a": 1.0}}, "differ"),
    ],
)
def test_rake_bad_input(
    margins: dict[str, list[str]], targets: dict[str, dict[Hashable, float]], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        rake([3, 4], margins, targets)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.01, 100), st.integers(1, 50)), min_size=2, max_size=30),
    st.floats(1.5, 6),
)
def test_trim_keeps_total_and_bounds(cells: list[tuple[float, int]], upper: float) -> None:
    w = np.array([c[0] for c in cells])
    n = np.array([c[1] for c in cells], dtype=float)
    out = _trimmed_or_refusal(w, n, upper)
    if isinstance(out, str):
        # Spread proportionally, the excess never reaches a weight of 0: when every
        # positive weight is capped, nothing is left to take it.
        assert "no weight free" in out
        return
    mean = (w * n).sum() / n.sum()
    assert (out * n).sum() == pytest.approx((w * n).sum(), rel=1e-9)
    assert out.max() <= upper * mean * (1 + 1e-9)
    # weights under the cap keep their order
    order = np.argsort(w, kind="stable")
    assert np.all(np.diff(out[order]) >= -1e-9 * mean)


def test_trim_bad_input() -> None:
    with pytest.raises(ValueError, match="upper"):
        trim_weights([1.0, 2.0], [1, 1], upper=1.0)
    with pytest.raises(ValueError, match="one entry"):
        trim_weights([1.0, 2.0], [1], upper=2.0)


def test_stratified_estimate_equals_respondent_level_linearization() -> None:
    rng = np.random.default_rng(12)
    rows, psus = [], []
    for s in range(6):
        n = int(rng.integers(15, 60))
        w = rng.uniform(0.5, 3.0, size=n)
        y = (rng.random(n) < rng.uniform(0.2, 0.6)).astype(float)
        rows.append(
            StratumTotals(
                s,
                n,
                w.sum(),
                (w * y).sum(),
                (w * w).sum(),
                (w * w * y).sum(),
                (w * w * y * y).sum(),
            )
        )
        psus += [PsuTotals((s, i), w[i] * y[i], w[i], 1, stratum=s) for i in range(n)]
    fast = stratified_estimate(rows)
    # independent path: every respondent a PSU, every school a stratum (R survey's
    # svydesign(ids = ~1, strata = ~school, weights = ~w) computes the same)
    slow = ratio_estimate(psus)
    assert fast.estimate == pytest.approx(slow.estimate, rel=1e-12)
    assert fast.se == pytest.approx(slow.se, rel=1e-9)
    assert fast.df == slow.df
    assert fast.lower == pytest.approx(slow.lower, rel=1e-9)


def test_stratified_estimate_bad_input() -> None:
    with pytest.raises(ValueError, match="empty"):
        stratified_estimate([])
    with pytest.raises(ValueError, match="fewer than 2"):
        stratified_estimate([StratumTotals("a", 1, 1.0, 1.0, 1.0, 1.0, 1.0)])


# Degenerate input: empty cells, zero weights, outcomes all 0 or all 1, NaN sums.


@settings(max_examples=100, deadline=None)
@given(
    # weights of exactly 0, or from 1e-3 to 1e6 (a spread of 1e9)
    st.lists(
        st.tuples(st.just(0.0) | st.floats(1e-3, 1e6), st.integers(0, 50)),
        min_size=2,
        max_size=200,
    ).filter(lambda cells: sum(w * n for w, n in cells) > 0),
    st.floats(1.01, 6),
)
# A geometric spread of 300 weights under a cap of 1.5 times the mean: each pass caps
# more of them, the case that needs the most passes.
@example([(float(w), 1) for w in np.geomspace(1, 1e6, 300)], 1.5)
# Found by this property: the only uncapped respondent has weight 0.
@example([(0.0, 1), (5.0, 1), (100.0, 0), (1e6, 1)], 1.5)
def test_trim_meets_its_bounds_at_any_spread(cells: list[tuple[float, int]], upper: float) -> None:
    w = np.array([c[0] for c in cells])
    n = np.array([c[1] for c in cells], dtype=float)
    out = _trimmed_or_refusal(w, n, upper)
    if isinstance(out, str):
        # Spread proportionally, the excess never reaches a weight of 0: when every
        # positive weight is capped, nothing is left to take it.
        assert "no weight free" in out
        return
    mean = (w * n).sum() / n.sum()
    assert np.all(np.isfinite(out))
    assert (out * n).sum() == pytest.approx((w * n).sum(), rel=1e-9)
    assert out[n > 0].max() <= upper * mean * (1 + 1e-9)


def _trimmed_or_refusal(
    w: npt.NDArray[np.float64], n: npt.NDArray[np.float64], upper: float
) -> npt.NDArray[np.float64] | str:
    try:
        return trim_weights(w, n, upper=upper)
    except ValueError as error:
        return str(error)


@pytest.mark.parametrize(
    ("weights", "counts"),
    # Found by a sweep of degenerate input: an infinite weight warned (inf - inf), and a
    # NaN count was said to leave "no weight free".
    [([1.0, np.inf], [1, 1]), ([1.0, 2.0], [np.nan, 1]), ([np.nan, 2.0], [1, 1])],
)
def test_trim_refuses_weights_that_are_not_numbers(
    weights: list[float], counts: list[float]
) -> None:
    with pytest.raises(ValueError, match="finite"):
        trim_weights(weights, counts, upper=2.0)


@pytest.mark.parametrize(
    ("counts", "targets", "base", "match"),
    [
        # Found by a sweep of degenerate input: a NaN target or base weight gave NaN
        # weights (converged False, max_error NaN), and no cells a numpy error about a
        # zero-size array.
        ([5, 5], {"a": np.nan, "b": 10.0}, None, "target of 'a' is not a finite number"),
        ([5, 5], {"a": np.inf, "b": 10.0}, None, "target of 'a' is not a finite number"),
        ([5, 5], {"a": 10.0, "b": 10.0}, [np.nan, 1.0], "base_weights must be finite"),
        ([np.nan, 5], {"a": 10.0, "b": 10.0}, None, "counts must be a 1-D array of finite"),
    ],
)
def test_rake_refuses_numbers_it_cannot_use(
    counts: list[float], targets: dict[Hashable, float], base: list[float] | None, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        rake(counts, {"g": ["a", "b"]}, {"g": targets}, base_weights=base)
    with pytest.raises(ValueError, match="counts is empty"):
        rake([], {"g": []}, {"g": {}})


def test_rake_to_a_zero_target_says_it_did_not_converge() -> None:
    # A category with respondents and a target of 0 zeroes their weights, which leaves
    # the other margin's category x empty: its target of 5 cannot be met.
    cal = rake(
        [5, 5],
        {"g": ["a", "b"], "h": ["x", "y"]},
        {"g": {"a": 0.0, "b": 10.0}, "h": {"x": 5.0, "y": 5.0}},
    )
    assert not cal.converged
    assert np.isfinite(cal.max_error)
    assert np.all(np.isfinite(cal.weights))


@st.composite
def school_strata(draw: st.DrawFn) -> list[StratumTotals]:
    """1 to 5 schools of 2 to 30 weighted respondents, outcomes possibly all 0 or all 1."""
    rows = []
    for s in range(draw(st.integers(1, 5))):
        n = draw(st.integers(2, 30))
        w = np.array(draw(st.lists(st.floats(0.1, 10), min_size=n, max_size=n)))
        share = draw(st.sampled_from([0.0, 1.0, 0.3]))
        y = (np.arange(n) < round(share * n)).astype(float)
        rows.append(
            StratumTotals(
                s, n, w.sum(), (w * y).sum(), (w * w).sum(), (w * w * y).sum(), (w * w * y).sum()
            )
        )
    return rows


@settings(max_examples=100, deadline=None)
@given(school_strata(), st.sampled_from([0.5, 0.95, 0.999]))
def test_stratified_limits_are_ordered_inside_the_unit_interval(
    rows: list[StratumTotals], confidence: float
) -> None:
    est = stratified_estimate(rows, confidence=confidence)
    assert math.isfinite(est.se)
    assert est.se >= 0
    assert 0.0 <= est.lower <= est.estimate <= est.upper <= 1.0


def test_stratified_estimate_of_a_vanishing_share_has_limits() -> None:
    # Found by a sweep of degenerate input: an estimate of 1e-301 made the survey-logit
    # half-width 1e301, and exp() of it raised OverflowError. The lower limit is 0.
    rows = [
        StratumTotals("a", 4, 8.0, 1e-300, 16.0, 1e-300, 1e-300),
        StratumTotals("b", 4, 8.0, 0.0, 16.0, 0.0, 0.0),
    ]
    est = stratified_estimate(rows)
    assert est.lower == 0.0
    assert est.lower <= est.estimate <= est.upper <= 1.0


@pytest.mark.parametrize(
    ("rows", "confidence", "match"),
    [
        # Found by a sweep of degenerate input: a NaN sum gave NaN limits, a NaN
        # confidence a zero-width interval, and wy above the weights an estimate of 1.5
        # above its upper limit of 1.
        ([StratumTotals("a", 4, 8.0, np.nan, 16.0, 8.0, 8.0)], 0.95, "stratum 'a' has a sum"),
        ([StratumTotals("a", 4, 8.0, 4.0, 16.0, 8.0, 8.0)], np.nan, "confidence"),
        ([StratumTotals("a", 4, 8.0, 12.0, 16.0, 8.0, 8.0)], 0.95, "a proportion needs"),
        ([StratumTotals("a", 4, -8.0, 4.0, 16.0, 8.0, 8.0)], 0.95, "negative weights"),
    ],
)
def test_stratified_estimate_refuses_sums_it_cannot_use(
    rows: list[StratumTotals], confidence: float, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        stratified_estimate(rows, confidence=confidence)
