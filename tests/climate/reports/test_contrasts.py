"""A school against its district: only differences that survive Benjamini-Hochberg, told with
published values that point the same way."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
import pytest

from climate.release.result import DISTRICT, YearRelease
from climate.reports.contrasts import contrasts, two_proportion_p
from climate.reports.published import Published
from tests.climate.reports.releases import schools_release

NULL = {f"null{i}": 40 for i in range(3)}


def _year(
    mine: Mapping[str, int], district: Mapping[str, str], shown: Mapping[str, str]
) -> YearRelease:
    """School A with ``mine`` flagged of 100 per scale, B, C and D with 40 of 100 each; the
    school publishes ``shown`` and the district ``district``."""
    flagged = {"A": {**NULL, **mine}, **{s: {**NULL, **dict.fromkeys(mine, 40)} for s in "BCD"}}
    release = schools_release(2026, flagged, {**dict.fromkeys(NULL, "40"), **shown})
    rows = tuple(
        msgspec.structs.replace(r, value=district[r.indicator])
        if r.org_id == DISTRICT and r.indicator in district
        else r
        for r in release.rows
    )
    return msgspec.structs.replace(release, rows=rows)


def test_the_two_proportion_test_matches_a_chi_square_without_correction() -> None:
    # R: prop.test(c(70, 120), c(100, 300), correct = FALSE): X-squared = 27.068,
    # p-value = 1.965e-07.
    assert two_proportion_p(70, 100, 120, 300) == pytest.approx(1.9646e-07, rel=1e-3)
    assert two_proportion_p(0, 100, 0, 300) is None
    assert two_proportion_p(1, 0, 1, 10) is None


def test_a_clear_difference_is_told_with_both_published_values() -> None:
    published = Published.of(
        [_year({"up": 70, "down": 15}, {"up": "48", "down": "34"}, {"up": "70", "down": "15"})]
    )
    found = contrasts(published, "A")
    assert [(c.scale, c.direction, c.here, c.district) for c in found] == [
        ("up", "higher", "70", "48"),
        ("down", "lower", "15", "34"),
    ]
    assert all(c.adjusted_p < 0.05 for c in found)
    # The null scales (40 of 100 everywhere) are never told.
    assert not [c for c in found if c.scale.startswith("null")]


def test_a_marginal_difference_does_not_survive_among_several() -> None:
    # 50 against 40 of 100 (x3): p = 0.080 (two_proportion_p(50, 100, 120, 300)) before any
    # adjustment, already above 5 %.
    published = Published.of([_year({"near": 50}, {"near": "43"}, {"near": "50"})])
    assert contrasts(published, "A") == ()


def test_no_difference_is_told_beside_a_hidden_value_or_against_the_published_order() -> None:
    hidden = Published.of([_year({"up": 70}, {"up": "48"}, {"up": "*"})])
    assert contrasts(hidden, "A") == ()
    # Published values that do not point the way the test does would contradict the words.
    equal = Published.of([_year({"up": 70}, {"up": "70"}, {"up": "70"})])
    assert contrasts(equal, "A") == ()
