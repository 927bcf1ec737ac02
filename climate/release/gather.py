"""Everything a year's release needs from the database, and the state it was taken in.

A release reads its cells, schools and fingerprint from one state of the database, shared by
``READERS`` connections that run the per-dimension ``GROUP BY`` queries side by side.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.instruments import Instrument
from climate.instruments.registry import instrument_of
from climate.models import (
    Administration,
    AdministrationSchool,
    InstrumentVersion,
    School,
    response,
)
from climate.responses.cells import (
    Cells,
    ScaleMoments,
    dimensions,
    fetch_cells,
    fetch_scale_moments,
)

# Each dimension is one scan of the administration's rows, bound by the database's CPU
# (SQLite runs it in the connection's thread without the GIL): two connections keep the two
# cores of the machines the service runs on busy; more would only queue for them.
READERS = 2


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
    moments: dict[str, ScaleMoments]


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


@asynccontextmanager
async def snapshot(
    engine: AsyncEngine, readers: int = READERS
) -> AsyncIterator[list[AsyncConnection]]:
    """``readers`` new connections whose reads all see one state of the database."""
    async with AsyncExitStack() as stack:
        conns = [await stack.enter_async_context(engine.connect()) for _ in range(readers)]
        if engine.dialect.name == "postgresql":
            await _share_postgres(conns)
        else:
            await _share_sqlite(engine, conns)
        yield conns


async def _share_postgres(conns: list[AsyncConnection]) -> None:
    first, *others = conns
    for conn in conns:
        await conn.execution_options(isolation_level="REPEATABLE READ")
    # pg_dump -j's way: the others import the first transaction's snapshot.
    exported = str((await first.exec_driver_sql("SELECT pg_export_snapshot()")).scalar())
    if not re.fullmatch(r"[0-9A-Fa-f-]+", exported):
        raise ValueError(f"unexpected snapshot id {exported!r}")
    for conn in others:
        await conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{exported}'")


async def _share_sqlite(engine: AsyncEngine, conns: list[AsyncConnection]) -> None:
    # The driver starts no transaction for a SELECT, so each reader begins its own and reads
    # once to fix its snapshot. While another connection holds the write lock no commit can
    # fall between two readers' snapshots, so they are one state; the lock is held for
    # those few statements only.
    async with AsyncExitStack() as stack:
        if len(conns) > 1:
            lock = await stack.enter_async_context(engine.connect())
            await lock.exec_driver_sql("BEGIN IMMEDIATE")
        for conn in conns:
            await conn.exec_driver_sql("BEGIN")
            await conn.exec_driver_sql("SELECT count(*) FROM sqlite_master")


async def _all_cells(readers: list[AsyncConnection], source: Source) -> dict[str, Cells]:
    waiting = list(dimensions(source.instrument))
    found: dict[str, Cells] = {}

    async def count(conn: AsyncConnection) -> None:
        while waiting:
            dimension = waiting.pop(0)
            found[dimension] = await fetch_cells(
                conn, source.administration_id, source.instrument, dimension
            )

    tasks = [asyncio.create_task(count(conn)) for conn in readers]
    try:
        await asyncio.gather(*tasks)
    finally:
        # On a failure the error goes up as it was, once no reader is still counting.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {d: found[d] for d in dimensions(source.instrument)}


async def gather(conn: AsyncConnection, source: Source, extra: str = "") -> Gathered:
    """Count one administration's responses per school and dimension category in SQL."""
    # On connections of its own from conn's engine, so that every read is of one snapshot.
    async with snapshot(conn.engine) as readers:
        participating = (
            await readers[0].execute(
                select(School.id, School.name)
                .join(AdministrationSchool, AdministrationSchool.school_id == School.id)
                .where(AdministrationSchool.administration_id == source.administration_id)
                .order_by(School.id)
            )
        ).all()
        cells = await _all_cells(readers, source)
        moments = await fetch_scale_moments(readers[0], source.administration_id, source.instrument)
        state = await fingerprint(readers[0], source, extra)
    names = {str(i): str(n) for i, n in participating}
    # A response from a school no longer listed still counts; its name is its id.
    for c in cells.values():
        for school in c.schools:
            names.setdefault(school, school)
    return Gathered(source, tuple(sorted(names)), names, cells, state, moments)
