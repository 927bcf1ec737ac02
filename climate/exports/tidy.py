"""The tidy CSV export: one row per published statistic, the columns the reports issue fixes."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from climate.release.result import COLUMNS, Statistic


def _safe(text: str) -> str:
    # Spreadsheets run cells that start with these as formulas; a school name could.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(rows: Iterable[Statistic], handle: TextIO) -> int:
    """Write the header and ``rows`` to an open text file; return the number of rows."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for r in rows:
        # Values such as "<=5" start with "<", which no spreadsheet evaluates.
        writer.writerow(
            (
                r.release_id,
                r.year,
                r.org_type,
                r.org_id,
                _safe(r.org_name),
                r.dimension,
                r.group,
                r.indicator,
                r.statistic,
                r.value,
                r.ci_low,
                r.ci_high,
                r.n_band,
            )
        )
        count += 1
    return count
