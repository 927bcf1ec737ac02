"""``climate roster import``: schools, enrollment and staffing from CSV, all or nothing."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from climate import db
from climate.commands import Subparsers
from climate.rosters.parsing import RosterError, Rosters, read_rosters
from climate.rosters.store import ImportSummary, store_rosters
from climate.settings import Settings


def register(subparsers: Subparsers) -> None:
    """Add the ``roster`` command group."""
    parser = subparsers.add_parser("roster", help="school, enrollment and staffing rosters")
    actions = parser.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    load = actions.add_parser("import", help="import schools.csv enrollment.csv staffing.csv")
    load.add_argument("schools", type=Path)
    load.add_argument("enrollment", type=Path)
    load.add_argument("staffing", type=Path)
    load.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    """Parse all three files, then write them in one transaction; any problem writes nothing."""
    for path in (args.schools, args.enrollment, args.staffing):
        if not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            return 2
    try:
        rosters = read_rosters(args.schools, args.enrollment, args.staffing)
    except RosterError as error:
        print(error, file=sys.stderr)
        return 1
    settings = Settings.from_env()
    try:
        summary = asyncio.run(_store(settings, rosters))
    except IntegrityError as error:
        print(
            f"the rosters conflict with the database; nothing was imported: {error.orig}",
            file=sys.stderr,
        )
        return 1
    print(
        f"imported {summary.schools} schools, {summary.enrollment} enrollment rows "
        f"and {summary.staffing} staffing rows"
    )
    return 0


async def _store(settings: Settings, rosters: Rosters) -> ImportSummary:
    engine = db.create_engine(settings.database_url)
    try:
        async with engine.begin() as conn:
            return await store_rosters(conn, rosters, settings.district_name)
    finally:
        await engine.dispose()
