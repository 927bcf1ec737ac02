"""Which published rows an export holds: the whole district, or one school and the district."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from climate.release.result import DISTRICT, Statistic, YearRelease


def select_rows(releases: Sequence[YearRelease], school: str | None = None) -> Iterator[Statistic]:
    """Rows of every release; with ``school``, that school's rows and the district's."""
    for release in releases:
        for row in release.rows:
            if school is None or row.org_type == DISTRICT or row.org_id == school:
                yield row
