"""Benchmark: a full district release per year from a million responses in SQLite.

Seeds 200 schools x 5 years x 1,000 students (``climate.demo.district.seed_district``), then for
each closed year times the stages: cells from SQL, the disclosure release (protection and
audit), published statistics with intervals, and every export. Prints the time per stage,
peak memory, and the ratio of a whole release to the baseline measured in the same run:
one plain ``SELECT count(*)`` scan of the year's responses. Goal: under 60 s and 2 GB.

Run: .venv/bin/python bench/bench_release.py [--schools N] [--students N] [--years N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from analysis.disclosure import protect
from climate import db
from climate.demo.district import seed_district
from climate.exports import select_rows, write_csv, write_json, write_xlsx
from climate.models import response
from climate.release.catalogue import build_release, cell_data
from climate.release.gather import gather, sources
from climate.release.pipeline import release_policy
from climate.release.result import YearRelease
from climate.release.rows import published_rows
from climate.settings import Settings


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(schools: int, students: int, years: int, folder: Path) -> None:
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    settings = Settings(database_url=url, secret_key="b" * 40)
    engine = db.create_engine(url)
    started = time.perf_counter()
    summary = await seed_district(
        engine, settings, school_count=schools, years=years, students_per_school=students
    )
    print(f"seeded {summary.responses} responses in {time.perf_counter() - started:.1f} s")
    for year in summary.years[:-1]:
        async with engine.connect() as conn:
            t = time.perf_counter()
            await conn.scalar(select(func.count()).select_from(response))
            baseline = time.perf_counter() - t
            found = await sources(conn, year)
        total = 0.0
        for source in found:
            stages: dict[str, float] = {}
            t = time.perf_counter()
            async with engine.connect() as conn:
                gathered = await gather(conn, source)
            stages["cells (SQL)"] = time.perf_counter() - t
            t = time.perf_counter()
            data = cell_data(source.instrument, gathered.schools, gathered.cells)
            release = build_release(source.instrument, gathered.schools, data)
            policy = release_policy()
            protected = protect(release, policy, release_id=f"bench-{year}")
            stages["protection and audit"] = time.perf_counter() - t
            t = time.perf_counter()
            rows = published_rows(
                source.instrument,
                protected,
                data,
                policy=policy,
                release_id=f"bench-{year}",
                year=year,
                names=gathered.names,
                district_name="Bench",
            )
            stages["statistics"] = time.perf_counter() - t
            result = YearRelease(
                f"bench-{year}",
                source.instrument.id,
                source.version,
                year,
                "",
                {},
                "",
                "",
                protected.report.ok,
                0,
                gathered.names,
                {},
                rows,
            )
            now = dt.datetime.now(dt.UTC)
            t = time.perf_counter()
            with (folder / "out.csv").open("w", encoding="utf-8", newline="") as handle:
                write_csv(select_rows([result]), handle)
            write_xlsx(
                select_rows([result]),
                folder / "out.xlsx",
                releases=[result],
                instruments=[source.instrument],
                generated_at=now,
            )
            write_json(
                select_rows([result]), folder / "out.json", releases=[result], generated_at=now
            )
            stages["exports"] = time.perf_counter() - t
            whole = sum(stages.values())
            total += whole
            detail = ", ".join(f"{k} {v:.1f} s" for k, v in stages.items())
            print(
                f"{year} {source.instrument.id}: {len(rows)} statistics, audit "
                f"{'ok' if protected.report.ok else 'FAILED'}; {detail}"
            )
        print(
            f"{year}: release {total:.1f} s = {total / baseline:.0f}x one count(*) scan "
            f"({baseline:.2f} s); peak memory {_peak_mb():.0f} MB"
        )
    await engine.dispose()


def main() -> None:
    """Parse the sizes and run the benchmark in a temporary folder."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db.upgrade(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        asyncio.run(run(args.schools, args.students, args.years, Path(folder)))


if __name__ == "__main__":
    main()
