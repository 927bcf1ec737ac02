"""What a protected release holds: published statistics, and internal totals for trends."""

from __future__ import annotations

from typing import Any

import msgspec

from analysis.disclosure import HIDDEN

COLUMNS = (
    "release_id",
    "year",
    "org_type",
    "org_id",
    "org_name",
    "dimension",
    "group",
    "indicator",
    "statistic",
    "value",
    "ci_low",
    "ci_high",
    "n_band",
)
"""Columns of the tidy export, fixed by the reports issue."""

DISTRICT = "district"
SCHOOL = "school"
ALL = "all"


class Statistic(msgspec.Struct, frozen=True, array_like=True):
    """One published statistic: a value as published (number, coded value or ``*``).

    ``ci_low`` and ``ci_high`` are given only beside a value shown exactly; ``*`` when the
    value is hidden or coded, empty when there is nothing to estimate.
    """

    release_id: str
    year: int
    org_type: str
    org_id: str
    org_name: str
    dimension: str
    group: str
    indicator: str
    statistic: str
    value: str
    ci_low: str
    ci_high: str
    n_band: str

    def exact(self) -> bool:
        """Whether the value is shown as a plain number (not hidden, not coded)."""
        return is_number(self.value)


class ScaleTotal(msgspec.Struct, frozen=True, array_like=True):
    """Internal: one school group's scale totals, for trends and gaps (never exported)."""

    school: str
    dimension: str
    group: str
    scale: str
    n: int
    scored: int
    flagged: int
    total: float
    squares: float


class YearRelease(msgspec.Struct, frozen=True):
    """One instrument's protected release for one school year."""

    release_id: str
    instrument_id: str
    instrument_version: str
    year: int
    fingerprint: str
    policy: dict[str, Any]
    policy_hash: str
    protected_at: str
    audit_ok: bool
    declines: int
    schools: dict[str, str]
    scales: dict[str, str]
    rows: tuple[Statistic, ...]
    totals: tuple[ScaleTotal, ...] = ()


def is_number(text: str) -> bool:
    """Whether a published value is a plain number."""
    if not text or text == HIDDEN or text[0] in "<>":
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True
