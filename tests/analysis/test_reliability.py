"""Tests for analysis.reliability."""

import math
from collections.abc import Hashable
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from analysis.logistic import NotEstimable
from analysis.reliability import (
    AlphaResult,
    OmegaResult,
    alpha_from_moments,
    compare_languages,
    cronbach_alpha,
    feldt_interval,
    item_statistics,
    mcdonald_omega,
    scale_reliability,
)

SMALL = [[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4]]


def test_alpha_closed_form() -> None:
    # closed form: item variances 5/3, 4.75/3, 2.75/3 and total variance 34/3 give
    # alpha = 3/2 * (1 - 12.5/34) = 0.948529
    res = cronbach_alpha(SMALL)
    assert round(res.alpha, 6) == 0.948529
    assert res.n == 4
    assert res.k == 3
    assert res.lower < res.alpha < res.upper <= 1


def test_feldt_interval_definition() -> None:
    rng = np.random.default_rng(1)
    f = rng.normal(size=(300, 1))
    x = f + rng.normal(size=(300, 5))
    res = cronbach_alpha(x, confidence=0.90)
    # Feldt et al. (1987): (1 - alpha) / (1 - limit) / (1 - alpha) are F(n-1, (n-1)(k-1)) quantiles
    q_hi = (1 - res.lower) / (1 - res.alpha)
    q_lo = (1 - res.upper) / (1 - res.alpha)
    assert stats.f.cdf(q_hi, 299, 299 * 4) == pytest.approx(0.95)
    assert stats.f.cdf(q_lo, 299, 299 * 4) == pytest.approx(0.05)


