"""The bell: a whole school behind one address opens the survey at once and submits.

The real app runs under uvicorn (`climate serve`) on a fresh SQLite database seeded with a
small district; one school's 60 classes each get a class code (`climate codes`). Then, all
from ONE client address (127.0.0.2, as a school's network address translation shows them):

- 2,000 students start within the first 60 s, each at a random moment, each the way a
  Chromebook does: the start page's form (``POST /enter``), the notice (``GET
  /survey/start``) and the survey page (``GET /survey``) with the cookie the form set;
- each sends their answers at a random moment of the next 10 minutes (``POST
  /api/v1/responses``), and one in twenty sends the same answers again with the same key,
  as a page does after a lost connection;
- meanwhile ``GET /healthz`` is asked every 100 ms from another address: the baseline of
  the same run.

A student whose request is refused (429 or 503) tries again after Retry-After, as the page
does; every refusal is counted. Goals: 0 refused, 0 lost (every student gets a receipt and
the database holds one sealed row per student), 0 duplicated (a resend gets the first
receipt and stores nothing), p99 under 300 ms for every student request.

    .venv/bin/python bench/bench_bell.py [--students 2000] [--minutes 10] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
from bench_submissions import (
    HOST,
    climate_command,
    free_port,
    percentile,
    prepare,
    server_env,
    server_stack,
    stored_rows,
    submission_body,
    survey_items,
    verdict,
)
from bench_submissions import answer_sets as make_answers

from climate.students import codes

SCHOOL_ADDRESS = "127.0.0.2"
PROBE_ADDRESS = "127.0.0.3"
CLASSES = 60
ENTRY_SECONDS = 60.0
RESEND_SHARE = 0.05
GOAL_P99_MS = 300.0


@dataclass
class Tally:
    """Every student request's latency by step, and what went wrong."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    refused: dict[int, int] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    receipts: dict[str, str] = field(default_factory=dict)
    resent_same: int = 0
    resent_other: int = 0

    def took(self, step: str, seconds: float) -> None:
        self.latencies.setdefault(step, []).append(seconds)


def request(
    method: str, path: str, body: bytes = b"", cookie: str = "", form: bool = False
) -> bytes:
    """One HTTP/1.1 request on a connection of its own."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: */*\r\nConnection: keep-alive\r\n"
    if cookie:
        head += f"Cookie: {cookie}\r\n"
    if body:
        kind = "application/x-www-form-urlencoded" if form else "application/json"
        head += f"Content-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def exchange(
    port: int, tally: Tally, step: str, message: bytes, address: str = SCHOOL_ADDRESS
) -> tuple[int, bytes, bytes]:
    """Send a request from the school's address until it is not refused; (status, head, body).

    Refusals are counted and waited out as the page does (Retry-After, at least 1 s).
    """
    while True:
        reader, writer = await asyncio.open_connection(HOST, port, local_addr=(address, 0))
        try:
            sent = time.perf_counter()
            writer.write(message)
            head = await reader.readuntil(b"\r\n\r\n")
            body = await _body(reader, head)
            status = int(head.split(b" ", 2)[1])
            tally.took(step, time.perf_counter() - sent)
        finally:
            writer.close()
        if status in (429, 503):
            tally.refused[status] = tally.refused.get(status, 0) + 1
            await asyncio.sleep(max(1.0, float(_header(head, "retry-after") or 1)))
            continue
        return status, head, body


async def _body(reader: asyncio.StreamReader, head: bytes) -> bytes:
    """The body after ``head`` (Content-Length or chunked; chunk sizes left out)."""
    length = _header(head, "content-length")
    if length is not None:
        return await reader.readexactly(int(length))
    if (_header(head, "transfer-encoding") or "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            body += (await reader.readexactly(size + 2))[:-2]
            if size == 0:
                return body
    return b""


def _header(head: bytes, name: str) -> str | None:
    for line in head.decode("latin-1").split("\r\n")[1:]:
        key, _sep, value = line.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def _cookie(head: bytes) -> str:
    for line in head.decode("latin-1").split("\r\n")[1:]:
        key, _sep, value = line.partition(":")
        if key.strip().lower() == "set-cookie" and value.strip().startswith("climate_code="):
            return value.strip().split(";", 1)[0]
    return ""


async def student(
    number: int,
    port: int,
    code: str,
    fragment: str,
    starts_at: float,
    sends_at: float,
    resend: bool,
    tally: Tally,
) -> None:
    """One student at one Chromebook, from the school's address."""
    await asyncio.sleep(max(0.0, starts_at - time.perf_counter()))
    entry = f"code={quote(code)}&lang=en".encode()
    status, head, _ = await exchange(
        port, tally, "POST /enter", request("POST", "/enter", entry, form=True)
    )
    cookie = _cookie(head)
    if status != 303 or not cookie:
        tally.unexpected.append(f"student {number}: /enter answered {status}")
        return
    for step, path in (("GET /survey/start", "/survey/start"), ("GET /survey", "/survey")):
        status, _head, _body = await exchange(
            port, tally, step, request("GET", path, cookie=cookie)
        )
        if status != 200:
            tally.unexpected.append(f"student {number}: {path} answered {status}")
            return
    await asyncio.sleep(max(0.0, sends_at - time.perf_counter()))
    key = str(uuid.uuid4())
    body = submission_body(code, key, fragment)
    status, _head, answer = await exchange(
        port, tally, "POST /api/v1/responses", request("POST", "/api/v1/responses", body)
    )
    if status != 201:
        tally.unexpected.append(f"student {number}: submit answered {status}")
        return
    tally.receipts[key] = answer.decode()
    if resend:
        status, _head, again = await exchange(
            port, tally, "resend", request("POST", "/api/v1/responses", body)
        )
        if status == 200 and again == answer:
            tally.resent_same += 1
        else:
            tally.resent_other += 1
            tally.unexpected.append(f"student {number}: resend answered {status}")


