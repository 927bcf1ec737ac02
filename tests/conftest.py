"""Shared fixtures: a real database per test (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.engine import make_url

from climate import db
from climate.app import create_app
from climate.settings import Settings

PG_URL = os.environ.get("CLIMATE_TEST_DATABASE_URL", "")

# In CI a property test must not turn the build red at random: examples are derived from
# each test itself, and every counterexample ever found is pinned with ``@example``.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")

# Published data sets that expected values are taken from (R survey's api data), kept in
# shared/data beside the clone rather than in the repository.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SECRET = "test-secret-key-that-is-long-enough-000"


def _shared_file(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.is_file():
        # CI always has the data beside its clone: a skip there would hide lost checks.
        if os.environ.get("CI") == "true":
            pytest.fail(f"reference data {path} is missing")
        pytest.skip(f"reference data {path} is missing")
    return path


@pytest.fixture
def shared_data() -> Callable[[str], Path]:
    """Look up a reference data file: skip the test without it, fail it in CI."""
    return _shared_file


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file in tmp_path, or the PostgreSQL test database wiped."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'climate.db'}"
    if not PG_URL:
        pytest.skip("CLIMATE_TEST_DATABASE_URL is not set")
    asyncio.run(_reset_postgres(PG_URL))
    return PG_URL


async def _reset_postgres(url: str) -> None:
    import asyncpg

    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
    )
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """A database with the schema at the newest migration."""
    db.upgrade(database_url)
    return database_url


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    """Production-mode settings on the test database."""
    return Settings(database_url=migrated_url, secret_key=SECRET)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient[Litestar]]:
    """The real app on the test database."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many database tests ran on each database, so a CI log shows both."""
    ran: dict[str, int] = {"sqlite": 0, "postgresql": 0}
    for outcome in ("passed", "failed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for database in ran:
                if nodeid.endswith(f"[{database}]") or f"[{database}-" in nodeid:
                    ran[database] += report.when == "call"
    if any(ran.values()):
        terminalreporter.write_line(
            f"database tests run: {ran['sqlite']} on SQLite, {ran['postgresql']} on PostgreSQL"
        )
