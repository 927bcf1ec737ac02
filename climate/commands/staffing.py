"""``climate staffing plan``: rosters plus need from the protected release, as three files."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from analysis.staffing import ROLES, Allocation, StaffingPolicy, allocate, load_policy
from climate import db
from climate.commands import Subparsers
from climate.errors import ReleaseError
from climate.exports.staffing import write_plan
from climate.settings import Settings, SettingsError
from climate.staffing import YearPlan, plan_for


def _pair(text: str) -> tuple[str, float]:
    role, sep, number = text.partition("=")
    if not sep or role not in ROLES:
        raise argparse.ArgumentTypeError(f"{text!r}: expected role=N with role one of {ROLES}")
    try:
        return role, float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: {number!r} is not a number") from None


def register(subparsers: Subparsers) -> None:
    """Add the ``staffing`` command group."""
    parser = subparsers.add_parser("staffing", help="counselor, psychologist, social worker plans")
    actions = parser.add_subparsers(dest="staffing_command", metavar="ACTION", required=True)
    plan = actions.add_parser("plan", help="write the staffing plan of a year as CSV, XLSX, JSON")
    plan.add_argument("--year", type=int, required=True)
    plan.add_argument("--out", type=Path, required=True, metavar="DIR")
    plan.add_argument(
        "--policy",
        type=Path,
        metavar="FILE",
        help="a what-if staffing policy, used instead of the district's "
        "(CLIMATE_STAFFING_POLICY, which the dashboard uses too)",
    )
    plan.add_argument("--extra-fte", type=_pair, action="append", default=[], metavar="ROLE=N")
    plan.add_argument("--budget", type=float)
    plan.add_argument("--salary", type=_pair, action="append", default=[], metavar="ROLE=S")
    plan.set_defaults(func=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    """Build the plan and write staffing_plan_<year>.csv, .xlsx and .json into DIR."""
    if args.budget is not None and args.extra_fte:
        print("climate staffing plan: give --extra-fte or --budget, not both", file=sys.stderr)
        return 2
    if args.salary and args.budget is None:
        print("climate staffing plan: --salary needs --budget", file=sys.stderr)
        return 2
    policy: StaffingPolicy | None = None
    if args.policy is not None:
        try:
            policy = load_policy(args.policy)
        except (OSError, ValueError, TypeError) as error:
            # load_policy names the file and the field: "FILE: roles.counselor.ratio: ...".
            print(f"climate staffing plan: {error}", file=sys.stderr)
            return 2
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"climate staffing plan: {error}", file=sys.stderr)
        return 2
    try:
        found = asyncio.run(_plan(settings, args.year, policy))
    except (ReleaseError, ValueError, TypeError) as error:
        print(f"climate staffing plan: {error}", file=sys.stderr)
        return 1
    if found is None:
        print(
            f"climate staffing plan: no enrollment or staffing roster for {args.year}",
            file=sys.stderr,
        )
        return 1
    plan, hidden = found.plan, found.hidden
    scenario: Allocation | None = None
    try:
        if args.extra_fte:
            scenario = allocate(plan, extra_fte=dict(args.extra_fte))
        elif args.budget is not None:
            scenario = allocate(plan, budget=args.budget, salaries=dict(args.salary))
    except ValueError as error:
        print(f"climate staffing plan: {error}", file=sys.stderr)
        return 2
    files = write_plan(plan, args.out, scenario=scenario, board=found.board)
    print(f"wrote {files.csv}, {files.xlsx} and {files.json}")
    total = found.board.total
    print(f"to add: {total.add_fte:g} FTE in steps of {found.board.step:g}", end="")
    print(f", costing {total.cost:,.0f} {found.board.currency}" if total.cost is not None else "")
    if not found.board.costed:
        print("costs: set the salary of every role in the staffing policy to cost the plan")
    if hidden:
        print(
            f"{len(hidden)} school(s) have a need estimate hidden to protect students' privacy "
            f"and are planned by ratio only: {', '.join(hidden)}"
        )
    return 0


async def _plan(settings: Settings, year: int, policy: StaffingPolicy | None) -> YearPlan | None:
    engine = db.open_engine(settings.database_url, settings.replica_url, settings.replica_wait)
    try:
        return await plan_for(engine, settings, year, policy=policy)
    finally:
        await db.dispose(engine)
