"""Tests for analysis.frames: a Survey over columns by name, checked against R survey."""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis import Survey, survey
from analysis.clusters import psu_tables
from analysis.design import SampleDesign, design_mean, design_total, sample_design
from analysis.logistic import NotEstimable, fit_grouped_logit, treatment_columns
from analysis.proportions import korn_graubard_interval
from analysis.regression import fit_linear_columns
from analysis.reliability import cronbach_alpha
from analysis.tables import rao_scott, rao_scott_chisq, wald_test
from analysis.weights import calibrated_design

SharedData = Callable[[str], Path]
Data = dict[str, npt.NDArray[Any]]

# R survey 4.5 tests/rakecheck.Rout.save: pop.types and pop.schwide
POP_TYPES: dict[Hashable, float] = {"E": 4421.0, "H": 755.0, "M": 1018.0}
POP_SCHWIDE: dict[Hashable, float] = {"No": 1072.0, "Yes": 5122.0}


def _read(shared_data: SharedData, name: str) -> Data:
    """A CSV's columns as R's read.csv gives them: numbers as floats (NA as NaN), else text."""
    with shared_data(name).open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    data: Data = {}
    for key in rows[0]:
        values = [r[key] for r in rows]
        try:
            data[key] = np.array([math.nan if v in ("", "NA") else float(v) for v in values])
        except ValueError:
            data[key] = np.array(values, dtype=object)
    return data


def _dclus1(shared_data: SharedData) -> tuple[Survey, Data]:
    """dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)."""
    data = _read(shared_data, "apiclus1.csv")
    return survey(data, ids="dnum", weights="pw", fpc="fpc"), data


def _as_r_prints(se: float) -> float:
    """An SE as R's print.svystat shows it beside a mean of hundreds: 4 decimals, 5 digits."""
    return float(f"{round(se, 4):.5g}")


def test_mean_and_total_match_r_and_the_library(shared_data: SharedData) -> None:
    dclus1, data = _dclus1(shared_data)
    mean = dclus1.mean("api00")
    # R survey: svymean(~api00, dclus1) -> 644.17, SE 23.542
    assert round(mean.estimate, 2) == 644.17
    assert round(mean.se, 3) == 23.542
    total = dclus1.total("enroll")
    # R survey: svytotal(~enroll, dclus1) -> 3404940, SE 932235
    assert round(total.estimate) == 3404940
    assert round(total.se) == 932235
    # exactly what the library gives from the same columns by hand
    design = sample_design(data["pw"], [data["dnum"].tolist()], fpc=[data["fpc"]])
    assert mean == design_mean(design, data["api00"])
    assert total == design_total(design, data["enroll"])
    assert (mean.df, mean.n_psu, mean.n) == (14, 15, 183)


def test_raked_estimates_match_r(shared_data: SharedData) -> None:
    dclus1, data = _dclus1(shared_data)
    raked = dclus1.rake(["stype", "sch.wide"], {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})
    mean = raked.mean("api00")
    # R survey 4.5 tests/rakecheck.Rout.save: svymean(~api00, dclus1r) -> 641.23, SE 23.704
    assert round(mean.estimate, 2) == 641.23
    assert _as_r_prints(mean.se) == 23.704
    total = raked.total("enroll")
    # R survey 4.5 tests/rakecheck.Rout.save: svytotal(~enroll, dclus1r) -> 3647280, SE 400603
    assert round(total.estimate) == 3647280
    assert round(total.se) == 400603
    margins = {"stype": data["stype"].tolist(), "sch.wide": data["sch.wide"].tolist()}
    by_hand = calibrated_design(
        dclus1.design, margins, {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}
    )
    np.testing.assert_array_equal(raked.design.weights, by_hand.weights)
    assert total == design_total(by_hand, data["enroll"])
    # the survey raked from is left as it was
    assert dclus1.design.calibration is None
    assert dclus1.total("enroll").se > 2 * total.se


