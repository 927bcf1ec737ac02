"""``climate export``: a year's protected results as tidy CSV, XLSX or JSON, audited."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from climate import db
from climate.commands import ACTOR, Subparsers
from climate.errors import ReleaseError
from climate.exports import FORMATS
from climate.exports.files import ExportError, export_year
from climate.settings import Settings


def register(subparsers: Subparsers) -> None:
    """Add the ``export`` command."""
    parser = subparsers.add_parser(
        "export", help="export a year's protected results (csv, xlsx or json)"
    )
    parser.add_argument("--year", type=int, required=True, help="school year (spring year)")
    parser.add_argument("--school", help="one school's results and the district's")
    parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
    parser.add_argument("--out", type=Path, required=True, metavar="PATH")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Protect (or read the cached) releases of the year, write the file, record the export."""
    if not args.out.parent.is_dir():
        print(f"climate export: {args.out.parent}: no such directory", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_export(Settings.from_env(), args))
    except ReleaseError as error:
        print(f"climate export: {error}", file=sys.stderr)
        return 1


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    engine = db.create_engine(settings.database_url)
    try:
        result = await export_year(
            engine,
            settings,
            year=args.year,
            fmt=args.fmt,
            out=args.out,
            actor=ACTOR,
            school=args.school,
        )
    except ExportError as error:
        print(f"climate export: {error}", file=sys.stderr)
        return 2 if args.school is not None and "took no survey" in str(error) else 1
    finally:
        await engine.dispose()
    print(f"wrote {result.statistics} statistics to {args.out}")
    return 0
