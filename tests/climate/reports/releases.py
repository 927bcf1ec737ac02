"""Small hand-made releases for unit tests of the report builders (no database)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from climate.release.result import ALL, DISTRICT, ScaleTotal, Statistic, YearRelease

YEARS = (2024, 2025, 2026)


def release(
    year: int,
    flagged: Mapping[str, int],
    shown: Mapping[str, str],
    *,
    scored: int = 100,
    school: str = "A",
) -> YearRelease:
    """One year: per scale the school's flagged count (of ``scored``) and published value."""
    return schools_release(year, {school: flagged}, shown, scored=scored)


def schools_release(
    year: int,
    flagged: Mapping[str, Mapping[str, int]],
    shown: Mapping[str, str],
    *,
    scored: int = 100,
) -> YearRelease:
    """One year of several schools: per school and scale the flagged count (of ``scored``);
    every school and the district publish the value ``shown`` of each scale."""
    rid = f"test-{year}"
    rows: list[Statistic] = []
    totals: list[ScaleTotal] = []
    scales = dict.fromkeys(scale for counts in flagged.values() for scale in counts)
    for scale in scales:
        value = shown.get(scale, "*")
        exact = value not in ("*", "") and not value.startswith(("<", ">"))
        ci = (str(max(0, int(value) - 9)), str(min(100, int(value) + 9))) if exact else ("*", "*")
        orgs = [(school, "school") for school in flagged] + [(DISTRICT, "district")]
        for org, org_type in orgs:
            rows.append(
                Statistic(
                    rid,
                    year,
                    org_type,
                    org,
                    org,
                    ALL,
                    ALL,
                    scale,
                    "percent_favorable",
                    value,
                    *ci,
                    "100-299",
                )
            )
        for school, counts in flagged.items():
            if scale in counts:
                totals.append(
                    ScaleTotal(school, ALL, ALL, scale, scored, scored, counts[scale], 0.0, 0.0)
                )
    return YearRelease(
        release_id=rid,
        instrument_id="test",
        instrument_version="1",
        year=year,
        fingerprint="",
        policy={},
        policy_hash="",
        protected_at=f"{year}-06-01T00:00:00+00:00",
        audit_ok=True,
        declines=0,
        schools={school: f"School {school}" for school in flagged},
        scales=dict.fromkeys(scales, "favorable"),
        rows=tuple(rows),
        totals=tuple(totals),
    )


def series(
    flagged: Mapping[str, Sequence[int]], shown: Mapping[str, Sequence[str]]
) -> list[YearRelease]:
    """One release per year of :data:`YEARS`."""
    return [
        release(year, {s: v[i] for s, v in flagged.items()}, {s: v[i] for s, v in shown.items()})
        for i, year in enumerate(YEARS)
    ]
