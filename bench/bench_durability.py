"""Durability and unlinkability benchmark: what FULL sync and sealed rows cost the writer.

The real submission ``Writer`` (one per process, batching concurrent submissions into one
transaction) stores the same random complete surveys from 50 concurrent clients for a few
seconds, on a fresh copy of a seeded district, in each of these set-ups, all in this run:

- ``today``: the path before sealing, as the baseline: SQLite ``synchronous=NORMAL`` and
  plain response rows (a copy of that insert lives here, not in the product);
- ``FULL sync``: the same plain rows with ``synchronous=FULL`` (what power loss needs);
- ``FULL + sealed``: the product's path, rows encrypted until the close;
- then the close itself: opening every sealed row and writing them shuffled.

On PostgreSQL (``--postgres URL``) commits are always durable; it compares plain and sealed.
Each line prints submissions/s, p50 and p99 latency of one submission, and the ratio of its
rate to the baseline measured in the same run.

    .venv/bin/python bench/bench_durability.py [--seconds 5] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate import db
from climate.administrations import change_status
from climate.demo import district as demo
from climate.models import AccessCode, Administration, InstrumentVersion, response
from climate.responses.scoring import MISSING, score_columns
from climate.settings import Settings
from climate.students import submissions
from climate.students.access import Access, Directory
from climate.students.sealing import Sealer
from climate.students.submissions import Clean, Writer, validate

SECRET = "benchmark-secret-key-long-enough-000000"
CLIENTS = 50
WARMUP = 1.0
Insert = Callable[[AsyncConnection, Sealer, list[Any]], Awaitable[None]]


async def plain_rows(conn: AsyncConnection, _sealer: Sealer, accepted: list[Any]) -> None:
    """The response insert as it was before sealing: the baseline of this benchmark."""
    form = accepted[0].access.form
    items = {
        item.id: np.array([p.clean.answers.get(item.id, MISSING) for p in accepted])
        for item in form.instrument.items
    }
    scores = score_columns(form.instrument, items)
    rows = []
    for index, pending in enumerate(accepted):
        row: dict[str, Any] = {
            "id": uuid.uuid4(),
            "administration_id": pending.access.administration_id,
            "school_id": pending.access.school_id,
            "grade": pending.clean.grade,
            "locale": pending.clean.locale,
            "submitted_on": dt.date.today(),
        }
        for question, column in form.layout.demographics.items():
            row[column] = pending.clean.demographics.get(question)
        for item_id, column in form.layout.items.items():
            row[column] = pending.clean.answers.get(item_id)
        for scale_id, column in form.layout.scales.items():
            value = float(scores[scale_id][index])
            row[column] = None if np.isnan(value) else value
        rows.append(row)
    await conn.execute(insert(response), rows)


async def seed(url: str) -> tuple[int, list[str]]:
    """A small district with its secondary survey open; its class codes."""
    settings = Settings(database_url=url, secret_key=SECRET)
    await asyncio.to_thread(db.upgrade, url)
    engine = db.create_engine(url)
    try:
        await demo.seed_district(engine, settings, school_count=6, years=1, students_per_school=5)
        async with engine.connect() as conn:
            administration = await conn.scalar(
                select(Administration.id)
                .join(InstrumentVersion)
                .where(
                    Administration.status == "open",
                    InstrumentVersion.instrument_id == "secondary",
                )
            )
            found = await conn.scalars(
                select(AccessCode.code).where(
                    AccessCode.administration_id == administration, AccessCode.kind == "class"
                )
            )
            return int(administration or 0), list(found)
    finally:
        await engine.dispose()


def surveys(access: Access, count: int, seed_value: int) -> list[Clean]:
    """Random complete surveys that pass validation."""
    rng = random.Random(seed_value)
    form = access.form
    made = []
    for _ in range(count):
        answers = {item: rng.choice(sorted(values)) for item, values in form.options.items()}
        shown = submissions.shown_items(form, answers, access.sensitive_module)
        answers = {k: v for k, v in answers.items() if k in shown}
        data = submissions.Submission(
            code=access.code,
            locale="en",
            idempotency_key=str(uuid.uuid4()),
            answers=answers,
            demographics={"grade": rng.choice(access.grades)},
        )
        made.append(validate(access, data, ("en",)))
    return made


def engine_for(url: str, sync: str | None) -> AsyncEngine:
    """The product's engine; on SQLite with ``sync`` in place of its synchronous setting."""
    engine = db.create_engine(url)
    if sync is not None:

        def pragma(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute(f"PRAGMA synchronous={sync}")
            cursor.close()

        event.listen(engine.sync_engine, "connect", pragma)
    return engine


async def load(
    url: str, code: str, sync: str | None, insert_rows: Insert, seconds: float
) -> dict[str, float]:
    """CLIENTS concurrent clients submitting for ``seconds``; rate and latency."""
    engine = engine_for(url, sync)
    sealer = Sealer.of(SECRET)
    original = submissions._insert_sealed
    submissions._insert_sealed = insert_rows  # type: ignore[assignment]
    writer = Writer(engine, sealer)
    latencies: list[float] = []
    try:
        access = await Directory(engine).lookup(code)
        prepared = surveys(access, 500, 7)
        await writer.start()

        async def client(number: int, until: float, into: list[float]) -> None:
            index = number
            while time.perf_counter() < until:
                began = time.perf_counter()
                await writer.submit(access, prepared[index % len(prepared)], str(uuid.uuid4()))
                into.append(time.perf_counter() - began)
                index += CLIENTS

        # A warm-up first: caches filled, connections open, the file grown.
        warm: list[float] = []
        until = time.perf_counter() + WARMUP
        await asyncio.gather(*(client(n, until, warm) for n in range(CLIENTS)))
        began = time.perf_counter()
        until = began + seconds
        await asyncio.gather(*(client(n, until, latencies) for n in range(CLIENTS)))
        elapsed = time.perf_counter() - began
        await writer.stop()
    finally:
        submissions._insert_sealed = original
        await engine.dispose()
    ordered = sorted(latencies)
    return {
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(0.99 * (len(ordered) - 1))] * 1000,
        "count": len(latencies),
    }


