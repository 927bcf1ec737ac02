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
from climate.exports.selection import select_rows
from climate.exports.tidy import write_csv
from climate.exports.workbook import write_xlsx
from climate.models import District
from climate.release.gather import sources
from climate.release.pipeline import year_releases
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


async def export_year(
    engine: AsyncEngine,
    settings: Settings,
    *,
    year: int,
    fmt: str,
    out: Path,
    actor: Principal | str,
    school: str | None = None,
) -> ExportResult:
    """Write one year's protected results as ``fmt`` to ``out`` and record the export."""
    name = await district_name(engine, settings)
    releases = await year_releases(
        engine, year, district_name=name, policy=Policy(k=settings.suppression_k)
    )
    if not releases:
        raise ExportError(f"no closed administration in {year}")
    if school is not None and not any(school in r.schools for r in releases):
        raise ExportError(f"school {school!r} took no survey in {year}")
    async with engine.connect() as conn:
        instruments = [s.instrument for s in await sources(conn, year)]
    now = dt.datetime.now(dt.UTC)
    if fmt not in MEDIA_TYPES:
        raise ExportError(f"format must be one of csv, xlsx, json, not {fmt!r}")

    def write() -> int:
        rows = select_rows(releases, school)
        if fmt == "csv":
            with out.open("w", encoding="utf-8", newline="") as handle:
                return write_csv(rows, handle)
        if fmt == "xlsx":
            return write_xlsx(
                rows,
                out,
                releases=releases,
                instruments=instruments,
                generated_at=now,
                school=school,
            )
        return write_json(rows, out, releases=releases, generated_at=now, school=school)

    # A district's file is a million rows or more: written off the event loop.
    count = await asyncio.to_thread(write)
    ids = tuple(r.release_id for r in releases)
    async with engine.begin() as conn:
        await record(
            conn,
            actor,
            EXPORTED,
            f"{year}.{fmt}",
            school_id=school,
            detail={"releases": ",".join(ids), "rows": count},
        )
    return ExportResult(out, count, ids)
