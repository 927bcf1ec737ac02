"""Seeding benchmark: 200 schools x 5 years x 1,000 students (1,000,000 responses) on SQLite.

Goal: under 120 s on a 2-core machine. The baseline, measured in the same run on a sample,
is the plain SQLAlchemy Core path (executemany of one dict per response), which is what a
straightforward implementation would do; the ratio compares responses per second.

    .venv/bin/python bench/bench_seed.py [--schools 200 --years 5 --students 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate import db
from climate.demo import district as demo
from climate.demo import generator as seed
from climate.instruments import load_directory
from climate.models import Administration, School, response
from climate.responses.layout import Layout
from climate.settings import Settings


async def baseline_rate(url: str, settings: Settings, rows: int) -> float:
    """Responses per second through Core executemany with dicts (the naive bulk path)."""
    engine = db.create_engine(url)
    instrument = load_directory(settings.surveys_dir)["secondary"].instrument
    layout = Layout.of(instrument)
    rng = np.random.default_rng(1)
    school = seed.schools(3, rng)[0]
    batch = seed.answers(instrument, school, 0, rows, True, rng)
    try:
        async with engine.begin() as conn:
            admin_id = await conn.scalar(select(Administration.id).limit(1))
            school_id = await conn.scalar(select(School.id).limit(1))
            # main() seeded the district first, so both are there.
            assert admin_id is not None
            assert school_id is not None
            opens_on = seed.school_year_dates(2020)[0]
            records = demo.rows_for(batch, instrument, layout, admin_id, opens_on, school_id, rng)
            columns = demo.response_columns(layout)
            started = time.perf_counter()
            await conn.execute(
                insert(response), [dict(zip(columns, r, strict=True)) for r in records]
            )
            return rows / (time.perf_counter() - started)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--students", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(database_url=url, mode="debug")
        db.upgrade(url)
        engine = db.create_engine(url)
        started = time.perf_counter()
        summary = asyncio.run(_seed(engine, settings, args))
        seconds = time.perf_counter() - started
        rate = summary.responses / seconds
        base = asyncio.run(baseline_rate(url, settings, 20_000))
        size = (Path(tmp) / "bench.db").stat().st_size / 2**20
    print(f"schools x years x students: {args.schools} x {args.years} x {args.students}")
    print(f"responses seeded:           {summary.responses:,}")
    print(f"wall time:                  {seconds:.1f} s (goal: under 120 s)")
    print(f"responses per second:       {rate:,.0f}")
    print(f"baseline (Core dicts):      {base:,.0f} responses/s on a 20,000-row sample")
    print(f"ratio to baseline:          {rate / base:.2f}x")
    print(f"database size:              {size:,.0f} MiB")


async def _seed(
    engine: AsyncEngine, settings: Settings, args: argparse.Namespace
) -> demo.SeedSummary:
    try:
        return await demo.seed_district(
            engine,
            settings,
            school_count=args.schools,
            years=args.years,
            students_per_school=args.students,
            seed_value=7,
        )
    finally:
        await engine.dispose()


if __name__ == "__main__":
    main()
