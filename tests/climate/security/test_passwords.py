"""Password checks run off the event loop: a flood of failed sign-ins leaves the worker serving."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from climate import db
from climate.security.passwords import hash_password, needs_rehash, verify_password
from tests.climate.security.server import Server, cookie_header, form_token, running

FLOOD = 25


def _signed_out_form(server: Server) -> tuple[str, str]:
    page = httpx.get(server.url("/staff/sign-in"))
    return cookie_header(page), form_token(page)


def _failed_sign_in(server: Server, number: int) -> tuple[int, float]:
    cookies, token = _signed_out_form(server)
    started = time.perf_counter()
    answer = httpx.post(
        server.url("/staff/sign-in"),
        # Each guess names another address, as a stranger would: no account is needed.
        data={
            "email": f"guess{number}@nowhere.example",
            "password": "x" * 16,
            "_csrf_token": token,
        },
        headers={"cookie": cookies},
        timeout=60,
    )
    return answer.status_code, time.perf_counter() - started


def _health(server: Server) -> float:
    started = time.perf_counter()
    assert httpx.get(server.url("/healthz"), timeout=60).status_code == 200
    return time.perf_counter() - started


def test_a_hash_checks_in_a_thread_and_still_says_yes_or_no() -> None:
    async def check() -> None:
        stored = await hash_password("a long enough password")
        assert await verify_password(stored, "a long enough password")
        assert not await verify_password(stored, "another long password")
        assert not await verify_password("not a hash", "a long enough password")
        assert not await verify_password(stored, "x" * 300)
        assert not needs_rehash(stored)

    asyncio.run(check())


def test_failed_sign_ins_do_not_hold_up_the_health_check(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'climate.db'}"
    db.upgrade(url)
    with running(tmp_path, url) as server:
        idle = statistics.median(_health(server) for _ in range(10))
        # What the flood would cost if every check ran one after another, as on the loop.
        one = min(_failed_sign_in(server, n)[1] for n in range(3))
        serial = one * FLOOD
        during: list[float] = []
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                during.append(_health(server))
                time.sleep(0.02)

        watcher = threading.Thread(target=watch)
        watcher.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(FLOOD) as pool:
            answers = list(pool.map(lambda n: _failed_sign_in(server, n), range(3, 3 + FLOOD)))
        flood = time.perf_counter() - started
        done.set()
        watcher.join()
    statuses = [status for status, _ in answers]
    print(
        f"\nidle /healthz {idle * 1000:.1f} ms; one failed sign-in {one * 1000:.0f} ms; "
        f"{FLOOD} at once took {flood:.2f} s (serial {serial:.2f} s); /healthz during the "
        f"flood: {len(during)} checks, median {statistics.median(during) * 1000:.1f} ms, "
        f"max {max(during) * 1000:.1f} ms; statuses {sorted(set(statuses))}"
    )
    # Every guess was checked (a refused form, not a limit): the flood really hashed.
    assert statuses.count(400) == FLOOD
    assert len(during) >= 3
    # On the loop, one check held the worker for all the serial time; in threads the health
    # check waits for none of it. The bound is generous for a busy two-core machine.
    assert max(during) < serial / 4
