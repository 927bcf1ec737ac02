"""One export, written to a file and recorded in the audit log: shared by the CLI and routes."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.disclosure import Policy
from climate.exports.document import write_json
from climate.exports.reading import PLAIN, Annotator, Reading
from climate.exports.selection import (
    ALL_INDICATORS,
    SelectionError,
    Years,
    check_indicators,
    select_rows,
)
from climate.exports.tidy import write_csv
from climate.exports.workbook import write_xlsx
from climate.instruments import Instrument
from climate.models import Administration, District
from climate.release.gather import sources
from climate.release.pipeline import year_releases
from climate.release.result import YearRelease
from climate.security.audit import EXPORTED, record
from climate.security.principals import Principal
from climate.settings import Settings

MEDIA_TYPES = {
    # Litestar adds "; charset=utf-8" to text types itself.
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


class ExportError(ValueError):
    """The export cannot be made: no survey that year, or the school took none."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What was written."""

    path: Path
    statistics: int
    releases: tuple[str, ...]


async def district_name(engine: AsyncEngine, settings: Settings) -> str:
    """The district's name as stored, or as configured when none is stored."""
    async with engine.connect() as conn:
        name = await conn.scalar(select(District.name).order_by(District.id).limit(1))
    return str(name) if name else settings.district_name


async def closed_years(engine: AsyncEngine, years: Years) -> tuple[int, ...]:
    """School years in ``years`` with a closed administration, oldest first."""
    async with engine.connect() as conn:
        found = await conn.scalars(
            select(Administration.school_year)
            .where(Administration.status == "closed")
            .distinct()
            .order_by(Administration.school_year)
        )
        return tuple(int(y) for y in found if years.holds(int(y)))


async def export_year(
    engine: AsyncEngine,
    settings: Settings,
    *,
    year: int | None = None,
    fmt: str,
    out: Path,
    actor: Principal | str,
    school: str | None = None,
    years: Years | None = None,
    indicators: str = ALL_INDICATORS,
    reading: Reading = PLAIN,
) -> ExportResult:
    """Write the protected results of ``year`` (or of every closed year in ``years``: a
    trend file) as ``fmt`` to ``out``, and record the export.

    ``indicators="scales"`` keeps the scales' rows only; ``reading`` gives the labels and
    the reliability rule of the report pages in the export's language.
    """
    if (year is None) == (years is None):
        raise SelectionError("name one school year, or a range of years")
    span = Years.one(year) if year is not None else years
    assert span is not None
    check_indicators(indicators)
    if fmt not in MEDIA_TYPES:
        raise ExportError(f"format must be one of csv, xlsx, json, not {fmt!r}")
    name = await district_name(engine, settings)
    chosen = (year,) if year is not None else await closed_years(engine, span)
    policy = Policy(k=settings.suppression_k)
    releases: list[YearRelease] = []
    instruments: dict[tuple[str, str], Instrument] = {}
    for y in chosen:
        releases += await year_releases(engine, y, district_name=name, policy=policy)
        async with engine.connect() as conn:
            for s in await sources(conn, y):
                instruments.setdefault((s.instrument.id, s.version), s.instrument)
    if not releases:
        raise ExportError(f"no closed administration in {span.name()}")
    if school is not None and not any(school in r.schools for r in releases):
        raise ExportError(f"school {school!r} took no survey in {span.name()}")
    now = dt.datetime.now(dt.UTC)
    annotate = Annotator(releases, instruments, reading)

    def write() -> int:
        rows = select_rows(releases, school, indicators=indicators)
        if fmt == "csv":
            with out.open("w", encoding="utf-8", newline="") as handle:
                return write_csv(rows, handle, annotate=annotate)
        if fmt == "xlsx":
            return write_xlsx(
                rows,
                out,
                releases=releases,
                instruments=list(instruments.values()),
                generated_at=now,
                school=school,
                annotate=annotate,
            )
        return write_json(
            rows, out, releases=releases, generated_at=now, school=school, annotate=annotate
        )

    # A district's file is a million rows or more: written off the event loop.
    count = await asyncio.to_thread(write)
    ids = tuple(r.release_id for r in releases)
    detail: dict[str, str | int] = {"releases": ",".join(ids), "rows": count}
    if indicators != ALL_INDICATORS:
        detail["indicators"] = indicators
    if reading.lang != PLAIN.lang:
        detail["lang"] = reading.lang
    async with engine.begin() as conn:
        await record(conn, actor, EXPORTED, f"{span.name()}.{fmt}", school_id=school, detail=detail)
    return ExportResult(out, count, ids)
