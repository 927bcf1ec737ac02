"""Tests for analysis.logistic: grouped-cell fits equal student-level fits."""

import re

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import special

from analysis.logistic import (
    LogitFit,
    NotEstimable,
    categorical_design,
    fit_grouped_logit,
    treatment_columns,
)
from analysis.trends import orthogonal_polynomials


def _students(seed: int, n: int, schools: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    school = rng.integers(0, schools, size=n)
    year = rng.integers(0, 5, size=n)
    grade = rng.integers(0, 4, size=n)
    gender = rng.integers(0, 2, size=n)
    race = rng.choice(5, size=n, p=[0.4, 0.25, 0.2, 0.1, 0.05])
    u = rng.normal(0, 0.5, schools)
    eta = -1.0 + 0.08 * year + 0.15 * grade - 0.3 * gender + 0.1 * race + u[school]
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return {"school": school, "year": year, "grade": grade, "gender": gender, "race": race, "y": y}


def _student_design(d: dict[str, np.ndarray]) -> np.ndarray:
    poly = orthogonal_polynomials([0, 1, 2, 3, 4], 1)
    cols = [np.ones(d["y"].size), poly[d["year"], 0]]
    for name, k in (("grade", 4), ("gender", 2), ("race", 5)):
        cols.extend((d[name] == level).astype(float) for level in range(1, k))
    return np.column_stack(cols)


def _cells(d: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    key = np.column_stack([d["school"], d["year"], d["grade"], d["gender"], d["race"]])
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    events = np.bincount(inverse, weights=d["y"])
    trials = np.bincount(inverse).astype(float)
    return uniq, events, trials


def test_grouped_fit_equals_student_level_fit() -> None:
    # 200,000 simulated students in 100 schools, 5 years, grade x gender x race
    d = _students(2024, 200_000, 100)
    x_students = _student_design(d)
    student = sm.GLM(d["y"], x_students, family=sm.families.Binomial()).fit(
        tol=1e-13, cov_type="cluster", cov_kwds={"groups": d["school"], "use_correction": False}
    )
    model_based = sm.GLM(d["y"], x_students, family=sm.families.Binomial()).fit(tol=1e-13)

    uniq, events, trials = _cells(d)
    cell_students = {
        k: uniq[:, j] for j, k in enumerate(["school", "year", "grade", "gender", "race"])
    }
    cell_students["y"] = events  # only the shape is used by _student_design
    x_cells = _student_design(cell_students)
    fit = fit_grouped_logit(x_cells, events, trials, psu=uniq[:, 0].tolist())

    assert x_cells.shape[0] < 25_000  # the fit really ran on cells
    np.testing.assert_allclose(fit.params, student.params, rtol=0, atol=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.model_cov)), model_based.bse, rtol=1e-6)
    g = 100
    assert fit.cluster_cov is not None
    np.testing.assert_allclose(
        fit.cluster_cov,
        student.cov_params() * g / (g - 1),
        rtol=1e-8,
        atol=1e-8 * np.abs(fit.cluster_cov).max(),
    )
    assert fit.loglik == pytest.approx(model_based.llf, rel=1e-10)
    assert fit.df == g - 1
    assert fit.n_psu == g


def test_likelihood_ratio_test_equal_on_cells() -> None:
    d = _students(7, 20_000, 30)
    x = _student_design(d)
    full = sm.GLM(d["y"], x, family=sm.families.Binomial()).fit()
    reduced = sm.GLM(d["y"], np.delete(x, 1, axis=1), family=sm.families.Binomial()).fit()
    uniq, events, trials = _cells(d)
    cols = {k: uniq[:, j] for j, k in enumerate(["school", "year", "grade", "gender", "race"])}
    cols["y"] = events
    xc = _student_design(cols)
    lr_cells = 2 * (
        fit_grouped_logit(xc, events, trials).loglik
        - fit_grouped_logit(np.delete(xc, 1, axis=1), events, trials).loglik
    )
    assert lr_cells == pytest.approx(2 * (full.llf - reduced.llf), rel=1e-8)


def test_strata_center_scores_within_stratum() -> None:
    x = np.column_stack([np.ones(8), [0, 1] * 4])
    events, trials = [5, 9, 6, 12, 3, 8, 7, 10], [20] * 8
    psu = ["a", "a", "b", "b", "c", "c", "d", "d"]
    one = fit_grouped_logit(x, events, trials, psu=psu)
    two = fit_grouped_logit(
        x, events, trials, psu=psu, strata=["s", "s", "s", "s", "t", "t", "t", "t"]
    )
    assert one.df == 3
    assert two.df == 2
    np.testing.assert_allclose(one.params, two.params)
    assert one.cluster_cov is not None
    assert two.cluster_cov is not None
    assert not np.allclose(one.cluster_cov, two.cluster_cov)


