"""Everything a year's release needs from the database, and the state it was taken in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from climate.cells import Cells, dimensions, fetch_cells
from climate.instruments import Instrument
from climate.models import (
    Administration,
    AdministrationSchool,
    InstrumentVersion,
    School,
    response,
)
from climate.registry import instrument_of


@dataclass(frozen=True, slots=True)
class Source:
    """The closed administration behind one instrument's release in one year."""

    administration_id: int
    instrument: Instrument
    version: str
    year: int
    declines: int


@dataclass(frozen=True, slots=True)
class Gathered:
    """One administration reduced to cells, with its schools and a fingerprint of its state."""

    source: Source
    schools: tuple[str, ...]
    names: dict[str, str]
    cells: dict[str, Cells]
    fingerprint: str


async def sources(conn: AsyncConnection, year: int) -> list[Source]:
    """Closed administrations of ``year``, one per instrument, in instrument order."""
    rows = (
        await conn.execute(
            select(
                Administration.id,
                Administration.declines,
                InstrumentVersion.instrument_id,
                InstrumentVersion.version,
                InstrumentVersion.source,
            )
            .join(InstrumentVersion, InstrumentVersion.id == Administration.instrument_version_id)
            .where(Administration.school_year == year, Administration.status == "closed")
            .order_by(InstrumentVersion.instrument_id, Administration.id)
        )
    ).all()
    found: dict[str, Source] = {}
    for admin_id, declines, instrument_id, version, text in rows:
        if instrument_id in found:
            # One release per instrument and year: a second window would be published twice.
            raise ValueError(
                f"year {year}: instrument {instrument_id} has more than one closed "
                f"administration ({found[instrument_id].administration_id} and {admin_id})"
            )
        row = InstrumentVersion(instrument_id=instrument_id, version=version, source=text)
        found[instrument_id] = Source(
            admin_id, instrument_of(row), version, year, int(declines or 0)
        )
    return list(found.values())


async def fingerprint(conn: AsyncConnection, source: Source, extra: str) -> str:
    """A digest of the administration's state: responses, last date, schools, and ``extra``."""
    count, last = (
        await conn.execute(
            select(func.count(), func.max(response.c.submitted_on)).where(
                response.c.administration_id == source.administration_id
            )
        )
    ).one()
    schools = (
        await conn.scalars(
            select(AdministrationSchool.school_id)
            .where(AdministrationSchool.administration_id == source.administration_id)
            .order_by(AdministrationSchool.school_id)
        )
    ).all()
    text = "|".join(
        [
            source.instrument.id,
            source.version,
            str(source.year),
            str(source.administration_id),
            str(count),
            str(last),
            ",".join(schools),
            extra,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


async def gather(conn: AsyncConnection, source: Source, extra: str = "") -> Gathered:
    """Count one administration's responses per school and dimension category in SQL."""
    participating = (
        await conn.execute(
            select(School.id, School.name)
            .join(AdministrationSchool, AdministrationSchool.school_id == School.id)
            .where(AdministrationSchool.administration_id == source.administration_id)
            .order_by(School.id)
        )
    ).all()
    names = {str(i): str(n) for i, n in participating}
    cells = {
        d: await fetch_cells(conn, source.administration_id, source.instrument, d)
        for d in dimensions(source.instrument)
    }
    # A response from a school no longer listed still counts; its name is its id.
    for c in cells.values():
        for school in c.schools:
            names.setdefault(school, school)
    return Gathered(
        source,
        tuple(sorted(names)),
        names,
        cells,
        await fingerprint(conn, source, extra),
    )
