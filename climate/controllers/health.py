"""Health check for load balancers and the demo.

A database that cannot be reached answers 503 with Retry-After (never 500), so a balancer
takes the worker out of rotation until the pool finds the database again by itself.
"""

from __future__ import annotations

import msgspec
from litestar import Response, get
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.errors import OUTAGE_TYPES, Outage, headers_of, is_outage


class Health(msgspec.Struct, frozen=True):
    """Health check answer."""

    status: str
    database: str


@get("/healthz", include_in_schema=False, cache=False)
async def healthz(engine: NamedDependency[AsyncEngine]) -> Response[Health]:
    """Answer 200 when the service and its database respond, 503 when the database does not."""
    try:
        # The connection is given back inside the check: a connection killed after the
        # query fails its rollback here, as a 503, not after the answer has started.
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except OUTAGE_TYPES as error:
        if not is_outage(error):
            raise
        down = Health(status="unavailable", database="unreachable")
        return Response(down, status_code=Outage.status_code, headers=headers_of(Outage()))
    return Response(Health(status="ok", database="ok"))
