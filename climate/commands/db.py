"""``climate db upgrade`` and ``climate db current``: the schema, by migrations only."""

from __future__ import annotations

import argparse

from climate import db
from climate.commands import Subparsers
from climate.settings import Settings


def register(subparsers: Subparsers) -> None:
    """Add the ``db`` command group."""
    parser = subparsers.add_parser("db", help="database schema migrations")
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = actions.add_parser(
        "upgrade", help="apply migrations up to the newest (or --revision)"
    )
    upgrade.add_argument("--revision", default="head")
    upgrade.set_defaults(func=run_upgrade)
    current = actions.add_parser("current", help="print the schema revision of the database")
    current.set_defaults(func=run_current)


def run_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations to the configured database."""
    settings = Settings.from_env()
    db.upgrade(settings.database_url, args.revision)
    print(f"schema at {db.current_revision(settings.database_url)}")
    return 0


def run_current(args: argparse.Namespace) -> int:
    """Print the current schema revision."""
    print(db.current_revision(Settings.from_env().database_url) or "(no schema)")
    return 0
