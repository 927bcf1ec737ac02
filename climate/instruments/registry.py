"""Instrument versions in the database: registered from files, immutable once answered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from climate.instruments import Instrument, LoadedInstrument, parse_instrument
from climate.models import Administration, InstrumentVersion, response, sealed_response


class ChangedInstrumentError(ValueError):
    """An answered instrument version's file changed without a new version number."""


async def register(session: AsyncSession, loaded: LoadedInstrument) -> InstrumentVersion:
    """Record ``loaded`` as an instrument version, or return the row already recorded."""
    instrument = loaded.instrument
    row = await session.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == instrument.id,
            InstrumentVersion.version == instrument.version,
        )
    )
    source = Path(loaded.path).read_bytes()
    if row is None:
        row = InstrumentVersion(
            instrument_id=instrument.id,
            version=instrument.version,
            content_hash=loaded.content_hash,
            source=source,
            registered_at=dt.datetime.now(dt.UTC),
        )
        session.add(row)
        await session.flush()
        return row
    if row.content_hash != loaded.content_hash:
        # Answers of an open administration are still sealed; they count as much as stored ones.
        answered = any(
            [
                await session.scalar(
                    select(
                        exists()
                        .where(table.c.administration_id == Administration.id)
                        .where(Administration.instrument_version_id == row.id)
                    )
                )
                for table in (response, sealed_response)
            ]
        )
        if answered:
            raise ChangedInstrumentError(
                f"{loaded.path}: instrument {instrument.id} version {instrument.version} already "
                "has responses and its file has changed; give the changed file a new version"
            )
        row.content_hash = loaded.content_hash
        row.source = source
    return row


def instrument_of(row: InstrumentVersion) -> Instrument:
    """The instrument stored in a version row (the file as it was registered)."""
    return parse_instrument(row.source, file=f"{row.instrument_id}@{row.version}")
