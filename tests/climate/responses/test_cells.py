"""Cells counted in SQL equal the same counts made in Python from the stored rows."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from sqlalchemy import select

from climate import db
from climate.demo import district as demo
from climate.instruments import Instrument
from climate.instruments.registry import instrument_of
from climate.models import Administration, InstrumentVersion, response
from climate.responses.cells import ALL, Cells, dimensions, fetch_cells
from climate.responses.layout import GRADE, Layout
from climate.settings import Settings

# A response row's columns hold what SQLAlchemy reads back: ints, floats, dates and None.
Row = dict[str, Any]


def _cells_and_rows(settings: Settings) -> tuple[Instrument, dict[str, Cells], list[Row]]:
    async def run() -> tuple[Instrument, dict[str, Cells], list[Row]]:
        engine = db.create_engine(settings.database_url)
        try:
            await demo.seed_district(
                engine,
                settings,
                school_count=4,
                years=1,
                students_per_school=80,
                seed_value=3,
                today=dt.date(2026, 11, 28),
            )
            async with engine.connect() as conn:
                found = (
                    await conn.execute(
                        select(
                            Administration.id,
                            InstrumentVersion.instrument_id,
                            InstrumentVersion.version,
                            InstrumentVersion.source,
                        )
                        .join(InstrumentVersion)
                        .where(
                            InstrumentVersion.instrument_id == "secondary",
                            Administration.status == "closed",
                        )
                    )
                ).one()
                admin_id = found.id
                instrument = instrument_of(
                    InstrumentVersion(
                        instrument_id=found.instrument_id,
                        version=found.version,
                        source=found.source,
                    )
                )
                cells = {
                    d: await fetch_cells(conn, admin_id, instrument, d)
                    for d in dimensions(instrument)
                }
                rows = (
                    (
                        await conn.execute(
                            select(response).where(response.c.administration_id == admin_id)
                        )
                    )
                    .mappings()
                    .all()
                )
                return instrument, cells, [dict(r) for r in rows]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_sql_cells_match_python_counts(settings: Settings) -> None:
    instrument, cells, rows = _cells_and_rows(settings)
    layout = Layout.of(instrument)
    assert int(cells[ALL].n.sum()) == len(rows)
    for dimension, table in cells.items():
        # Every dimension partitions the same respondents.
        assert int(table.n.sum()) == len(rows), dimension
    gender = cells["gender"]
    column = layout.demographics["gender"]
    prefer = {
        o.value
        for d in instrument.demographics
        if d.id == "gender"
        for o in d.options
        if o.prefer_not_to_say
    }
    expected: Counter[tuple[str, int | None]] = Counter(
        (str(r["school_id"]), None if r[column] in prefer or r[column] is None else r[column])
        for r in rows
    )
    assert (
        dict(
            zip(zip(gender.schools, gender.categories, strict=True), gender.n.tolist(), strict=True)
        )
        == expected
    )
    item = instrument.items[0]
    option_counts: defaultdict[str, Counter[int]] = defaultdict(Counter)
    for r in rows:
        value = r[layout.items[item.id]]
        if value is not None:
            option_counts[str(r["school_id"])][int(value)] += 1
    for index, school in enumerate(cells[ALL].schools):
        for value, counts in cells[ALL].options[item.id].items():
            assert counts[index] == option_counts[school][value]
    scale = instrument.scales[0]
    scores = [r[layout.scales[scale.id]] for r in rows if r[layout.scales[scale.id]] is not None]
    sums = cells[ALL].scales[scale.id]
    assert int(sums.scored.sum()) == len(scores)
    assert np.isclose(sums.total.sum(), sum(scores))
    assert np.isclose(sums.squares.sum(), sum(s * s for s in scores))
    grade = cells[GRADE]
    assert all(c is None or 6 <= c <= 12 for c in grade.categories)
