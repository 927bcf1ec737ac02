"""``climate administrations``, ``climate codes`` and ``climate tickets``: run survey windows."""

from __future__ import annotations

import argparse
import datetime as dt
import html
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from climate import administrations as admins
from climate.commands import ACTOR, Subparsers, on_database
from climate.i18n import Catalogs
from climate.models import ACCESS_MODES, CONSENT_MODES
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
    create.set_defaults(func=_create)
    actions.add_parser("list", help="list administrations").set_defaults(func=_list)
    for name, status in (("open", "open"), ("close", "closed")):
        action = actions.add_parser(name, help=f"mark an administration {status}")
        action.add_argument("id", type=int)
        action.add_argument("--reason", default="", help="why a published year must re-open")
        action.add_argument(
            "--accept-unreviewed",
            action="store_true",
            help="accept machine-draft wording of the sensitive module",
        )
        action.set_defaults(func=_status(status))

    issue = subparsers.add_parser("codes", help="issue class codes for an administration")
    issue.add_argument("--administration", type=int, required=True)
    issue.add_argument("--per-school", type=int, default=1, help="codes per school (default 1)")
    issue.set_defaults(func=_codes)

    tickets = subparsers.add_parser("tickets", help="print single-use ticket slips as HTML")
    tickets.add_argument("--administration", type=int, required=True)
    tickets.add_argument("--count", type=int, required=True, help="tickets per school")
    tickets.add_argument("--school", help="only this school id")
    tickets.set_defaults(func=_tickets)


def _refused(problem: Exception) -> int:
    print(f"climate: {problem}", file=sys.stderr)
    return 2


def _grades(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        if "-" in text:
            low, high = (int(part) for part in text.split("-", 1))
            return tuple(range(low, high + 1))
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UsageError(f"--grades {text!r} must look like 6-12 or 6,7,8") from None


def _locales(text: str | None, settings: Settings) -> tuple[str, ...] | None:
    if not text:
        return None
    locales = tuple(p.strip() for p in text.split(",") if p.strip())
    refused = [code for code in locales if code not in settings.accepted_locales]
    if refused or not locales:
        # Said here as well as by the domain, to name the setting that decides.
        raise UsageError(
            f"locales {', '.join(refused) or '(none)'} are not accepted by the district "
            f"(CLIMATE_ACCEPTED_LOCALES: {', '.join(settings.accepted_locales)})"
        )
    return locales


def _new(args: argparse.Namespace, settings: Settings) -> admins.NewAdministration:
    if args.opens > args.closes:
        raise UsageError("--opens must not be after --closes")
    schools = None
    if args.schools != "all":
        schools = tuple(p.strip() for p in args.schools.split(",") if p.strip())
    return admins.NewAdministration(
        instrument=args.instrument,
        name=args.name or None,
        school_year=args.school_year,
        term=args.term,
        grades=_grades(args.grades),
        locales=_locales(args.locales, settings),
        opens_on=args.opens,
        closes_on=args.closes,
        access_mode=args.access,
        sensitive_module=args.sensitive,
        consent_mode=args.consent,
        schools=schools,
    )


def _create(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        new = _new(args, settings)
        created = on_database(
            settings, lambda engine: admins.add_administration(engine, settings, ACTOR, new)
        )
    except (UsageError, admins.AdministrationError) as problem:
        return _refused(problem)
    except SQLAlchemyError as error:
        # Nothing was created: the transaction did not commit. The type only; the message
        # would quote the statement's values.
        print(
            f"climate: the administration was not created: the database refused the change "
            f"({type(error).__name__})",
            file=sys.stderr,
        )
        return 1
    # Said only now that the administration is committed.
    drafts = Catalogs().status()
    unreviewed = [
        c for c in created.locales if drafts.get(c) and drafts[c].instruments == "machine-draft"
    ]
    print(f"created administration {created.id} (draft): {created.name}")
    if unreviewed:
        print(f"note: the instrument wording in {', '.join(unreviewed)} is a machine draft")
    return 0


def _list(_args: argparse.Namespace) -> int:
    rows = on_database(Settings.from_env(), admins.every_administration)
    print(f"{'id':>4}  {'status':<7} {'window':<23} {'access':<10} name")
    for a in rows:
        window = f"{a.opens_on} - {a.closes_on}"
        print(f"{a.id:>4}  {a.status:<7} {window:<23} {a.access_mode:<10} {a.name}")
    return 0


def _status(status: str) -> Callable[[argparse.Namespace], int]:
    def change(args: argparse.Namespace) -> int:
        settings = Settings.from_env()
        try:
            changed = on_database(
                settings,
                lambda engine: admins.change_status(
                    engine,
                    settings,
                    ACTOR,
                    args.id,
                    status,
                    reason=args.reason,
                    accept_unreviewed=args.accept_unreviewed,
                ),
            )
        except admins.AdministrationError as problem:
            # Not a usage error: the district has something to set up first (exit 1, not 2).
            print(f"climate: {problem}", file=sys.stderr)
            return 1
        if not changed:
            return _refused(UsageError(f"no administration {args.id}"))
        print(f"administration {args.id} is {status}")
        return 0

    return change


def _issue(
    settings: Settings, administration_id: int, kind: str, count: int, school: str | None
) -> list[admins.Issued]:
    return on_database(
        settings,
        lambda engine: admins.issue_for_schools(
            engine, ACTOR, administration_id, kind, count, school
        ),
    )


def _codes(args: argparse.Namespace) -> int:
    if args.per_school < 1:
        return _refused(UsageError("--per-school must be at least 1"))
    try:
        issued = _issue(Settings.from_env(), args.administration, "class", args.per_school, None)
    except admins.AdministrationError as problem:
        return _refused(problem)
    for each in issued:
        print(f"{each.school_id}\t{codes.display(each.code)}")
    return 0


def _tickets(args: argparse.Namespace) -> int:
    if not 1 <= args.count <= 5000:
        return _refused(UsageError("--count must be between 1 and 5000"))
    settings = Settings.from_env()
    try:
        issued = _issue(settings, args.administration, "ticket", args.count, args.school)
    except admins.AdministrationError as problem:
        return _refused(problem)
    slips = [(each.school_name, each.code) for each in issued]
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
