"""The ``climate`` command. Each module in ``climate.commands`` registers its subcommands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from climate import commands
from climate.settings import SettingsError


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every command module registered in name order."""
    parser = argparse.ArgumentParser(
        prog="climate",
        description="School climate surveys: run the service, manage data, protect and export.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except SettingsError as error:
        # A bad CLIMATE_* variable is the caller's to fix: say which, without a traceback.
        print(f"climate: {error}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
