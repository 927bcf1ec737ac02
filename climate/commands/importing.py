"""``climate import responses``: earlier years or paper surveys from CSV, all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from climate.commands import Subparsers, on_database
from climate.instruments import InstrumentError, load_directory
from climate.responses.history import HistoryError, import_responses
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
    try:
        loaded = load_directory(settings.surveys_dir).get(args.survey)
        data, name = args.file.read_bytes(), str(args.file)
    except InstrumentError as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:
        print(f"{args.file}: {error.strerror}", file=sys.stderr)
        return 2
    if loaded is None:
        print(f"climate import: no survey {args.survey!r}", file=sys.stderr)
        return 2
    try:
        count = on_database(
            settings, lambda engine: import_responses(engine, loaded, args.year, data, name=name)
        )
    except HistoryError as error:
        print(error, file=sys.stderr)
        print("nothing was imported", file=sys.stderr)
        return 1
    print(f"imported {count} responses into {args.survey} {args.year}")
    return 0
