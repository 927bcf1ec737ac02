"""The tidy CSV export: one row per published statistic, the columns the reports issue fixes,
then the columns that say how to read each value and what its codes mean."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from climate.exports.reading import EXTRA_COLUMNS, Annotator
from climate.release.result import COLUMNS, Statistic


def _safe(text: str) -> str:
    # Spreadsheets run cells that start with these as formulas; a school name could.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Safe(dict[str, str]):
    def __missing__(self, text: str) -> str:
        found = self[text] = _safe(text)
        return found


def write_csv(
    rows: Iterable[Statistic], handle: TextIO, *, annotate: Annotator | None = None
) -> int:
    """Write the header and ``rows`` to an open text file; return the number of rows.

    The fixed columns come first and read as they always have (``value`` keeps ``*`` and
    ``<=10``); the added columns follow them.
    """
    extra = annotate or Annotator((), {})
    # Labels repeat on every row: each is made safe once.
    safe = _Safe()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS + EXTRA_COLUMNS)
    count = 0
    for r in rows:
        flag, bound, reliability, dimension, group, indicator = extra(r)
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
                flag,
                bound,
                reliability,
                safe[dimension],
                safe[group],
                safe[indicator],
            )
        )
        count += 1
    return count
