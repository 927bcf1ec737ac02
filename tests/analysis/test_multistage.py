"""Tests for multistage designs: analysis.design.stages and analysis.design.sample."""

import csv
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analysis.design import (
    PsuTotals,
    SampleDesign,
    design_covariance,
    design_mean,
    design_total,
    multistage_covariance,
    ratio_estimate,
    sample_design,
    total_estimate,
)

SharedData = Callable[[str], Path]


def _apiclus2(data: SharedData, with_fpc: bool = True) -> tuple[SampleDesign, dict[str, list[str]]]:
    """dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)."""
    with data("apiclus2.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    columns = {key: [r[key] for r in rows] for key in rows[0]}
    fpc = [[float(v) for v in columns["fpc1"]], [float(v) for v in columns["fpc2"]]]
    design = sample_design(
        [float(v) for v in columns["pw"]],
        [columns["dnum"], columns["snum"]],
        fpc=fpc if with_fpc else None,
    )
    return design, columns


def _enroll(columns: dict[str, list[str]]) -> list[float]:
    # svytotal(~enroll, na.rm = TRUE) keeps the schools without enrolment in the design
    # and gives them nothing to add
    return [float(v) if v not in ("", "NA") else 0.0 for v in columns["enroll"]]


def test_two_stage_mean_and_total_match_r(shared_data: SharedData) -> None:
    design, columns = _apiclus2(shared_data)
    mean = design_mean(design, [float(v) for v in columns["api00"]])
    # R survey 4.5 tests/testoutput/api.Rout.saved: svymean(~api00, dclus2) -> 670.81,
    # SE 30.099
    assert round(mean.estimate, 2) == 670.81
    assert round(mean.se, 3) == 30.099
    # 40 districts, one stratum
    assert mean.df == 39
    assert mean.n_psu == 40
    assert mean.n == 126
    total = design_total(design, _enroll(columns))
    # R survey 4.5 tests/testoutput/api.Rout.saved: svytotal(~enroll, dclus2, na.rm=TRUE)
    # -> 2639273, SE 799638
    assert round(total.estimate) == 2639273
    assert round(total.se) == 799638


def test_two_stage_with_replacement_matches_r(shared_data: SharedData) -> None:
    design, columns = _apiclus2(shared_data, with_fpc=False)
    mean = design_mean(design, [float(v) for v in columns["api00"]])
    # R survey 4.5 tests/testoutput/api.Rout.saved: svymean(~api00, dclus2wr) -> SE 30.712;
    # svytotal(~enroll, dclus2wr, na.rm=TRUE) -> 2639273, SE 820261
    assert round(mean.se, 3) == 30.712
    total = design_total(design, _enroll(columns))
    assert round(total.se) == 820261


def test_two_stage_is_the_textbook_sum_of_stage_variances() -> None:
    # Cochran (1977) eq. 10.14 for an unbiased two-stage total, by hand: N = 10
    # districts, n = 3 drawn; M_i schools, m_i drawn
    y = {"a": [4.0, 6.0, 5.0], "b": [7.0, 9.0], "c": [1.0, 2.0, 6.0, 3.0]}
    big_m = {"a": 8, "b": 5, "c": 12}
    big_n, n = 10, 3
    rows = [(d, j, v) for d, vals in y.items() for j, v in enumerate(vals)]
    weights = [big_n / n * big_m[d] / len(y[d]) for d, _, _ in rows]
    values = [v for _, _, v in rows]
    design = sample_design(
        weights,
        [[d for d, _, _ in rows], [j for _, j, _ in rows]],
        fpc=[[big_n] * len(rows), [big_m[d] for d, _, _ in rows]],
    )
    est = design_total(design, values)
    totals = {d: big_m[d] * float(np.mean(v)) for d, v in y.items()}
    t = np.array(list(totals.values()))
    between = big_n**2 * (1 - n / big_n) * float(np.var(t, ddof=1)) / n
    within = (
        big_n
        / n
        * sum(
            big_m[d] ** 2 * (1 - len(v) / big_m[d]) * float(np.var(v, ddof=1)) / len(v)
            for d, v in y.items()
        )
    )
    assert est.estimate == pytest.approx(big_n / n * t.sum())
    assert est.se == pytest.approx(np.sqrt(between + within), rel=1e-12)


def test_one_stage_equals_per_school_totals(shared_data: SharedData) -> None:
    with shared_data("apiclus1.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    design = sample_design(
        [float(r["pw"]) for r in rows],
        [[r["dnum"] for r in rows]],
        fpc=[[float(r["fpc"]) for r in rows]],
    )
    cells = [
        PsuTotals(
            r["dnum"], float(r["pw"]) * float(r["api00"]), float(r["pw"]), 1, fpc=float(r["fpc"])
        )
        for r in rows
    ]
    mean = design_mean(design, [float(r["api00"]) for r in rows])
    # R survey: svymean(~api00, dclus1) -> 644.17, SE 23.542, by both routes
    assert round(mean.se, 3) == 23.542
    assert mean.se == pytest.approx(ratio_estimate(cells, kind="mean").se, rel=1e-12)
    assert mean.lower == pytest.approx(ratio_estimate(cells, kind="mean").lower, rel=1e-12)
    total = design_total(design, [float(r["enroll"]) for r in rows])
    enroll = [
        PsuTotals(r["dnum"], float(r["pw"]) * float(r["enroll"]), 1.0, 1, fpc=float(r["fpc"]))
        for r in rows
    ]
    assert total.se == pytest.approx(total_estimate(enroll).se, rel=1e-12)


def test_stratified_first_stage_and_nested_names() -> None:
    # School 1 of district a and school 1 of district c are different schools
    z = [1.0, 2.0, 4.0, 3.0, 6.0, 9.0, 5.0, 5.5]
    districts = ["a", "a", "b", "b", "c", "c", "d", "d"]
    schools = [1, 2, 1, 2, 1, 2, 1, 2]
    strata = ["x", "x", "x", "x", "y", "y", "y", "y"]
    fpc = [[4] * 8, [3] * 8]
    got = multistage_covariance(z, [districts, schools], strata, fpc)[0, 0]
    between = design_covariance([3.0, 7.0, 15.0, 10.5], ["x", "x", "y", "y"], [4] * 4)[0, 0]
    within = sum(
        design_covariance(pair, None, [3, 3])[0, 0]
        for pair in ([1.0, 2.0], [4.0, 3.0], [6.0, 9.0], [5.0, 5.5])
    )
    assert got == pytest.approx(between + 0.5 * within, rel=1e-12)
    with pytest.raises(ValueError, match="more than one stratum"):
        multistage_covariance(z, [districts, schools], ["x"] * 7 + ["y"], fpc)


def test_a_fully_sampled_unit_adds_nothing_even_alone() -> None:
    # R survey: a stratum sampled whole is self-representing, with one PSU or several
    assert design_covariance([1.0, 3.0, 8.0], ["a", "a", "b"], [4, 4, 1])[0, 0] == pytest.approx(
        design_covariance([1.0, 3.0], None, [4, 4])[0, 0]
    )
    z = [1.0, 2.0, 7.0]
    got = multistage_covariance(z, [["a", "a", "b"], [1, 2, 1]], fpc=[[5] * 3, [4, 4, 1]])
    between = design_covariance([3.0, 7.0], None, [5, 5])[0, 0]
    within = design_covariance([1.0, 2.0], None, [4, 4])[0, 0]
    assert got[0, 0] == pytest.approx(between + 2 / 5 * within, rel=1e-12)


@pytest.mark.parametrize(
    ("clusters", "strata", "fpc", "match"),
    [
        ([["a", "a", "a"]], None, None, "single PSU"),
        ([["a", "a", "b"], [1, 2, 1]], None, [[5] * 3, [4, 4, 3]], "'b' of stage 1 has a single"),
        ([["a", "a", "b"], [1, 2, 1]], None, [[5] * 3, [4, 3, 3]], "varies within"),
        ([["a", "a", "b"], [1, 2, 1]], None, [[5] * 3], "1 entries for 2 stages"),
        ([["a", "a", "b"]], None, [[1.5] * 3], "sampling fraction"),
        ([["a", "a"]], None, None, "2 entries for 3 rows"),
        ([], None, None, "at least one stage"),
    ],
)
def test_bad_designs_raise_value_errors(
    clusters: list[list[object]],
    strata: list[object] | None,
    fpc: list[list[float]] | None,
    match: str,
) -> None:
    with pytest.raises(ValueError, match=match):
        multistage_covariance([1.0, 2.0, 7.0], clusters, strata, fpc)


def test_sample_design_bad_input() -> None:
    with pytest.raises(TypeError, match="one sequence of unit names per stage"):
        sample_design([1.0, 1.0], ["a", "b"])
    with pytest.raises(ValueError, match="non-negative"):
        sample_design([1.0, -1.0], [["a", "b"]])
    with pytest.raises(ValueError, match="fpc of stage 1"):
        sample_design([1.0, 1.0], [["a", "b"]], fpc=[[3.0]])
    design = sample_design([1.0, 1.0, 1.0], [["a", "b", "c"]])
    with pytest.raises(ValueError, match="missing"):
        design_total(design, [1.0, float("nan"), 2.0])
    with pytest.raises(ValueError, match="shape"):
        design_mean(design, [1.0, 2.0])
    with pytest.raises(ValueError, match="outside"):
        design_mean(design, [1.0, 2.0, 3.0], kind="proportion")
    with pytest.raises(ValueError, match="sum to zero"):
        design_mean(sample_design([0.0, 0.0], [["a", "b"]]), [1.0, 2.0])


def test_all_alike_gives_a_point_interval() -> None:
    design = sample_design([3.0] * 6, [["a", "a", "b", "b", "c", "c"], [1, 2] * 3])
    est = design_mean(design, [2.5] * 6)
    assert (est.estimate, est.se) == (2.5, 0.0)
    assert est.lower == est.estimate == est.upper
    share = design_mean(design, [1.0] * 6, kind="proportion")
    # Clopper-Pearson on 6 of 6, as ratio_estimate falls back to: 0.025 ** (1 / 6)
    assert share.upper == 1.0
    assert share.lower == pytest.approx(0.025 ** (1 / 6))


two_stage = st.lists(
    st.tuples(st.integers(0, 7), st.floats(0.5, 5.0), st.floats(-50.0, 50.0)),
    min_size=6,
    max_size=40,
)


@settings(max_examples=50, deadline=None)
@given(two_stage, st.randoms(use_true_random=False))
def test_two_stage_limits_are_ordered_and_ignore_row_order(
    rows: list[tuple[int, float, float]], rnd: random.Random
) -> None:
    districts = [d for d, _, _ in rows]
    assume(len(set(districts)) >= 2)
    size = {d: districts.count(d) for d in districts}
    schools = [districts[:i].count(d) for i, d in enumerate(districts)]
    # every district sampled whole at the second stage when it has a single school
    fpc = [[20.0] * len(rows), [float(size[d] + (size[d] > 1)) for d in districts]]
    weights = [w for _, w, _ in rows]
    values = [v for _, _, v in rows]
    est = design_total(sample_design(weights, [districts, schools], fpc=fpc), values)
    assert est.lower <= est.estimate <= est.upper
    order = list(range(len(rows)))
    rnd.shuffle(order)
    again = design_total(
        sample_design(
            [weights[i] for i in order],
            [[districts[i] for i in order], [schools[i] for i in order]],
            fpc=[[f[i] for i in order] for f in fpc],
        ),
        [values[i] for i in order],
    )
    assert again.estimate == pytest.approx(est.estimate, rel=1e-9, abs=1e-9)
    assert again.se == pytest.approx(est.se, rel=1e-9, abs=1e-9)
