"""``climate serve --workers N``: limits hold in total across worker processes.

A real server with 2 workers (4 in the slow tier) on the test database is hammered from
several threads. Each case comes from an address of its own, named in X-Forwarded-For, which
uvicorn takes from a proxy on 127.0.0.1. What a window would let through after a wait is
checked by moving the stored windows back, never by sleeping.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from climate import db
from climate.cli import main
from climate.security.ratelimit import MISSES, SIGN_IN_ACCOUNT_ADDRESS, TICKET_LOOKUPS
from climate.settings import Settings
from tests.climate.controllers.test_signin import EMAIL, PASSWORD, add_account
from tests.climate.districts import TICKET_2, make_district
from tests.climate.security.server import Server, cookie_header, form_token, running

THREADS = 8


@pytest.fixture
def seeded(settings: Settings) -> Settings:
    """The student-route district and one staff account."""
    make_district(settings)
    add_account(settings)
    return settings


def served(settings: Settings, tmp_path: Path, workers: int) -> Iterator[Server]:
    with running(tmp_path, settings.database_url, workers=workers) as server:
        yield server


@pytest.fixture
def two(seeded: Settings, tmp_path: Path) -> Iterator[Server]:
    """``climate serve --workers 2``."""
    yield from served(seeded, tmp_path, 2)


@pytest.fixture
def four(seeded: Settings, tmp_path: Path) -> Iterator[Server]:
    """``climate serve --workers 4``."""
    yield from served(seeded, tmp_path, 4)


def worker_cpu(server: Server) -> dict[int, int]:
    """CPU ticks used so far by each worker process of the server."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    ticks = {}
    for child in map(int, children):
        command = Path(f"/proc/{child}/cmdline").read_bytes()
        if b"spawn_main" in command:  # not the resource tracker
            fields = Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split()
            ticks[child] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


def hammer(count: int, send: Callable[[int], httpx.Response]) -> list[int]:
    """Send ``count`` requests from several threads; their statuses."""
    with ThreadPoolExecutor(THREADS) as pool:
        return [answer.status_code for answer in pool.map(send, range(count))]


def client(address: str, cookies: str = "") -> httpx.Client:
    headers = {"x-forwarded-for": address, **({"cookie": cookies} if cookies else {})}
    return httpx.Client(headers=headers, timeout=60)


def sign_in(server: Server, address: str, password: str, known: str = "") -> httpx.Response:
    """One sign-in from ``address``, carrying a known-device cookie header if given."""
    with client(address, known) as http:
        page = http.get(server.url("/staff/sign-in"))
        cookies = cookie_header(page, known)
        form = {"email": EMAIL, "password": password, "_csrf_token": form_token(page)}
        return http.post(server.url("/staff/sign-in"), data=form, headers={"cookie": cookies})


def unknown_code(number: int) -> str:
    return "XXXX" + f"{number:06d}".translate(str.maketrans("0123456789", "ACDEFGHJKM"))


def age_windows(settings: Settings, seconds: float) -> None:
    """Move every stored window back, as if ``seconds`` had passed."""

    async def age() -> None:
        beside = db.counters_path(settings.database_url)
        counted = settings.database_url if beside is None else f"sqlite+aiosqlite:///{beside}"
        engine = db.create_engine(counted)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    text("UPDATE rate_limit SET window_start = window_start - :s"), {"s": seconds}
                )
        finally:
            await engine.dispose()

    asyncio.run(age())


