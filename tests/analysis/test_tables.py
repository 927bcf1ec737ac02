"""Tests for analysis.tables."""

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.tables import (
    linear_trend_test,
    pearson_chisq,
    rao_scott,
    rao_scott_chisq,
    wald_test,
)

SharedData = Callable[[str], Path]


def test_pearson_chisq_agresti() -> None:
    res = pearson_chisq([[762, 327, 468], [484, 239, 477]])
    # R chisq.test help page (Agresti 2007 party x gender): X-squared = 30.07, df = 2,
    # p-value = 2.954e-07
    assert round(res.statistic, 2) == 30.07
    assert res.df == 2
    assert f"{res.p_value:.3e}" == "2.954e-07"


def test_linear_trend_agresti() -> None:
    table = [[48, 38, 5, 1, 1], [17066, 14464, 788, 126, 37]]
    res = linear_trend_test(table, [1, 0], [0, 0.5, 1.5, 4, 7])
    # Agresti, Categorical Data Analysis (infant malformation x alcohol): M2 = 6.5699,
    # p = 0.0104
    assert round(res.statistic, 4) == 6.5699
    assert round(res.p_value, 4) == 0.0104
    assert res.df == 1
    # reversing the row scores cannot change M2
    assert linear_trend_test(table, [0, 1], [0, 0.5, 1.5, 4, 7]).statistic == pytest.approx(
        res.statistic
    )


