"""Database engines and migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def is_sqlite(url: str) -> bool:
    """Whether a database URL names SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection.

    Statement parameters never reach a log or an error message (``hide_parameters``): they
    hold answers, codes and receipts.
    """
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, hide_parameters=True, **kwargs
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)


def counters_path(url: str) -> str | None:
    """The file that keeps rate-limit counters beside a SQLite database (None elsewhere).

    Counters are written on many page views. In the database's own file they would wait for
    the answers' writes and checkpoints, and make those wait; on PostgreSQL they share the
    database, in an unlogged table.
    """
    database = make_url(url).database
    if not is_sqlite(url) or not database or database == ":memory:":
        return None
    return f"{database}-counters"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets report reads run beside survey writes. FULL sync makes every commit durable
    # before it returns, so an acknowledged submission survives power loss, not only a
    # crash of the process; bench/bench_durability.py measures what it costs.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    # Deleted rows (receipts, tickets and sealed submissions at a close) are overwritten
    # with zeros, not left in free pages for someone who reads the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at ``url`` up to ``revision`` (creating the SQLite file if needed)."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is on, or None when it has no schema yet."""

    async def read() -> str | None:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                from alembic.runtime.migration import MigrationContext

                return await conn.run_sync(
                    lambda sync: MigrationContext.configure(sync).get_current_revision()
                )
        finally:
            await engine.dispose()

    return asyncio.run(read())