def test_a_crossed_margin_is_a_tuple_of_its_columns(shared_data: SharedData) -> None:
    dclus1, data = _dclus1(shared_data)
    cells = sorted({(str(t), str(s)) for t, s in zip(data["stype"], data["sch.wide"], strict=True)})
    targets: dict[Hashable, float] = {cell: 1000.0 + 10 * i for i, cell in enumerate(cells)}
    raked = dclus1.rake({"type x growth": ["stype", "sch.wide"]}, {"type x growth": targets})
    count = raked.total("pw", domain=("stype", "H"))
    # every (stype, sch.wide) cell is met exactly, so the H schools' weights add up to the
    # H cells' targets; the pw column itself is a constant, so its total is pw x that
    h_target = sum(targets[cell] for cell in cells if cell[0] == "H")
    assert count.estimate == pytest.approx(float(data["pw"][0]) * h_target, rel=1e-9)


def test_two_stage_design_matches_r(shared_data: SharedData) -> None:
    data = _read(shared_data, "apiclus2.csv")
    dclus2 = survey(data, ids=["dnum", "snum"], weights="pw", fpc=["fpc1", "fpc2"])
    mean = dclus2.mean("api00")
    # R survey 4.5 tests/testoutput/api.Rout.saved: svymean(~api00, dclus2) -> 670.81,
    # SE 30.099
    assert round(mean.estimate, 2) == 670.81
    assert round(mean.se, 3) == 30.099
    assert (mean.df, mean.n_psu) == (39, 40)
    total = dclus2.total("enroll", na_rm=True)
    # R survey 4.5 tests/testoutput/api.Rout.saved: svytotal(~enroll, dclus2, na.rm=TRUE)
    # -> 2639273, SE 799638
    assert round(total.estimate) == 2639273
    assert round(total.se) == 799638
    unknown = int(np.isnan(data["enroll"]).sum())
    with pytest.raises(ValueError, match=f"column 'enroll' has {unknown} missing values"):
        dclus2.total("enroll")


def test_stratified_sample_of_schools_matches_r(shared_data: SharedData) -> None:
    data = _read(shared_data, "apistrat.csv")
    dstrat = survey(data, strata="stype", weights="pw", fpc="fpc")
    mean, total = dstrat.mean("api00"), dstrat.total("enroll")
    # R survey example output (svydesign(id = ~1, strata = ~stype, weights = ~pw,
    # fpc = ~fpc, data = apistrat)): svymean(~api00, dstrat) -> 662.29, SE 9.4089;
    # svytotal(~enroll, dstrat) -> 3687178, SE 114642
    assert round(mean.estimate, 2) == 662.29
    assert round(mean.se, 4) == 9.4089
    assert round(total.estimate) == 3687178
    assert round(total.se) == 114642
    assert mean.df == 200 - 3


def test_subgroups_match_r(shared_data: SharedData) -> None:
    data = _read(shared_data, "apiclus1.csv")
    # R survey, http://r-survey.r-forge.r-project.org/survey/example-domain.html:
    # svytotal(~enroll, subset(dclus1, sch.wide == "Yes" & comp.imp == "Yes")) -> 2406420,
    # SE 645444
    met = [
        s == "Yes" and c == "Yes" for s, c in zip(data["sch.wide"], data["comp.imp"], strict=True)
    ]
    both = survey(data | {"met": np.array(met)}, ids="dnum", weights="pw", fpc="fpc")
    total = both.total("enroll", domain=("met", True))
    assert round(total.estimate) == 2406420
    assert round(total.se) == 645444
    # the same page: svyby(~api99 + api00, ~stype + sch.wide, dclus1, svymean,
    # keep.var = TRUE), its first five rows (the sixth is cut off there)
    r_by = {
        "E.No": (601.6667, 596.3333, 47.27582, 43.49010),
        "E.Yes": (608.3485, 653.6439, 21.52493, 20.31720),
        "H.No": (662.0000, 659.3333, 29.23003, 27.00275),
        "H.Yes": (577.6364, 607.4545, 46.50125, 43.70468),
        "M.No": (611.3750, 606.3750, 41.11886, 41.11686),
    }
    group = [f"{t}.{s}" for t, s in zip(data["stype"], data["sch.wide"], strict=True)]
    grouped = survey(data | {"group": np.array(group)}, ids="dnum", weights="pw", fpc="fpc")
    api99, api00 = grouped.mean("api99", by="group"), grouped.mean("api00", by="group")
    assert list(api99) == ["E.No", "E.Yes", "H.No", "H.Yes", "M.No", "M.Yes"]
    for name, (m99, m00, se99, se00) in r_by.items():
        assert round(api99[name].estimate, 4) == m99
        assert round(api00[name].estimate, 4) == m00
        assert round(api99[name].se, 5) == se99
        assert round(api00[name].se, 5) == se00
    # by= is domain= for each value in turn
    assert api99["H.No"] == grouped.mean("api99", domain=("group", "H.No"))


