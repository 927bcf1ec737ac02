"""``climate roster import``: schools, enrollment and staffing from CSV, all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from climate.commands import ACTOR, Subparsers, on_database
from climate.rosters.parsing import RosterError, read_rosters
from climate.rosters.store import import_rosters
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
    except OSError as error:
        print(f"{error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    try:
        summary = on_database(
            settings,
            lambda engine: import_rosters(engine, rosters, settings.district_name, ACTOR),
        )
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