async def close(url: str, administration_id: int) -> tuple[int, float]:
    """Close the administration as an admin would; how many rows moved and how long it took."""
    settings = Settings(database_url=url, secret_key=SECRET)
    engine = db.create_engine(url)
    try:
        async with engine.connect() as conn:
            sealed = int(await conn.scalar(text("SELECT count(*) FROM sealed_response")) or 0)
        began = time.perf_counter()
        await change_status(engine, settings, "bench", administration_id, "closed")
        return sealed, time.perf_counter() - began
    finally:
        await engine.dispose()


def line(name: str, figures: dict[str, float], baseline: dict[str, float]) -> None:
    ratio = figures["rate"] / baseline["rate"]
    print(
        f"  {name:<22} {figures['rate']:>8,.0f}/s   p50 {figures['p50']:6.1f} ms   "
        f"p99 {figures['p99']:6.1f} ms   {ratio:5.2f}x baseline   ({figures['count']:,.0f} stored)"
    )


def fsync_ms(directory: Path, count: int = 50) -> float:
    """How long one small write and fsync takes on this disk (what FULL sync adds per commit)."""
    path = directory / "probe"
    with path.open("wb") as out:
        began = time.perf_counter()
        for _ in range(count):
            out.write(b"x" * 4096)
            out.flush()
            os.fsync(out.fileno())
    return (time.perf_counter() - began) / count * 1000


async def run_sqlite(seconds: float) -> None:
    with tempfile.TemporaryDirectory() as directory:
        print(f"One 4 KB write and fsync on this disk: {fsync_ms(Path(directory)):.2f} ms")
    print(f"SQLite, {CLIENTS} concurrent clients, {seconds:.0f} s each, fresh database each:")
    results: dict[str, dict[str, float]] = {}
    for name, sync, rows in (
        ("today (NORMAL, plain)", "NORMAL", plain_rows),
        ("FULL sync, plain", None, plain_rows),
        ("FULL sync + sealed", None, submissions._insert_sealed),
    ):
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite+aiosqlite:///{Path(directory) / 'climate.db'}"
            administration, codes = await seed(url)
            results[name] = await load(url, codes[0], sync, rows, seconds)
            line(name, results[name], results["today (NORMAL, plain)"])
            if rows is not plain_rows:
                moved, took = await close(url, administration)
                print(f"  close: {moved:,} sealed rows opened and written shuffled in {took:.2f} s")


async def run_postgres(url: str, seconds: float) -> None:
    print(f"PostgreSQL, {CLIENTS} concurrent clients, {seconds:.0f} s each:")
    results: dict[str, dict[str, float]] = {}
    for name, rows in (("plain rows", plain_rows), ("sealed", submissions._insert_sealed)):
        engine = db.create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
        administration, codes = await seed(url)
        results[name] = await load(url, codes[0], None, rows, seconds)
        line(name, results[name], results["plain rows"])
        if rows is not plain_rows:
            moved, took = await close(url, administration)
            print(f"  close: {moved:,} sealed rows opened and written shuffled in {took:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose public schema may be reset")
    args = parser.parse_args()
    asyncio.run(run_sqlite(args.seconds))
    if args.postgres:
        asyncio.run(run_postgres(args.postgres, args.seconds))


if __name__ == "__main__":
    main()
