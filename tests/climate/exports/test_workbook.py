"""The XLSX export's rows are the tidy columns in their fixed order."""

from __future__ import annotations

import msgspec

from climate.exports.workbook import _cells
from climate.release.result import COLUMNS, Statistic


def test_a_statistics_fields_are_the_tidy_columns_in_order() -> None:
    # The sheet writes a statistic's fields as they are declared: that order must be
    # the published column order.
    assert tuple(f for f in Statistic.__struct_fields__) == COLUMNS
    row = Statistic(
        "r", 2026, "school", "S1", "A", "all", "all", "conn", "mean", "3.1", "2.9", "3.3", "40-99"
    )
    assert dict(zip(COLUMNS, _cells(row), strict=True)) == msgspec.structs.asdict(row)
