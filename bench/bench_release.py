"""Benchmark: a full district release per year from a million responses, on SQLite or PostgreSQL.

Seeds 200 schools x 5 years x 1,000 students (``climate.demo.district.seed_district``), then for
each closed year times the stages: cells from SQL, the disclosure release (protection and
audit), published statistics with intervals, and every export. Protection is timed twice: as
it runs now (the items' counts audited in one worker process per core, witness searches
stopped after a count of nodes or looking only at whole vertices, no search in a block too
large for it) and on the earlier path (one process, every search to the end), in the same
run, with how many more values the earlier path shows; the earlier path is stopped after
``--earlier-limit`` seconds. Then ``climate export
--format xlsx`` of the year is timed end to end, as the user waits for it, in a process of
its own. Prints the time per stage, peak memory, and the ratio of a whole release to the
baseline measured in the same run: one plain ``SELECT count(*)`` scan of the year's
responses. Goal: under 20 s end to end and 2 GB.

Run: .venv/bin/python bench/bench_release.py [--schools N] [--students N] [--years N]
     [--database-url postgresql+asyncpg://user@host/db]   (an empty database: it is wiped)
     [--earlier-limit SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.disclosure import Policy, Release, items, protect, witnesses
from analysis.disclosure.codes import Codes
from climate import db
from climate.demo.district import seed_district
from climate.exports import select_rows, write_csv, write_json, write_xlsx
from climate.models import PublishedRelease, response
from climate.release.catalogue import build_release, cell_data
from climate.release.gather import gather, sources
from climate.release.pipeline import release_policy
from climate.release.result import YearRelease
from climate.release.rows import published_rows
from climate.settings import Settings


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(
    schools: int, students: int, years: int, folder: Path, url: str, earlier_limit: float
) -> None:
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
            serial = _earlier(release, policy, f"bench-{year}", earlier_limit)
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
            now_s = stages["protection and audit"]
            if serial is None:
                print(
                    f"  protection on the earlier path: stopped unfinished after "
                    f"{earlier_limit:.0f} s, over {earlier_limit / now_s:.1f}x the time it "
                    f"takes now; {_hidden(protected.codes)} values hidden now"
                )
            else:
                print(
                    f"  protection on the earlier path {serial[0]:.1f} s: "
                    f"{serial[0] / now_s:.2f}x the time it takes now; it hid "
                    f"{_hidden(serial[1]) - _hidden(protected.codes):+d} values beside the "
                    f"{_hidden(protected.codes)} hidden now"
                )
        print(
            f"{year}: release {total:.1f} s = {total / baseline:.0f}x one count(*) scan "
            f"({baseline:.2f} s); peak memory {_peak_mb():.0f} MB"
        )
        await _forget_releases(engine)
        print(f"{year}: `climate export --format xlsx`, end to end: {_export(url, year, folder)}")
    await engine.dispose()


def _earlier(
    release: Release, policy: Policy, release_id: str, limit: float
) -> tuple[float, Codes] | None:
    """Protection as before, in a process of its own; None when it is still running at
    ``limit`` seconds (it is then stopped)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pending = pool.apply_async(_earlier_path, (release, policy, release_id))
        try:
            return pending.get(timeout=limit)
        except multiprocessing.TimeoutError:
            pool.terminate()
            return None


def _earlier_path(release: Release, policy: Policy, release_id: str) -> tuple[float, Codes]:
    """Every item audited in one process, every search to the end, no block left unsearched."""
    items.PARALLEL_FROM, items.VERTICES, witnesses._WITNESS_NODES = sys.maxsize, False, None
    witnesses.RESTRICTED_BLOCK = sys.maxsize
    t = time.perf_counter()
    result = protect(release, policy, release_id=release_id)
    return time.perf_counter() - t, result.codes


def _hidden(codes: Codes) -> int:
    """Values hidden: n, percentages and means."""
    every = [codes.n, *codes.counts.values(), *codes.means.values()]
    return sum(code == "*" for values in every for code in values)


async def _forget_releases(engine: AsyncEngine) -> None:
    """Drop stored releases, so that the export below makes its release afresh."""
    async with engine.begin() as conn:
        await conn.execute(delete(PublishedRelease))


_MEASURED = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)
"""Runs a command and prints its peak memory (KB). A child started by this large process
would report this process's peak as its own (Linux carries the high-water mark across fork
and exec); one started by this small one reports its own."""


def _export(url: str, year: int, folder: Path) -> str:
    """Run ``climate export`` in a process of its own; its seconds and peak memory."""
    env = {**os.environ, "CLIMATE_DATABASE_URL": url, "CLIMATE_MODE": "demo"}
    command = [sys.executable, "-c", _MEASURED, sys.executable, "-m", "climate.cli", "export"]
    command += ["--year", str(year), "--format", "xlsx", "--out", str(folder / "export.xlsx")]
    t = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"climate export failed: {done.stderr.strip()}")
    peak = int(done.stdout.strip().splitlines()[-1]) / 1024
    return f"{seconds:.1f} s, peak memory {peak:.0f} MB"


def main() -> None:
    """Parse the sizes and run the benchmark in a temporary folder."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (wiped first)")
    parser.add_argument(
        "--earlier-limit",
        type=float,
        default=900.0,
        help="seconds after which the earlier path is stopped unfinished (default 900)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        if args.database_url:
            asyncio.run(_wipe(url))
        db.upgrade(url)
        print(f"on {make_url(url).get_backend_name()}")
        asyncio.run(
            run(args.schools, args.students, args.years, Path(folder), url, args.earlier_limit)
        )


async def _wipe(url: str) -> None:
    engine = db.create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    main()
