"""Tests for the first-order Rao-Scott and the Wald tests in analysis.tables.design."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.clusters import PsuTables, psu_tables
from analysis.tables import pearson_chisq, rao_scott, rao_scott_chisq, wald_test

SharedData = Callable[[str], Path]
FloatArray = npt.NDArray[np.float64]


def _dclus1(shared_data: SharedData) -> PsuTables:
    """``svytable(~sch.wide + stype, dclus1)``'s per-district tables (R survey's dclus1)."""
    with shared_data("apiclus1.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    columns = {name: [r[name] for r in rows] for name in rows[0]}
    return psu_tables(columns, "sch.wide", "stype", "dnum", weight="pw", fpc="fpc")


def test_first_order_rao_scott_apiclus1(shared_data: SharedData) -> None:
    t = _dclus1(shared_data)
    res = rao_scott_chisq(t.weighted, t.counts, t.strata, t.fpc)
    # R survey, http://r-survey.r-forge.r-project.org/survey/example-chisq.html:
    # svychisq(~sch.wide + stype, dclus1, statistic = "Chisq") -> X-squared = 11.9409,
    # df = 2, p-value = 0.005553
    assert round(res.pearson, 4) == 11.9409
    assert res.df == 2
    assert round(res.p_value, 6) == 0.005553
    # the first-order statistic shares its design effects with the second-order test
    second = rao_scott(t.weighted, t.counts, t.strata, t.fpc)
    assert res.mean_eigenvalue == pytest.approx(second.mean_eigenvalue, rel=1e-12)
    assert res.statistic == pytest.approx(res.pearson / res.mean_eigenvalue, rel=1e-12)


def test_wald_tests_apiclus1(shared_data: SharedData) -> None:
    t = _dclus1(shared_data)
    adjusted = wald_test(t.weighted, t.strata, t.fpc)
    # R survey, the same page: svychisq(~sch.wide + stype, dclus1, statistic = "adjWald")
    # -> F = 2.2296, ndf = 2, ddf = 13, p-value = 0.1471
    assert round(adjusted.f, 4) == 2.2296
    assert (adjusted.ndf, adjusted.ddf) == (2, 13)
    assert round(adjusted.p_value, 4) == 0.1471
    plain = wald_test(t.weighted, t.strata, t.fpc, adjusted=False)
    # the same page, statistic = "Wald": F = 2.40 (its last digits are cut off there), on
    # 2 and nu = 14 df; the adjustment scales W / d by (nu - d + 1) / nu = 13 / 14
    assert round(plain.f, 2) == 2.40
    assert (plain.ndf, plain.ddf) == (2, 14)
    assert plain.wald == pytest.approx(adjusted.wald, rel=1e-12)
    assert adjusted.f == pytest.approx(plain.f * 13 / 14, rel=1e-12)


def test_psu_tables_apiclus1(shared_data: SharedData) -> None:
    t = _dclus1(shared_data)
    # R survey example-chisq page: svytable(~sch.wide + stype, dclus1)
    #          E         H         M
    # No   406.1640  101.5410  270.7760
    # Yes 4467.8035  372.3170  575.3989
    np.testing.assert_allclose(
        t.weighted.sum(axis=0),
        [[406.1640, 101.5410, 270.7760], [4467.8035, 372.3170, 575.3989]],
        atol=5e-5,
    )
    assert (t.rows, t.cols) == (("No", "Yes"), ("E", "H", "M"))
    assert t.weighted.shape[0] == 15  # dclus1: 15 districts
    assert t.counts.sum() == 183


def test_independent_respondents_make_the_wald_test_pearson_like() -> None:
    rng = np.random.default_rng(3)
    # one respondent per PSU and no association: W is close to Pearson's X^2
    n = 3000
    per_psu = np.zeros((n, 2, 3))
    per_psu[np.arange(n), rng.integers(0, 2, n), rng.integers(0, 3, n)] = 1
    x2 = pearson_chisq(per_psu.sum(axis=0)).statistic
    res = wald_test(per_psu, adjusted=False)
    assert res.wald == pytest.approx(x2, rel=0.05, abs=0.3)
    assert res.ddf == n - 1


def test_wald_test_needs_more_schools_than_its_degrees_of_freedom() -> None:
    rng = np.random.default_rng(4)
    tables = rng.integers(1, 20, size=(3, 3, 3)).astype(float)
    # d = 4 differences, but three schools give a variance of rank at most 2
    with pytest.raises(ValueError, match="rank 4"):
        wald_test(tables)
    # plain Wald on 2 x 2 with two schools: rank 1 = d, fine; adjusted ddf = 1 - 1 + 1
    two = rng.integers(1, 20, size=(2, 2, 2)).astype(float)
    assert wald_test(two, adjusted=False).ddf == 1
    assert wald_test(two).ddf == 1


def test_identical_schools_have_no_wald_variance() -> None:
    with pytest.raises(ValueError, match="rank"):
        wald_test(np.ones((5, 2, 3)))
    with pytest.raises(ValueError, match="no between-school variation"):
        rao_scott_chisq(np.ones((5, 2, 3)))


def test_bad_tables() -> None:
    with pytest.raises(ValueError, match="weighted must have shape"):
        wald_test(np.ones((2, 2)))
    with pytest.raises(ValueError, match="empty row or column"):
        wald_test(np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match="single PSU"):
        wald_test(np.arange(1.0, 9.0).reshape(2, 2, 2), strata=["a", "b"])


@settings(max_examples=40, deadline=None)
@given(arrays(np.int64, (7, 2, 3), elements=st.integers(1, 40)), st.permutations(range(7)))
def test_invariant_to_school_order_and_transposition(
    tables: npt.NDArray[np.int64], perm: list[int]
) -> None:
    shares = tables / tables.sum(axis=(1, 2), keepdims=True)
    assume(np.ptp(shares, axis=0).max() > 0.01)  # schools must differ for a design variance
    w: FloatArray = tables.astype(float)
    try:
        a = wald_test(w)
    except ValueError as exc:
        # schools that differ along one direction only leave V singular: said, not solved
        assume("rank" not in str(exc))
        raise
    b = wald_test(w[perm])
    assert b.f == pytest.approx(a.f, rel=1e-8)
    # which cells are left out of Y (the first row and column) cannot matter
    c = wald_test(w.transpose(0, 2, 1))
    assert c.f == pytest.approx(a.f, rel=1e-7)
    assert 0 <= a.p_value <= 1
    first = rao_scott_chisq(w)
    assert rao_scott_chisq(w[perm]).statistic == pytest.approx(first.statistic, rel=1e-9)
    assert rao_scott_chisq(w.transpose(0, 2, 1)).statistic == pytest.approx(
        first.statistic, rel=1e-8
    )


# Degenerate input: one school, identical schools, empty cells and strata.

KNOWN_REFUSALS = (
    r"single PSU|no between-school variation|empty row or column|design variance of rank"
    r"|adjusted Wald test needs"
)


@st.composite
def school_tables(draw: st.DrawFn) -> tuple[FloatArray, list[str] | None]:
    """1 to 6 schools' 2 x 2 to 3 x 3 tables, with zeros, copies of one school and strata."""
    g = draw(st.integers(1, 6))
    shape = (draw(st.integers(2, 3)), draw(st.integers(2, 3)))
    if draw(st.booleans()):
        one = draw(arrays(np.int64, shape, elements=st.integers(0, 30)))
        tables = np.repeat(one[None], g, axis=0)
    else:
        tables = draw(arrays(np.int64, (g, *shape), elements=st.integers(0, 30)))
    strata = draw(st.none() | st.lists(st.sampled_from(["s", "t"]), min_size=g, max_size=g))
    return tables.astype(float), strata


@settings(max_examples=150, deadline=None)
@given(school_tables())
@example((np.ones((4, 2, 3)), None))
@example((np.arange(1.0, 9.0).reshape(2, 2, 2), ["a", "b"]))
@example((np.arange(1.0, 5.0).reshape(1, 2, 2), None))
def test_design_tests_are_defined_or_refused_by_name(
    tables: tuple[FloatArray, list[str] | None],
) -> None:
    w, strata = tables
    for name, run in (
        ("rao_scott", lambda: rao_scott(w, strata=strata).p_value),
        ("rao_scott_chisq", lambda: rao_scott_chisq(w, strata=strata).p_value),
        ("wald", lambda: wald_test(w, strata, adjusted=False).p_value),
        ("adjusted wald", lambda: wald_test(w, strata).p_value),
    ):
        outcome = _p_value_or_refusal(run)
        if isinstance(outcome, str):
            assert re.search(KNOWN_REFUSALS, outcome), (name, outcome)
        else:
            assert 0.0 <= outcome <= 1.0, name


def _p_value_or_refusal(run: Callable[[], float]) -> float | str:
    try:
        return run()
    except ValueError as error:
        return str(error)
