"""What a reader of the database sees: every row of every table, system columns included."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection

from climate import db
from climate.settings import Settings


def is_postgres(settings: Settings) -> bool:
    """Whether the test runs on PostgreSQL."""
    return settings.database_url.startswith("postgresql")


def execute(settings: Settings, sql: str) -> None:
    """Run one statement in a transaction of its own, as any client of the database could."""

    async def run() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()

    asyncio.run(run())


def read(settings: Settings, sql: str) -> list[dict[str, Any]]:
    """The rows of one query, as mappings."""

    async def run() -> list[dict[str, Any]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return [dict(r._mapping) for r in await conn.execute(text(sql))]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def live_columns(settings: Settings) -> dict[str, list[str]]:
    """Every table and its columns as the live database's own catalog lists them."""

    async def run() -> dict[str, list[str]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(_catalog)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _catalog(sync: Any) -> dict[str, list[str]]:
    found = inspect(sync)
    return {t: [c["name"] for c in found.get_columns(t)] for t in found.get_table_names()}


def every_row(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, with ``xmin`` and ``ctid`` on PostgreSQL, ``rowid`` on SQLite.

    A ``WITHOUT ROWID`` table of SQLite has no rowid to read; its rows lie in key order.
    """

    async def run() -> dict[str, list[dict[str, Any]]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
                return {t: await _rows(conn, t, is_postgres(settings)) for t in tables}
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def _rows(conn: AsyncConnection, table: str, postgres: bool) -> list[dict[str, Any]]:
    if postgres:
        system = "xmin::text AS xmin, ctid::text AS ctid, "
    else:
        found = await conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE name = :t AND sql LIKE '%WITHOUT ROWID%'"),
            {"t": table},
        )
        system = "" if found.first() else "rowid AS rowid, "
    result = await conn.execute(text(f'SELECT {system}* FROM "{table}"'))
    return [dict(r._mapping) for r in result]
