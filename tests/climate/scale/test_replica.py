"""Releases read from a streaming replica, never older than the primary when they start.

CI makes the replica with ``pg_basebackup`` (``.ci/scale``): a second local cluster on
127.0.0.1:5433 that follows the test database's cluster, named in
``CLIMATE_TEST_REPLICA_URL``. ``climate export`` publishes a year from the replica; with the
replica's replay paused, paper surveys imported on the primary are still in the next export,
read from the primary after the wait, and the log says which was read each time.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from climate import db
from climate.release.editions import unpack_cells
from climate.settings import Settings
from tests.climate.release.seeded import Planted, seed
from tests.climate.release.test_editions import _export, _import, _stored
from tests.climate.scale.test_pgbouncer import needs
from tests.conftest import PG_URL, SECRET, _reset_postgres

REPLICA = os.environ.get("CLIMATE_TEST_REPLICA_URL", "")
WAIT = 2.0


async def _on_replica(statement: str) -> object:
    url = make_url(REPLICA)
    conn = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, database=url.database
    )
    try:
        return await conn.fetchval(statement)
    finally:
        await conn.close()


@pytest.fixture
def replicated(monkeypatch: pytest.MonkeyPatch) -> Settings:
    needs("CLIMATE_TEST_REPLICA_URL", REPLICA)
    asyncio.run(_reset_postgres(PG_URL))
    db.upgrade(PG_URL)
    for name, value in {
        "CLIMATE_DATABASE_URL": PG_URL,
        "CLIMATE_REPLICA_URL": REPLICA,
        "CLIMATE_REPLICA_WAIT": str(WAIT),
        "CLIMATE_MODE": "demo",
    }.items():
        monkeypatch.setenv(name, value)
    return Settings(database_url=PG_URL, secret_key=SECRET, replica_url=REPLICA, replica_wait=WAIT)


def read_from(caplog: pytest.LogCaptureFixture) -> list[str]:
    found = [r.getMessage() for r in caplog.records if r.name == "climate.db"]
    caplog.clear()
    return found


def totals(settings: Settings) -> list[int]:
    """The district total of each stored release, oldest first."""
    return [
        next(c.n for c in unpack_cells(blob).cells if c.key == ())
        for _, blob in _stored(settings)
        if blob
    ]


def test_a_release_reads_the_replica_and_never_an_older_state(
    replicated: Settings, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    planted: Planted = seed(replicated)
    caplog.set_level(logging.INFO, logger="climate.db")
    code, first = _export(tmp_path, planted.year, "first")
    assert code == 0
    assert first
    said = read_from(caplog)
    assert said
    assert all("read from the replica" in line for line in said), said

    asyncio.run(_on_replica("SELECT pg_wal_replay_pause()"))
    try:
        assert _import(tmp_path, planted) == 0
        code, second = _export(tmp_path, planted.year, "second")
    finally:
        asyncio.run(_on_replica("SELECT pg_wal_replay_resume()"))
    assert code == 0
    said = read_from(caplog)
    assert any("read from the primary: the replica is still behind" in line for line in said)
    # The second release holds the 3 paper surveys: the paused replica's state was not used.
    first_total, second_total = totals(replicated)
    assert second_total == first_total + 3
    assert second != first


def test_an_unreachable_replica_is_read_around(
    replicated: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async def choose() -> bool:
        primary = db.open_engine(PG_URL, "postgresql+asyncpg://postgres@127.0.0.1:9/none", WAIT)
        try:
            return await db.reading_engine(primary, "a year") is primary
        finally:
            await db.dispose(primary)

    caplog.set_level(logging.INFO, logger="climate.db")
    assert asyncio.run(choose())
    assert read_from(caplog) == [
        "a year read from the primary: the replica cannot be reached (ConnectionRefusedError)"
    ]
