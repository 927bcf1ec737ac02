"""The application factory: one explicit Litestar(...) call, settings passed in."""

from __future__ import annotations

import logging

from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar
from litestar.datastructures import State
from litestar.logging.config import LoggingConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from climate.controllers.health import healthz
from climate.db import create_engine
from climate.settings import Settings


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the web application for ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings.from_env()
    engine = create_engine(settings.database_url)
    database = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        create_all=False,
    )

    async def dispose_engine() -> None:
        await engine.dispose()

    return Litestar(
        route_handlers=[healthz],
        on_shutdown=[dispose_engine],
        plugins=[SQLAlchemyPlugin(config=database)],
        openapi_config=OpenAPIConfig(
            title="climate",
            version="1",
            description="Anonymous school climate surveys: the JSON API.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        logging_config=LoggingConfig(
            root={"level": settings.log_level, "handlers": ["queue_listener"]},
            # Access logs would carry codes in URLs; the service logs no requests.
            loggers={"uvicorn.access": {"level": logging.WARNING, "propagate": False}},
            log_exceptions="always",
        ),
        state=State({"settings": settings}),
        debug=settings.debug,
    )
