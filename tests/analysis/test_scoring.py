"""Tests for analysis.scoring."""

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.scoring import (
    ScaleDefinition,
    ScaleTotals,
    scale_totals,
    score_matrix,
    score_respondent,
)

K6 = ScaleDefinition(
    "k6",
    ("k1", "k2", "k3", "k4", "k5", "k6"),
    minimum=0,
    maximum=4,
    min_fraction=5 / 6,
    scoring="sum",
    elevated_at=13,
)


def test_k6_serious_distress_cut() -> None:
    # Kessler et al. (2003): K6 total 0-24, >= 13 indicates serious distress
    at_cut = score_respondent(K6, {"k1": 3, "k2": 2, "k3": 2, "k4": 2, "k5": 2, "k6": 2})
    below = score_respondent(K6, {"k1": 2, "k2": 2, "k3": 2, "k4": 2, "k5": 2, "k6": 2})
    assert at_cut.score == 13
    assert at_cut.elevated is True
    assert below.score == 12
    assert below.elevated is False
    assert at_cut.favorable is None


def test_prorated_sum_and_minimum_items() -> None:
    # one K6 item skipped: the sum is prorated as 6 x mean of the five answered
    five = score_respondent(K6, {"k1": 4, "k2": 4, "k3": 2, "k4": 2, "k5": 3})
    assert five.score == pytest.approx(6 * 15 / 5)
    assert five.answered == 5
    four = score_respondent(K6, {"k1": 4, "k2": 4, "k3": 2, "k4": 2})
    assert four.score is None
    assert four.elevated is None


def test_reverse_coding_min_plus_max_minus_x() -> None:
    # WHO-5 reversed so that "poor well-being" (raw < 13) reads as at-or-above a cut
    who5 = ScaleDefinition(
        "who5_poor",
        tuple(f"w{i}" for i in range(5)),
        frozenset(f"w{i}" for i in range(5)),
        minimum=0,
        maximum=5,
        scoring="sum",
        elevated_at=13,
    )
    raw12 = score_respondent(who5, {"w0": 3, "w1": 3, "w2": 2, "w3": 2, "w4": 2})
    raw13 = score_respondent(who5, {"w0": 3, "w1": 3, "w2": 3, "w3": 2, "w4": 2})
    assert raw12.score == 25 - 12
    assert raw12.elevated is True
    assert raw13.score == 25 - 13
    assert raw13.elevated is False


def test_half_of_items_rule() -> None:
    s = ScaleDefinition("s", ("a", "b", "c"), min_fraction=0.5)
    assert s.min_items == 2
    assert score_respondent(s, {"a": 3}).score is None
    assert score_respondent(s, {"a": 3, "b": 5}).score == 4.0
    assert ScaleDefinition("t", ("a", "b", "c", "d"), min_fraction=0.5).min_items == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"items": ()}, "empty"),
        ({"items": ("a", "a")}, "duplicates"),
        ({"reverse": frozenset({"z"})}, "unknown"),
        ({"minimum": 5, "maximum": 1}, "minimum"),
        ({"min_fraction": 0}, "min_fraction"),
        ({"min_fraction": math.nan}, "min_fraction"),
        ({"scoring": "median"}, "scoring"),
        # Found by a sweep of degenerate input: an infinite range made a reversed item
        # -inf + inf - x = NaN, and a NaN cut-point left every flag False.
        ({"minimum": -math.inf}, "finite"),
        ({"maximum": math.inf}, "finite"),
        ({"minimum": math.nan}, "finite"),
        ({"favorable_at": math.nan}, "favorable_at must be a finite number"),
        ({"elevated_at": math.inf}, "elevated_at must be a finite number"),
    ],
)
def test_bad_definitions(kwargs: dict[str, Any], match: str) -> None:
    base: dict[str, Any] = {"id": "s", "items": ("a", "b")}
    with pytest.raises(ValueError, match=match):
        ScaleDefinition(**(base | kwargs))


def test_out_of_range_answers_name_the_item() -> None:
    s = ScaleDefinition("s", ("a", "b"))
    with pytest.raises(ValueError, match="'b'"):
        score_respondent(s, {"a": 1, "b": 9})
    with pytest.raises(ValueError, match="'b' of respondent 1"):
        score_matrix(s, [[1, 2], [1, 0]])
    with pytest.raises(ValueError, match="shape"):
        score_matrix(s, [1, 2])


