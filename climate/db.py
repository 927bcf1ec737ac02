"""Database engines and migrations for SQLite (default) and PostgreSQL.

PostgreSQL may be reached through pgBouncer in transaction mode (``?pooler=transaction`` on
the URL), and a primary's engine may have a streaming replica that reads the releases
(:func:`attach_replica`, :func:`reading_engine`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
POOLER_MODES = ("transaction",)
log = logging.getLogger(__name__)


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
    parsed, pooled = _pooler(make_url(url))
    if pooled:
        # A transaction-mode pooler hands each transaction to any server connection, where
        # a statement prepared by another client may sit under the same name or be gone:
        # asyncpg keeps no statement cache and names each statement afresh.
        parsed = parsed.update_query_dict({"prepared_statement_cache_size": "0"})
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.update(
            statement_cache_size=0,
            prepared_statement_name_func=lambda: f"__climate_{uuid.uuid4().hex}__",
        )
        kwargs["connect_args"] = connect_args
    return create_async_engine(parsed, pool_pre_ping=True, hide_parameters=True, **kwargs)


def _pooler(url: URL) -> tuple[URL, bool]:
    """The URL without its ``pooler`` option, and whether it names a transaction pooler."""
    mode = url.query.get("pooler")
    if mode is None:
        return url, False
    if mode not in POOLER_MODES:
        raise ValueError(
            f"database URL: pooler={mode!r} is not known (only pooler=transaction, for "
            "pgBouncer's transaction mode)"
        )
    return url.difference_update_query(["pooler"]), True


@dataclass(frozen=True)
class Replica:
    """A streaming replica of a primary, and how long a read waits for it to catch up."""

    engine: AsyncEngine
    wait: float


_replicas: weakref.WeakKeyDictionary[AsyncEngine, Replica] = weakref.WeakKeyDictionary()


def open_engine(url: str, replica_url: str | None = None, replica_wait: float = 5.0) -> AsyncEngine:
    """The engine of ``url``, with the replica at ``replica_url`` attached when given."""
    engine = create_engine(url)
    if replica_url is not None:
        attach_replica(engine, replica_url, replica_wait)
    return engine


def attach_replica(primary: AsyncEngine, url: str, wait: float) -> AsyncEngine:
    """Give ``primary`` a replica at ``url`` for :func:`reading_engine`; returns its engine."""
    replica = create_engine(url)
    _replicas[primary] = Replica(replica, wait)
    return replica


async def dispose(engine: AsyncEngine) -> None:
    """Close ``engine``'s connections and its replica's."""
    found = _replicas.pop(engine, None)
    if found is not None:
        await found.engine.dispose()
    await engine.dispose()


async def reading_engine(primary: AsyncEngine, what: str) -> AsyncEngine:
    """The engine to read ``what`` from: the replica once it holds every commit so far.

    The primary's WAL position is read first; the replica is used when it has replayed
    that far (so it shows every window closed before this call), after waiting up to its
    ``wait`` seconds. Otherwise, or when the replica cannot be reached, the primary is
    read. Either way the log says which, and why.
    """
    found = _replicas.get(primary)
    if found is None:
        return primary
    started = time.monotonic()
    async with primary.connect() as conn:
        target = str(await conn.scalar(text("SELECT pg_current_wal_flush_lsn()::text")))
    query = text(
        "SELECT NOT pg_is_in_recovery() "
        "OR pg_wal_lsn_diff(pg_last_wal_replay_lsn(), CAST(CAST(:target AS text) AS pg_lsn)) >= 0"
    )
    while True:
        try:
            async with found.engine.connect() as conn:
                caught_up = bool(await conn.scalar(query, {"target": target}))
        except (OSError, OperationalError, InterfaceError) as error:
            log.warning(
                "%s read from the primary: the replica cannot be reached (%s)",
                what,
                type(error).__name__,
            )
            return primary
        waited = time.monotonic() - started
        if caught_up:
            log.info("%s read from the replica (caught up in %.2f s)", what, waited)
            return found.engine
        if waited >= found.wait:
            log.warning(
                "%s read from the primary: the replica is still behind after %.1f s",
                what,
                waited,
            )
            return primary
        await asyncio.sleep(0.05)


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
