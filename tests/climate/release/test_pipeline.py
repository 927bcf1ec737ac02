"""The release pipeline: protected once per administration state, then read from the cache."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import msgspec
import pytest
from sqlalchemy import event

from analysis.disclosure import Protected, protect
from climate import db
from climate.release import pipeline
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


def test_a_release_is_protected_off_the_event_loop(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Protection takes up to a minute at district size; on the event loop's thread it
    # would stall every survey submission of the worker meanwhile.
    planted = seed(settings)
    threads: list[threading.Thread] = []

    def watched(*args: Any, **kwargs: Any) -> Protected:
        threads.append(threading.current_thread())
        return protect(*args, **kwargs)

    monkeypatch.setattr(pipeline, "protect", watched)

    async def run() -> tuple[threading.Thread, int]:
        engine = db.create_engine(settings.database_url)
        try:
            made = await year_releases(engine, planted.year, district_name="D")
            return threading.current_thread(), len(made)
        finally:
            await engine.dispose()

    loop_thread, made = asyncio.run(run())
    assert made == len(threads) >= 1
    assert all(t is not loop_thread for t in threads)
