"""``climate roster``: import the rosters, or the CRDC school support file, all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from climate.commands import ACTOR, Subparsers, on_database
from climate.rosters.crdc import KEY, CrdcError, CrdcImport, import_crdc, parse_crdc
from climate.rosters.parsing import RosterError
from climate.rosters.store import import_files
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
    crdc = actions.add_parser(
        "import-crdc", help="import the CRDC school support file as a year's staffing baseline"
    )
    crdc.add_argument("file", type=Path)
    crdc.add_argument("--year", type=int, required=True, help="spring year: 2021 is 2020-21")
    crdc.set_defaults(func=run_import_crdc)


def run_import(args: argparse.Namespace) -> int:
    """Parse all three files, then write them in one transaction; any problem writes nothing."""
    for path in (args.schools, args.enrollment, args.staffing):
        if not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            return 2
    try:
        schools, enrollment, staffing = (
            path.read_bytes() for path in (args.schools, args.enrollment, args.staffing)
        )
    except OSError as error:
        print(f"{error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    names = (str(args.schools), str(args.enrollment), str(args.staffing))
    settings = Settings.from_env()
    try:
        # The page's and the API's rule: rows may name the schools already stored.
        summary = on_database(
            settings,
            lambda engine: import_files(
                engine, schools, enrollment, staffing, settings.district_name, ACTOR, names=names
            ),
        )
    except RosterError as error:
        print(error, file=sys.stderr)
        return 1
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


def run_import_crdc(args: argparse.Namespace) -> int:
    """Parse the whole file, then match and write it in one transaction; any problem: nothing."""
    if not 1900 < args.year <= 2200:
        print(f"--year: expected a spring year such as 2021, got {args.year}", file=sys.stderr)
        return 2
    try:
        rows = parse_crdc(args.file.read_bytes(), str(args.file))
    except RosterError as error:
        print(f"{error}\nnothing was imported", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"{args.file}: {error.strerror}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    try:
        result = on_database(
            settings, lambda engine: import_crdc(engine, rows, args.year, str(args.file), ACTOR)
        )
    except (CrdcError, IntegrityError) as error:
        print(f"{getattr(error, 'orig', None) or error}\nnothing was imported", file=sys.stderr)
        return 1
    for warning in _warnings(result, str(args.file)):
        print(f"warning: {warning}", file=sys.stderr)
    found = result.match
    print(
        f"imported {result.source} for {len(found.schools)} schools "
        f"(other districts' rows passed over: {found.others}); "
        f"{result.baseline} staffing values added as the plan's baseline, "
        f"{result.kept} kept from the district's own roster"
    )
    return 0


def _warnings(result: CrdcImport, name: str) -> list[str]:
    """Every figure left empty by a reserved code, and every id the two sides do not share."""
    found = result.match
    lines = [
        f"{code.file}:{code.line}: {code.column}: school {school}: {code.code} {code.meaning}; "
        "left empty"
        for school, row in found.schools.items()
        for code in row.reserved
    ]
    lines += [
        f"{name}:{row.line}: {KEY}: {row.nces_id} is in the district's LEA, "
        "but no school has this nces_id"
        for row in found.unknown
    ]
    if found.missing:
        lines.append(f"schools not in the file: {', '.join(found.missing)}")
    if found.unkeyed:
        lines.append(f"schools without an nces_id, not matched: {', '.join(found.unkeyed)}")
    return lines