answer = st.one_of(st.none(), st.integers(1, 5).map(float))
scales = st.builds(
    lambda k, rev, frac, fav, elev, how: ScaleDefinition(
        "s",
        tuple(f"i{j}" for j in range(k)),
        frozenset(f"i{j}" for j in range(k) if rev >> j & 1),
        1,
        5,
        frac,
        fav,
        elev,
        how,
    ),
    st.integers(1, 8),
    st.integers(0, 255),
    st.one_of(st.sampled_from([0.5, 0.75, 1.0, 1e-10]), st.floats(0, 1, exclude_min=True)),
    st.one_of(st.none(), st.floats(1, 40)),
    st.one_of(st.none(), st.floats(1, 40)),
    st.sampled_from(["mean", "sum"]),
)


@settings(max_examples=80, deadline=None)
@given(scales, st.data())
def test_matrix_matches_respondent(scale: ScaleDefinition, data: st.DataObject) -> None:
    rows = data.draw(
        st.lists(
            st.lists(answer, min_size=len(scale.items), max_size=len(scale.items)),
            min_size=1,
            max_size=20,
        )
    )
    matrix = score_matrix(scale, [[math.nan if v is None else v for v in r] for r in rows])
    for i, row in enumerate(rows):
        one = score_respondent(scale, dict(zip(scale.items, row, strict=True)))
        if one.score is None:
            assert math.isnan(matrix.scores[i])
            assert not matrix.favorable[i]
            assert not matrix.elevated[i]
        else:
            assert matrix.scores[i] == pytest.approx(one.score, rel=1e-12)
            assert bool(matrix.favorable[i]) == bool(one.favorable)
            assert bool(matrix.elevated[i]) == bool(one.elevated)
            lo, hi = (1, 5) if scale.scoring == "mean" else (len(scale.items), 5 * len(scale.items))
            assert lo - 1e-9 <= one.score <= hi + 1e-9
    # totals are additive over any split, and do not depend on respondent order
    whole = scale_totals(matrix)
    perm = data.draw(st.permutations(range(len(rows))))
    shuffled = score_matrix(
        scale,
        np.array([[math.nan if v is None else v for v in rows[j]] for j in perm]).reshape(
            len(rows), -1
        ),
    )
    again = scale_totals(shuffled)
    assert again.n_scored == whole.n_scored
    assert again.total == pytest.approx(whole.total)
    assert again.n_favorable == whole.n_favorable


def test_totals_add() -> None:
    a = ScaleTotals(2, 5.0, 13.0, 1, 0)
    b = ScaleTotals(3, 6.0, 14.0, 0, 2)
    assert a + b == ScaleTotals(5, 11.0, 27.0, 1, 2)


def test_a_respondent_with_no_answers_has_no_score() -> None:
    # Warnings are errors here: no 0/0 is left to numpy to warn about and be silenced.
    s = ScaleDefinition("x", ("a", "b"), favorable_at=3.0)
    out = score_matrix(s, [[math.nan, math.nan], [3.0, 4.0]])
    assert math.isnan(out.scores[0])
    assert out.scores[1] == 3.5
    assert out.favorable.tolist() == [False, True]
    assert out.answered.tolist() == [0, 2]


def test_the_smallest_min_fraction_still_needs_one_answer() -> None:
    # Found by a sweep of degenerate input: min_fraction 1e-10 made min_items 0, and a
    # respondent with no answers divided 0 by 0 (ZeroDivisionError).
    s = ScaleDefinition("x", ("a", "b"), min_fraction=1e-10)
    assert s.min_items == 1
    assert score_respondent(s, {}).score is None
    assert score_respondent(s, {"a": 2}).score == 2.0
    out = score_matrix(s, [[math.nan, math.nan], [2.0, math.nan]])
    assert math.isnan(out.scores[0])
    assert out.scores[1] == 2.0


def test_no_respondents_give_empty_totals() -> None:
    s = ScaleDefinition("x", ("a", "b"), favorable_at=3.0)
    out = score_matrix(s, np.empty((0, 2)))
    assert out.scores.shape == (0,)
    assert scale_totals(out) == ScaleTotals(0, 0.0, 0.0, 0, 0)
