"""``climate demo`` prepares every closed year's releases before anyone asks for them."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from climate import db
from climate.commands import serve
from climate.models import Administration, PublishedRelease
from climate.settings import Settings
from tests.climate.release.seeded import seed


def _count(settings: Settings) -> tuple[int, int]:
    async def run() -> tuple[int, int]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                closed = await conn.scalar(
                    select(func.count()).where(Administration.status == "closed")
                )
                made = await conn.scalar(select(func.count(PublishedRelease.release_id)))
            return int(closed or 0), int(made or 0)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_every_closed_year_is_protected_before_a_page_asks(settings: Settings) -> None:
    # One release per closed administration (one instrument and year each), stored where
    # the report pages look for them, so their first view reads the cache.
    seed(settings)
    closed, before = _count(settings)
    assert closed >= 1
    assert before == 0
    asyncio.run(serve._releases(settings))
    assert _count(settings) == (closed, closed)
