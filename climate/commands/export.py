"""``climate export``: protected results as tidy CSV, XLSX or JSON, audited.

One school year (``--year``) or several (``--years``: a trend file), every indicator or the
scales only, labelled in one of the district's languages.
"""

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
from climate.exports.selection import INDICATORS, SelectionError, Years
from climate.i18n import Catalogs
from climate.reports.reading import export_reading
from climate.settings import Settings


def register(subparsers: Subparsers) -> None:
    """Add the ``export`` command."""
    parser = subparsers.add_parser("export", help="export protected results (csv, xlsx or json)")
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--year", type=int, help="school year (spring year)")
    when.add_argument(
        "--years",
        metavar="all|Y|Y1-Y2",
        help="every closed year in a range, in one file (a trend file): all, 2026 or 2024-2026",
    )
    parser.add_argument("--school", help="one school's results and the district's")
    parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
    parser.add_argument(
        "--indicators",
        choices=INDICATORS,
        default="all",
        help="every indicator (default), or the scales only (no item answers)",
    )
    parser.add_argument("--lang", default="en", help="language of labels (default en)")
    parser.add_argument("--out", type=Path, required=True, metavar="PATH")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Protect (or read the cached) releases of the years, write the file, record the export."""
    if not args.out.parent.is_dir():
        print(f"climate export: {args.out.parent}: no such directory", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    if args.lang not in settings.accepted_locales:
        accepted = ", ".join(settings.accepted_locales)
        print(f"climate export: --lang {args.lang!r} is not one of {accepted}", file=sys.stderr)
        return 2
    try:
        years = Years.parse(args.years) if args.years is not None else None
    except SelectionError as error:
        print(f"climate export: --{error}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_export(settings, args, years))
    except ReleaseError as error:
        print(f"climate export: {error}", file=sys.stderr)
        return 1


async def _export(settings: Settings, args: argparse.Namespace, years: Years | None) -> int:
    engine = db.open_engine(settings.database_url, settings.replica_url, settings.replica_wait)
    try:
        result = await export_year(
            engine,
            settings,
            year=args.year,
            years=years,
            fmt=args.fmt,
            out=args.out,
            actor=ACTOR,
            school=args.school,
            indicators=args.indicators,
            reading=export_reading(Catalogs(), args.lang),
        )
    except ExportError as error:
        print(f"climate export: {error}", file=sys.stderr)
        return 2 if args.school is not None and "took no survey" in str(error) else 1
    finally:
        await db.dispose(engine)
    print(f"wrote {result.statistics} statistics to {args.out}")
    return 0