async def probe(port: int, stop: asyncio.Event, tally: Tally) -> None:
    """``GET /healthz`` every 100 ms from another address, until ``stop``."""
    while not stop.is_set():
        await exchange(port, tally, "GET /healthz", request("GET", "/healthz"), PROBE_ADDRESS)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.1)


async def bell(
    port: int, class_codes: list[str], fragments: list[str], students: int, minutes: float
) -> Tally:
    """Run the whole school: entries over ENTRY_SECONDS, submissions over ``minutes``."""
    rng = random.Random(2026)
    tally = Tally()
    start = time.perf_counter() + 1.0
    stop = asyncio.Event()
    prober = asyncio.create_task(probe(port, stop, tally))
    await asyncio.gather(
        *(
            student(
                n,
                port,
                codes.display(class_codes[n % len(class_codes)]),
                fragments[n % len(fragments)],
                start + rng.uniform(0, ENTRY_SECONDS),
                start + ENTRY_SECONDS + rng.uniform(0, 60 * minutes),
                rng.random() < RESEND_SHARE,
                tally,
            )
            for n in range(students)
        )
    )
    stop.set()
    await prober
    return tally


def main(argv: list[str] | None = None) -> int:
    """Seed, serve, ring the bell, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--minutes", type=float, default=10.0, help="over which answers arrive")
    parser.add_argument("--workers", type=int, default=1, help="`climate serve --workers`")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="climate-bell-") as tmp:
        directory = Path(tmp)
        district = prepare(directory, per_school=CLASSES)
        class_codes = district.codes[:CLASSES]
        port = free_port()
        log = directory / "server.log"
        with log.open("ab") as out:
            server = subprocess.Popen(
                [*climate_command(), "serve", "--port", str(port), "--workers", str(args.workers)],
                env=server_env(district.url),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for(port, server, log)
            print(
                f"bell benchmark: {args.students:,} students of one school behind ONE address "
                f"({len(class_codes)} class codes), all starting within {ENTRY_SECONDS:.0f} s, "
                f"answers over {args.minutes:g} min; uvicorn ({args.workers} worker(s)) + SQLite "
                f"on loopback, {os.cpu_count()} cores shared with the load"
            )
            print(f"  {server_stack()}")
            survey = survey_items(port, codes.display(class_codes[0]))
            fragments = make_answers(survey, district.grades, 500, seed=2026)
            began = time.perf_counter()
            tally = asyncio.run(bell(port, class_codes, fragments, args.students, args.minutes))
            took = time.perf_counter() - began
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        rows = stored_rows(district.database, district.administration_id)

    print(f"  ran {took:,.0f} s")
    print(f"  {'step':<26} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    every: list[float] = []
    for step, values in tally.latencies.items():
        if step != "GET /healthz":
            every += values
        print(
            f"  {step:<26} {len(values):>9,} {percentile(values, 50):>8.1f} "
            f"{percentile(values, 99):>8.1f} {1000 * max(values):>8.1f}"
        )
    health = tally.latencies.get("GET /healthz", [])
    p99 = percentile(every, 99)
    refused = sum(tally.refused.values())
    receipts = len(set(tally.receipts.values()))
    baseline = percentile(health, 99)
    print(
        f"  every student request: p99 {p99:.1f} ms; /healthz p99 {baseline:.1f} ms "
        f"in the same run (ratio {p99 / baseline:.2f})"
    )
    print(
        f"  receipts: {receipts:,} for {args.students:,} students; sealed rows stored: {rows:,}; "
        f"resends answered with the first receipt: {tally.resent_same} "
        f"(other answers: {tally.resent_other})"
    )
    lost = args.students - len(tally.receipts)
    duplicated = rows - len(tally.receipts)
    print()
    by_status = f" {tally.refused}" if tally.refused else ""
    print(f"  goal 0 refused: {refused}{by_status}, {verdict(refused == 0)}")
    print(f"  goal 0 lost: {lost}, {verdict(lost == 0 and rows >= len(tally.receipts))}")
    clean = duplicated == 0 and tally.resent_other == 0
    print(f"  goal 0 duplicated: {duplicated}, {verdict(clean)}")
    print(f"  goal p99 < {GOAL_P99_MS:.0f} ms: {p99:.1f} ms, {verdict(p99 < GOAL_P99_MS)}")
    for line in tally.unexpected[:10]:
        print(f"  unexpected: {line}")
    return 0 if not tally.unexpected and lost == 0 and duplicated == 0 else 1


def _wait_for(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 60 s")


if __name__ == "__main__":
    sys.exit(main())
