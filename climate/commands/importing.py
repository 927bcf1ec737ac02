"""``climate import responses``: earlier years or paper surveys from CSV, all or nothing."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from climate import db
from climate.commands import Subparsers
from climate.instruments import LoadedInstrument, load_directory
from climate.responses.history import HistoryError, known_schools, parse_responses, store_responses
from climate.settings import Settings


def register(subparsers: Subparsers) -> None:
    """Add the ``import`` command group."""
    parser = subparsers.add_parser("import", help="import historical or paper responses")
    actions = parser.add_subparsers(dest="import_command", metavar="WHAT", required=True)
    responses = actions.add_parser("responses", help="responses of one survey and year from CSV")
    responses.add_argument("--survey", required=True, help="instrument id, such as secondary")
    responses.add_argument("--year", type=int, required=True, help="school year (spring year)")
    responses.add_argument("file", type=Path, metavar="FILE.csv")
    responses.set_defaults(func=run_responses)


def run_responses(args: argparse.Namespace) -> int:
    """Check every row, then store them all in one transaction; any problem stores nothing."""
    if not args.file.is_file():
        print(f"{args.file}: no such file", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    loaded = load_directory(settings.surveys_dir).get(args.survey)
    if loaded is None:
        print(f"climate import: no survey {args.survey!r}", file=sys.stderr)
        return 2
    try:
        count = asyncio.run(_import(settings, args, loaded))
    except HistoryError as error:
        print(error, file=sys.stderr)
        print("nothing was imported", file=sys.stderr)
        return 1
    print(f"imported {count} responses into {args.survey} {args.year}")
    return 0


async def _import(settings: Settings, args: argparse.Namespace, loaded: LoadedInstrument) -> int:
    engine = db.create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            schools = await known_schools(conn)
        parsed = parse_responses(
            args.file.read_bytes(), loaded.instrument, schools, name=str(args.file)
        )
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            await store_responses(session, loaded, args.year, parsed)
    finally:
        await engine.dispose()
    return len(parsed.schools)
