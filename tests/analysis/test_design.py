"""Tests for analysis.design."""

import csv
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.design import (
    PsuTotals,
    design_covariance,
    design_df,
    ratio_estimate,
    reliability_flag,
    sample_mean,
    total_estimate,
)

SharedData = Callable[[str], Path]


def _apiclus1(data: SharedData, column: str) -> list[PsuTotals]:
    with data("apiclus1.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        PsuTotals(
            r["dnum"], float(r["pw"]) * float(r[column]), float(r["pw"]), 1, fpc=float(r["fpc"])
        )
        for r in rows
    ]


def test_svymean_api00_dclus1(shared_data: SharedData) -> None:
    est = ratio_estimate(_apiclus1(shared_data, "api00"), kind="mean")
    # R survey: svymean(~api00, dclus1) -> 644.17, SE 23.542
    assert round(est.estimate, 2) == 644.17
    assert round(est.se, 3) == 23.542
    # dclus1 has 15 sampled districts, one stratum
    assert est.df == 14
    assert est.n_psu == 15
    assert est.n == 183


def test_svytotal_enroll_dclus1(shared_data: SharedData) -> None:
    est = total_estimate(_apiclus1(shared_data, "enroll"))
    # R survey: svytotal(~enroll, dclus1) -> 3404940, SE 932235
    assert round(est.estimate) == 3404940
    assert round(est.se) == 932235


def _apistrat(data: SharedData, column: str) -> list[PsuTotals]:
    with data("apistrat.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        PsuTotals(
            r["snum"],
            float(r["pw"]) * float(r[column]),
            float(r["pw"]),
            1,
            stratum=r["stype"],
            fpc=float(r["fpc"]),
        )
        for r in rows
    ]


def test_svymean_and_svytotal_dstrat(shared_data: SharedData) -> None:
    # R survey example output (svydesign(id = ~1, strata = ~stype, weights = ~pw,
    # fpc = ~fpc, data = apistrat)): svymean(~api00, dstrat) -> 662.29, SE 9.4089;
    # svytotal(~enroll, dstrat) -> 3687178, SE 114642
    mean = ratio_estimate(_apistrat(shared_data, "api00"), kind="mean")
    assert round(mean.estimate, 2) == 662.29
    assert round(mean.se, 4) == 9.4089
    assert mean.df == 200 - 3
    total = total_estimate(_apistrat(shared_data, "enroll"))
    assert round(total.estimate) == 3687178
    assert round(total.se) == 114642


def test_fpc_shrinks_variance(shared_data: SharedData) -> None:
    with_fpc = ratio_estimate(_apiclus1(shared_data, "api00"), kind="mean")
    without = ratio_estimate(
        [PsuTotals(c.psu, c.y, c.x, c.n) for c in _apiclus1(shared_data, "api00")], kind="mean"
    )
    # 15 of 757 districts sampled: variance shrinks by exactly 1 - 15/757
    assert with_fpc.se**2 == pytest.approx(without.se**2 * (1 - 15 / 757), rel=1e-12)


def test_proportion_matches_statsmodels_cluster_sandwich() -> None:
    rng = np.random.default_rng(7)
    sizes = rng.integers(20, 80, size=12)
    school = np.repeat(np.arange(12), sizes)
    p_school = 1 / (1 + np.exp(-(-0.8 + rng.normal(0, 0.6, 12))))
    y = (rng.random(school.size) < p_school[school]).astype(float)
    cells = [
        PsuTotals(int(g), float(y[school == g].sum()), float(sizes[g]), int(sizes[g]))
        for g in range(12)
    ]
    est = ratio_estimate(cells)
    fit = sm.GLM(y, np.ones((y.size, 1)), family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": school, "use_correction": False}
    )
    p = y.mean()
    # independent implementation: intercept-only logit with statsmodels' cluster
    # sandwich times G/(G-1) equals the linearized SE on the logit scale
    se_logit = math.sqrt(fit.cov_params()[0, 0] * 12 / 11)
    assert est.se / (p * (1 - p)) == pytest.approx(se_logit, rel=1e-8)
    t = 2.200985160082949  # scipy.stats.t.ppf(0.975, 11)
    assert est.lower == pytest.approx(1 / (1 + math.exp(-(fit.params[0] - t * se_logit))))
    assert est.upper == pytest.approx(1 / (1 + math.exp(-(fit.params[0] + t * se_logit))))


def test_deff_is_one_without_clustering() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(300) < 0.3).astype(float)
    est = ratio_estimate([PsuTotals(i, float(v), 1.0, 1) for i, v in enumerate(y)])
    # one respondent per PSU: the linearization variance is p(1-p)/(n-1), the SRS one
    assert est.deff == pytest.approx(1.0, rel=1e-12)
    m = ratio_estimate(
        [PsuTotals(i, float(v), 1.0, 1, yy=float(v * v)) for i, v in enumerate(y * 3.0)],
        kind="mean",
    )
    assert m.deff == pytest.approx(1.0, rel=1e-12)


