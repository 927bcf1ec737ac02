"""The small district of the security tests, and a way to call the domain on its database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from climate import db
from climate.security import audit
from climate.settings import Settings
from tests.climate.security.conftest import District_, district

T = TypeVar("T")

__all__ = ["District_", "district", "log", "on"]


def on(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run one domain call on the test database."""

    async def main() -> T:
        engine = db.create_engine(settings.database_url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def log(settings: Settings) -> list[audit.Event]:
    """Every recorded event, oldest first."""

    async def work(engine: AsyncEngine) -> list[audit.Event]:
        async with engine.connect() as conn:
            return list(reversed(await audit.events(conn, limit=None)))

    return on(settings, work)