def test_proportions_match_r_and_the_library(shared_data: SharedData) -> None:
    dclus1, data = _dclus1(shared_data)
    est = dclus1.proportion("stype", "E")
    # R survey, http://r-survey.r-forge.r-project.org/survey/example-summary.html:
    # svymean(~api00 + api99 + stype, dclus1) -> stypeE 0.786885, SE 0.0463
    assert round(est.estimate, 6) == 0.786885
    assert round(est.se, 4) == 0.0463
    design = sample_design(data["pw"], [data["dnum"].tolist()], fpc=[data["fpc"]])
    elementary = (data["stype"] == "E").astype(float)
    assert est == design_mean(design, elementary, "proportion")
    beta = dclus1.proportion("stype", "E", method="korn-graubard")
    assert beta == korn_graubard_interval(est.estimate, est.se, est.n, est.df)
    per_type = dclus1.proportion("sch.wide", "Yes", method="korn-graubard", by="stype")
    inside = data["stype"] == "M"
    middle = design_mean(design, data["sch.wide"] == "Yes", "proportion", domain=inside)
    assert per_type["M"] == korn_graubard_interval(middle.estimate, middle.se, middle.n, middle.df)


def test_svychisq_matches_r(shared_data: SharedData) -> None:
    dclus1, data = _dclus1(shared_data)
    f = dclus1.chisq("sch.wide", "stype")
    # R survey: svychisq(~sch.wide + stype, dclus1) -> F = 5.1934, ndf = 1.495,
    # ddf = 20.925, p-value = 0.02175
    assert round(f.f, 4) == 5.1934
    assert round(f.ndf, 3) == 1.495
    assert round(f.ddf, 3) == 20.925
    assert round(f.p_value, 5) == 0.02175
    # R survey, http://r-survey.r-forge.r-project.org/survey/example-chisq.html:
    # statistic = "Chisq" -> X-squared = 11.9409, df = 2, p-value = 0.005553;
    # statistic = "adjWald" -> F = 2.2296, ndf = 2, ddf = 13, p-value = 0.1471
    chisq = dclus1.chisq("sch.wide", "stype", statistic="Chisq")
    assert (round(chisq.pearson, 4), chisq.df, round(chisq.p_value, 6)) == (11.9409, 2, 0.005553)
    adjusted = dclus1.chisq("sch.wide", "stype", statistic="adjWald")
    assert (round(adjusted.f, 4), adjusted.ndf, adjusted.ddf) == (2.2296, 2, 13)
    assert round(adjusted.p_value, 4) == 0.1471
    t = psu_tables(data, "sch.wide", "stype", "dnum", weight="pw", fpc="fpc")
    assert f == rao_scott(t.weighted, t.counts, t.strata, t.fpc)
    assert chisq == rao_scott_chisq(t.weighted, t.counts, t.strata, t.fpc)
    assert dclus1.chisq("sch.wide", "stype", "Wald") == wald_test(
        t.weighted, t.strata, t.fpc, adjusted=False
    )


def test_svyglm_gaussian_matches_r(shared_data: SharedData) -> None:
    dclus1, data = _dclus1(shared_data)
    fit = dclus1.linear("api00", ["ell", "meals"])
    # R survey 4.5 vignette (inst/doc/survey.pdf): summary(svyglm(api00 ~ ell + meals,
    # design = dclus1)):
    #             Estimate Std. Error t value Pr(>|t|)
    # (Intercept) 817.1823    18.6709  43.768 1.32e-14
    # ell          -0.5088     0.3259  -1.561    0.144
    # meals        -3.1456     0.3018 -10.423 2.29e-07
    assert fit.terms == ("Intercept", "ell", "meals")
    assert fit.params.round(4).tolist() == [817.1823, -0.5088, -3.1456]
    assert fit.se.round(4).tolist() == [18.6709, 0.3259, 0.3018]
    assert (fit.df, fit.df_residual, fit.n_psu, fit.n) == (14, 12, 15, 183)
    by_hand = fit_linear_columns(
        data, "api00", ["ell", "meals"], weight="pw", psu="dnum", fpc="fpc"
    )
    np.testing.assert_array_equal(fit.params, by_hand.params)
    np.testing.assert_array_equal(fit.cov, by_hand.cov)


