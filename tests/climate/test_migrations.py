"""Migrations make the schema, and the schema they make is exactly the models'."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from climate import db
from climate.models import metadata


def _diff(url: str) -> list[object]:
    async def run() -> list[object]:
        engine = db.create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
                )
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _tables(url: str) -> set[str]:
    async def run() -> set[str]:
        engine = db.create_engine(url)
        try:
            async with engine.connect() as conn:
                return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_upgrade_builds_the_models_schema(migrated_url: str) -> None:
    assert _diff(migrated_url) == []
    assert db.current_revision(migrated_url) is not None


def test_primary_keys_are_the_models(migrated_url: str) -> None:
    # compare_metadata does not look at primary keys; the response table's key is its order.
    async def run() -> dict[str, list[str]]:
        engine = db.create_engine(migrated_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: {
                        t: inspect(sync).get_pk_constraint(t)["constrained_columns"]
                        for t in metadata.tables
                    }
                )
        finally:
            await engine.dispose()

    expected = {
        name: [c.name for c in t.primary_key.columns] for name, t in metadata.tables.items()
    }
    assert asyncio.run(run()) == expected
    assert expected["response"] == ["administration_id", "school_id", "id"]


def test_downgrade_to_base_and_back(migrated_url: str) -> None:
    from alembic import command

    command.downgrade(db.alembic_config(migrated_url), "base")
    assert _tables(migrated_url) <= {"alembic_version"}
    db.upgrade(migrated_url)
    assert "response" in _tables(migrated_url)
