"""Tests for calibrated designs: analysis.weights.calibrated_design with analysis.design."""

import csv
import random
from collections.abc import Callable, Hashable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.design import (
    SampleDesign,
    design_covariance,
    design_mean,
    design_total,
    sample_design,
)
from analysis.weights import calibrated_design, rake

SharedData = Callable[[str], Path]

# R survey 4.5 tests/rakecheck.Rout.save: pop.types and pop.schwide
POP_TYPES: dict[Hashable, float] = {"E": 4421.0, "H": 755.0, "M": 1018.0}
POP_SCHWIDE: dict[Hashable, float] = {"No": 1072.0, "Yes": 5122.0}


def _apiclus1(data: SharedData) -> tuple[SampleDesign, dict[str, list[str]]]:
    """dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)."""
    with data("apiclus1.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    columns = {key: [r[key] for r in rows] for key in rows[0]}
    design = sample_design(
        [float(v) for v in columns["pw"]],
        [columns["dnum"]],
        fpc=[[float(v) for v in columns["fpc"]]],
    )
    return design, columns


def _numbers(values: list[str]) -> list[float]:
    return [float(v) for v in values]


def _as_r_prints(se: float) -> float:
    """An SE as R survey prints it beside a mean of hundreds.

    ``print.svystat`` calls ``printCoefmat``, which rounds the SE column to 4 decimals
    and then shows 5 significant digits: 23.920486 prints as 23.921.
    """
    return float(f"{round(se, 4):.5g}")


def _raked(data: SharedData) -> tuple[SampleDesign, dict[str, list[str]]]:
    design, columns = _apiclus1(data)
    raked = calibrated_design(
        design,
        {"stype": columns["stype"], "sch.wide": columns["sch.wide"]},
        {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE},
        tol=1e-10,
    )
    return raked, columns


def test_raked_mean_and_total_match_r(shared_data: SharedData) -> None:
    raked, columns = _raked(shared_data)
    mean = design_mean(raked, _numbers(columns["api00"]))
    # R survey 4.5 tests/rakecheck.Rout.save: svymean(~api00, dclus1r) -> 641.23, SE 23.704
    assert round(mean.estimate, 2) == 641.23
    assert _as_r_prints(mean.se) == 23.704
    total = design_total(raked, _numbers(columns["enroll"]))
    # R survey 4.5 tests/rakecheck.Rout.save: svytotal(~enroll, dclus1r) -> 3647280, SE 400603
    assert round(total.estimate) == 3647280
    assert round(total.se) == 400603
    # calibration leaves the design's degrees of freedom alone: 15 districts, one stratum
    assert total.df == 14
    assert total.n_psu == 15


def test_ignoring_the_raking_overstates_the_standard_error(shared_data: SharedData) -> None:
    raked, columns = _raked(shared_data)
    enroll = _numbers(columns["enroll"])
    loose = sample_design(raked.weights, raked.clusters, fpc=raked.fpc)
    # The same weights estimated as if they were design weights: the SE the library gave
    # before it kept the calibration (R gives 400603 with it)
    assert round(design_total(loose, enroll).se) == 1000326
    assert design_total(raked, enroll).se < 0.41 * design_total(loose, enroll).se


def test_post_stratified_mean_and_total_match_r(shared_data: SharedData) -> None:
    design, columns = _apiclus1(shared_data)
    post = calibrated_design(design, {"stype": columns["stype"]}, {"stype": POP_TYPES})
    mean = design_mean(post, _numbers(columns["api00"]))
    # R survey 4.5 tests/testoutput/api.Rout.saved: svymean(~api00, dclus1p) -> 642.31,
    # SE 23.921 (dclus1p <- postStratify(dclus1, ~stype, pop.types))
    assert round(mean.estimate, 2) == 642.31
    assert _as_r_prints(mean.se) == 23.921
    total = design_total(post, _numbers(columns["enroll"]))
    # R survey 4.5 tests/testoutput/api.Rout.saved: svytotal(~enroll, dclus1p) -> 3680893,
    # SE 406293
    assert round(total.estimate) == 3680893
    assert round(total.se) == 406293


def test_a_calibration_variable_has_its_population_total_without_error(
    shared_data: SharedData,
) -> None:
    raked, columns = _raked(shared_data)
    elementary = [float(s == "E") for s in columns["stype"]]
    est = design_total(raked, elementary)
    # Raking meets the margin, so the total is known exactly: 4421 elementary schools
    assert est.estimate == pytest.approx(4421.0, rel=1e-9)
    assert est.se == pytest.approx(0.0, abs=1e-6)
    assert est.lower <= est.estimate <= est.upper


def _random_cells(
    seed: int,
) -> tuple[SampleDesign, dict[str, list[int]], dict[str, dict[Hashable, float]], list[float]]:
    rng = np.random.default_rng(seed)
    rows = 90
    school = rng.integers(0, 12, rows).tolist()
    margins = {
        "grade": rng.integers(0, 4, rows).tolist(),
        "gender": rng.integers(0, 2, rows).tolist(),
        "language": rng.integers(0, 3, rows).tolist(),
    }
    counts = rng.integers(1, 6, rows).astype(float)
    design = sample_design(rng.uniform(1.0, 9.0, rows), [school], counts=counts)
    targets: dict[str, dict[Hashable, float]] = {
        "grade": {g: 1000.0 + 100 * g for g in range(4)},
        "gender": {0: 2400.0, 1: 2200.0},
        "language": {0: 3000.0, 1: 1000.0, 2: 600.0},
    }
    y = (counts * rng.normal(50.0, 10.0, rows) + 5.0 * np.array(margins["grade"])).tolist()
    return design, margins, targets, y


def test_residual_variance_equals_the_regression_on_the_model_matrix() -> None:
    design, margins, targets, y = _random_cells(4)
    raked = calibrated_design(design, margins, targets, tol=1e-12)
    cal = rake(design.counts, margins, targets, base_weights=design.weights, tol=1e-12)
    np.testing.assert_allclose(raked.weights, cal.weights, rtol=1e-12)
    # Independent path: weighted least squares of each cell's mean on the dense model
    # matrix (weights: design weight x respondents), residual totals times the raked
    # weights, school totals, then the between-school covariance
    x, n, d = cal.model, design.counts, design.weights
    sqrt_fit = np.sqrt(d * n)
    beta = np.linalg.lstsq(x * sqrt_fit[:, None], np.asarray(y) / n * sqrt_fit, rcond=None)[0]
    z = cal.weights * (np.asarray(y) - n * (x @ beta))
    schools = list(dict.fromkeys(design.clusters[0]))
    totals = [sum(z[i] for i, s in enumerate(design.clusters[0]) if s == k) for k in schools]
    expected = float(np.sqrt(design_covariance(totals)[0, 0]))
    assert design_total(raked, y).se == pytest.approx(expected, rel=1e-8)


def test_calibration_model_has_one_indicator_per_category() -> None:
    cal = rake(
        [2, 3, 4, 5],
        {"grade": [6, 7, 6, 7], "gender": ["f", "f", "m", "m"]},
        {"grade": {6: 50.0, 7: 60.0}, "gender": {"f": 40.0, "m": 70.0}},
    )
    # columns: grade 6, grade 7, then gender f, gender m
    assert cal.model.tolist() == [
        [1.0, 0.0, 1.0, 0.0],
        [0.0, 1.0, 1.0, 0.0],
        [1.0, 0.0, 0.0, 1.0],
        [0.0, 1.0, 0.0, 1.0],
    ]
    np.testing.assert_allclose(cal.model.T @ (cal.weights * [2, 3, 4, 5]), [50, 60, 40, 70])
    np.testing.assert_array_equal(cal.base_weights, [1.0, 1.0, 1.0, 1.0])


def test_calibrated_design_refuses_what_it_cannot_keep() -> None:
    design, margins, targets, _ = _random_cells(5)
    raked = calibrated_design(design, margins, targets)
    with pytest.raises(ValueError, match="already calibrated"):
        calibrated_design(raked, margins, targets)
    with pytest.raises(ValueError, match="did not meet the margins"):
        calibrated_design(design, margins, targets, max_iter=1)
    with pytest.raises(ValueError, match="no target"):
        calibrated_design(design, {"grade": margins["grade"]}, {"grade": {0: 1.0}})
    with pytest.raises(ValueError, match="margins is empty"):
        calibrated_design(design, {}, {})


def test_all_alike_has_zero_standard_error_and_a_point_interval() -> None:
    design, margins, targets, _ = _random_cells(6)
    raked = calibrated_design(design, margins, targets)
    est = design_mean(raked, 3.0 * raked.counts)
    assert est.estimate == pytest.approx(3.0, rel=1e-12)
    assert est.se == pytest.approx(0.0, abs=1e-12)
    assert est.lower <= est.estimate <= est.upper
    assert est.upper - est.lower == pytest.approx(0.0, abs=1e-9)


def test_one_district_is_a_value_error_not_a_crash() -> None:
    design = sample_design([2.0, 2.0, 2.0], [["a", "a", "a"]])
    raked = calibrated_design(design, {"g": ["x", "y", "x"]}, {"g": {"x": 4.0, "y": 3.0}})
    with pytest.raises(ValueError, match="single PSU"):
        design_mean(raked, [1.0, 2.0, 3.0])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_calibrated_estimates_are_ordered_and_do_not_depend_on_row_order(
    seed: int, rnd: random.Random
) -> None:
    design, margins, targets, y = _random_cells(seed)
    raked = calibrated_design(design, margins, targets, tol=1e-12)
    share = np.clip(np.asarray(y) / (design.counts * 100.0), 0.0, 1.0) * design.counts
    est = design_mean(raked, share, kind="proportion")
    assert 0.0 <= est.lower <= est.estimate <= est.upper <= 1.0
    order = list(range(len(y)))
    rnd.shuffle(order)
    shuffled = sample_design(
        design.weights[order],
        [[design.clusters[0][i] for i in order]],
        counts=design.counts[order],
    )
    again = calibrated_design(
        shuffled, {k: [v[i] for i in order] for k, v in margins.items()}, targets, tol=1e-12
    )
    other = design_mean(again, share[order], kind="proportion")
    assert other.estimate == pytest.approx(est.estimate, rel=1e-9)
    assert other.se == pytest.approx(est.se, rel=1e-6)
