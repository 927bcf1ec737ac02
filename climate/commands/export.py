"""``climate export``: a year's protected results as tidy CSV, XLSX or JSON, audited."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.disclosure import Policy
from climate import db
from climate.commands import Subparsers
from climate.exports import FORMATS, select_rows, write_csv, write_json, write_xlsx
from climate.models import District
from climate.release.gather import sources
from climate.release.pipeline import ReleaseError, year_releases
from climate.security.audit import EXPORTED, record
from climate.settings import Settings

ACTOR = "cli"


def register(subparsers: Subparsers) -> None:
    """Add the ``export`` command."""
    parser = subparsers.add_parser(
        "export", help="export a year's protected results (csv, xlsx or json)"
    )
    parser.add_argument("--year", type=int, required=True, help="school year (spring year)")
    parser.add_argument("--school", help="one school's results and the district's")
    parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
    parser.add_argument("--out", type=Path, required=True, metavar="PATH")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Protect (or read the cached) releases of the year, write the file, record the export."""
    if not args.out.parent.is_dir():
        print(f"climate export: {args.out.parent}: no such directory", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_export(Settings.from_env(), args))
    except ReleaseError as error:
        print(f"climate export: {error}", file=sys.stderr)
        return 1


async def district_name(engine: AsyncEngine, settings: Settings) -> str:
    """The district's name as stored, or as configured when none is stored."""
    async with engine.connect() as conn:
        name = await conn.scalar(select(District.name).order_by(District.id).limit(1))
    return str(name) if name else settings.district_name


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    engine = db.create_engine(settings.database_url)
    try:
        name = await district_name(engine, settings)
        releases = await year_releases(
            engine, args.year, district_name=name, policy=Policy(k=settings.suppression_k)
        )
        if not releases:
            print(f"climate export: no closed administration in {args.year}", file=sys.stderr)
            return 1
        if args.school is not None and not any(args.school in r.schools for r in releases):
            print(
                f"climate export: school {args.school!r} took no survey in {args.year}",
                file=sys.stderr,
            )
            return 2
        async with engine.connect() as conn:
            instruments = [s.instrument for s in await sources(conn, args.year)]
        now = dt.datetime.now(dt.UTC)
        rows = select_rows(releases, args.school)
        if args.fmt == "csv":
            with args.out.open("w", encoding="utf-8", newline="") as handle:
                count = write_csv(rows, handle)
        elif args.fmt == "xlsx":
            count = write_xlsx(
                rows,
                args.out,
                releases=releases,
                instruments=instruments,
                generated_at=now,
                school=args.school,
            )
        else:
            count = write_json(
                rows, args.out, releases=releases, generated_at=now, school=args.school
            )
        async with engine.begin() as conn:
            await record(
                conn,
                ACTOR,
                EXPORTED,
                f"{args.year}.{args.fmt}",
                school_id=args.school,
                detail={"releases": ",".join(r.release_id for r in releases), "rows": count},
            )
    finally:
        await engine.dispose()
    print(f"wrote {count} statistics to {args.out}")
    return 0
