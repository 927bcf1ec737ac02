"""Tests for analysis.weights."""

from collections.abc import Hashable

import numpy as np
import pytest
from hypothesis import given, settings
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
    out = trim_weights(w, n, upper=upper)
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
