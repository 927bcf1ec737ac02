"""``climate seed``: fill the configured database with a deterministic demo district."""

from __future__ import annotations

import argparse
import asyncio

from climate import db
from climate.commands import Subparsers
from climate.demo import district as demo
from climate.settings import Settings


def register(subparsers: Subparsers) -> None:
    """Add the ``seed`` command."""
    parser = subparsers.add_parser(
        "seed", help="seed a demo district (schools, rosters, responses)"
    )
    parser.add_argument("--schools", type=int, default=8, help="number of schools (default 8)")
    parser.add_argument(
        "--years", type=int, default=4, help="school years of responses (default 4)"
    )
    parser.add_argument(
        "--students-per-school", type=int, default=120, help="respondents per school-year (mean)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
    parser.add_argument("--replace", action="store_true", help="remove an existing district first")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Migrate, then seed (refusing to seed twice unless --replace)."""
    if args.schools < 1 or args.years < 1 or args.students_per_school < 1:
        print("climate seed: --schools, --years and --students-per-school must be at least 1")
        return 2
    settings = Settings.from_env()
    db.upgrade(settings.database_url)
    summary = asyncio.run(_seed(settings, args))
    if summary is None:
        print("the database already holds a district; use --replace to seed a new one")
        return 1
    rate = summary.responses / summary.seconds if summary.seconds else 0.0
    print(
        f"seeded {summary.schools} schools, years {summary.years[0]}-{summary.years[-1]}, "
        f"{summary.responses:,} responses in {summary.seconds:.1f} s ({rate:,.0f} responses/s)"
    )
    return 0


async def _seed(settings: Settings, args: argparse.Namespace) -> demo.SeedSummary | None:
    engine = db.create_engine(settings.database_url)
    try:
        if not await demo.is_empty(engine):
            if not args.replace:
                return None
            await demo.clear(engine)
        return await demo.seed_district(
            engine,
            settings,
            school_count=args.schools,
            years=args.years,
            students_per_school=args.students_per_school,
            seed_value=args.seed,
        )
    finally:
        await engine.dispose()
