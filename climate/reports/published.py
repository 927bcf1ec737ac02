"""Lookups over the published rows of one instrument's releases (the only numbers shown)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from analysis import reliability_flag, rse_from_limits
from climate.release.reliability import ALPHA
from climate.release.result import ALL, DISTRICT, Statistic, YearRelease, is_number

Key = tuple[int, str, str, str, str, str]
# The published limits are 95 % intervals.
CONFIDENCE = 0.95
MEAN = "mean"
PERCENT = "percent"


def unit_of(statistic: str) -> str:
    """``mean`` for a scale mean, ``alpha`` for alpha, else ``percent``."""
    return statistic if statistic in (MEAN, ALPHA) else PERCENT


def rse_flag(row: Statistic) -> str:
    """``caution`` or ``unreliable`` from the published value and interval, else ``""``.

    The relative standard error is read back from the published 95 % limits, so the flag
    says nothing that the published numbers do not.
    """
    if not (row.exact() and is_number(row.ci_low) and is_number(row.ci_high)):
        return ""
    value = float(row.value)
    if value <= 0:
        return ""
    rse = rse_from_limits(value, float(row.ci_low), float(row.ci_high), CONFIDENCE)
    flag = reliability_flag(rse)
    return flag if flag in ("caution", "unreliable") else ""


@dataclass(frozen=True, slots=True)
class Published:
    """Every published row of one instrument's releases, found by year, org and statistic."""

    instrument_id: str
    releases: tuple[YearRelease, ...]
    rows: Mapping[Key, Statistic]

    @classmethod
    def of(cls, releases: Iterable[YearRelease]) -> Published:
        """Index releases of one instrument, oldest year first."""
        ordered = tuple(sorted(releases, key=lambda r: r.year))
        ids = {r.instrument_id for r in ordered}
        if len(ids) > 1:
            raise ValueError(f"releases of several instruments: {sorted(ids)}")
        rows = {
            (row.year, row.org_id, row.dimension, row.group, row.indicator, row.statistic): row
            for release in ordered
            for row in release.rows
        }
        return cls(ids.pop() if ids else "", ordered, rows)

    @property
    def years(self) -> tuple[int, ...]:
        """Years with a release, oldest first."""
        return tuple(r.year for r in self.releases)

    def release(self, year: int) -> YearRelease | None:
        """The release of one year."""
        return next((r for r in self.releases if r.year == year), None)

    def get(
        self,
        year: int,
        org: str,
        indicator: str,
        statistic: str,
        dimension: str = ALL,
        group: str = ALL,
    ) -> Statistic | None:
        """One published statistic, or None when the catalogue has no such row."""
        return self.rows.get((year, org, dimension, group, indicator, statistic))

    def groups(self, year: int, org: str, dimension: str) -> tuple[str, ...]:
        """Published groups of one dimension, in catalogue order."""
        seen: dict[str, None] = {}
        for y, o, d, g, _i, _s in self.rows:
            if y == year and o == org and d == dimension:
                seen.setdefault(g, None)
        return tuple(seen)

    def dimensions(self, year: int, org: str) -> tuple[str, ...]:
        """Published dimensions other than all students, in catalogue order."""
        seen: dict[str, None] = {}
        for y, o, d, _g, _i, _s in self.rows:
            if y == year and o == org and d != ALL:
                seen.setdefault(d, None)
        return tuple(seen)

    def n_band(self, year: int, org: str, dimension: str = ALL, group: str = ALL) -> str:
        """The published band of respondents of one group ("" when not published)."""
        release = self.release(year)
        if release is None:
            return ""
        for scale, statistic in release.scales.items():
            row = self.get(year, org, scale, _statistic(statistic), dimension, group)
            if row is not None:
                return row.n_band
        return ""


def _statistic(kind: str) -> str:
    return "percent_favorable" if kind == "favorable" else "percent_elevated"


def scale_statistic(release: YearRelease, scale: str) -> str:
    """``percent_favorable`` or ``percent_elevated`` for a scale of a release."""
    return _statistic(release.scales[scale])


def org_of(school: str | None) -> str:
    """The org id of a school, or of the district when ``school`` is None."""
    return DISTRICT if school is None else school


def school_names(releases: Sequence[YearRelease]) -> dict[str, str]:
    """School ids and names as the releases publish them, newest name winning."""
    names: dict[str, str] = {}
    for release in sorted(releases, key=lambda r: r.year):
        names.update(release.schools)
    return names
