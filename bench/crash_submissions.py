"""Crash test: SIGKILL the server during a burst of submissions, restart it, retry, count.

The real app runs as `climate serve` (uvicorn, one worker) over SQLite. A burst of 2,000
submissions, each with its own idempotency key and its own answers, goes out on 100
connections; once a share of them is acknowledged the server is killed with SIGKILL (no
shutdown, no flush), then started again on the same database. Every submission that was not
acknowledged is sent again with the same key and body until it is. Then the database must
show that:

- every receipt acknowledged before or after the crash is stored, for its key;
- the response rows equal the distinct keys ever acknowledged, and the receipts too;
- nothing is stored twice: each submitted set of answers is in exactly one row.

    .venv/bin/python bench/crash_submissions.py [--count 2000] [--kill-after 0.4]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench_submissions import (
    HOST,
    SECRET,
    answer_sets,
    free_port,
    prepare,
    read_response,
    request_bytes,
    source_addresses,
    start_server,
    submission_body,
    survey_items,
)

from climate.instruments import load_directory
from climate.responses.layout import Layout
from climate.settings import PROJECT_ROOT
from climate.students import codes
from climate.students.sealing import Sealer

CONNECTIONS = 100
RETRY_ROUNDS = 10


@dataclass
class Burst:
    """Submissions and what the server answered to each."""

    bodies: dict[str, bytes]
    answers: dict[str, dict[str, int]]
    acknowledged: dict[str, str] = field(default_factory=dict)
    replayed: int = 0


ADDRESS_OFFSET = 1 << 16


async def send_all(
    burst: Burst,
    keys: list[str],
    port: int,
    connections: int,
    kill: tuple[subprocess.Popen[bytes], int] | None = None,
) -> None:
    """Send ``keys`` on ``connections`` connections; kill the server after ``kill[1]`` answers."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for key in keys:
        queue.put_nowait(key)
    # Look-ups of codes are limited per address: each connection comes from its own loopback
    # address, as many schools' students would, so the limit stays out of a durability test.
    sources = source_addresses(ADDRESS_OFFSET + 1000 * (kill is None))

    async def worker() -> None:
        source = next(sources)
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        while not queue.empty():
            key = queue.get_nowait()
            try:
                if writer is None or reader is None:
                    reader, writer = await asyncio.open_connection(
                        HOST, port, local_addr=(source, 0)
                    )
                writer.write(request_bytes("POST", "/api/v1/responses", burst.bodies[key]))
                status, body = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError):
                # Unacknowledged: the retry round sends it again with the same key.
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            if status in (200, 201):
                burst.acknowledged[key] = json.loads(body)["receipt"]
                burst.replayed += status == 200
            if kill is not None and len(burst.acknowledged) >= kill[1] and kill[0].poll() is None:
                os.kill(kill[0].pid, signal.SIGKILL)
        if writer is not None:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))


def stored(
    database: Path, administration_id: int, layout: Layout
) -> tuple[dict[str, str], list[frozenset[tuple[str, int]]]]:
    """Receipts by key hash, and each stored row's answers, read straight from the file.

    The open survey's rows are sealed; the benchmark holds the server's key and opens them.
    """
    sealer = Sealer.of(SECRET)
    with sqlite3.connect(database) as conn:
        receipts = dict(conn.execute("SELECT key_hash, receipt FROM receipt").fetchall())
        sealed = conn.execute(
            "SELECT school_id, sealed FROM sealed_response WHERE administration_id = ?",
            (administration_id,),
        ).fetchall()
    opened = [sealer.open(administration_id, school, blob) for school, blob in sealed]
    answers = [
        frozenset(
            (item, int(value))
            for item, column in layout.items.items()
            if (value := row.get(column)) is not None
        )
        for row in opened
    ]
    return receipts, answers


