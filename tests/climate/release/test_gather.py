"""A release's reads: one state of the database, however many connections count it."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import numpy as np
from sqlalchemy import func, insert, select

from climate import db
from climate.demo import district as demo
from climate.models import response
from climate.release.gather import gather, snapshot, sources
from climate.responses.cells import Cells, fetch_cells
from climate.settings import Settings

TODAY = dt.date(2026, 10, 1)


def _same(a: Cells, b: Cells) -> bool:
    return (
        (a.schools, a.categories) == (b.schools, b.categories)
        and np.array_equal(a.n, b.n)
        and all(
            np.array_equal(a.options[i][v], b.options[i][v])
            for i in a.options
            for v in a.options[i]
        )
        and all(
            np.array_equal(getattr(a.scales[s], f), getattr(b.scales[s], f))
            for s in a.scales
            for f in ("scored", "total", "squares", "flagged")
        )
    )


def test_readers_keep_their_state_while_a_submission_commits(settings: Settings) -> None:
    async def run() -> tuple[list[int], int]:
        engine = db.create_engine(settings.database_url)
        try:
            await demo.seed_district(
                engine, settings, school_count=2, years=1, students_per_school=20, today=TODAY
            )
            async with engine.connect() as conn:
                admin, school = (
                    await conn.execute(select(response.c.administration_id, response.c.school_id))
                ).first() or (0, "")
            counting = select(func.count()).select_from(response)
            async with snapshot(engine, 2) as (first, second):
                seen = [int(await first.scalar(counting) or 0)]
                async with engine.begin() as writer:
                    await writer.execute(
                        insert(response).values(
                            id=uuid.uuid4(),
                            administration_id=admin,
                            school_id=school,
                            locale="en",
                            submitted_on=TODAY,
                        )
                    )
                seen += [int(await c.scalar(counting) or 0) for c in (second, first)]
            async with engine.connect() as conn:
                after = int(await conn.scalar(counting) or 0)
            return seen, after
        finally:
            await engine.dispose()

    seen, after = asyncio.run(run())
    assert seen == [seen[0]] * 3
    assert after == seen[0] + 1


def test_gather_counts_what_one_connection_counts(settings: Settings) -> None:
    async def run() -> tuple[dict[str, Cells], dict[str, Cells]]:
        engine = db.create_engine(settings.database_url)
        try:
            summary = await demo.seed_district(
                engine, settings, school_count=3, years=1, students_per_school=40, today=TODAY
            )
            async with engine.connect() as conn:
                source = (await sources(conn, summary.years[0]))[-1]
                gathered = await gather(conn, source)
                alone = {
                    d: await fetch_cells(conn, source.administration_id, source.instrument, d)
                    for d in gathered.cells
                }
            return gathered.cells, alone
        finally:
            await engine.dispose()

    gathered, alone = asyncio.run(run())
    assert list(gathered) == list(alone)
    assert all(_same(gathered[d], alone[d]) for d in alone)
