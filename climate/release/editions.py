"""Earlier releases of a year, read back as editions: their data, values and primaries.

Each stored release keeps the internal cell data it was made from (sums and counts per
group, never published, like the totals its payload keeps), so that a later release of the
same instrument and year, made after responses were added, is audited against the data the
earlier one described (``analysis.disclosure.editions``). Releases stored before the data
were kept have none; a later release cannot be checked against them (``Unkept``).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from analysis.disclosure import AuditReport, Cell, CellKey, Ledger
from analysis.disclosure.editions import Edition, primary_values
from climate.instruments import Instrument
from climate.models.releases import PublishedRelease
from climate.release.catalogue import CellData, dimensions


class StoredCell(msgspec.Struct, frozen=True, array_like=True):
    """One group's internal sufficient statistics, as stored beside its release."""

    key: CellKey
    n: int
    counts: dict[str, tuple[int, ...]]
    sums: dict[str, tuple[float, float]]


class StoredCells(msgspec.Struct, frozen=True):
    """The data a release was made from: its schools and every non-empty group."""

    schools: tuple[str, ...]
    cells: tuple[StoredCell, ...]


class Unkept(ValueError):
    """An earlier release of the year has no stored data to audit a new one against."""

    def __init__(self, release_id: str) -> None:
        super().__init__(release_id)
        self.release_id = release_id


def pack(data: bytes) -> bytes:
    """Compress a stored blob."""
    return zlib.compress(data, 1)


def unpack(data: bytes) -> bytes:
    """Decompress a stored blob."""
    return zlib.decompress(data)


def pack_cells(schools: tuple[str, ...], data: Mapping[CellKey, CellData]) -> bytes:
    """The stored form of a release's data."""
    cells = tuple(StoredCell(key, d.n, d.counts, d.sums) for key, d in data.items())
    return pack(msgspec.json.encode(StoredCells(schools, cells)))


def unpack_cells(blob: bytes) -> StoredCells:
    """A release's data from its stored form."""
    return msgspec.json.decode(unpack(blob), type=StoredCells)


async def earlier_editions(
    conn: AsyncConnection, instrument: Instrument, year: int
) -> list[Edition]:
    """Every stored release of one instrument and year, oldest first, as editions.

    Raises Unkept naming the first release stored without its data.
    """
    rows = (
        await conn.execute(
            select(
                PublishedRelease.release_id,
                PublishedRelease.ledger,
                PublishedRelease.report,
                PublishedRelease.cells,
            )
            .where(PublishedRelease.instrument_id == instrument.id, PublishedRelease.year == year)
            .order_by(PublishedRelease.created_at, PublishedRelease.release_id)
        )
    ).all()
    found = []
    for release_id, ledger, report, cells in rows:
        if cells is None:
            raise Unkept(str(release_id))
        stored = unpack_cells(cells)
        found.append(
            Edition(
                str(release_id),
                tuple(Cell(c.key, c.n, c.counts, c.sums) for c in stored.cells),
                Ledger.from_json(unpack(ledger)),
                primary_values(msgspec.json.decode(unpack(report), type=AuditReport)),
                dimensions(instrument, stored.schools),
            )
        )
    return found