def main(argv: list[str] | None = None) -> int:
    """Run the burst, the crash, the restart and the retries; print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="submissions in the burst")
    parser.add_argument(
        "--kill-after", type=float, default=0.4, help="share acknowledged before SIGKILL"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="climate-crash-") as tmp:
        directory = Path(tmp)
        district = prepare(directory, per_school=10)
        layout = Layout.of(load_directory(PROJECT_ROOT / "surveys")["secondary"].instrument)
        port = free_port()
        log = directory / "server.log"
        server = start_server(district.url, port, log)
        survey = survey_items(port, codes.display(district.codes[0]))
        fragments = answer_sets(survey, district.grades, args.count, seed=7)
        if len(set(fragments)) != len(fragments):
            raise SystemExit("answer sets must be distinct to show that none is stored twice")
        keys = [str(uuid.uuid4()) for _ in fragments]
        burst = Burst(
            bodies={
                key: submission_body(district.codes[i % len(district.codes)], key, fragment)
                for i, (key, fragment) in enumerate(zip(keys, fragments, strict=True))
            },
            answers={
                key: json.loads("{" + fragment + "}")["answers"]
                for key, fragment in zip(keys, fragments, strict=True)
            },
        )

        started = time.perf_counter()
        kill_at = int(args.count * args.kill_after)
        asyncio.run(send_all(burst, keys, port, CONNECTIONS, kill=(server, kill_at)))
        server.wait()
        before_crash = dict(burst.acknowledged)
        killed = server.returncode == -signal.SIGKILL
        print(
            f"crash test: {args.count:,} submissions on {CONNECTIONS} connections to "
            f"`climate serve` over SQLite; SIGKILL after {kill_at:,} acknowledgements"
        )
        print(f"  server killed by SIGKILL: {killed}")
        print(f"  acknowledged before the kill: {len(before_crash):,}")
        print(f"  not acknowledged (in flight or never sent): {args.count - len(before_crash):,}")
        receipts_after_crash, _rows = stored(district.database, district.administration_id, layout)
        print(f"  receipts on disk right after the kill: {len(receipts_after_crash):,}")

        server = start_server(district.url, port, log)
        try:
            rounds = 0
            while len(burst.acknowledged) < args.count and rounds < RETRY_ROUNDS:
                rounds += 1
                missing = [key for key in keys if key not in burst.acknowledged]
                asyncio.run(send_all(burst, missing, port, 50))
        finally:
            server.terminate()
            server.wait(timeout=30)
        seconds = time.perf_counter() - started

        receipts, rows = stored(district.database, district.administration_id, layout)

    retried = args.count - len(before_crash)
    print(f"  retried after restart with the same keys: {retried:,} in {rounds} round(s)")
    print(f"    of which already stored before the kill (same receipt back): {burst.replayed:,}")
    print(f"  acknowledged in all: {len(burst.acknowledged):,} distinct keys ({seconds:.1f} s)")
    print(f"  receipts stored: {len(receipts):,}; response rows stored: {len(rows):,}")

    problems = []
    if not killed:
        problems.append("the server was not killed by SIGKILL during the burst")
    lost = [
        key
        for key, receipt in burst.acknowledged.items()
        if receipts.get(hashlib.sha256(key.encode()).hexdigest()) != receipt
    ]
    if lost:
        problems.append(f"{len(lost)} acknowledged receipts are not stored for their key")
    if len(rows) != len(burst.acknowledged) or len(receipts) != len(burst.acknowledged):
        problems.append("rows or receipts differ from the distinct keys acknowledged")
    counted = Counter(rows)
    sent = Counter(frozenset(answers.items()) for answers in burst.answers.values())
    twice = sum(n - 1 for n in counted.values() if n > 1)
    if twice or counted != sent:
        problems.append(f"stored answers differ from those sent ({twice} stored twice)")
    print(f"  every acknowledged receipt stored for its key: {not lost}")
    print(
        f"  answer sets stored twice: {twice}; stored rows match the sets sent: {counted == sent}"
    )
    for problem in problems:
        print(f"  FAILED: {problem}")
    print("  result:", "FAILED" if problems else "passed: nothing lost, nothing stored twice")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
