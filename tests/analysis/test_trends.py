"""Tests for analysis.trends."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from analysis.design import PsuTotals, ratio_estimate
from analysis.logistic import NotEstimable
from analysis.proportions import wilson_interval
from analysis.trends import (
    MIN_YEARS_QUADRATIC,
    TrendFit,
    adjust_trends,
    fit_trend,
    orthogonal_polynomials,
    year_over_year,
)


def test_contr_poly_5() -> None:
    z = orthogonal_polynomials([1, 2, 3, 4, 5], 2)
    # R contr.poly(5), columns .L and .Q
    np.testing.assert_allclose(
        z[:, 0], [-0.6324555, -0.3162278, 0, 0.3162278, 0.6324555], atol=5e-8
    )
    np.testing.assert_allclose(
        z[:, 1], [0.5345225, -0.2672612, -0.5345225, -0.2672612, 0.5345225], atol=5e-8
    )


@given(st.lists(st.integers(1990, 2060), min_size=3, max_size=12, unique=True), st.integers(1, 2))
def test_orthonormal(years: list[int], degree: int) -> None:
    z = orthogonal_polynomials(sorted(years), degree)
    np.testing.assert_allclose(z.T @ z, np.eye(degree), atol=1e-9)
    np.testing.assert_allclose(z.sum(axis=0), 0, atol=1e-9)
    assert z[-1, 0] > z[0, 0]  # the linear term increases with the year


def test_orthogonal_polynomials_bad_input() -> None:
    with pytest.raises(ValueError, match="distinct"):
        orthogonal_polynomials([1, 1, 2], 1)
    with pytest.raises(ValueError, match="degree"):
        orthogonal_polynomials([1, 2, 3], 3)
    # Found by a sweep of degenerate input: a NaN score gave NaN contrasts.
    with pytest.raises(ValueError, match="finite"):
        orthogonal_polynomials([1, math.nan, 3], 1)


def test_two_years_margins_are_observed_proportions() -> None:
    # year only, two years: the model is saturated, so the margins are the observed
    # proportions and the change is their difference (by construction of the MLE)
    t = fit_trend([2022, 2023, 2022, 2023], [20, 30, 25, 40], [100, 100, 100, 100], psu=None)
    assert t.margins == pytest.approx((45 / 200, 70 / 200), rel=1e-10)
    assert t.change == pytest.approx(100 * (70 - 45) / 200, rel=1e-9)
    assert t.fit.cluster_cov is None
    assert math.isinf(t.fit.df)
    assert t.quadratic_p is None


def _district(
    rng: np.random.Generator, years: int, schools: int, slope: float, rho: float, persistence: float
) -> dict[str, np.ndarray]:
    """Cells whose marginal prevalence is exactly logistic in year and grade.

    Each school's prevalence in a year is a Beta quantile (mean = the marginal model,
    intra-class correlation ``rho``) at a school-year uniform that is partly persistent.
    """
    poly = orthogonal_polynomials(list(range(years)), 1)[:, 0]
    grade_effect = np.array([0.0, 0.25, 0.5])
    grids = np.meshgrid(np.arange(schools), np.arange(years), np.arange(3), indexing="ij")
    g_idx, t_idx, k_idx = (grid.ravel() for grid in grids)
    z_school = rng.normal(size=schools)
    z_year = rng.normal(size=(schools, years))
    v = stats.norm.cdf(
        math.sqrt(persistence) * z_school[:, None] + math.sqrt(1 - persistence) * z_year
    )[g_idx, t_idx]
    mean = special.expit(-1.0 + slope * poly[t_idx] + grade_effect[k_idx])
    a, b = mean * (1 - rho) / rho, (1 - mean) * (1 - rho) / rho
    p = stats.beta.ppf(v, a, b)
    size = rng.uniform(10, 50, size=schools)
    trials = rng.poisson(size[g_idx])
    events = rng.binomial(trials, p)
    truth_last = float(special.expit(-1.0 + slope * poly[-1] + grade_effect).mean())
    return {
        "school": g_idx,
        "year": t_idx,
        "grade": k_idx,
        "trials": trials,
        "events": events,
        "truth_last": np.array(truth_last),
    }


def test_trend_detects_a_real_change_and_gives_direction() -> None:
    d = _district(np.random.default_rng(1), 5, 30, 0.6, 0.03, 0.7)
    t = fit_trend(
        (d["year"] + 2019).tolist(),
        d["events"],
        d["trials"],
        {"grade": d["grade"].tolist()},
        psu=d["school"].tolist(),
    )
    assert t.direction == "increasing"
    assert t.change > 0
    assert t.change_lower < t.change < t.change_upper
    assert t.fit.df == 29
    assert t.years == (2019.0, 2020.0, 2021.0, 2022.0, 2023.0)
    # clustered variance exceeds the model-based one under school clustering
    assert t.fit.se[1] > math.sqrt(t.fit.model_cov[1, 1])


def test_quadratic_only_from_seven_years() -> None:
    rng = np.random.default_rng(5)
    for years, has_quadratic in ((MIN_YEARS_QUADRATIC - 1, False), (MIN_YEARS_QUADRATIC, True)):
        d = _district(rng, years, 12, 0.3, 0.02, 0.7)
        t = fit_trend(d["year"].tolist(), d["events"], d["trials"], psu=d["school"].tolist())
        assert (t.quadratic_p is not None) is has_quadratic
        assert ("year[quadratic]" in t.fit.terms) is has_quadratic
    flat = fit_trend(
        d["year"].tolist(), d["events"], d["trials"], psu=d["school"].tolist(), quadratic=False
    )
    assert flat.quadratic_p is None


def test_adjust_trends_uses_benjamini_hochberg() -> None:
    rng = np.random.default_rng(9)
    fits = []
    for slope in (0.0, 0.0, 0.5, 0.0):
        d = _district(rng, 5, 25, slope, 0.02, 0.7)
        fits.append(
            fit_trend(d["year"].tolist(), d["events"], d["trials"], psu=d["school"].tolist())
        )
    adjusted = adjust_trends(fits)
    ps = sorted(t.linear_p for t in fits)
    # Benjamini & Hochberg (1995): the smallest p-value is multiplied by m / 1 at most
    assert min(t.adjusted_p or 1 for t in adjusted) <= ps[0] * 4 + 1e-15
    for raw, adj in zip(fits, adjusted, strict=True):
        assert adj.adjusted_p is not None
        assert adj.adjusted_p >= raw.linear_p
        if adj.adjusted_p >= 0.05:
            assert adj.direction == "no change"


def test_year_over_year_is_paired_difference() -> None:
    d = _district(np.random.default_rng(3), 2, 20, 0.4, 0.05, 0.9)
    cells = [
        [
            PsuTotals(
                int(g),
                float(d["events"][(d["school"] == g) & (d["year"] == y)].sum()),
                float(d["trials"][(d["school"] == g) & (d["year"] == y)].sum()),
            )
            for g in range(20)
        ]
        for y in (0, 1)
    ]
    c = year_over_year(cells[0], cells[1])
    assert c.estimate == pytest.approx(
        ratio_estimate(cells[1]).estimate - ratio_estimate(cells[0]).estimate
    )
    unpaired = year_over_year(cells[0], [PsuTotals(f"x{t.psu}", t.y, t.x) for t in cells[1]])
    # persistent school effects: pairing removes most of the school variance
    assert c.se is not None
    assert unpaired.se is not None
    assert c.se < unpaired.se


@settings(max_examples=15, deadline=None)
@given(st.permutations(range(60)))
def test_invariant_to_cell_order(perm: list[int]) -> None:
    d = _district(np.random.default_rng(8), 5, 4, 0.3, 0.02, 0.7)
    cols = {k: d[k][:60] for k in ("school", "year", "grade", "trials", "events")}
    a = fit_trend(
        cols["year"].tolist(),
        cols["events"],
        cols["trials"],
        {"grade": cols["grade"].tolist()},
        psu=cols["school"].tolist(),
    )
    b = fit_trend(
        cols["year"][perm].tolist(),
        cols["events"][perm],
        cols["trials"][perm],
        {"grade": cols["grade"][perm].tolist()},
        psu=cols["school"][perm].tolist(),
    )
    assert b.change == pytest.approx(a.change, rel=1e-9)
    assert b.change_se == pytest.approx(a.change_se, rel=1e-8)
    assert b.margins == pytest.approx(a.margins, rel=1e-9)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="two distinct"):
        fit_trend([2020, 2020], [1, 2], [5, 5])
    with pytest.raises(ValueError, match="level"):
        fit_trend([2020, 2021], [1, 2], [5, 5], level=1.5)
    # Found by a sweep of degenerate input: a NaN year raised numpy's LinAlgError ("SVD
    # did not converge"), and a bad confidence was noticed only after the fit.
    with pytest.raises(ValueError, match="year must hold one finite number"):
        fit_trend([2020, math.nan, 2020, math.nan], [1, 2, 3, 4], [10] * 4)
    with pytest.raises(ValueError, match="year must hold one finite number"):
        fit_trend([2020, math.inf], [1, 2], [10, 10])
    with pytest.raises(ValueError, match="confidence"):
        fit_trend([2020, 2021], [1, 2], [5, 5], confidence=math.nan)


@pytest.mark.parametrize(
    ("year", "events", "trials", "psu"),
    [
        # Every school moves alike (10 % -> 20 %): each school's score totals are 0.
        ([2024, 2025] * 2, [10, 20, 10, 20], [100] * 4, list("aabb")),
        ([2024, 2025, 2026] * 3, [10, 20, 30] * 3, [100] * 9, [s for s in "abc" for _ in "123"]),
        # Each school in one year only: the saturated model fits each school exactly.
        ([2024, 2025], [10, 20], [100, 100], ["a", "b"]),
        # Found by the property below: two schools, one with only the middle year. The
        # year term has a variance, but the rank-1 sandwich misses the change's direction,
        # so the change had se 0 and an interval of width 0.
        ([2026, 2024, 2025], [1, 3, 5], [6, 6, 12], ["b", "b", "c"]),
        # The same shares at twice the size: rounding leaves a variance of 1e-31.
        ([2024, 2025] * 2, [1, 2, 2, 4], [10**6, 10**6, 2 * 10**6, 2 * 10**6], list("aabb")),
    ],
)
def test_a_trend_with_no_clustered_variance_is_not_estimable(
    year: list[int], events: list[int], trials: list[int], psu: list[str]
) -> None:
    # A school-clustered variance of 0 would make any change look certain (p = 0).
    with pytest.raises(NotEstimable, match="variance") as caught:
        fit_trend(year, events, trials, psu=psu)
    assert caught.value.reason == "no variance"


def test_a_separated_trend_is_not_estimable() -> None:
    # 0 of 100, then 20 and 40 of 100: the linear logit fits 0 % only at -inf; 0, 0, 100 %
    # is separated outright (Albert and Anderson, 1984).
    assert isinstance(fit_trend([2024, 2025, 2026], [0, 20, 40], [100] * 3), TrendFit)
    with pytest.raises(NotEstimable) as caught:
        fit_trend([2024, 2025, 2026], [0, 0, 100], [100] * 3)
    assert caught.value.reason == "separation"


small_cells = st.integers(2, 4).flatmap(
    lambda years: st.lists(
        st.tuples(
            st.integers(0, years - 1),
            st.sampled_from("abc"),
            st.integers(0, 12).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
        ),
        min_size=2,
        max_size=12,
    )
)


@settings(max_examples=300, deadline=None)
@given(small_cells, st.booleans())
def test_small_cells_give_a_trend_or_a_reason_never_a_warning(
    cells: list[tuple[int, str, tuple[int, int]]], clustered: bool
) -> None:
    # Warnings are errors here: a fit either stands, with a p-value a test can trust,
    # or says why it cannot; nothing is left to a silenced warning.
    year = [2024 + y for y, _s, _c in cells]
    events = [c[0] for _y, _s, c in cells]
    trials = [c[1] for _y, _s, c in cells]
    psu = [s for _y, s, _c in cells] if clustered and len({s for _y, s, _c in cells}) > 1 else None
    try:
        t = fit_trend(year, events, trials, psu=psu)
    except NotEstimable as exc:
        reason: str | None = exc.reason
    except ValueError as exc:
        # Bad input rather than data without an estimate: one year or one school with
        # respondents, or none at all.
        reason = "one year" if "distinct" in str(exc) or "rank" in str(exc) else str(exc)
        reason = "no respondents" if "no respondents" in reason else reason
        reason = "one school" if "names one school" in reason else reason
    else:
        reason = None
        assert 0 < t.linear_p <= 1
        assert np.all(np.isfinite(t.fit.se))
        assert t.fit.se[1] > 0
        assert math.isfinite(t.change)
        assert t.change_se > 0
        assert t.change_lower <= t.change <= t.change_upper
        assert all(0.0 <= m <= 1.0 for m in t.margins)
    assert reason in (
        None,
        "separation",
        "no convergence",
        "no variance",
        "one year",
        "one school",
        "no respondents",
    )


@pytest.mark.slow
def test_coverage_over_500_simulated_districts() -> None:
    rng = np.random.default_rng(20240601)
    slope = 0.35
    hits = {"prevalence": 0, "slope": 0, "naive_prevalence": 0, "naive_slope": 0}
    runs = 500
    for _ in range(runs):
        d = _district(rng, 5, 40, slope, 0.04, 0.6)
        last = d["year"] == 4
        cells = [
            PsuTotals(
                int(g),
                float(d["events"][last & (d["school"] == g)].sum()),
                float(d["trials"][last & (d["school"] == g)].sum()),
            )
            for g in range(40)
        ]
        truth = float(d["truth_last"])
        est = ratio_estimate(cells)
        hits["prevalence"] += est.lower <= truth <= est.upper
        naive = wilson_interval(int(d["events"][last].sum()), int(d["trials"][last].sum()))
        hits["naive_prevalence"] += naive.lower <= truth <= naive.upper

        t = fit_trend(
            d["year"].tolist(),
            d["events"],
            d["trials"],
            {"grade": d["grade"].tolist()},
            psu=d["school"].tolist(),
        )
        q = stats.t.ppf(0.975, t.fit.df)
        hits["slope"] += abs(t.linear_coef - slope) <= q * t.fit.se[1]
        naive_se = math.sqrt(t.fit.model_cov[1, 1])
        hits["naive_slope"] += abs(t.linear_coef - slope) <= 1.959963984540054 * naive_se
    rate = {k: v / runs for k, v in hits.items()}
    # the marginal model is exactly logistic, so the truth is known; the design-based
    # intervals must hold their nominal 95 % within Monte Carlo error
    assert 0.93 <= rate["prevalence"] <= 0.97, rate
    assert 0.93 <= rate["slope"] <= 0.97, rate
    assert rate["naive_prevalence"] < 0.90, rate
    assert rate["naive_slope"] < 0.90, rate