def test_treatment_columns_and_design() -> None:
    cols, terms = treatment_columns([9, 10, 11, 9], "grade")
    assert terms == ("grade[10]", "grade[11]")
    assert cols.tolist() == [[0, 0], [1, 0], [0, 1], [0, 0]]
    x, names = categorical_design({"g": ["m", "f"], "r": ["x", "y"]}, 2)
    assert names == ("Intercept", "g[m]", "r[y]")
    assert x.tolist() == [[1, 1, 0], [1, 0, 1]]
    with pytest.raises(ValueError, match="factor 'g'"):
        categorical_design({"g": ["m"]}, 2)


@pytest.mark.parametrize(
    ("events", "trials", "psu", "match"),
    [
        ([1, 2], [2, 1], None, "events <= trials"),
        ([1], [2, 2], None, "one entry"),
        ([0, 5], [5, 5], None, "separat|diverge"),
        ([1, 2], [5, 5], ["a"], "psu has"),
    ],
)
def test_bad_input(events: list[int], trials: list[int], psu: list[str] | None, match: str) -> None:
    x = np.column_stack([np.ones(2), [0.0, 1.0]])
    with pytest.raises(ValueError, match=match):
        fit_grouped_logit(x, events, trials, psu=psu)


def test_rank_deficient_design() -> None:
    x = np.column_stack([np.ones(3), [1.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match="rank"):
        fit_grouped_logit(x, [1, 2, 3], [5, 5, 5])


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(12)), st.integers(0, 10_000))
def test_invariant_to_cell_and_school_order(perm: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.column_stack([np.ones(12), np.tile([0.0, 1.0, 2.0], 4)])
    trials = rng.integers(20, 60, size=12)
    events = rng.binomial(trials, 0.2 + 0.2 * rng.random(12))
    psu = [f"s{i // 3}" for i in range(12)]
    a = fit_grouped_logit(x, events, trials, psu=psu)
    b = fit_grouped_logit(x[perm], events[perm], trials[perm], psu=[psu[i] for i in perm])
    np.testing.assert_allclose(b.params, a.params, rtol=1e-9, atol=1e-12)
    assert a.cluster_cov is not None
    assert b.cluster_cov is not None
    np.testing.assert_allclose(b.cluster_cov, a.cluster_cov, rtol=1e-8, atol=1e-14)


YEAR = np.column_stack([np.ones(2), [0.0, 1.0]])


@pytest.mark.parametrize(
    ("events", "trials"),
    [
        # No respondent, or every one, has the outcome: the intercept's MLE is -inf or +inf.
        ([0, 0], [40, 60]),
        ([40, 60], [40, 60]),
        # One year at 100 % beside one at 62 %: logit(10 / 10) is +inf. Newton stops here
        # with a zero gradient and a covariance that is rounding noise (a negative
        # variance), which once read as p = 0.
        ([62, 10], [100, 10]),
        # One year at 0 %: the inverse of the final information matrix does not exist.
        ([1, 0], [3, 12]),
    ],
)
def test_separated_outcomes_are_not_estimable(events: list[int], trials: list[int]) -> None:
    # Albert and Anderson (1984): with a level whose cells are all 0 or all 100 %, the
    # likelihood has no finite maximum.
    with pytest.raises(NotEstimable, match=r"outcome|separated|singular") as caught:
        fit_grouped_logit(YEAR, events, trials)
    assert caught.value.reason == "separation"


def test_a_quasi_separated_walk_is_separation_not_slow_convergence() -> None:
    # 2025 has 0 of 13: Newton's coefficients wander along a flat likelihood for all 100
    # iterations with that year's fitted share at 1e-16 (Albert and Anderson, 1984).
    x = np.column_stack([np.ones(5), [0.0, 1.0, 0.0, 0.0, 1.0]])
    with pytest.raises(NotEstimable) as caught:
        fit_grouped_logit(x, [0, 0, 0, 100, 0], [100, 10, 100, 100, 3])
    assert caught.value.reason == "separation"


def test_too_few_iterations_is_no_convergence() -> None:
    with pytest.raises(NotEstimable, match="no convergence") as caught:
        fit_grouped_logit(YEAR, [20, 30], [100, 100], max_iter=1)
    assert caught.value.reason == "no convergence"


def test_a_zero_clustered_variance_has_zero_standard_errors() -> None:
    # Two schools with the same shares fit exactly: every school's score total is 0, so
    # the sandwich is 0 (up to rounding, which may fall below 0) and so are the errors.
    x = np.column_stack([np.ones(4), [0.0, 1.0, 0.0, 1.0]])
    fit = fit_grouped_logit(x, [10, 20, 10, 20], [100, 100, 100, 100], psu=list("aabb"))
    assert np.all(fit.se >= 0)
    np.testing.assert_allclose(fit.se, 0.0, atol=1e-12)


# Degenerate input: empty cells, all-or-nothing levels, one school, strata.

LOGIT_REFUSALS = r"full column rank|no respondents|one school|single PSU"


@st.composite
def grouped_cells(
    draw: st.DrawFn,
) -> tuple[np.ndarray, list[int], list[int], list[str] | None, list[str] | None]:
    """2 to 8 cells of a two-level factor, with empty cells and 0 % or 100 % cells."""
    m = draw(st.integers(2, 8))
    level = draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=m, max_size=m))
    trials = draw(st.lists(st.integers(0, 15), min_size=m, max_size=m))
    events = [draw(st.integers(0, t)) for t in trials]
    psu = draw(st.none() | st.lists(st.sampled_from("abc"), min_size=m, max_size=m))
    strata = None
    if psu is not None and draw(st.booleans()):
        by_school = {s: draw(st.sampled_from("st")) for s in "abc"}
        strata = [by_school[s] for s in psu]
    return np.column_stack([np.ones(m), level]), events, trials, psu, strata


