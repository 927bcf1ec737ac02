"""``climate help``: check the district's help file, and run the help desk's rounds by hand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from climate.commands import ACTOR, Subparsers, on_database
from climate.help import config as help_config
from climate.help.config import HelpConfig, HelpConfigError
from climate.help.duty import Duty, now_utc
from climate.help.rounds import purge
from climate.settings import Settings

OFF = "help requests are off: CLIMATE_HELP_REQUESTS names no help file"


def register(subparsers: Subparsers) -> None:
    """Add ``help check``, ``help round`` and ``help purge``."""
    parser = subparsers.add_parser("help", help="students' help requests: check the file, rounds")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="check a help file and say what it means")
    check.add_argument(
        "file", nargs="?", type=Path, metavar="FILE", help="default: CLIMATE_HELP_REQUESTS"
    )
    check.set_defaults(func=_check)
    actions.add_parser(
        "round", help="escalate requests not read in time and purge old ones, once, now"
    ).set_defaults(func=_round)
    actions.add_parser(
        "purge", help="delete closed requests past the retention time, once, now"
    ).set_defaults(func=_purge)


def _check(args: argparse.Namespace) -> int:
    path: Path | None = args.file
    if path is None:
        path = Settings.from_env().help_requests
        if path is None:
            print(f"climate help check: {OFF}", file=sys.stderr)
            return 2
    try:
        config = help_config.load(path)
    except HelpConfigError as error:
        print(f"climate help check: {error}", file=sys.stderr)
        return 1
    print(f"{path}: help requests are on")
    print(describe(config))
    return 0


def describe(config: HelpConfig) -> str:
    """What a help file means, school by school, as ``climate help check`` prints it."""
    lines = [
        f"time zone: {config.timezone.key}",
        f"requests are read on school days (Monday to Friday) by {config.reading_time:%H:%M}",
        f"closed requests are kept {config.retention_days} days, then deleted",
        f"staff link in e-mails: {config.staff_url or '(none)'}",
        "every school not named below:",
        *_school(config, ""),
    ]
    for school in sorted(config.schools):
        lines += [f"school {school}:", *_school(config, school)]
    return "\n".join(lines)


def _school(config: HelpConfig, school: str) -> list[str]:
    def names(found: frozenset[str] | tuple[str, ...]) -> str:
        return ", ".join(sorted(found)) or "(no one)"

    readers = config.readers(school)
    return [
        f"  readers: {names(readers)}" + ("" if readers else " - takes no requests"),
        f"  reading time: {config.reading(school):%H:%M}",
        f"  told a request is waiting: {names(config.notify(school))}",
        f"  told a request was not read in time: {names(config.escalate(school))}",
    ]


def _duty(settings: Settings) -> int | None:
    """None when the help desk can work; else the exit code, after saying why not."""
    if settings.help_requests is None:
        print(f"climate help: {OFF}", file=sys.stderr)
        return 2
    try:
        help_config.load(settings.help_requests)
    except HelpConfigError as error:
        print(f"climate help: CLIMATE_HELP_REQUESTS {error}", file=sys.stderr)
        return 1
    return None


def _round(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    refused = _duty(settings)
    if refused is not None:
        return refused

    async def work(engine: AsyncEngine) -> tuple[int, int, bool]:
        duty = Duty.of(engine, settings)
        sent, purged = await duty.round(now_utc())
        return sent, purged, duty.mailer.configured

    sent, purged, mailing = on_database(settings, work)
    print(f"escalation e-mails sent: {sent}")
    if not mailing:
        print("(CLIMATE_SMTP_HOST is not set: no e-mail can be sent)")
    print(f"closed requests purged: {purged}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    refused = _duty(settings)
    if refused is not None:
        return refused

    async def work(engine: AsyncEngine) -> int:
        return await purge(engine, Duty.of(engine, settings).desk, now_utc(), actor=ACTOR)

    print(f"closed requests purged: {on_database(settings, work)}")
    return 0