def check_totals(server: Server, workers: int) -> None:
    before = worker_cpu(server)
    assert len(before) == workers
    with client("203.0.113.1") as pages:
        statuses = hammer(3 * MISSES[0], lambda n: pages.get(server.url(f"/s/{unknown_code(n)}")))
    assert statuses.count(404) == MISSES[0]
    assert statuses.count(429) == 2 * MISSES[0]
    with client("203.0.113.2") as api:

        def guess(n: int) -> httpx.Response:
            body = {"code": unknown_code(n), "locale": "en", "idempotency_key": str(uuid.uuid4())}
            return api.post(server.url("/api/v1/responses"), json=body)

        statuses = hammer(2 * MISSES[0], guess)
    assert statuses.count(404) == MISSES[0]
    assert statuses.count(429) == MISSES[0]
    survey = server.url(f"/api/v1/surveys/{TICKET_2}")
    limit = TICKET_LOOKUPS[0]
    # Look-ups of a ticket are counted against the ticket, from whatever address they come,
    # by each worker in its own memory (no row in the database beside the used ticket): a
    # flood of one ticket is refused, and each worker lets through at most its own limit.
    with client("203.0.113.3") as school, client("203.0.113.4") as home:
        statuses = hammer(workers * limit + 60, lambda n: (school if n % 2 else home).get(survey))
    assert limit <= statuses.count(200) <= workers * limit
    assert statuses.count(429) >= 60
    assert statuses.count(200) + statuses.count(429) == workers * limit + 60

    def guess_password(n: int) -> httpx.Response:
        return sign_in(server, "198.51.100.7", f"wrong guess {n}")

    statuses = hammer(3 * SIGN_IN_ACCOUNT_ADDRESS[0], guess_password)
    assert statuses.count(400) == SIGN_IN_ACCOUNT_ADDRESS[0]
    assert statuses.count(429) == 2 * SIGN_IN_ACCOUNT_ADDRESS[0]
    # Every worker took part: each spent CPU time on the requests.
    after = worker_cpu(server)
    assert all(after[pid] - before[pid] >= 5 for pid in before), (before, after)


def test_limits_hold_in_total_across_two_workers(two: Server) -> None:
    check_totals(two, 2)


@pytest.mark.slow
def test_limits_hold_in_total_across_four_workers(four: Server) -> None:
    check_totals(four, 4)


def test_a_stranger_cannot_lock_the_owner_out(two: Server, seeded: Settings) -> None:
    owner, stranger, elsewhere = "192.0.2.10", "198.51.100.66", "203.0.113.50"
    first = sign_in(two, owner, PASSWORD)
    assert first.status_code == 303
    # The browser keeps its known-device cookie (not its session: it signs in again below).
    known = f"climate_device={first.cookies['climate_device']}"
    # Two failures a minute, for longer than a window, never stop the owner ...
    for _ in range(6):
        assert [sign_in(two, stranger, "a wrong guess").status_code for _ in range(2)] == [400] * 2
        assert sign_in(two, owner, PASSWORD, known).status_code == 303
        assert sign_in(two, elsewhere, PASSWORD).status_code == 303
        age_windows(seeded, 60)
    # ... nor does a burst from the stranger's address, on the owner's known browser, even
    # from that same address.
    burst = hammer(40, lambda _: sign_in(two, stranger, "a wrong guess"))
    assert burst.count(400) <= SIGN_IN_ACCOUNT_ADDRESS[0]
    assert burst.count(429) >= 40 - SIGN_IN_ACCOUNT_ADDRESS[0]
    assert sign_in(two, stranger, PASSWORD).status_code == 429
    assert sign_in(two, stranger, PASSWORD, known).status_code == 303
    assert sign_in(two, owner, PASSWORD, known).status_code == 303
    # A forged or another account's cookie is no known browser.
    forged = known.replace("climate_device=", "climate_device=x")
    assert sign_in(two, stranger, PASSWORD, forged).status_code == 429
    # After the wait, anyone with the password passes, from the stranger's address too.
    age_windows(seeded, SIGN_IN_ACCOUNT_ADDRESS[1])
    assert sign_in(two, stranger, PASSWORD).status_code == 303


def test_serve_needs_at_least_one_worker(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--workers", "0"])
    assert "needs at least one worker, not 0" in capsys.readouterr().err
