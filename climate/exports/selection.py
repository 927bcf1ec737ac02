"""Which published rows an export holds: the whole district, or one school and the district;
every indicator or the scales only; one school year or several (a trend file)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from climate.release.result import DISTRICT, Statistic, YearRelease

ALL_INDICATORS = "all"
SCALES = "scales"
INDICATORS = (ALL_INDICATORS, SCALES)
ALL_YEARS = "all"
_RANGE = re.compile(r"(\d{4})(?:-(\d{4}))?")
# School years are named by their spring year.
FIRST_YEAR, LAST_YEAR = 1900, 2200


class SelectionError(ValueError):
    """The years or indicators asked for cannot be read; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Years:
    """School years from ``first`` to ``last``, both included; None leaves that end open."""

    first: int | None = None
    last: int | None = None

    @classmethod
    def one(cls, year: int) -> Years:
        """A single school year."""
        return cls(year, year)

    @classmethod
    def parse(cls, text: str) -> Years:
        """``all``, one year (``2026``) or a range (``2024-2026``)."""
        if text.strip().lower() == ALL_YEARS:
            return cls()
        match = _RANGE.fullmatch(text.strip())
        if match is None:
            raise SelectionError(
                f"years: {text!r} is not 'all', a year (2026) or a range of years (2024-2026)"
            )
        first = int(match.group(1))
        last = int(match.group(2) or first)
        for year in (first, last):
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise SelectionError(f"years: {year} is not a school year")
        if last < first:
            raise SelectionError(f"years: {text!r} ends before it starts")
        return cls(first, last)

    def holds(self, year: int) -> bool:
        """Whether ``year`` is in the range."""
        return (self.first is None or year >= self.first) and (
            self.last is None or year <= self.last
        )

    @property
    def single(self) -> int | None:
        """The one year of a single-year selection, else None."""
        return self.first if self.first is not None and self.first == self.last else None

    def name(self) -> str:
        """How files and the audit log name the years: ``2026``, ``2024-2026`` or ``all``."""
        if self.single is not None:
            return str(self.single)
        return f"{self.first or ''}-{self.last or ''}" if self.first or self.last else ALL_YEARS


def check_indicators(indicators: str) -> str:
    """``all`` or ``scales``, else a specific error."""
    if indicators not in INDICATORS:
        raise SelectionError(
            f"indicators: must be one of {', '.join(INDICATORS)}, not {indicators!r}"
        )
    return indicators


def select_rows(
    releases: Sequence[YearRelease],
    school: str | None = None,
    *,
    indicators: str = ALL_INDICATORS,
) -> Iterator[Statistic]:
    """Rows of every release; with ``school``, that school's rows and the district's.

    With ``indicators="scales"``, only the scales' rows (their percentages, means and alpha),
    not the answers to each item.
    """
    for release in releases:
        scales = release.scales if indicators == SCALES else None
        for row in release.rows:
            if school is not None and row.org_type != DISTRICT and row.org_id != school:
                continue
            if scales is not None and row.indicator not in scales:
                continue
            yield row