def test_svychisq_apiclus1(shared_data: SharedData) -> None:
    with shared_data("apiclus1.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    districts = sorted({r["dnum"] for r in rows})
    answers = sorted({r["sch.wide"] for r in rows})
    types = sorted({r["stype"] for r in rows})
    weighted = np.zeros((len(districts), len(answers), len(types)))
    counts = np.zeros_like(weighted)
    for r in rows:
        at = (districts.index(r["dnum"]), answers.index(r["sch.wide"]), types.index(r["stype"]))
        weighted[at] += float(r["pw"])
        counts[at] += 1
    res = rao_scott(weighted, counts, fpc=[757.0] * len(districts))
    # R survey: svychisq(~sch.wide + stype, dclus1) -> F = 5.1934, ndf = 1.495,
    # ddf = 20.925, p-value = 0.02175
    assert round(res.f, 4) == 5.1934
    assert round(res.ndf, 3) == 1.495
    assert round(res.ddf, 3) == 20.925
    assert round(res.p_value, 5) == 0.02175


def test_rao_scott_without_clustering_is_close_to_pearson() -> None:
    rng = np.random.default_rng(11)
    # one respondent per PSU: no design effect, so X2 / trace(Delta) ~ X2 / df
    answers = rng.integers(0, 3, size=2000)
    groups = rng.integers(0, 2, size=2000)
    per_psu = np.zeros((2000, 2, 3))
    per_psu[np.arange(2000), groups, answers] = 1
    res = rao_scott(per_psu)
    x2 = pearson_chisq(per_psu.sum(axis=0)).statistic
    assert res.pearson == pytest.approx(x2)
    assert res.mean_eigenvalue == pytest.approx(1.0, abs=0.05)


def test_clustering_inflates_design_effect() -> None:
    rng = np.random.default_rng(5)
    tables = np.zeros((20, 2, 2))
    for g in range(20):
        p = rng.uniform(0.1, 0.9)  # answers strongly clustered by school
        yes = rng.binomial(60, p)
        grp = rng.binomial(yes, 0.5), rng.binomial(60 - yes, 0.5)
        tables[g] = [[grp[0], grp[1]], [yes - grp[0], 60 - yes - grp[1]]]
    res = rao_scott(tables)
    assert res.mean_eigenvalue > 1


@pytest.mark.parametrize(
    "table", [[[1, 2, 3]], [[0, 0], [1, 2]], [[-1, 2], [3, 4]], [[1, np.nan], [1, 1]]]
)
def test_bad_tables(table: list[list[float]]) -> None:
    with pytest.raises(ValueError, match="table"):
        pearson_chisq(table)


def test_identical_schools_have_no_design_variance() -> None:
    with pytest.raises(ValueError, match="no between-school variation"):
        rao_scott(np.ones((4, 2, 3)))


def test_bad_shapes() -> None:
    with pytest.raises(ValueError, match="scores"):
        linear_trend_test([[1, 2], [3, 4]], [0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="weighted"):
        rao_scott(np.ones((2, 2)))
    with pytest.raises(ValueError, match="counts"):
        rao_scott(np.ones((3, 2, 2)), np.ones((3, 2, 3)))


@settings(max_examples=40, deadline=None)
@given(arrays(np.int64, (6, 2, 3), elements=st.integers(1, 40)), st.permutations(range(6)))
def test_rao_scott_invariant_to_school_order(tables: np.ndarray, perm: list[int]) -> None:
    shares = tables / tables.sum(axis=(1, 2), keepdims=True)
    assume(np.ptp(shares, axis=0).max() > 0.01)  # schools must differ for a design variance
    a = rao_scott(tables)
    b = rao_scott(tables[perm])
    assert b.f == pytest.approx(a.f, rel=1e-9)
    assert b.ndf == pytest.approx(a.ndf, rel=1e-9)
    # transposing subgroup and answer cannot change the test
    c = rao_scott(tables.transpose(0, 2, 1))
    assert c.f == pytest.approx(a.f, rel=1e-8)
    assert 0.0 <= a.p_value <= 1.0


# Degenerate input: empty categories, one-respondent tables, scores that do not vary.

counts_table = arrays(
    np.int64, st.tuples(st.integers(2, 5), st.integers(2, 5)), elements=st.integers(0, 30)
)


@settings(max_examples=100, deadline=None)
@given(counts_table)
@example(np.array([[1, 0], [0, 1]]))
@example(np.array([[0, 0], [3, 4]]))
@example(np.array([[5, 5], [5, 5]]))
def test_simple_tests_are_defined_or_refused_by_name(t: np.ndarray) -> None:
    empty = bool(np.any(t.sum(axis=0) == 0) or np.any(t.sum(axis=1) == 0))
    rows, cols = [float(i) for i in range(t.shape[0])], [float(j) for j in range(t.shape[1])]
    if empty:
        with pytest.raises(ValueError, match="empty row or column"):
            pearson_chisq(t)
        with pytest.raises(ValueError, match="empty row or column"):
            linear_trend_test(t, rows, cols)
        return
    x2 = pearson_chisq(t)
    assert x2.statistic >= 0
    assert 0.0 <= x2.p_value <= 1.0
    # Agresti (2002) sect. 3.2: X^2 is symmetric in rows and columns
    assert pearson_chisq(t.T).statistic == pytest.approx(x2.statistic, rel=1e-9, abs=1e-12)
    m2 = linear_trend_test(t, rows, cols)
    # Agresti (2002) sect. 3.4: M^2 = (n - 1) r^2 lies in [0, n - 1]
    assert -1e-12 <= m2.statistic <= (m2.n - 1) * (1 + 1e-12)
    assert 0.0 <= m2.p_value <= 1.0


@pytest.mark.parametrize(
    ("table", "rows", "cols", "match"),
    [
        # Found by a sweep of degenerate input: a NaN score gave a NaN statistic and
        # p-value, and a total below 1 a negative M^2 with p = 1.
        ([[1, 2], [3, 4]], [0, np.nan], [0, 1], "finite"),
        ([[1, 2], [3, 4]], [0, 1], [np.inf, 1], "finite"),
        ([[0.1, 0.2], [0.3, 0.2]], [0, 1], [0, 1], "more than 1 respondent"),
        ([[1, 2], [3, 4]], [1, 1], [0, 1], "vary"),
    ],
)
def test_linear_trend_refuses_what_it_cannot_use(
    table: list[list[float]], rows: list[float], cols: list[float], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        linear_trend_test(table, rows, cols)


@pytest.mark.parametrize(
    ("weighted", "counts", "match"),
    [
        # Found by a sweep of degenerate input: counts of 0 divided by 0 with a warning,
        # NaN counts were called "no between-school variation", and a negative count in
        # one school passed because only the sum over schools was checked.
        (np.ones((3, 2, 2)) + np.eye(2), np.zeros((3, 2, 2)), "counts has no respondents"),
        (np.ones((3, 2, 2)) + np.eye(2), np.full((3, 2, 2), np.nan), "counts must hold finite"),
        (np.array([[[-3.0, 5], [2, 2]], [[6, 1], [2, 3]]]), None, "every school"),
        (np.array([[[np.inf, 5], [2, 2]], [[6, 1], [2, 3]]]), None, "every school"),
    ],
)
def test_design_tests_refuse_counts_they_cannot_use(
    weighted: np.ndarray, counts: np.ndarray | None, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        rao_scott(weighted, counts)
    with pytest.raises(ValueError, match=match):
        rao_scott_chisq(weighted, counts)
    if counts is None:
        with pytest.raises(ValueError, match=match):
            wald_test(weighted)