def test_svyglm_on_two_stages_with_replacement_matches_r(shared_data: SharedData) -> None:
    data = _read(shared_data, "apiclus2.csv")
    dclus2 = survey(data, ids=["dnum", "snum"], weights="pw")
    fit = dclus2.linear("api00", ["ell", "meals", "mobility"])
    # R survey, http://r-survey.r-forge.r-project.org/survey/example-regression.html:
    # summary(svyglm(api00 ~ ell + meals + mobility, design = dclus2)), dclus2 without
    # fpc: the variance is the districts'
    assert fit.params.round(4).tolist() == [811.4907, -2.0592, -1.7772, 0.3253]
    assert fit.se.round(4).tolist() == [30.8795, 1.4075, 1.1053, 0.5305]
    assert (fit.df, fit.n_psu) == (39, 40)


def test_svyglm_quasibinomial_matches_r(shared_data: SharedData) -> None:
    dclus1, _ = _dclus1(shared_data)
    fit = dclus1.logit("sch.wide", ["ell", "meals"])
    # R survey 4.5 vignette (inst/doc/survey.pdf): summary(svyglm(I(sch.wide == "Yes") ~
    # ell + meals, design = dclus1, family = quasibinomial())):
    #              Estimate Std. Error t value Pr(>|t|)
    # (Intercept)  1.899557   0.509915   3.725  0.00290
    # ell          0.039925   0.012443   3.209  0.00751
    # meals       -0.019115   0.008825  -2.166  0.05117
    assert fit.terms == ("Intercept", "ell", "meals")
    assert fit.params.round(6).tolist() == [1.899557, 0.039925, -0.019115]
    assert fit.se.round(6).tolist() == [0.509915, 0.012443, 0.008825]
    assert (fit.df, fit.n_psu) == (14, 15)
    # "Yes" is the event by default, as R takes the second level of a factor
    assert fit.params == pytest.approx(
        dclus1.logit("sch.wide", ["ell", "meals"], event="Yes").params
    )
    no = dclus1.logit("sch.wide", ["ell", "meals"], event="No")
    np.testing.assert_allclose(no.params, -fit.params, rtol=1e-8)


def test_logit_cells_pool_rows_without_changing_the_fit(shared_data: SharedData) -> None:
    data = _read(shared_data, "apiclus2.csv")
    # unequal weights, and schools of a district sharing type and year-round status
    dclus2 = survey(data, ids=["dnum", "snum"], weights="pw")
    fit = dclus2.logit("sch.wide", ["stype", "yr.rnd"])
    assert fit.terms == ("Intercept", "stype[H]", "stype[M]", "yr.rnd[Yes]")
    # the weighted fit on one cell per row (R svyglm's estimating equations)
    stype, _ = treatment_columns(data["stype"].tolist(), "stype")
    yr_rnd, _ = treatment_columns(data["yr.rnd"].tolist(), "yr.rnd")
    x = np.column_stack([np.ones(stype.shape[0]), stype, yr_rnd])
    yes = (data["sch.wide"] == "Yes").astype(float)
    rows = fit_grouped_logit(x, data["pw"] * yes, data["pw"], psu=data["dnum"].tolist())
    assert rows.cluster_cov is not None
    assert fit.cluster_cov is not None
    np.testing.assert_allclose(fit.params, rows.params, rtol=1e-9)
    np.testing.assert_allclose(fit.cluster_cov, rows.cluster_cov, rtol=1e-7)
    assert (fit.df, fit.n_psu) == (39, 40)


