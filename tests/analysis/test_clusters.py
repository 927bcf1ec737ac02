"""Tests for analysis.clusters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from random import Random
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clusters import psu_tables
from analysis.design import design_covariance, psu_covariance, psu_index, psu_totals


def test_index_maps_rows_to_schools_and_their_strata() -> None:
    index = psu_index(["b", "a", "b", "c"], 4, strata=["x", "x", "x", "y"], fpc=[5, 5, 5, 9])
    assert index.codes.tolist() == [0, 1, 0, 2]
    assert index.labels == ("b", "a", "c")
    assert index.strata == ("x", "x", "y")
    assert index.fpc is not None
    assert index.fpc.tolist() == [5.0, 5.0, 9.0]
    assert (index.n_psu, index.df) == (3, 1)
    alone = psu_index(None, 3)
    assert alone.labels == (0, 1, 2)
    assert alone.strata is None
    assert alone.fpc is None


def test_covariance_is_that_of_the_school_totals() -> None:
    scores = np.array([[1.0, 0.5], [2.0, -1.0], [0.5, 0.0], [-3.0, 2.0], [1.5, 1.0]])
    schools = ["a", "b", "a", "c", "b"]
    strata = ["s", "s", "s", "s", "s"]
    index = psu_index(schools, 5, strata, fpc=[30] * 5)
    totals = psu_totals(scores, index)
    np.testing.assert_allclose(totals, [[1.5, 0.5], [3.5, 0.0], [-3.0, 2.0]])
    # by hand: (1 - 3/30) * 3/2 * sum of squared deviations of the three school totals
    centred = totals - totals.mean(axis=0)
    np.testing.assert_allclose(
        psu_covariance(scores, index), 0.9 * 1.5 * centred.T @ centred, rtol=1e-12
    )
    np.testing.assert_allclose(
        psu_covariance(scores, index), design_covariance(totals, ["s"] * 3, [30] * 3)
    )


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((["a", "b"], 3), "psu has 2 entries for 3 rows"),
        ((["a", "a", "b"], 3, ["x", "y", "y"]), "PSU 'a' has two values of strata"),
        ((["a", "b", "b"], 3, None, [4, 4, 5]), "PSU 'b' has two values of fpc"),
        ((["a", "b"], 2, ["x"]), "strata has 1 entries"),
        ((["a", "b"], 2, None, [1.0]), "fpc must have one entry per row"),
    ],
)
def test_bad_index(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        psu_index(*cast(Any, args))


def test_one_school_has_no_design_variance() -> None:
    with pytest.raises(ValueError, match="one school"):
        psu_covariance([1.0, 2.0], psu_index(["a", "a"], 2))


def test_tables_keep_schools_whose_respondents_are_all_missing() -> None:
    data: dict[str, Sequence[object]] = {
        "grade": ["9", "10", "9", None, "10", "9"],
        "answer": ["yes", "no", "no", "yes", float("nan"), "yes"],
        "school": ["s1", "s1", "s2", "s3", "s3", "s2"],
        "w": [1.0, 2.0, 1.5, 3.0, 3.0, 0.5],
    }
    t = psu_tables(data, "grade", "answer", "school", weight="w")
    assert (t.rows, t.cols, t.schools) == (("10", "9"), ("no", "yes"), ("s1", "s2", "s3"))
    # school s3 has no complete respondent: a table of zeros, still a school of the design
    np.testing.assert_allclose(t.weighted[2], np.zeros((2, 2)))
    np.testing.assert_allclose(t.weighted[0], [[2.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(t.counts[1], [[0.0, 0.0], [1.0, 1.0]])


def test_bad_tables() -> None:
    data: dict[str, Sequence[object]] = {"g": ["a", "b"], "y": ["x", "x"], "s": [1, 2]}
    data["w"] = [1.0, -1.0]
    with pytest.raises(ValueError, match="'y' has fewer than two levels"):
        psu_tables(data, "g", "y", "s")
    with pytest.raises(ValueError, match="no column 'q'"):
        psu_tables(data, "g", "q", "s")
    data["y"] = ["x", "z"]
    with pytest.raises(ValueError, match="non-negative weights"):
        psu_tables(data, "g", "y", "s", weight="w")


@pytest.mark.parametrize(
    ("run", "match"),
    [
        # Found by a sweep of degenerate input: no rows made an index with -1 degrees of
        # freedom, and a NaN score made a NaN covariance without a word.
        (lambda: psu_index([], 0), "n_rows must be at least 1"),
        (lambda: psu_totals([1.0, np.nan], psu_index(["a", "b"], 2)), "finite"),
        (lambda: psu_covariance([1.0, np.inf, 2.0], psu_index(list("abc"), 3)), "finite"),
        (lambda: psu_tables({"g": [], "y": [], "s": []}, "g", "y", "s"), "'g' has no rows"),
    ],
)
def test_empty_and_missing_input_is_refused(run: Callable[[], object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        run()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcd"), st.floats(-100, 100), st.floats(-100, 100)),
        min_size=1,
        max_size=20,
    ),
    st.randoms(use_true_random=False),
)
def test_covariance_is_defined_for_two_schools_or_refused(
    rows: list[tuple[str, float, float]], rnd: Random
) -> None:
    # One school has no between-school variance (R survey: "Stratum has only one PSU");
    # from two on, the covariance is symmetric, positive semi-definite and the same for
    # the rows in any order.
    psu = [r[0] for r in rows]
    scores = np.array([[r[1], r[2]] for r in rows])
    index = psu_index(psu, len(rows))
    if index.n_psu < 2:
        with pytest.raises(ValueError, match="one school"):
            psu_covariance(scores, index)
        return
    cov = psu_covariance(scores, index)
    np.testing.assert_allclose(cov, cov.T)
    scale = max(1.0, float(np.abs(cov).max()))
    assert np.linalg.eigvalsh(cov).min() >= -1e-9 * scale
    order = list(range(len(rows)))
    rnd.shuffle(order)
    again = psu_covariance(scores[order], psu_index([psu[i] for i in order], len(rows)))
    np.testing.assert_allclose(again, cov, rtol=1e-9, atol=1e-9 * scale)
