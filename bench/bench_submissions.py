"""Submission benchmark: durable submissions per second and latency, on loopback over SQLite.

The real app runs under uvicorn (one worker, `climate serve`) on a fresh SQLite database
seeded with a small district; the open secondary survey gets 50 class codes per school
(`climate codes --per-school 50`), so the load spreads over enough codes to stay inside the
per-code submission limit rather than weakening it. A load generator in its own process (a
plain asyncio HTTP/1.1 client on keep-alive connections) measures, for 50 and 200 clients:

- ``GET /healthz``, the bare JSON endpoint of the same app: the baseline of this run;
- ``POST /api/v1/responses``: each 201 arrives only after the (sealed) row is committed;
- ``GET /survey``: the whole survey page, for the code in the cookie the start page sets.
  Each connection of these two phases comes from its own loopback address (127.x.y.z) and
  moves to a new one every 100 requests, the way many schools' addresses would (look-ups are
  limited per code held, so one address would do too: ``bench_bell.py`` measures that).

Goals on 2 cores with SQLite: at least 1,000 submissions/s and p99 under 150 ms at 50
clients; at least 3,000 survey pages/s. The generator shares the 2 cores with the server,
so every figure here understates what the server does alone.

    .venv/bin/python bench/bench_submissions.py [--seconds 5] [--warmup 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from climate import db
from climate.demo import district as demo
from climate.models import Administration, InstrumentVersion
from climate.settings import Settings
from climate.students import codes

ROOT = Path(__file__).resolve().parents[1]
SECRET = "benchmark-secret-key-long-enough-000000"
HOST = "127.0.0.1"
PAGES_PER_ADDRESS = 100
GOAL_SUBMISSIONS = 1_000.0
GOAL_P99_MS = 150.0
GOAL_PAGES = 3_000.0


@dataclass(frozen=True)
class District:
    """A seeded database and what the load needs from it."""

    url: str
    database: Path
    administration_id: int
    codes: list[str]
    grades: list[int]


def prepare(directory: Path, per_school: int = 50) -> District:
    """Migrate and seed a small district, then issue class codes with the real command."""
    database = directory / "climate.db"
    url = f"sqlite+aiosqlite:///{database}"
    settings = Settings(database_url=url, secret_key=SECRET)
    db.upgrade(url)

    async def seed() -> tuple[int, list[int]]:
        engine = db.create_engine(url)
        try:
            await demo.seed_district(
                engine, settings, school_count=6, years=1, students_per_school=20
            )
            async with engine.connect() as conn:
                row = (
                    await conn.execute(
                        select(Administration.id, Administration.grades)
                        .join(InstrumentVersion)
                        .where(
                            Administration.status == "open",
                            InstrumentVersion.instrument_id == "secondary",
                        )
                    )
                ).one()
            return int(row.id), [int(g) for g in row.grades]
        finally:
            await engine.dispose()

    administration_id, grades = asyncio.run(seed())
    printed = subprocess.run(
        [
            *climate_command(),
            "codes",
            "--administration",
            str(administration_id),
            "--per-school",
            str(per_school),
        ],
        env=server_env(url),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    issued = [line.split("\t")[1] for line in printed.splitlines() if "\t" in line]
    return District(url, database, administration_id, issued, grades)


def climate_command() -> list[str]:
    """The `climate` command of this interpreter."""
    return [sys.executable, "-m", "climate.cli"]


def server_env(url: str) -> dict[str, str]:
    """Environment for the server and commands: the benchmark database, production mode."""
    return {
        **os.environ,
        "CLIMATE_DATABASE_URL": url,
        "CLIMATE_SECRET_KEY": SECRET,
        "CLIMATE_LOG_LEVEL": "WARNING",
    }


def server_stack() -> str:
    """Which HTTP parser and event loop uvicorn picks in the server's environment."""
    probe = (
        "import importlib.util as u; "
        "print(*(bool(u.find_spec(m)) for m in ('httptools', 'uvloop')))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    parser = "httptools" if found[0] == "True" else "h11 (pure Python)"
    loop = "uvloop" if found[1] == "True" else "asyncio"
    return f"uvicorn with {parser} and {loop}"


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """Start `climate serve` (uvicorn, one worker) and wait until /healthz answers."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*climate_command(), "serve", "--host", HOST, "--port", str(port)],
            cwd=ROOT,
            env=server_env(url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not answer /healthz within 60 s")


@contextmanager
def running_server(url: str, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A server for the length of a block, stopped gracefully after."""
    process = start_server(url, port, log)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def survey_items(port: int, code: str) -> dict[str, Any]:
    """The localized survey as the API gives it, to build valid answers from."""
    found: dict[str, Any] = httpx.get(
        f"http://{HOST}:{port}/api/v1/surveys/{code}?lang=en", timeout=10
    ).json()
    return found


def answer_sets(survey: dict[str, Any], grades: list[int], count: int, seed: int) -> list[str]:
    """Random complete answer sets as JSON fragments, following the skip rules."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        answers: dict[str, int] = {}
        for section in survey["sections"]:
            for question in section["questions"]:
                parent = question.get("show_if")
                if parent and answers.get(parent) not in question.get("show_values", []):
                    continue
                if rng.random() < 0.95:
                    answers[question["id"]] = rng.choice(question["options"])["value"]
        demographics = {
            q["id"]: rng.choice(q["options"])["value"]
            for q in survey["demographics"]
            if q["id"] != "grade"
        }
        demographics["grade"] = rng.choice(grades)
        fragment = json.dumps({"answers": answers, "demographics": demographics})
        made.append(fragment[1:-1])
    return made


def submission_body(code: str, key: str, fragment: str) -> bytes:
    """A submission's JSON body from a prepared answer fragment."""
    return f'{{"code":"{code}","locale":"en","idempotency_key":"{key}",{fragment}}}'.encode()


# ---- the load generator (runs in its own process) ------------------------------------------


@dataclass
class Tally:
    """What one phase measured."""

    latencies: list[float]
    statuses: dict[int, int]
    created: int = 0
    failures: int = 0


def request_bytes(method: str, path: str, body: bytes = b"", cookie: str = "") -> bytes:
    """An HTTP/1.1 keep-alive request."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: */*\r\n"
    if cookie:
        head += f"Cookie: {cookie}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Read one response (Content-Length or chunked) and return its status and body."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _sep, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            body += await reader.readexactly(size + 2)
            if size == 0:
                return status, body
    return status, b""


def source_addresses(first: int) -> Iterator[str]:
    """Distinct loopback addresses, from the ``first``-th on (127.0.0.0 is the 0th)."""
    number = first
    while True:
        yield f"127.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"
        number += 1


async def run_phase(spec: dict[str, Any]) -> Tally:
    """Drive one phase: ``clients`` connections, each sending its next request on its answer."""
    port = spec["port"]
    kind = spec["kind"]
    codes_ = spec["codes"]
    fragments = spec["fragments"]
    tally = Tally([], {})
    started = time.perf_counter()
    measure_from = started + spec["warmup"]
    stop_at = measure_from + spec["seconds"]
    addresses = source_addresses(spec["first_address"])

    def next_request(rng: random.Random) -> bytes:
        if kind == "healthz":
            return request_bytes("GET", "/healthz")
        if kind == "page":
            # The survey page reads the code the start page left in its cookie.
            code = rng.choice(codes_).replace("-", "")
            return request_bytes("GET", "/survey", cookie=f"climate_code={code}")
        body = submission_body(rng.choice(codes_), uuid.uuid4().hex, rng.choice(fragments))
        return request_bytes("POST", "/api/v1/responses", body)

    async def client(number: int) -> None:
        rng = random.Random(number)
        writer: asyncio.StreamWriter | None = None
        sent_here = 0
        try:
            while time.perf_counter() < stop_at:
                if writer is None or (kind != "healthz" and sent_here >= PAGES_PER_ADDRESS):
                    if writer is not None:
                        writer.close()
                    source = next(addresses) if kind != "healthz" else HOST
                    reader, writer = await asyncio.open_connection(
                        HOST, port, local_addr=(source, 0)
                    )
                    sent_here = 0
                request = next_request(rng)
                sent = time.perf_counter()
                writer.write(request)
                status, _body = await read_response(reader)
                done = time.perf_counter()
                sent_here += 1
                if status == 201:
                    tally.created += 1
                if measure_from <= sent and done <= stop_at:
                    tally.latencies.append(done - sent)
                    tally.statuses[status] = tally.statuses.get(status, 0) + 1
        except (OSError, asyncio.IncompleteReadError):
            tally.failures += 1
        finally:
            if writer is not None:
                writer.close()

    await asyncio.gather(*(client(n) for n in range(spec["clients"])))
    return tally


def generate() -> None:
    """Entry point of the generator process: run the phase read on stdin, print its tally."""
    spec = json.loads(sys.stdin.read())
    tally = asyncio.run(run_phase(spec))
    print(
        json.dumps(
            {
                "latencies": tally.latencies,
                "statuses": tally.statuses,
                "created": tally.created,
                "failures": tally.failures,
            }
        )
    )


# ---- the benchmark ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One phase's figures."""

    name: str
    clients: int
    rate: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    created: int
    failures: int


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``, in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def phase(
    name: str,
    kind: str,
    clients: int,
    port: int,
    args: argparse.Namespace,
    codes_: list[str],
    fragments: list[str],
) -> Figures:
    """Run one phase in a separate generator process and summarize it."""
    spec = {
        # Each phase takes fresh client addresses, as many schools would bring.
        "first_address": 256 + 1_000_000 * clients,
        "port": port,
        "kind": kind,
        "clients": clients,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "codes": codes_,
        "fragments": fragments,
    }
    out = subprocess.run(
        [sys.executable, __file__, "--generate"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out)
    latencies = data["latencies"]
    statuses = {int(k): v for k, v in data["statuses"].items()}
    return Figures(
        name,
        clients,
        len(latencies) / args.seconds,
        percentile(latencies, 50),
        percentile(latencies, 99),
        statuses,
        data["created"],
        data["failures"],
    )


def stored_rows(database: Path, administration_id: int) -> int:
    """Submissions stored for an administration (sealed while it is open)."""
    with sqlite3.connect(database) as conn:
        count: int = conn.execute(
            "SELECT count(*) FROM sealed_response WHERE administration_id = ?",
            (administration_id,),
        ).fetchone()[0]
        return count


def show(figures: Figures) -> None:
    """Print one phase's line."""
    other = {s: n for s, n in figures.statuses.items() if s not in (200, 201)}
    print(
        f"  {figures.name:<26} {figures.clients:>7} {figures.rate:>9,.0f} "
        f"{figures.p50_ms:>8.1f} {figures.p99_ms:>8.1f}   "
        f"{other or '-'}{f'  ({figures.failures} broken connections)' if figures.failures else ''}"
    )


def verdict(met: bool) -> str:
    """MET or NOT MET."""
    return "met" if met else "NOT MET"


def main(argv: list[str] | None = None) -> int:
    """Seed, serve, load, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        generate()
        return 0

    with tempfile.TemporaryDirectory(prefix="climate-bench-") as tmp:
        directory = Path(tmp)
        district = prepare(directory)
        port = free_port()
        print(
            f"submission benchmark: uvicorn (1 worker) + SQLite (WAL) on loopback, "
            f"{len(district.codes)} class codes; {os.cpu_count()} cores shared by the server "
            f"and a load generator in its own process (figures understate the server alone)"
        )
        print(f"  {server_stack()}; {args.warmup:g} s warm-up, then {args.seconds:g} s measured")
        print(f"  {'phase':<26} {'clients':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}   other")
        results: dict[tuple[str, int], Figures] = {}
        with running_server(district.url, port, directory / "server.log"):
            survey = survey_items(port, codes.display(district.codes[0]))
            fragments = answer_sets(survey, district.grades, 500, seed=2026)
            for clients in (50, 200):
                for name, kind in (
                    ("GET /healthz (baseline)", "healthz"),
                    ("POST /api/v1/responses", "submit"),
                    ("GET /survey", "page"),
                ):
                    figures = phase(name, kind, clients, port, args, district.codes, fragments)
                    results[(kind, clients)] = figures
                    show(figures)
            created = sum(f.created for (kind, _c), f in results.items() if kind == "submit")
        rows = stored_rows(district.database, district.administration_id)

    print()
    for clients in (50, 200):
        base = results[("healthz", clients)].rate
        submit = results[("submit", clients)].rate
        page = results[("page", clients)].rate
        print(
            f"  {clients} clients: submissions/healthz = {submit / base:.2f}, "
            f"survey pages/healthz = {page / base:.2f}"
        )
    print(f"  201 answers received: {created:,}; response rows stored: {rows:,}")
    at50 = results[("submit", 50)]
    print()
    print(
        f"  goal >= {GOAL_SUBMISSIONS:,.0f} submissions/s at 50 clients: "
        f"{at50.rate:,.0f}/s, {verdict(at50.rate >= GOAL_SUBMISSIONS)}"
    )
    print(
        f"  goal p99 < {GOAL_P99_MS:.0f} ms at 50 clients: "
        f"{at50.p99_ms:.1f} ms, {verdict(at50.p99_ms < GOAL_P99_MS)}"
    )
    pages = max(results[("page", 50)].rate, results[("page", 200)].rate)
    print(
        f"  goal >= {GOAL_PAGES:,.0f} survey pages/s: {pages:,.0f}/s, "
        f"{verdict(pages >= GOAL_PAGES)}"
    )
    if rows != created:
        print("  MISMATCH: every 201 must match exactly one stored row")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
