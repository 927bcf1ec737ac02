"""``climate locales status``: the review state of every language, from locales/status.toml."""

from __future__ import annotations

import argparse
from pathlib import Path

from climate.commands import Subparsers
from climate.i18n import LOCALES_DIR, Catalogs, LocaleStatus, language_name

HEADINGS = ("code", "language", "instruments", "interface", "reviewed by", "reviewed on")


def register(subparsers: Subparsers) -> None:
    """Add ``locales status``."""
    parser = subparsers.add_parser("locales", help="languages and their review state")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser(
        "status",
        help="print whether each language is a machine draft or reviewed, and by whom",
    )
    status.add_argument("--directory", type=Path, default=LOCALES_DIR, help=argparse.SUPPRESS)
    status.set_defaults(func=_status)


def rows(states: dict[str, LocaleStatus]) -> list[tuple[str, ...]]:
    """One row per locale, in the order status.toml lists them."""
    return [
        (
            code,
            language_name(code),
            state.instruments,
            state.interface,
            state.reviewed_by or "-",
            state.reviewed_on or "-",
        )
        for code, state in states.items()
    ]


def table(states: dict[str, LocaleStatus]) -> str:
    """The review states as aligned columns, headings first."""
    lines = [HEADINGS, *rows(states)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADINGS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _status(args: argparse.Namespace) -> int:
    states = Catalogs(directory=args.directory).status()
    if not states:
        print(f"climate: no review states in {args.directory / 'status.toml'}")
        return 1
    print(table(states))
    drafts = [code for code, state in states.items() if state.unreviewed]
    if drafts:
        print(f"\nmachine drafts, not reviewed by a translator: {', '.join(drafts)}")
    return 0