def test_deff_exceeds_one_with_clustering() -> None:
    cells = [PsuTotals(g, float(p * 50), 50.0, 50) for g, p in enumerate([0.1, 0.5, 0.2, 0.7])]
    deff = ratio_estimate(cells).deff
    assert deff is not None
    assert deff > 5


def test_strata_df_and_rows_merged() -> None:
    cells = [
        PsuTotals("a", 3, 10, stratum="s1"),
        PsuTotals("b", 5, 10, stratum="s1"),
        PsuTotals("c", 2, 10, stratum="s2"),
        PsuTotals("d", 6, 10, stratum="s2"),
        PsuTotals("d", 1, 5, stratum="s2"),
    ]
    est = ratio_estimate(cells)
    assert est.df == 2
    assert est.n_psu == 4
    assert est.estimate == pytest.approx(17 / 45)
    assert design_df(4, ["s1", "s1", "s2", "s2"]) == 2


def test_stratified_covariance_by_hand() -> None:
    z = [1.0, 3.0, 10.0, 14.0]
    # (2/1) * ((1-2)^2 + (3-2)^2) + (2/1) * ((10-12)^2 + (14-12)^2) = 4 + 16
    assert design_covariance(z, ["a", "a", "b", "b"])[0, 0] == pytest.approx(20.0)
    # sampling fraction 0.5 halves it
    assert design_covariance(z, ["a", "a", "b", "b"], [4, 4, 4, 4])[0, 0] == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("cells", "match"),
    [
        ([], "empty"),
        ([PsuTotals("a", 1, 2, stratum=1), PsuTotals("b", 1, 2, stratum=2)], "single PSU"),
        ([PsuTotals("a", 0, 0), PsuTotals("b", 0, 0)], "no respondents"),
        ([PsuTotals("a", 3, 2), PsuTotals("b", 3, 2)], "outside"),
        ([PsuTotals("a", 1, 2, fpc=10), PsuTotals("b", 1, 2)], "fpc"),
    ],
)
def test_bad_cells(cells: list[PsuTotals], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ratio_estimate(cells)


def test_bad_kind_and_type() -> None:
    cells = [PsuTotals("a", 1, 2), PsuTotals("b", 1, 3)]
    with pytest.raises(ValueError, match="kind"):
        ratio_estimate(cells, kind=cast(Any, "median"))
    with pytest.raises(TypeError, match="PsuTotals"):
        ratio_estimate([cast(Any, ("a", 1, 2))])


def test_zero_prevalence_falls_back_to_exact_interval() -> None:
    est = ratio_estimate([PsuTotals(g, 0.0, 20.0, 20) for g in range(5)])
    assert est.estimate == 0.0
    assert est.lower == 0.0
    # Clopper-Pearson on 100 respondents with none: 1 - 0.025 ** (1 / 100)
    assert est.upper == pytest.approx(1 - 0.025 ** (1 / 100))
    assert est.reliability == "undefined"


def test_sample_mean_by_hand() -> None:
    scores = [2.0, 4.0, 4.0, 5.0, 7.0]
    est = sample_mean(5, sum(scores), sum(s * s for s in scores))
    # statistics.stdev(scores) / sqrt(5)
    assert est.se == pytest.approx(1.8165902124584950 / math.sqrt(5))
    assert est.estimate == pytest.approx(4.4)
    with pytest.raises(ValueError, match="inconsistent"):
        sample_mean(3, 9.0, 1.0)


def test_reliability_flags() -> None:
    # CDC YRBS: 0.30-0.50 interpret with caution, above 0.50 do not use
    assert reliability_flag(0.299) == "reliable"
    assert reliability_flag(0.30) == "caution"
    assert reliability_flag(0.50) == "caution"
    assert reliability_flag(0.5001) == "unreliable"
    assert reliability_flag(None) == "undefined"


school_cells = st.lists(
    st.tuples(st.integers(1, 200), st.floats(0, 1), st.integers(0, 2)),
    min_size=4,
    max_size=30,
).map(
    lambda rows: [PsuTotals(i, round(n * f), n, n, stratum=s) for i, (n, f, s) in enumerate(rows)]
)


@settings(max_examples=60, deadline=None)
@given(school_cells, st.randoms(use_true_random=False))
def test_proportion_properties(cells: list[PsuTotals], rnd: random.Random) -> None:
    counts = {s: sum(1 for c in cells if c.stratum == s) for s in {c.stratum for c in cells}}
    if min(counts.values()) < 2:
        cells = [PsuTotals(c.psu, c.y, c.x, c.n) for c in cells]
    est = ratio_estimate(cells)
    assert 0.0 <= est.lower <= est.estimate <= est.upper <= 1.0
    shuffled = cells[:]
    rnd.shuffle(shuffled)
    again = ratio_estimate(shuffled)
    assert again.estimate == pytest.approx(est.estimate, abs=1e-12)
    assert again.se == pytest.approx(est.se, rel=1e-9, abs=1e-12)
    assert again.lower == pytest.approx(est.lower, rel=1e-9, abs=1e-12)
