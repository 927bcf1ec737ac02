"""The application factory: one explicit Litestar(...) call, settings passed in."""

from __future__ import annotations

import logging
import sys
from typing import Any

import swagger_ui_bundle  # type: ignore[import-untyped]
from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar, Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.logging.config import LoggingConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Logger, Scope
from sqlalchemy.exc import IntegrityError

from climate import errors
from climate.controllers import admin_api, api, exports, survey
from climate.controllers.health import healthz
from climate.controllers.help import ROUTE_HANDLERS as HELP_ROUTES
from climate.controllers.reports import reports_router
from climate.controllers.staff import staff_router
from climate.controllers.staff.errors import http_error as staff_error
from climate.controllers.staffing import staffing_router
from climate.db import counters_path, dispose, open_engine
from climate.help.config import HelpConfigError
from climate.help.duty import Duty
from climate.i18n import Catalogs
from climate.pages import STATE_KEY, STATIC_DIR, STATIC_PATH, Pages, error_gettext, pages_of
from climate.reports import next_steps
from climate.rosters.parsing import RosterError
from climate.security.csrf import SessionCSRF
from climate.security.guards import authorizer, current_principal, openapi_components
from climate.security.headers import security_headers
from climate.security.ratelimit import Store
from climate.settings import PROJECT_ROOT, Settings, SettingsError
from climate.staffing.plan import district_policy
from climate.students.access import Directory
from climate.students.sealing import Sealer
from climate.students.services import Services
from climate.students.submissions import Writer

TEMPLATES = PROJECT_ROOT / "climate" / "templates"
API_DOCS_ASSETS = "/schema/assets"


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the web application for ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings.from_env()
    try:
        # A district policy that cannot be read stops the service now, not a page later.
        district_policy(settings)
    except (ValueError, TypeError) as error:
        # load_policy names the file and the field itself.
        raise SettingsError(f"CLIMATE_STAFFING_POLICY {error}") from None
    if settings.next_steps is not None:
        try:
            next_steps.load(settings.next_steps)
        except next_steps.NextStepsError as error:
            raise SettingsError(f"CLIMATE_NEXT_STEPS {error}") from None
    engine = open_engine(settings.database_url, settings.replica_url, settings.replica_wait)
    try:
        duty = Duty.of(engine, settings)
    except HelpConfigError as error:
        raise SettingsError(f"CLIMATE_HELP_REQUESTS {error}") from None
    database = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        create_all=False,
        # Handlers take the engine as ``engine`` and a session as ``db_session``.
        engine_dependency_key="engine",
    )
    # Rate-limit counters are written on many page views. On SQLite they have a file of their
    # own (so they never wait for the answers' writes) that does not wait for the disk (a power
    # cut only restarts their windows); PostgreSQL keeps them in an unlogged table.
    beside = counters_path(settings.database_url)
    if beside is None:
        store = Store.of(engine, settings.effective_secret)
    else:
        store = Store.beside(beside, settings.effective_secret)
    catalogs = Catalogs()
    services = Services(
        settings=settings,
        catalogs=catalogs,
        directory=Directory(engine),
        writer=Writer(engine, Sealer.of(settings.effective_secret)),
        counters=store,
    )
    # The app's per-process parts; each reaches handlers as the dependency of the same name.
    state = State(
        {
            "settings": settings,
            "catalogs": catalogs,
            "services": services,
            "duty": duty,
            STATE_KEY: Pages(settings, catalogs),
        }
    )

    async def dispose_engine() -> None:
        await dispose(engine)
        await store.close()

    return Litestar(
        route_handlers=[
            healthz,
            api.get_survey,
            api.post_response,
            survey.landing,
            survey.enter,
            survey.enter_page,
            survey.link,
            survey.notice,
            survey.survey_page,
            survey.submit_form,
            survey.decline,
            survey.declined,
            survey.thanks,
            *HELP_ROUTES,
            staff_router(),
            reports_router(),
            staffing_router(),
            *admin_api.ROUTE_HANDLERS,
            *exports.ROUTE_HANDLERS,
            create_static_files_router(
                path=STATIC_PATH,
                directories=[STATIC_DIR],
                # URLs carry a content hash, so a year of caching is safe.
                cache_control=CacheControlHeader(max_age=31_536_000, public=True),
                guards=[_file_path],
                opt=survey.STUDENT,
            ),
            create_static_files_router(
                path=API_DOCS_ASSETS,
                directories=[swagger_ui_bundle.swagger_ui_path],
                cache_control=CacheControlHeader(max_age=86_400, public=True),
                guards=[_file_path],
                include_in_schema=False,
            ),
        ],
        on_startup=[services.writer.start, store.prepare, duty.start],
        on_shutdown=[services.writer.stop, duty.stop, dispose_engine],
        template_config=TemplateConfig(
            directory=TEMPLATES,
            engine=JinjaTemplateEngine,
            engine_callback=_install_i18n,
        ),
        dependencies={
            "principal": Provide(current_principal, sync_to_thread=False),
            **{key: _provide(key) for key in state},
        },
        guards=[authorizer(engine)],
        middleware=[SessionCSRF(settings)],
        before_send=[security_headers(settings)],
        exception_handlers=errors.handlers(
            html=_error_page, translator=error_gettext, staff=staff_error
        ),
        plugins=[SQLAlchemyPlugin(config=database)],
        openapi_config=OpenAPIConfig(
            title="climate",
            version="1",
            description="Anonymous school climate surveys: the JSON API.",
            path="/schema",
            # The viewer's assets are served from the installed swagger-ui-bundle, never a CDN.
            render_plugins=[
                SwaggerRenderPlugin(
                    js_url=f"{API_DOCS_ASSETS}/swagger-ui-bundle.js",
                    css_url=f"{API_DOCS_ASSETS}/swagger-ui.css",
                    standalone_preset_js_url=f"{API_DOCS_ASSETS}/swagger-ui-standalone-preset.js",
                )
            ],
            components=openapi_components(),
        ),
        logging_config=_logging(settings),
        state=state,
        debug=settings.debug,
    )


