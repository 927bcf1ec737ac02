"""The release pipeline: protected once per administration state, then read from the cache."""

from __future__ import annotations

import asyncio

import msgspec
from sqlalchemy import event

from climate import db
from climate.release.pipeline import year_releases
from climate.settings import Settings
from tests.climate.release.seeded import seed


def test_a_cached_release_is_read_without_aggregating(settings: Settings) -> None:
    planted = seed(settings)

    async def run() -> tuple[list[str], list[str], bool]:
        engine = db.create_engine(settings.database_url)
        statements: list[str] = []
        event.listen(
            engine.sync_engine,
            "before_cursor_execute",
            lambda _c, _cur, statement, *_: statements.append(statement),
        )
        try:
            first = await year_releases(engine, planted.year, district_name="D")
            made = list(statements)
            statements.clear()
            again = await year_releases(engine, planted.year, district_name="D")
            return made, list(statements), msgspec.json.encode(first) == msgspec.json.encode(again)
        finally:
            await engine.dispose()

    made, cached, same = asyncio.run(run())
    assert any("GROUP BY" in s for s in made)
    assert not any("GROUP BY" in s for s in cached)
    assert same