def test_alpha_is_the_librarys(shared_data: SharedData) -> None:
    dclus1, data = _dclus1(shared_data)
    items = ["acs.k3", "acs.46"]
    res = dclus1.alpha(items)
    assert res == cronbach_alpha(np.column_stack([data[i] for i in items]))
    # listwise deletion: only the schools with both class sizes
    assert res.n == int((~np.isnan(np.column_stack([data[i] for i in items]))).all(1).sum())


def test_bad_column_names_are_named(shared_data: SharedData) -> None:
    dclus1, data = _dclus1(shared_data)
    with pytest.raises(ValueError, match="data has no column 'api0'; did you mean 'api00'"):
        dclus1.mean("api0")
    with pytest.raises(ValueError, match="data has no column 'district'"):
        survey(data, ids="district")
    with pytest.raises(ValueError, match="no column 'stypes'"):
        dclus1.chisq("sch.wide", "stypes")
    with pytest.raises(ValueError, match="no column 'mels'"):
        dclus1.logit("sch.wide", ["ell", "mels"])
    with pytest.raises(ValueError, match="column 'stype' must hold numbers"):
        dclus1.total("stype")
    with pytest.raises(ValueError, match="domain: no row has stype == 'X'"):
        dclus1.mean("api00", domain=("stype", "X"))


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match=r"one entry per row; their lengths: \{'a': 3, 'b': 2\}"):
        survey({"a": [1, 2, 3], "b": [1, 2]})
    with pytest.raises(ValueError, match="no rows"):
        survey({"a": []})
    with pytest.raises(ValueError, match="no columns"):
        survey({})
    with pytest.raises(ValueError, match="one-dimensional"):
        survey({"a": [[1, 2], [3, 4]]})


def test_tests_and_models_refuse_designs_they_cannot_take(shared_data: SharedData) -> None:
    dclus1, _ = _dclus1(shared_data)
    raked = dclus1.rake(["stype"], {"stype": POP_TYPES})
    with pytest.raises(ValueError, match="chisq does not take calibrated weights"):
        raked.chisq("sch.wide", "stype")
    with pytest.raises(ValueError, match="linear does not take calibrated weights"):
        raked.linear("api00", ["ell"])
    data = _read(shared_data, "apiclus2.csv")
    dclus2 = survey(data, ids=["dnum", "snum"], weights="pw", fpc=["fpc1", "fpc2"])
    with pytest.raises(ValueError, match="logit takes its variance from first-stage units"):
        dclus2.logit("sch.wide", ["stype"])
    with pytest.raises(ValueError, match="fpc names 2 stages, ids 1"):
        survey(data, ids="dnum", fpc=["fpc1", "fpc2"])
    with pytest.raises(ValueError, match="has 3 values; name the one modelled"):
        dclus1.logit("stype", ["ell"])
    with pytest.raises(TypeError, match="not a str"):
        dclus1.linear("api00", "ell")


def test_fewer_fpc_than_stages_leaves_the_later_stages_with_replacement() -> None:
    # two districts of 10, then two or three schools in each, the second stage with
    # replacement (no fpc)
    data = {
        "district": np.array(["a", "a", "b", "b", "b"]),
        "school": np.array([1, 2, 1, 2, 3]),
        "fpc1": np.full(5, 10.0),
        "w": np.array([5.0, 5.0, 4.0, 4.0, 4.0]),
        "score": np.array([3.0, 5.0, 8.0, 12.0, 7.0]),
    }
    front = survey(data, ids=["district", "school"], weights="w", fpc="fpc1")
    clusters = [data["district"].tolist(), data["school"].tolist()]
    design = sample_design(data["w"], clusters, fpc=[data["fpc1"], None])
    assert front.total("score") == design_total(design, data["score"])
    assert front.fpc == ("fpc1",)
    # and the within-district term is there: more variance than the first stage alone
    first = sample_design(data["w"], clusters, fpc=[data["fpc1"], np.ones(5)])
    assert front.total("score").se > design_total(first, data["score"]).se


