"""Tests for analysis.design.domains: degrees of freedom of a domain's ratio estimate."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.design import (
    WORKING_ICC,
    PsuTotals,
    design_df,
    design_mean,
    domain_df,
    ratio_estimate,
    ratio_limits,
    sample_design,
)

FloatArray = npt.NDArray[np.float64]


def _oracle(
    x: Sequence[float],
    n: Sequence[float],
    strata: Sequence[Hashable],
    fpc: Sequence[float] | None,
    icc: float,
) -> float:
    """The Satterthwaite df written out with full matrices, from the definition."""
    g = len(x)
    xs, ns = np.array(x, dtype=float), np.array(n, dtype=float)
    # z = B s: linearized totals from the residual totals s of the ratio.
    b = np.eye(g) - np.outer(xs, np.ones(g)) / xs.sum()
    # v = z' Q z: within each stratum, n_h / (n_h - 1) (1 - f_h) times the centred squares.
    q = np.zeros((g, g))
    for h in set(strata):
        rows = [i for i in range(g) if strata[i] == h]
        n_h = len(rows)
        if n_h < 2:
            continue
        f = 0.0 if fpc is None else n_h / fpc[rows[0]]
        q[np.ix_(rows, rows)] = n_h / (n_h - 1) * (1 - f) * (np.eye(n_h) - 1 / n_h)
    a = np.where(xs > 0, xs**2 / np.where(ns > 0, ns, 1) * (1 + (ns - 1) * icc), 0.0)
    ma = b.T @ q @ b @ np.diag(a)
    return float(np.trace(ma) ** 2 / np.trace(ma @ ma))


def _count(x: Sequence[float], strata: Sequence[Hashable]) -> int:
    """PSUs with a member less strata with a member: R survey's degf(subset(...))."""
    holding = [h for v, h in zip(x, strata, strict=True) if v > 0]
    return len(holding) - len(set(holding))


def test_equal_members_per_school_give_r_surveys_count() -> None:
    # R survey's degf.survey.design2 counts the PSUs and strata with non-zero weight:
    # degf(subset(design, ...)) is 4 - 1 for a domain in four of six schools, and
    # Satterthwaite's df equals it when the four hold as many members.
    assert domain_df([12, 12, 12, 12, 0, 0]) == pytest.approx(3.0, rel=1e-12)
    # Over the whole population it is the design's schools - strata.
    assert domain_df([30.0] * 8) == pytest.approx(design_df(8), rel=1e-12)
    # With two strata the count is capped: 5 schools with members less 2 strata.
    strata = ["a"] * 4 + ["b"] * 4
    assert domain_df([9, 9, 9, 0, 9, 9, 0, 0], strata=strata) <= 3.0


def test_a_few_schools_holding_most_members_leave_few_degrees_of_freedom() -> None:
    # 40 and 35 members in two schools, 1-2 in three others: five schools with members
    # less one is 4, but the variance rests on the two large schools.
    uneven = domain_df([40, 35, 2, 1, 1, 0])
    assert 1.0 <= uneven < 2.0
    assert uneven == pytest.approx(
        _oracle([40, 35, 2, 1, 1, 0], [40, 35, 2, 1, 1, 0], [0] * 6, None, WORKING_ICC)
    )


@given(
    st.lists(st.integers(0, 80), min_size=2, max_size=40),
    st.floats(0.0, 1.0),
    st.booleans(),
)
def test_domain_df_is_satterthwaites_from_the_definition(
    members: list[int], icc: float, stratified: bool
) -> None:
    # The closed form (one stratum) and the stratum-by-stratum form both against the
    # definition written with full matrices, capped to R survey's count.
    g = len(members)
    strata: list[Hashable] = [i % 3 if stratified else 0 for i in range(g)]
    count = _count(members, strata)
    df = domain_df(members, strata=strata if stratified else None, icc=icc)
    if count < 1:
        assert df == 0.0
        return
    expected = min(count, max(1.0, _oracle(members, members, strata, None, icc)))
    assert df == pytest.approx(expected, rel=1e-9)
    assert 1.0 <= df <= count


