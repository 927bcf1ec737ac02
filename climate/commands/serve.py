"""``climate serve`` and ``climate demo``: run the web service (the demo seeds first)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import multiprocessing
import os

import uvicorn
from litestar import Litestar

from climate import db
from climate.app import create_app
from climate.commands import Subparsers
from climate.demo import district as demo
from climate.demo.accounts import ensure_demo_accounts
from climate.demo.district import DEMO_HELP
from climate.reports import source
from climate.settings import Settings
from climate.students import codes


def register(subparsers: Subparsers) -> None:
    """Add the ``serve`` and ``demo`` commands."""
    for name, func, text in (
        ("serve", run_serve, "serve the application (run `climate db upgrade` first)"),
        ("demo", run_demo, "migrate, seed a small demo district if empty, then serve"),
    ):
        parser = subparsers.add_parser(name, help=text)
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        if name == "serve":
            parser.add_argument(
                "--workers",
                type=_workers,
                default=1,
                help="worker processes (default 1); limits and sessions live in the database",
            )
        parser.set_defaults(func=func)


def run_serve(args: argparse.Namespace) -> int:
    """Serve with uvicorn; the app keeps no state that workers must share."""
    settings = Settings.from_env()
    if args.workers == 1:
        _serve(settings, args.host, args.port)
        return 0
    # Each worker is a process of its own that builds its app from the same environment,
    # checked here first so that a bad setting stops the command, not every worker.
    create_app(settings)
    uvicorn.run(
        f"{__name__}:worker_app",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        access_log=False,
        log_level="warning",
    )
    return 0


def worker_app() -> Litestar:
    """The app of one worker process, with settings from the environment."""
    app = create_app(Settings.from_env())
    _freeze()
    return app


def _workers(text: str) -> int:
    count = int(text)
    if count < 1:
        raise argparse.ArgumentTypeError(f"needs at least one worker, not {count}")
    return count


def run_demo(args: argparse.Namespace) -> int:
    """Migrate and seed the configured database, print where to go, then serve."""
    settings = Settings.from_env(mode="demo") if _no_mode() else Settings.from_env()
    if settings.help_requests is None:
        # The demo shows help requests unless a help file of the district's own is named.
        settings = dataclasses.replace(settings, help_requests=DEMO_HELP)
    db.upgrade(settings.database_url)
    code = asyncio.run(_ensure_seeded(settings))
    base = f"http://{args.host}:{args.port}"
    print()
    print(f"  climate demo for {settings.district_name}")
    if code:
        shown = codes.display(code)
        print(f"  Student survey:  {base}/s/{shown}   (access code {shown})")
    print(f"  Ask for help:    {base}/help")
    print(f"  API docs:        {base}/schema")
    print(f"  Health check:    {base}/healthz")
    if settings.mode != "production":
        accounts = asyncio.run(_demo_accounts(settings))
        print(f"  Staff sign-in:   {base}/staff/sign-in")
        for email, role, password in accounts:
            print(f"    {role:<16} {email}  password: {password}")
    # Every closed year is protected once, on first view; for the demo that is every
    # year at once, minutes of CPU. Made beforehand in a process of its own, the pages
    # read them from the cache and the server stays responsive meanwhile.
    warm = multiprocessing.get_context("spawn").Process(
        target=_prepare_releases, args=(settings,), daemon=True
    )
    warm.start()
    print("  Preparing the published results in the background (a few minutes).")
    print()
    _serve(settings, args.host, args.port)
    return 0


def _prepare_releases(settings: Settings) -> None:
    """Protect every closed year's releases, as the report pages would on first view."""
    try:
        asyncio.run(_releases(settings))
    except Exception as error:  # a year that cannot be published says so on its page
        print(f"  Results not prepared: {error}")


async def _releases(settings: Settings) -> None:
    engine = db.open_engine(settings.database_url, settings.replica_url, settings.replica_wait)
    try:
        async with engine.connect() as conn:
            years = await source.closed_years(conn)
        await source.releases(engine, years, settings)
    finally:
        await db.dispose(engine)


def _no_mode() -> bool:
    return "CLIMATE_MODE" not in os.environ


async def _ensure_seeded(settings: Settings) -> str | None:
    engine = db.create_engine(settings.database_url)
    try:
        if await demo.is_empty(engine):
            summary = await demo.seed_district(engine, settings)
            print(f"  seeded {summary.schools} schools and {summary.responses:,} responses")
        return await demo.open_class_code(engine)
    finally:
        await engine.dispose()


async def _demo_accounts(settings: Settings) -> list[tuple[str, str, str]]:
    engine = db.create_engine(settings.database_url)
    try:
        return await ensure_demo_accounts(engine)
    finally:
        await engine.dispose()


def _serve(settings: Settings, host: str, port: int) -> None:
    app = create_app(settings)
    _freeze()
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")


def _freeze() -> None:
    # Catalogs, templates and parsed instruments live as long as the server: keeping them out
    # of the collector's generations shortens the pauses that set tail latency.
    gc.collect()
    gc.freeze()