def test_nest_names_first_stage_units_within_strata() -> None:
    rng = np.random.default_rng(3)
    strata = np.repeat(["x", "y"], 12)
    psu = np.tile(np.repeat([1, 2, 3], 4), 2)
    data = {"s": strata, "psu": psu, "y": rng.normal(size=24), "w": rng.uniform(1, 3, 24)}
    nested = survey(data, ids="psu", strata="s", weights="w", nest=True)
    unique = [f"{s}{p}" for s, p in zip(strata, psu, strict=True)]
    plain = survey(data | {"u": np.array(unique)}, ids="u", strata="s", weights="w")
    assert nested.mean("y") == plain.mean("y")
    assert nested.mean("y").df == 6 - 2
    with pytest.raises(ValueError, match="lies in more than one stratum"):
        survey(data, ids="psu", strata="s", weights="w").mean("y")


def test_the_survey_keeps_its_own_copy_of_the_columns() -> None:
    school = [1, 1, 2, 2, 3, 3]
    score = np.array([4.0, 6.0, 5.0, 7.0, 2.0, 3.0])
    s = survey({"school": school, "score": score}, ids="school")
    before = s.mean("score")
    score[0] = 100.0
    school[0] = 3
    assert s.mean("score") == before
    with pytest.raises(ValueError, match="read-only"):
        s.columns["score"][0] = 1.0
    assert "3 first-stage units" in repr(s)


def test_a_data_frame_gives_what_a_dict_gives(shared_data: SharedData) -> None:
    pd = pytest.importorskip("pandas")
    dclus1, data = _dclus1(shared_data)
    frame = pd.DataFrame(data)
    from_frame = survey(frame, ids="dnum", weights="pw", fpc="fpc")
    assert from_frame.mean("api00") == dclus1.mean("api00")
    assert from_frame.chisq("sch.wide", "stype") == dclus1.chisq("sch.wide", "stype")
    frame["stype"] = frame["stype"].astype("category")
    categorical = survey(frame, ids="dnum", weights="pw", fpc="fpc")
    np.testing.assert_array_equal(
        categorical.logit("sch.wide", ["stype"]).params,
        dclus1.logit("sch.wide", ["stype"]).params,
    )


def _design_rows(seed: int) -> Data:
    rng = np.random.default_rng(seed)
    n = 60
    return {
        "school": rng.integers(0, 8, n),
        "w": rng.uniform(1.0, 4.0, n),
        "grade": rng.choice(["6", "7", "8"], n),
        "score": rng.normal(3.0, 1.0, n),
        "worried": rng.choice(["no", "yes"], n, p=[0.6, 0.4]),
    }


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
@example(seed=130, rnd=random.Random(0))  # no student of grade 8 is worried
def test_estimates_do_not_depend_on_the_order_of_rows(seed: int, rnd: random.Random) -> None:
    data = _design_rows(seed)
    order = list(range(60))
    rnd.shuffle(order)
    shuffled = {name: values[order] for name, values in data.items()}
    a = survey(data, ids="school", weights="w")
    b = survey(shuffled, ids="school", weights="w")
    for grade, est in a.mean("score", by="grade").items():
        other = b.mean("score", domain=("grade", grade))
        assert other.estimate == pytest.approx(est.estimate, rel=1e-9)
        assert other.se == pytest.approx(est.se, rel=1e-7)
    ci = a.proportion("worried", "yes", method="korn-graubard")
    assert 0 <= ci.lower <= ci.estimate <= ci.upper <= 1
    assert b.proportion("worried", "yes").estimate == pytest.approx(ci.estimate, rel=1e-9)
    try:
        fit = a.logit("worried", ["grade"])
    except NotEstimable:
        # a grade where nobody (or everybody) is worried has no finite fit in any order
        with pytest.raises(NotEstimable, match="separated"):
            b.logit("worried", ["grade"])
        return
    again = b.logit("worried", ["grade"])
    np.testing.assert_allclose(again.params, fit.params, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(again.se, fit.se, rtol=1e-6, atol=1e-9)


def test_design_of_the_survey_is_a_sample_design(shared_data: SharedData) -> None:
    dclus1, _ = _dclus1(shared_data)
    assert isinstance(dclus1.design, SampleDesign)
    assert (dclus1.ids, dclus1.strata, dclus1.weights, dclus1.fpc) == (
        ("dnum",),
        None,
        "pw",
        ("fpc",),
    )
