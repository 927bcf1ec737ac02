"""The `climate surveys` command: check instrument files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from climate.instruments import (
    SHIPPED_DIRECTORY,
    InstrumentError,
    check_files,
    instrument_files,
    load_instrument,
)

__all__ = ["check", "register"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `climate surveys check [PATH...]`."""
    surveys = subparsers.add_parser("surveys", help="work with survey instrument files")
    surveys.set_defaults(func=lambda _args: _usage(surveys))
    actions = surveys.add_subparsers(title="actions", metavar="ACTION")
    checker = actions.add_parser(
        "check",
        help="validate instrument files",
        description="Validate instrument files (a directory stands for its *.toml files). "
        "Without paths, check the instruments shipped in surveys/.",
    )
    checker.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    checker.set_defaults(func=check)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def check(args: argparse.Namespace) -> int:
    """Print `ok:` per valid file and one line per problem; return 1 if any file has one."""
    paths: list[Path] = list(args.paths) or [SHIPPED_DIRECTORY]
    files: list[Path] = []
    for path in paths:
        files += instrument_files(path) if path.is_dir() else [path]
    if not files:
        print(f"no instrument files in {', '.join(str(path) for path in paths)}")
        return 1
    problems = check_files(files)
    bad = {problem.file for problem in problems}
    for file in dict.fromkeys(files):
        if str(file) in bad:
            continue
        try:
            loaded = load_instrument(file)
        except InstrumentError:  # pragma: no cover - check_files already reported it
            continue
        instrument = loaded.instrument
        print(
            f"ok: {file} ({instrument.id} {instrument.version}, "
            f"{len(instrument.items)} items, {len(instrument.scales)} scales)"
        )
    for problem in problems:
        print(problem)
    return 1 if problems else 0