@settings(max_examples=200, deadline=None)
@given(grouped_cells())
@example((YEAR, [0, 0], [0, 0], None, None))
@example((YEAR, [3, 4], [9, 9], ["a", "a"], None))
def test_fit_is_finite_or_refused_by_name(
    cells: tuple[np.ndarray, list[int], list[int], list[str] | None, list[str] | None],
) -> None:
    x, events, trials, psu, strata = cells
    outcome = _fit_or_refusal(x, events, trials, psu, strata)
    if isinstance(outcome, NotEstimable):
        assert outcome.reason in ("separation", "no convergence")
        return
    if isinstance(outcome, str):
        assert re.search(LOGIT_REFUSALS, outcome), outcome
        return
    assert np.all(np.isfinite(outcome.params))
    assert np.all(np.isfinite(outcome.se))
    assert np.all(outcome.se >= 0)
    assert np.isfinite(outcome.loglik)
    assert outcome.loglik <= 0
    if psu is not None:
        assert outcome.df >= 1


def _fit_or_refusal(
    x: np.ndarray,
    events: list[int],
    trials: list[int],
    psu: list[str] | None,
    strata: list[str] | None,
) -> LogitFit | NotEstimable | str:
    try:
        return fit_grouped_logit(x, events, trials, psu=psu, strata=strata)
    except NotEstimable as error:
        return error
    except ValueError as error:
        return str(error)


@pytest.mark.parametrize(
    ("design", "events", "trials", "match"),
    [
        # Found by a sweep of degenerate input: a NaN in the design raised numpy's
        # LinAlgError ("SVD did not converge"), a NaN count warned in logaddexp, a design
        # without columns raised IndexError, and cells with no respondents at all were
        # called a design not of full rank.
        ([[1.0, np.nan], [1.0, 1.0]], [1, 2], [5, 5], "design must hold finite"),
        ([[1.0, 0.0], [1.0, 1.0]], [np.nan, 2], [5, 5], "events must hold finite"),
        ([[1.0, 0.0], [1.0, 1.0]], [1, 2], [np.inf, 5], "trials must hold finite"),
        (np.ones((2, 0)), [1, 2], [5, 5], "design must be a matrix with a column"),
        ([[1.0, 0.0], [1.0, 1.0]], [0, 0], [0, 0], "trials has no respondents"),
    ],
)
def test_fit_refuses_cells_it_cannot_use(
    design: list[list[float]], events: list[float], trials: list[float], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        fit_grouped_logit(design, events, trials)


def test_a_share_just_short_of_one_converges_to_the_pooled_logits() -> None:
    # Found by a sweep of degenerate input: one level at 289.99989 of 290 is not
    # separated, but rounding in y - n p held Newton's step near 1e-10 for ever and the
    # fit was called "no convergence". Intercept and one dummy for two levels is
    # saturated, so the maximum is the logit of each level's pooled share (McCullagh and
    # Nelder 1989, sect. 4.4), which the fit meets to the precision the data allow.
    x = np.column_stack([np.ones(3), [1.0, 0.0, 1.0]])
    fit = fit_grouped_logit(x, [109.99989, 82.59013979131676, 180.0], [110, 150, 180])
    base = special.logit(82.59013979131676 / 150)
    expected = [base, special.logit(289.99989 / 290) - base]
    np.testing.assert_allclose(fit.params, expected, rtol=1e-9)


def test_ten_million_trials_near_one_converge_to_the_pooled_logits() -> None:
    # As above with three levels and ten million trials: the log-likelihood (3.4e7)
    # moves by one unit in its last place each step, which is no progress either.
    level = np.array([0, 2, 1, 0, 2, 1, 1, 0])
    x = np.column_stack([np.ones(8), level == 1, level == 2]).astype(float)
    events = np.array([9999990.0, 4e6, 8999991.0, 2798195.177266491, 3999996.0, 0.0, 10.0])
    events = np.append(events, 10073502.638159368)
    trials = np.array([1e7, 4e6, 9e6, 5e6, 4e6, 0.0, 1e7, 1.8e7])
    fit = fit_grouped_logit(x, events, trials)
    shares = [events[level == j].sum() / trials[level == j].sum() for j in range(3)]
    logits = special.logit(shares)
    expected = [logits[0], logits[1] - logits[0], logits[2] - logits[0]]
    np.testing.assert_allclose(fit.params, expected, rtol=1e-9)