def _provide(key: str) -> Provide:
    """The dependency ``key``: the object of that name in the app's state."""

    def provide(state: State) -> Any:
        return state[key]

    return Provide(provide, sync_to_thread=False)


def _file_path(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    # The file system refuses a NUL byte with a ValueError, which would answer 500.
    if "\x00" in connection.scope["path"]:
        raise NotFoundException()


def _install_i18n(engine: JinjaTemplateEngine) -> None:
    # Each page passes its own gettext callables in its context, in the student's language.
    engine.engine.add_extension("jinja2.ext.i18n")
    engine.engine.newstyle_gettext = True  # type: ignore[attr-defined]


# Libraries that print statements with their parameters, form fields or client addresses
# below WARNING (SQLAlchemy's echo, aiosqlite, the multipart parser, uvicorn, asyncio).
QUIET_LIBRARIES = ("sqlalchemy", "aiosqlite", "asyncpg", "multipart", "uvicorn", "asyncio")


def _logging(settings: Settings) -> LoggingConfig:
    """Logs that never carry student data, at any level.

    ``CLIMATE_LOG_LEVEL`` sets the level of the service's own loggers (``climate.*``, which
    log types and counts, never values). Libraries log warnings and errors only, whatever
    the level: at DEBUG they would print SQL parameters (tickets, receipts, answers), form
    fields and addresses.
    """
    floor = max(logging.getLevelNamesMapping().get(settings.log_level, 0), logging.WARNING)
    return LoggingConfig(
        root={"level": logging.getLevelName(floor), "handlers": ["queue_listener"]},
        loggers={
            "climate": {"level": settings.log_level},
            **{name: {"level": logging.WARNING} for name in QUIET_LIBRARIES},
            # Access logs would carry codes in URLs; the service logs no requests.
            "uvicorn.access": {"level": logging.WARNING, "propagate": False},
        },
        log_exceptions="always",
        # Client errors are answers, not faults; logging them would record codes in paths.
        # A refused roster (422) or a conflicting one (409) is raised by its own type.
        disable_stack_trace={
            400,
            401,
            403,
            404,
            405,
            409,
            410,
            413,
            415,
            422,
            429,
            503,
            RosterError,
            IntegrityError,
        },
        exception_logging_handler=_log_fault,
    )


def _error_page(request: Request[Any, Any, Any], exc: errors.ClimateError) -> Response[Any]:
    # Staff pages say it in their own layout; every other page is a student's.
    if request.url.path.startswith("/staff/") and isinstance(exc, errors.Unavailable):
        return pages_of(request).render(
            request,
            "staff/error.html",
            status_code=exc.status_code,
            headers=errors.headers_of(exc),
            status=exc.status_code,
        )
    return survey.error_page(request, exc)


def _log_fault(logger: Logger, _scope: Scope, lines: list[str]) -> None:
    # No path (it may hold an access code) and no message (SQL errors quote parameters):
    # where it failed and the exception's type are enough to find the fault.
    raised = sys.exc_info()[1]
    if raised is not None and errors.is_outage(raised):
        # Not a fault of the service: answered 503, and one line is enough to see it.
        logger.warning("Database unreachable (%s): answered 503", type(raised).__name__)
        return
    frames, last = lines[:-1], lines[-1] if lines else ""
    kind = last.split(":", 1)[0].strip()
    logger.error("Uncaught exception %s\n%s", kind, "".join(frames))
