"""Behind pgBouncer in transaction mode: submissions from two workers, then a release.

CI starts pgBouncer from Debian's package on 127.0.0.1:6432 in front of the test database
(``.ci/scale``) and names it in ``CLIMATE_TEST_PGBOUNCER_URL`` with ``?pooler=transaction``.
Every step goes through the pooler: the migrations, the seed, ``climate serve --workers 2``
taking answers, ``climate export``, ``climate import`` and ``climate export`` again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from climate import db
from climate.demo.district import open_class_code
from climate.models import Administration, response
from climate.settings import Settings
from tests.climate.release.seeded import Planted, seed
from tests.climate.release.test_editions import _export, _import, _stored
from tests.climate.security.server import Server, running
from tests.conftest import PG_URL, SECRET, _reset_postgres

POOLED = os.environ.get("CLIMATE_TEST_PGBOUNCER_URL", "")
STUDENTS = 40


def needs(variable: str, value: str) -> None:
    """Skip without ``variable``; in CI, where .ci/scale sets it, fail instead."""
    if not value or not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{variable} (and CLIMATE_TEST_DATABASE_URL) must be set in CI")
        pytest.skip(f"{variable} is not set")


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test database, wiped directly, then migrated through pgBouncer."""
    needs("CLIMATE_TEST_PGBOUNCER_URL", POOLED)
    asyncio.run(_reset_postgres(PG_URL))
    db.upgrade(POOLED)
    monkeypatch.setenv("CLIMATE_DATABASE_URL", POOLED)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    return Settings(database_url=POOLED, secret_key=SECRET)


@pytest.fixture
def planted(pooled: Settings) -> Planted:
    return seed(pooled)


@pytest.fixture
def two(pooled: Settings, planted: Planted, tmp_path: Path) -> Iterator[Server]:
    with running(tmp_path, pooled.database_url, workers=2) as server:
        yield server


def stored_responses(url: str) -> int:
    async def count() -> int:
        engine = db.create_engine(url)
        try:
            async with engine.connect() as conn:
                return int(await conn.scalar(select(func.count()).select_from(response)) or 0)
        finally:
            await engine.dispose()

    return asyncio.run(count())


def code_of(url: str) -> str:
    """A class code of the open window, which is made to run until next week."""

    async def read() -> str | None:
        engine = db.create_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    update(Administration)
                    .where(Administration.status == "open")
                    .values(closes_on=dt.date.today() + dt.timedelta(days=7))
                )
            return await open_class_code(engine)
        finally:
            await engine.dispose()

    found = asyncio.run(read())
    assert found is not None
    return found


def test_submissions_and_a_release_through_pgbouncer(
    two: Server, pooled: Settings, planted: Planted, tmp_path: Path
) -> None:
    code = code_of(POOLED)
    keys = [str(uuid.uuid4()) for _ in range(STUDENTS)]

    def submit(key: str) -> tuple[int, str]:
        body = {"code": code, "locale": "en", "idempotency_key": key, "answers": {}}
        with httpx.Client(timeout=60) as http:
            answer = http.post(two.url("/api/v1/responses"), json=body)
        return answer.status_code, answer.text

    before = stored_responses(PG_URL)
    # Each student's page sends twice (a retry after a lost answer): one response each.
    with ThreadPoolExecutor(8) as pool:
        first = list(pool.map(submit, keys))
        again = list(pool.map(submit, keys))
    assert [status for status, _ in first] == [201] * STUDENTS, first[0]
    assert [status for status, _ in again] == [200] * STUDENTS
    assert [text for _, text in first] == [text for _, text in again]
    assert "prepared statement" not in two.output()
    # Sealed until the window closes: counted on the primary, not through the pooler.
    assert stored_responses(PG_URL) == before

    code_first, published = _export(tmp_path, planted.year, "first")
    assert code_first == 0
    assert published
    assert _import(tmp_path, planted) == 0
    code_second, again_published = _export(tmp_path, planted.year, "second")
    assert code_second == 0
    assert again_published
    assert len(_stored(pooled)) == 2
