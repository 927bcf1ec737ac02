"""The XLSX export's rows: the tidy columns in their fixed order, then the added ones; the
disclosure policy as readable rows."""

from __future__ import annotations

import msgspec

from analysis.disclosure import Policy
from climate.exports.reading import EXTRA_COLUMNS, Annotator
from climate.exports.workbook import _cells, policy_rows
from climate.release.result import COLUMNS, Statistic


def test_a_statistics_fields_are_the_tidy_columns_in_order() -> None:
    # The sheet writes a statistic's fields as they are declared: that order must be
    # the published column order.
    assert tuple(f for f in Statistic.__struct_fields__) == COLUMNS
    row = Statistic(
        "r", 2026, "school", "S1", "A", "all", "all", "conn", "mean", "3.1", "2.9", "3.3", "40-99"
    )
    cells = dict(zip(COLUMNS + EXTRA_COLUMNS, _cells(row, Annotator((), {})(row)), strict=True))
    numbers = {"value": 3.1, "ci_low": 2.9, "ci_high": 3.3}
    assert {c: cells[c] for c in COLUMNS} == msgspec.structs.asdict(row) | numbers
    assert cells["value_flag"] == "exact"


def test_coded_and_hidden_values_stay_text_and_a_bound_is_a_number() -> None:
    row = Statistic(
        "r", 2026, "school", "S1", "A", "grade", "3", "safe:0", "percent", "<=5", "*", "*", "89"
    )
    cells = dict(zip(COLUMNS + EXTRA_COLUMNS, _cells(row, Annotator((), {})(row)), strict=True))
    assert (cells["value"], cells["ci_low"], cells["n_band"]) == ("<=5", "*", 89)
    assert (cells["value_flag"], cells["value_bound"]) == ("bottom_coded", 5)


def test_the_policy_is_plain_rows_not_json() -> None:
    rows = dict(policy_rows(msgspec.to_builtins(Policy().settings()), str))
    assert rows["k"] == "Smallest group shown: 10 students; groups of 1 to 9 are hidden."
    # DEFAULT_TIERS in analysis/disclosure/policy.py: Tier(20, 10, 90).
    assert rows["tier n>=20"] == (
        "Groups of 20 students or more: percentages of 10 or less are shown as <=10, "
        "of 90 or more as >=90."
    )
    assert (
        rows["n_bands"] == "Respondents are counted in these bands: 10-19, 20-39, 40-99, "
        "100-299, 300+."
    )
    assert rows["answered_bands"] == "no"
    assert not any(c in text for text in rows.values() for c in '{}[]"')
