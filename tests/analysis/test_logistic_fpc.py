"""Tests for the finite population correction of analysis.logistic.fit_grouped_logit."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.logistic import fit_grouped_logit

SharedData = Callable[[str], Path]


def test_svyglm_quasibinomial_dclus1(shared_data: SharedData) -> None:
    with shared_data("apiclus1.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    # dclus1 weights every school alike (pw = 757 / 15 for all), so one cell per school
    # with one trial is the weighted fit.
    assert len({r["pw"] for r in rows}) == 1
    x = np.array([[1.0, float(r["ell"]), float(r["meals"])] for r in rows])
    events = [float(r["sch.wide"] == "Yes") for r in rows]
    fit = fit_grouped_logit(
        x, events, [1] * len(rows), psu=[r["dnum"] for r in rows], fpc=[757] * len(rows)
    )
    # R survey 4.5 vignette (inst/doc/survey.pdf): summary(svyglm(I(sch.wide == "Yes") ~
    # ell + meals, design = dclus1, family = quasibinomial())), dclus1 with fpc = ~fpc:
    #              Estimate Std. Error t value Pr(>|t|)
    # (Intercept)  1.899557   0.509915   3.725  0.00290
    # ell          0.039925   0.012443   3.209  0.00751
    # meals       -0.019115   0.008825  -2.166  0.05117
    assert fit.params.round(6).tolist() == [1.899557, 0.039925, -0.019115]
    assert fit.se.round(6).tolist() == [0.509915, 0.012443, 0.008825]
    assert (fit.params / fit.se).round(3).tolist() == [3.725, 3.209, -2.166]
    assert (fit.df, fit.n_psu) == (14, 15)


def _cells() -> tuple[np.ndarray, list[int], list[int], list[str]]:
    x = np.column_stack([np.ones(10), [0.0, 1.0] * 5])
    events = [4, 9, 6, 12, 3, 8, 7, 10, 5, 5]
    return x, events, [20] * 10, [s for s in "abcde" for _ in range(2)]


@settings(max_examples=25, deadline=None)
@given(st.integers(5, 10_000))
def test_fpc_shrinks_every_se_by_root_one_minus_f(population: int) -> None:
    # One stratum: the sandwich's meat is (1 - f) G/(G - 1) sum (u_g - ubar)(u_g - ubar)'
    # (design_covariance, R svyrecvar), so the covariance is (1 - f) times the one
    # without fpc and every SE sqrt(1 - f) times, f = G / N = 5 / population.
    x, events, trials, psu = _cells()
    free = fit_grouped_logit(x, events, trials, psu=psu)
    fpc = fit_grouped_logit(x, events, trials, psu=psu, fpc=[population] * 10)
    shrink = np.sqrt(1 - 5 / population)
    np.testing.assert_allclose(fpc.params, free.params)
    np.testing.assert_allclose(fpc.se, free.se * shrink, rtol=1e-12)
    np.testing.assert_allclose(fpc.model_cov, free.model_cov)
    # the same fraction given as a sampling fraction
    as_fraction = fit_grouped_logit(x, events, trials, psu=psu, fpc=[5 / population] * 10)
    np.testing.assert_allclose(as_fraction.se, fpc.se, rtol=1e-12)


def test_sampling_fraction_zero_changes_nothing() -> None:
    x, events, trials, psu = _cells()
    free = fit_grouped_logit(x, events, trials, psu=psu)
    zero = fit_grouped_logit(x, events, trials, psu=psu, fpc=[0.0] * 10)
    assert free.cluster_cov is not None
    assert zero.cluster_cov is not None
    np.testing.assert_array_equal(zero.cluster_cov, free.cluster_cov)


def test_fpc_applies_within_each_stratum() -> None:
    x, events, trials, psu = _cells()
    strata = ["s"] * 6 + ["t"] * 4
    # stratum t sampled whole (fraction 1): only stratum s's schools carry variance
    fit = fit_grouped_logit(x, events, trials, psu=psu, strata=strata, fpc=[6] * 6 + [2] * 4)
    only_s = fit_grouped_logit(x, events, trials, psu=psu, strata=strata, fpc=[6] * 6 + [1.0] * 4)
    assert fit.cluster_cov is not None
    assert only_s.cluster_cov is not None
    np.testing.assert_allclose(fit.cluster_cov, only_s.cluster_cov)
    # and stratum s's share is scaled by 1 - 3/6
    half = fit_grouped_logit(x, events, trials, psu=psu, strata=strata, fpc=[1e12] * 6 + [1.0] * 4)
    assert half.cluster_cov is not None
    np.testing.assert_allclose(fit.cluster_cov, 0.5 * half.cluster_cov, rtol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"fpc": [10] * 10}, "give psu"),
        ({"strata": ["s"] * 10}, "give psu"),
        ({"psu": list("aabbccddee"), "fpc": [10] * 9}, "fpc has 9 entries"),
        ({"psu": list("aabbccddee"), "fpc": [10] * 9 + [11]}, "two values of fpc"),
        ({"psu": list("aabbccddee"), "fpc": [4] * 10}, "sampling fraction"),
    ],
)
def test_bad_fpc(kwargs: dict[str, list[str] | list[int]], match: str) -> None:
    x, events, trials, _ = _cells()
    with pytest.raises(ValueError, match=match):
        fit_grouped_logit(x, events, trials, **cast(Any, kwargs))