@given(st.lists(st.integers(0, 50), min_size=4, max_size=30), st.floats(10.0, 500.0))
def test_weights_and_fpc_enter_as_the_design_has_them(members: list[int], fpc: float) -> None:
    # Weighted totals x with unweighted n, and a finite population correction per
    # stratum, against the definition.
    g = len(members)
    weights = [1.0 + (i % 4) for i in range(g)]
    x = [w * m for w, m in zip(weights, members, strict=True)]
    strata: list[Hashable] = ["u" if i < g // 2 else "v" for i in range(g)]
    population = [max(fpc, float(g)) for _ in range(g)]
    count = _count(x, strata)
    df = domain_df(x, members, strata, population)
    if count < 1:
        assert df == 0.0
        return
    expected = min(count, max(1.0, _oracle(x, members, strata, population, WORKING_ICC)))
    assert df == pytest.approx(expected, rel=1e-9)


@given(st.lists(st.integers(0, 60), min_size=3, max_size=30), st.floats(0.1, 20.0))
def test_one_weight_everywhere_and_the_order_of_schools_change_nothing(
    members: list[int], weight: float
) -> None:
    n = np.array(members, dtype=float)
    df = domain_df(n)
    assert domain_df(weight * n, n) == pytest.approx(df, rel=1e-9)
    assert domain_df(n[::-1]) == pytest.approx(df, rel=1e-9)


def test_the_variance_estimate_has_the_spread_satterthwaite_gives_it() -> None:
    # Simulate the working model (school effects with icc 0.05, normal members) for one
    # uneven domain and compute the ratio's linearization variance v per replicate: a
    # chi-square on df degrees of freedom has var(v) / mean(v)^2 = 2 / df. With 50,000
    # replicates the df read back this way is within a few per cent of domain_df's.
    rng = np.random.default_rng(7)
    x = np.array([30.0, 22, 9, 5, 3, 2, 1, 0, 0, 0])
    g, icc, reps = x.size, 0.05, 50_000
    effect = rng.normal(0.0, np.sqrt(icc), size=(reps, g))
    own = rng.normal(0.0, 1.0, size=(reps, g)) * np.sqrt(x * (1 - icc))
    y = 2.5 * x + x * effect + own
    r = y.sum(axis=1) / x.sum()
    z = (y - r[:, None] * x) / x.sum()
    v = g / (g - 1) * ((z - z.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    # The same variance as ratio_estimate's, on the first replicate.
    cells = [PsuTotals(i, float(y[0, i]), float(x[i])) for i in range(g)]
    assert ratio_estimate(cells, "mean").se ** 2 == pytest.approx(v[0], rel=1e-9)
    simulated = 2 * v.mean() ** 2 / v.var()
    assert simulated == pytest.approx(domain_df(x, icc=icc), rel=0.05)
    assert domain_df(x, icc=icc) < _count(x.tolist(), [0] * g) - 1


def test_a_domain_in_one_school_or_none_has_no_degrees_of_freedom() -> None:
    assert domain_df([25, 0, 0, 0]) == 0.0
    assert domain_df([0, 0, 0]) == 0.0
    # One school with members in each stratum: each stratum's spread is unknown.
    assert domain_df([5, 0, 7, 0], strata=["a", "a", "b", "b"]) == 0.0


def test_domain_df_bad_input() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        domain_df([3.0, -1.0])
    with pytest.raises(ValueError, match="non-negative"):
        domain_df([3.0, float("nan")])
    with pytest.raises(ValueError, match="1-D"):
        domain_df([[3.0, 1.0]])
    with pytest.raises(ValueError, match="n has shape"):
        domain_df([3.0, 1.0], [3.0])
    with pytest.raises(ValueError, match="strata has 1 entries"):
        domain_df([3.0, 1.0], strata=["a"])
    with pytest.raises(ValueError, match="icc"):
        domain_df([3.0, 1.0], icc=1.5)
    with pytest.raises(ValueError, match="fpc"):
        domain_df([3.0, 1.0, 2.0], fpc=[10.0])


def test_ratio_estimate_of_a_domain_takes_domain_df() -> None:
    x = [30.0, 22, 9, 5, 3, 0, 0]
    y = [9.0, 8, 2, 2, 1, 0, 0]
    cells = [PsuTotals(i, a, b, int(b)) for i, (a, b) in enumerate(zip(y, x, strict=True))]
    est = ratio_estimate(cells)
    assert est.df == domain_df(x) < 4
    # The design's degrees of freedom on request, narrower limits with them.
    design = ratio_estimate(cells, domain=False)
    assert design.df == 6
    assert (design.estimate, design.se) == (est.estimate, est.se)
    assert est.lower < design.lower < design.upper < est.upper
    # A whole population is a domain when asked: the release's subgroups are.
    whole = [
        PsuTotals(i, a + 1, b + 4, int(b) + 4) for i, (a, b) in enumerate(zip(y, x, strict=True))
    ]
    assert ratio_estimate(whole).df == 6
    assert ratio_estimate(whole, domain=True).df == domain_df([b + 4 for b in x]) < 6


def test_ratio_estimate_of_a_domain_in_one_school_names_its_input() -> None:
    cells = [PsuTotals("a", 4, 20, 20), PsuTotals("b", 0, 0), PsuTotals("c", 0, 0)]
    with pytest.raises(ValueError, match=r"cells: the domain has members in 1 of 3 PSUs"):
        ratio_estimate(cells)
    with pytest.raises(ValueError, match="no respondents"):
        ratio_estimate([PsuTotals("a", 0, 0), PsuTotals("b", 0, 0)])


def test_ratio_limits_of_a_domain_in_one_school_are_undefined() -> None:
    y = [[4.0, 0.0, 0.0], [4.0, 3.0, 0.0]]
    x = [[20.0, 0.0, 0.0], [20.0, 10.0, 0.0]]
    ci = ratio_limits(y, x, [False, False])
    assert np.isnan([ci.lower[0], ci.upper[0]]).all()
    assert 0 < ci.lower[1] < ci.upper[1] < 1


def test_design_mean_of_a_domain_equals_its_per_school_totals() -> None:
    # Two routes to one domain: rows with a domain flag in a one-stage design, and one
    # PsuTotals row per school with zeros where the school has no member.
    rng = np.random.default_rng(3)
    school = np.repeat(np.arange(8), 25)
    weight = np.repeat(rng.uniform(5.0, 15.0, 8), 25)
    score = rng.normal(2.5, 0.7, school.size)
    inside = rng.random(school.size) < np.repeat([0.6, 0.3, 0.1, 0.05, 0.0, 0.0, 0.2, 0.0], 25)
    design = sample_design(weight, [school.tolist()])
    est = design_mean(design, score, domain=inside)
    cells = [
        PsuTotals(
            s,
            float((weight * score)[inside & (school == s)].sum()),
            float(weight[inside & (school == s)].sum()),
            int((inside & (school == s)).sum()),
        )
        for s in range(8)
    ]
    ref = ratio_estimate(cells, "mean")
    assert est.estimate == pytest.approx(ref.estimate, rel=1e-12)
    assert est.se == pytest.approx(ref.se, rel=1e-9)
    assert est.df == pytest.approx(ref.df, rel=1e-12)
    assert est.df < (np.bincount(school[inside]) > 0).sum() - 1
    assert (est.lower, est.upper) == pytest.approx((ref.lower, ref.upper), rel=1e-9)
    assert est.n == int(inside.sum())
    # Without a domain, the whole design and its schools - 1 degrees of freedom.
    assert design_mean(design, score).df == 7


def test_design_mean_domain_bad_input() -> None:
    design = sample_design([1.0] * 4, [["a", "a", "b", "b"]])
    with pytest.raises(ValueError, match="one bool per row"):
        design_mean(design, [1.0, 2.0, 3.0, 4.0], domain=[1, 0, 1, 0])
    with pytest.raises(ValueError, match="one bool per row"):
        design_mean(design, [1.0, 2.0, 3.0, 4.0], domain=[True, False])
    with pytest.raises(ValueError, match="domain: its respondents' weights sum to zero"):
        design_mean(design, [1.0, 2.0, 3.0, 4.0], domain=[False] * 4)
    with pytest.raises(ValueError, match="members in 1 of 2 first-stage units"):
        design_mean(design, [1.0, 2.0, 3.0, 4.0], domain=[True, True, False, False])
