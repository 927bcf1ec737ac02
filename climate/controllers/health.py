"""Health check for load balancers and the demo."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


class Health(msgspec.Struct, frozen=True):
    """Health check answer."""

    status: str
    database: str


@get("/healthz", include_in_schema=False, cache=False)
async def healthz(db_session: NamedDependency[AsyncSession]) -> Health:
    """Answer 200 when the service and its database respond."""
    await db_session.execute(text("SELECT 1"))
    return Health(status="ok", database="ok")