def _equicorrelated(n: int, k: int, r: float, seed: int) -> np.ndarray:
    """Data whose sample correlation matrix has every off-diagonal exactly r."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, k))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    target = np.full((k, k), r) + (1 - r) * np.eye(k)
    return z @ np.linalg.cholesky(target).T * np.arange(1, k + 1) + 3


def test_omega_equals_standardized_alpha_when_correlations_are_equal() -> None:
    # McDonald (1999): with equal loadings l^2 = r, omega = k r / (1 + (k - 1) r),
    # which is the standardized alpha (Spearman-Brown)
    x = _equicorrelated(500, 5, 0.36, 3)
    om = mcdonald_omega(x)
    res = cronbach_alpha(x)
    assert res.standardized == pytest.approx(5 * 0.36 / (1 + 4 * 0.36), rel=1e-9)
    assert om.omega == pytest.approx(res.standardized, rel=1e-6)
    np.testing.assert_allclose(om.loadings, 0.6, rtol=1e-5)


def test_omega_recovers_population_value() -> None:
    rng = np.random.default_rng(4)
    lam = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    f = rng.normal(size=(40_000, 1))
    x = f * lam + rng.normal(size=(40_000, 5)) * np.sqrt(1 - lam**2)
    # McDonald (1999): population omega = (sum l)^2 / ((sum l)^2 + sum(1 - l^2))
    truth = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    assert mcdonald_omega(x).omega == pytest.approx(truth, abs=0.01)
    # with unequal loadings alpha underestimates reliability (tau-equivalence fails)
    assert cronbach_alpha(x).standardized < mcdonald_omega(x).omega


def test_item_statistics_agree_with_their_definitions() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 1)) + rng.normal(size=(200, 4))
    x[:, 3] = rng.normal(size=200)  # an item unrelated to the others
    out = item_statistics(x, ["a", "b", "c", "d"])
    for j, s in enumerate(out):
        rest = np.delete(x, j, axis=1).sum(axis=1)
        assert s.item_rest == pytest.approx(np.corrcoef(x[:, j], rest)[0, 1])
        assert s.alpha_if_deleted == pytest.approx(cronbach_alpha(np.delete(x, j, axis=1)).alpha)
    # dropping the unrelated item raises alpha; its item-rest correlation is the lowest
    assert out[3].alpha_if_deleted > cronbach_alpha(x).alpha
    assert min(out, key=lambda s: s.item_rest).item == "d"


def test_listwise_deletion_and_groups() -> None:
    data = np.array(SMALL * 3, dtype=float)
    data[0, 1] = np.nan
    groups = ["en"] * 4 + ["es"] * 4 + ["so"] * 4
    out = scale_reliability(data, groups, items=["a", "b", "c"])
    assert [r.group for r in out] == ["en", "es", "so"]
    assert out[0].alpha.n == 3
    assert out[1].alpha.alpha == pytest.approx(0.948529, abs=1e-6)
    assert out[1].omega is not None
    assert [s.item for s in out[1].items] == ["a", "b", "c"]


def test_language_flag() -> None:
    rng = np.random.default_rng(6)
    f = rng.normal(size=(800, 1))
    good = f + 0.8 * rng.normal(size=(800, 6))
    g = rng.normal(size=(300, 1))
    bad = np.hstack([g + 0.8 * rng.normal(size=(300, 3)), rng.normal(size=(300, 3))])
    same = rng.normal(size=(300, 1)) + 0.8 * rng.normal(size=(300, 6))
    alphas: dict[Hashable, AlphaResult] = {
        "en": cronbach_alpha(good),
        "so": cronbach_alpha(bad),
        "es": cronbach_alpha(same),
    }
    checks = {c.language: c for c in compare_languages(alphas)}
    assert checks["so"].flagged
    assert not checks["es"].flagged
    assert checks["so"].drop > 0.1
    with pytest.raises(ValueError, match="reference"):
        compare_languages({"es": alphas["es"]})


def test_small_drop_in_small_sample_not_flagged() -> None:
    en = AlphaResult(0.85, 0.83, 0.87, 0.85, 400, 6, 0.95)
    tiny = AlphaResult(0.74, 0.3, 0.9, 0.74, 12, 6, 0.95)
    # the drop exceeds the margin but 12 respondents cannot show it
    assert not compare_languages({"en": en, "xx": tiny})[0].flagged


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([1, 2, 3], "matrix"),
        ([[1], [2], [3]], "at least 2 items"),
        ([[1, 2], [2, 3]], "complete respondents"),
        ([[1, 2], [1, 3], [1, 4]], "no variance"),
        # Found by the property below: the two items cancel, so every total is 6.
        ([[1, 5], [5, 1], [3, 3]], "no variance"),
    ],
)
def test_bad_input(data: list[list[float]], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        cronbach_alpha(data)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(3, 40), st.integers(2, 6)), elements=st.integers(1, 5)),
    st.randoms(use_true_random=False),
)
# Every counterexample this property has found, pinned so that it runs every time:
# items that cancel out (total variance 0), a mean inter-item correlation of -1/(k-1)
# (standardized alpha undefined), and identical items (alpha 1, limits once out of order).
@example(np.array([[1, 5], [5, 1], [3, 3]]), None)
@example(np.array([[1, 5], [2, 3], [3, 1]]), None)
@example(np.array([[1, 1], [2, 2], [3, 3], [4, 4]]), None)
@example(np.array([[1, 1, 1], [2, 2, 2], [5, 5, 5]]), None)
def test_alpha_at_most_one_and_order_invariant(x: np.ndarray, rnd: object) -> None:
    # An item with no variance, or items whose totals are all equal (for example [1, 5],
    # [5, 1], [3, 3]), leave alpha undefined: the library says so instead of dividing by 0.
    if np.any(x.var(axis=0) == 0) or np.ptp(x.sum(axis=1)) == 0:
        with pytest.raises(ValueError, match="no variance"):
            cronbach_alpha(x)
        return
    res = cronbach_alpha(x)
    assert res.alpha <= 1 + 1e-12
    assert res.lower <= res.alpha <= res.upper <= 1 + 1e-12
    perm = np.random.default_rng(len(x)).permutation(len(x))
    assert cronbach_alpha(x[perm]).alpha == pytest.approx(res.alpha, rel=1e-9, abs=1e-12)
    # item order does not matter either
    assert cronbach_alpha(x[:, ::-1]).alpha == pytest.approx(res.alpha, rel=1e-9, abs=1e-12)


def test_identical_items_give_alpha_one_with_ordered_limits() -> None:
    # Closed form: identical items have alpha exactly 1, so both Feldt limits are 1.
    res = cronbach_alpha([[1, 1, 1], [2, 2, 2], [5, 5, 5]])
    assert res.alpha == 1.0
    assert res.lower == res.alpha == res.upper


def test_perfectly_opposed_pair_has_undefined_standardized_alpha() -> None:
    # y = 7 - 2x: r = -1, so 1 + (k - 1) r = 0; raw alpha = 2 (1 - (1 + 4) / 1) = -8.
    res = cronbach_alpha([[1, 5], [2, 3], [3, 1]])
    assert res.alpha == pytest.approx(-8.0)
    assert np.isnan(res.standardized)
    assert res.lower <= res.alpha <= res.upper


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(3, 40), st.integers(2, 6)), elements=st.integers(0, 4)),
    st.data(),
)
def test_alpha_from_moments_equals_alpha_from_rows(x: np.ndarray, data: st.DataObject) -> None:
    # The moments a database sums give the same alpha, interval and standardized alpha as
    # the rows, reverse-coded items included (reverse coding is min + max - x = 4 - x).
    reverse = data.draw(st.lists(st.booleans(), min_size=x.shape[1], max_size=x.shape[1]))
    scored = np.where(reverse, 4 - x, x)
    try:
        expected = cronbach_alpha(scored)
    except ValueError as error:
        with pytest.raises(ValueError, match=str(error).split(";")[0][:20]):
            alpha_from_moments(len(x), x.sum(axis=0), x.T @ x, reverse)
        return
    found = alpha_from_moments(len(x), x.sum(axis=0), x.T @ x, reverse)
    assert found.alpha == pytest.approx(expected.alpha, rel=1e-9, abs=1e-9)
    assert found.lower == pytest.approx(expected.lower, rel=1e-9, abs=1e-9)
    assert found.upper == pytest.approx(expected.upper, rel=1e-9, abs=1e-9)
    assert found.n == expected.n
    assert found.k == expected.k


def test_alpha_from_moments_refuses_what_it_cannot_use() -> None:
    x = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4]])
    with pytest.raises(ValueError, match="at least 3"):
        alpha_from_moments(2, x[:2].sum(axis=0), x[:2].T @ x[:2])
    with pytest.raises(ValueError, match="3 x 3"):
        alpha_from_moments(4, x.sum(axis=0), np.eye(2))
    with pytest.raises(ValueError, match="reverse has 2 entries"):
        alpha_from_moments(4, x.sum(axis=0), x.T @ x, [True, False])
    constant = np.array([[1, 2], [1, 3], [1, 4]])
    with pytest.raises(ValueError, match="no variance"):
        alpha_from_moments(3, constant.sum(axis=0), constant.T @ constant)


def test_feldt_interval_widens_as_n_shrinks() -> None:
    # A lower bound on n gives limits at least as wide: what a published band allows.
    wide = feldt_interval(0.8, 40, 5)
    narrow = feldt_interval(0.8, 400, 5)
    assert wide[0] < narrow[0] < 0.8 < narrow[1] < wide[1]
    assert feldt_interval(1.0, 10, 3) == (1.0, 1.0)


# Degenerate input across omega, item statistics, groups and language checks.

likert = arrays(
    np.int64, st.tuples(st.integers(3, 40), st.integers(3, 6)), elements=st.integers(1, 5)
)


@settings(max_examples=80, deadline=None)
@given(likert)
# Found by a sweep of degenerate input: two items that sum to a constant left the third
# item's rest score alike for everyone (corrcoef divided by 0 and warned), and made the
# alpha of the scale without that item undefined (ValueError for the whole scale).
@example(np.array([[1, 1, 5], [2, 2, 4], [3, 3, 3], [4, 4, 2]]))
@example(np.array([[1, 5, 1], [2, 4, 3], [3, 3, 2], [4, 2, 5]]))
@example(np.array([[1, 1, 1], [2, 2, 2], [4, 4, 4], [3, 3, 3]]))
# Found by this property: 3 respondents and 4 items give a singular correlation matrix
# whose numerical inverse has a 0 on its diagonal (1 / 0 in the starting communalities).
@example(np.array([[3, 1, 2, 3], [3, 3, 3, 2], [2, 1, 2, 2]]))
# Found by this property: three items with one answer of 2 each correlate -1/(n - 1)
# pairwise; the iteration starts on a saddle, and the row order decided which item took
# the large loading (for n = 10, omega 3e-20 or 0.2433).
@example(np.vstack([[[1, 1, 2], [2, 1, 1]], np.ones((17, 3), dtype=np.int64), [[1, 2, 1]]]))
@example(np.vstack([[[1, 1, 2], [2, 1, 1]], np.ones((7, 3), dtype=np.int64), [[1, 2, 1]]]))
# Two pairs of identical items opposed to each other: a saddle again (omega 0 or 0.456).
@example(
    np.array(
        [[1, 1, 1, 1, 1], [1, 2, 1, 2, 1], [1, 1, 1, 1, 2]]
        + [[1, 1, 1, 1, 1]] * 9
        + [[2, 1, 2, 1, 1]]
    )
)
def test_omega_and_item_statistics_are_defined_or_refused(x: np.ndarray) -> None:
    if np.any(x.var(axis=0) == 0):
        for f in (mcdonald_omega, item_statistics):
            with pytest.raises(ValueError, match="no variance"):
                f(x)
        return
    om = _omega_or_error(x)
    if isinstance(om, NotEstimable):
        # items that share no single factor can keep the iteration from settling
        assert om.reason == "no convergence"
        return
    assert 0.0 <= om.omega < 1.0
    assert len(om.loadings) == x.shape[1]
    assert all(-1.0 <= v <= 1.0 for v in om.loadings)
    # The same respondents in another order give the same omega, to the last bit.
    perm = np.random.default_rng(len(x)).permutation(len(x))
    assert mcdonald_omega(x[perm]).omega == om.omega
    for j, s in enumerate(item_statistics(x)):
        others = np.delete(x, j, axis=1)
        rest = others.sum(axis=1)
        # NaN exactly where the quantity is undefined, and in range everywhere else
        assert math.isnan(s.item_rest) == (np.ptp(rest) == 0)
        if not math.isnan(s.item_rest):
            assert -1.0 - 1e-12 <= s.item_rest <= 1.0 + 1e-12
        assert math.isnan(s.alpha_if_deleted) == (np.ptp(rest) == 0)
        if not math.isnan(s.alpha_if_deleted):
            assert s.alpha_if_deleted == cronbach_alpha(others).alpha


def _omega_or_error(x: np.ndarray) -> OmegaResult | NotEstimable:
    try:
        return mcdonald_omega(x)
    except NotEstimable as error:
        return error


def test_item_statistics_of_items_that_cancel() -> None:
    # Items 0 and 1 sum to 6 for everyone: item 2's rest score is constant, so its
    # item-rest correlation and the alpha without it are undefined (NaN). By hand, items
    # 0 and 2 have variances 5/3 and 35/12 and covariance 11/6, so the alpha without
    # item 1 is 2 (1 - (55/12) / (99/12)) = 8/9; items 1 and 2 have covariance -11/6,
    # so the alpha without item 0 is 2 (1 - (55/12) / (11/12)) = -8.
    out = item_statistics([[1, 5, 1], [2, 4, 3], [3, 3, 2], [4, 2, 5]])
    assert math.isnan(out[2].item_rest)
    assert math.isnan(out[2].alpha_if_deleted)
    assert out[1].alpha_if_deleted == pytest.approx(8 / 9)
    assert out[0].alpha_if_deleted == pytest.approx(-8)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        # Found by a sweep of degenerate input: an infinite score warned in np.var.
        ([[1, 2, 1], [2, math.inf, 2], [4, 4, 4], [3, 3, 5]], "finite"),
        ([[1, 2, 1], [1, 3, 2], [1, 4, 4]], "no variance"),
        ([[1, 2], [2, 3], [4, 4]], "at least 3 items"),
    ],
)
def test_omega_bad_input(data: list[list[float]], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        mcdonald_omega(data)
    with pytest.raises(ValueError, match=match):
        item_statistics(data)


def test_omega_needs_an_iteration() -> None:
    with pytest.raises(ValueError, match="max_iter"):
        mcdonald_omega(SMALL, max_iter=0)


# Found by a sweep of degenerate input: 14 respondents whose 3 items share no factor; the
# communalities still move after 10000 iterations, and were returned as if settled.
UNSETTLED = [
    [3, 1, 5], [4, 3, 4], [2, 5, 2], [3, 2, 4], [5, 5, 1], [1, 4, 2], [5, 2, 2],
    [1, 1, 3], [2, 5, 5], [2, 4, 1], [1, 4, 3], [3, 5, 1], [4, 5, 4], [2, 4, 1],
]  # fmt: skip


def test_omega_that_does_not_settle_is_not_estimable() -> None:
    with pytest.raises(NotEstimable, match="did not converge in 10000") as caught:
        mcdonald_omega(UNSETTLED)
    assert caught.value.reason == "no convergence"
    with pytest.raises(NotEstimable, match="did not converge in 1 iterations"):
        mcdonald_omega(SMALL, max_iter=1)
    # a group's report keeps its alpha and item statistics and leaves omega out
    (group,) = scale_reliability(UNSETTLED)
    assert group.omega is None
    assert group.alpha.alpha == cronbach_alpha(UNSETTLED).alpha
    assert len(group.items) == 3


def test_scale_reliability_names_the_group_it_cannot_score() -> None:
    # Found by a sweep of degenerate input: the error did not say which group was short.
    data = [[1, 2, 3], [2, 3, 4], [3, 4, 5], [1, 2, 2]]
    with pytest.raises(ValueError, match=r"^group 'b': data has 1 complete respondents"):
        scale_reliability(data, ["a", "a", "a", "b"])
    with pytest.raises(ValueError, match="matrix"):
        scale_reliability(5)
    assert scale_reliability(np.empty((0, 3))) == ()


def _alpha(value: float, n: int) -> AlphaResult:
    return AlphaResult(value, value, value, value, n, 6, 0.95)


@pytest.mark.parametrize(
    ("other", "match"),
    [
        # Found by a sweep of degenerate input: these gave a NaN p-value, never flagged.
        (_alpha(0.5, 1), "language 'x': alpha rests on 1 respondents"),
        (_alpha(math.nan, 40), "language 'x': alpha must be a number"),
        (_alpha(1.5, 40), "language 'x': alpha must be a number at most 1"),
    ],
)
def test_language_check_refuses_alphas_it_cannot_compare(other: AlphaResult, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        compare_languages({"en": _alpha(0.8, 100), "x": other})


@pytest.mark.parametrize(("margin", "level"), [(math.nan, 0.05), (0.1, 0.0), (0.1, math.nan)])
def test_language_check_refuses_bad_margin_or_level(margin: float, level: float) -> None:
    with pytest.raises(ValueError, match=r"margin|level"):
        compare_languages(
            {"en": _alpha(0.8, 100), "x": _alpha(0.5, 100)}, margin=margin, level=level
        )


@given(
    st.floats(-5, 1),
    st.floats(-5, 1),
    st.integers(2, 5000),
    st.integers(2, 5000),
)
@example(1.0, 0.5, 100, 100)
@example(0.5, 1.0, 100, 100)
@example(1.0, 1.0, 2, 2)
def test_language_check_p_value_is_a_probability(
    ref: float, other: float, n_ref: int, n_other: int
) -> None:
    # An alpha of 1 in the reference leaves nothing to fall below: p = 1, never flagged.
    check = compare_languages({"en": _alpha(ref, n_ref), "x": _alpha(other, n_other)})[0]
    assert 0.0 <= check.p_value <= 1.0
    assert check.drop == ref - other
    if ref == 1.0:
        assert check.p_value == 1.0
        assert not check.flagged
    if check.flagged:
        assert check.drop >= 0.10


def test_feldt_interval_refuses_a_missing_count() -> None:
    # Found by a sweep of degenerate input: a NaN n passed `n < 2` and gave NaN limits.
    with pytest.raises(ValueError, match="at least 2 respondents"):
        feldt_interval(0.8, cast(Any, math.nan), 5)
