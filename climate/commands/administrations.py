"""``climate administrations``, ``climate codes`` and ``climate tickets``: run survey windows."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import html
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from climate import db
from climate.commands import Subparsers
from climate.i18n import Catalogs
from climate.instruments import InstrumentError, load_directory
from climate.instruments.registry import register as register_version
from climate.models import (
    ACCESS_MODES,
    CONSENT_MODES,
    AccessCode,
    Administration,
    AdministrationSchool,
    School,
)
from climate.settings import Settings
from climate.students import codes


class UsageError(ValueError):
    """A command-line value that cannot be used."""


def register(subparsers: Subparsers) -> None:
    """Add ``administrations``, ``codes`` and ``tickets``."""
    parser = subparsers.add_parser("administrations", help="create, list, open and close surveys")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a survey window (as a draft)")
    create.add_argument("--instrument", required=True, help="instrument id, e.g. secondary")
    create.add_argument(
        "--school-year", type=int, required=True, help="spring year: 2027 = 2026-27"
    )
    create.add_argument("--schools", default="all", help="comma-separated school ids, or all")
    create.add_argument("--grades", help="e.g. 6-12 or 6,7,8 (default: the instrument's band)")
    create.add_argument("--opens", type=dt.date.fromisoformat, required=True, help="YYYY-MM-DD")
    create.add_argument("--closes", type=dt.date.fromisoformat, required=True, help="YYYY-MM-DD")
    create.add_argument("--locales", help="comma-separated (default: every accepted locale)")
    create.add_argument("--access", choices=ACCESS_MODES, default="class-code")
    create.add_argument("--sensitive", action="store_true", help="include the sensitive module")
    create.add_argument("--consent", choices=CONSENT_MODES, default="passive")
    create.add_argument("--term", default="spring", help="fall, spring, ... (default spring)")
    create.add_argument("--name", help="a name for staff (default: title and year)")
    create.set_defaults(func=_sync(_create))
    actions.add_parser("list", help="list administrations").set_defaults(func=_sync(_list))
    for name, status in (("open", "open"), ("close", "closed")):
        action = actions.add_parser(name, help=f"mark an administration {status}")
        action.add_argument("id", type=int)
        action.set_defaults(func=_sync(_status(status)))

    issue = subparsers.add_parser("codes", help="issue class codes for an administration")
    issue.add_argument("--administration", type=int, required=True)
    issue.add_argument("--per-school", type=int, default=1, help="codes per school (default 1)")
    issue.set_defaults(func=_sync(_codes))

    tickets = subparsers.add_parser("tickets", help="print single-use ticket slips as HTML")
    tickets.add_argument("--administration", type=int, required=True)
    tickets.add_argument("--count", type=int, required=True, help="tickets per school")
    tickets.add_argument("--school", help="only this school id")
    tickets.set_defaults(func=_sync(_tickets))


def _sync(
    work: Callable[[AsyncSession, Settings, argparse.Namespace], Awaitable[int]],
) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        settings = Settings.from_env()

        async def main() -> int:
            engine = db.create_engine(settings.database_url)
            try:
                async with AsyncSession(engine, expire_on_commit=False) as session:
                    result = await work(session, settings, args)
                    await session.commit()
                    return result
            finally:
                await engine.dispose()

        try:
            return asyncio.run(main())
        except UsageError as exc:
            print(f"climate: {exc}", file=sys.stderr)
            return 2

    return run


def _grades(text: str | None, band: list[int]) -> list[int]:
    if not text:
        return list(range(band[0], band[1] + 1))
    try:
        if "-" in text:
            low, high = (int(part) for part in text.split("-", 1))
            grades = list(range(low, high + 1))
        else:
            grades = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UsageError(f"--grades {text!r} must look like 6-12 or 6,7,8") from None
    outside = [g for g in grades if not band[0] <= g <= band[1]]
    if not grades or outside:
        raise UsageError(f"--grades must lie within the instrument's band {band[0]}-{band[1]}")
    return grades


async def _create(session: AsyncSession, settings: Settings, args: argparse.Namespace) -> int:
    try:
        loaded = load_directory(settings.surveys_dir)
    except InstrumentError as exc:
        raise UsageError(str(exc)) from None
    if args.instrument not in loaded:
        raise UsageError(f"no instrument {args.instrument!r}; have {', '.join(sorted(loaded))}")
    if args.opens > args.closes:
        raise UsageError("--opens must not be after --closes")
    locales = (
        [p.strip() for p in args.locales.split(",") if p.strip()]
        if args.locales
        else list(settings.accepted_locales)
    )
    refused = [code for code in locales if code not in settings.accepted_locales]
    if refused or not locales:
        raise UsageError(
            f"locales {', '.join(refused) or '(none)'} are not accepted by the district "
            f"(CLIMATE_ACCEPTED_LOCALES: {', '.join(settings.accepted_locales)})"
        )
    instrument = loaded[args.instrument].instrument
    grades = _grades(args.grades, instrument.grade_band)
    schools = await _schools(session, args.schools)
    version = await register_version(session, loaded[args.instrument])
    await session.flush()
    administration = Administration(
        instrument_version_id=version.id,
        name=args.name or f"{instrument.title} {args.school_year - 1}-{str(args.school_year)[-2:]}",
        school_year=args.school_year,
        term=args.term,
        grades=grades,
        locales=locales,
        opens_on=args.opens,
        closes_on=args.closes,
        access_mode=args.access,
        sensitive_module=args.sensitive,
        consent_mode=args.consent,
        status="draft",
        declines=0,
    )
    session.add(administration)
    await session.flush()
    session.add_all(
        AdministrationSchool(administration_id=administration.id, school_id=s) for s in schools
    )
    drafts = Catalogs().status()
    unreviewed = [c for c in locales if drafts.get(c) and drafts[c].instruments == "machine-draft"]
    print(f"created administration {administration.id} (draft): {administration.name}")
    if unreviewed:
        print(f"note: the instrument wording in {', '.join(unreviewed)} is a machine draft")
    return 0


async def _schools(session: AsyncSession, text: str) -> list[str]:
    known = list(await session.scalars(select(School.id).order_by(School.id)))
    if text == "all":
        if not known:
            raise UsageError("the database has no schools yet")
        return known
    wanted = [p.strip() for p in text.split(",") if p.strip()]
    missing = [s for s in wanted if s not in known]
    if missing or not wanted:
        raise UsageError(f"unknown schools: {', '.join(missing) or '(none)'}")
    return wanted


async def _list(session: AsyncSession, _settings: Settings, _args: argparse.Namespace) -> int:
    rows = await session.scalars(select(Administration).order_by(Administration.id))
    print(f"{'id':>4}  {'status':<7} {'window':<23} {'access':<10} name")
    for a in rows:
        window = f"{a.opens_on} - {a.closes_on}"
        print(f"{a.id:>4}  {a.status:<7} {window:<23} {a.access_mode:<10} {a.name}")
    return 0


def _status(
    status: str,
) -> Callable[[AsyncSession, Settings, argparse.Namespace], Awaitable[int]]:
    async def change(session: AsyncSession, _settings: Settings, args: argparse.Namespace) -> int:
        result = await session.execute(
            update(Administration).where(Administration.id == args.id).values(status=status)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise UsageError(f"no administration {args.id}")
        print(f"administration {args.id} is {status}")
        return 0

    return change


async def _members(session: AsyncSession, administration_id: int, kind: str) -> list[str]:
    administration = await session.get(Administration, administration_id)
    if administration is None:
        raise UsageError(f"no administration {administration_id}")
    expected = "class-code" if kind == "class" else "tickets"
    if administration.access_mode != expected:
        raise UsageError(
            f"administration {administration_id} uses {administration.access_mode}, not {expected}"
        )
    return list(
        await session.scalars(
            select(AdministrationSchool.school_id)
            .where(AdministrationSchool.administration_id == administration_id)
            .order_by(AdministrationSchool.school_id)
        )
    )


async def _issue(session: AsyncSession, administration_id: int, school: str, kind: str) -> str:
    code = codes.new_code()
    session.add(
        AccessCode(code=code, administration_id=administration_id, school_id=school, kind=kind)
    )
    return code


async def _codes(session: AsyncSession, _settings: Settings, args: argparse.Namespace) -> int:
    if args.per_school < 1:
        raise UsageError("--per-school must be at least 1")
    schools = await _members(session, args.administration, "class")
    for school in schools:
        for _ in range(args.per_school):
            code = await _issue(session, args.administration, school, "class")
            print(f"{school}\t{codes.display(code)}")
    return 0


async def _tickets(session: AsyncSession, settings: Settings, args: argparse.Namespace) -> int:
    if not 1 <= args.count <= 5000:
        raise UsageError("--count must be between 1 and 5000")
    schools = await _members(session, args.administration, "ticket")
    if args.school:
        if args.school not in schools:
            raise UsageError(f"school {args.school} does not take part in this administration")
        schools = [args.school]
    names = dict((await session.execute(select(School.id, School.name))).tuples().all())
    slips = []
    for school in schools:
        for _ in range(args.count):
            slips.append(
                (
                    names.get(school, school),
                    await _issue(session, args.administration, school, "ticket"),
                )
            )
    sys.stdout.write(ticket_sheet(settings.district_name, slips))
    return 0


def ticket_sheet(district: str, slips: list[tuple[str, str]]) -> str:
    """A printable HTML page of ticket slips, one code each, to cut apart."""
    cells: list[Any] = []
    for school, code in slips:
        cells.append(
            f'<div class="slip"><p class="school">{html.escape(school)}</p><p>Survey code:</p>'
            f'<p class="code">{html.escape(codes.display(code))}</p>'
            "<p>Go to the survey page and type this code. "
            "It works once. Do not write your name on this slip.</p></div>"
        )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Survey tickets · {html.escape(district)}</title><style>"
        "body{font-family:system-ui,sans-serif;margin:0}"
        ".sheet{display:grid;grid-template-columns:repeat(3,1fr)}"
        ".slip{border:1px dashed #555;padding:.6rem;break-inside:avoid}"
        ".code{font:700 1.5rem monospace;letter-spacing:.1em}.school{font-weight:600}"
        "@page{margin:1cm}</style></head><body>"
        f'<div class="sheet">{"".join(cells)}</div></body></html>\n'
    )
