"""A database that cannot be reached answers 503 with Retry-After, never 500, and comes back.

Three outages: a SQLite file that cannot be opened, a PostgreSQL port nothing listens on,
and (on PostgreSQL) a real server whose connections are killed again and again under traffic.
"""

from __future__ import annotations

import asyncio
import collections
import random
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.engine import make_url

from climate import db
from climate.app import create_app
from climate.settings import Settings
from tests.climate.districts import CLASS, make_district
from tests.climate.security.server import SECRET, Server, free_port, running
from tests.conftest import PG_URL

Client = TestClient[Litestar]
# Cookies are Secure: the test client speaks https.
BASE = "https://testserver.local"
# A session id that no database holds: the guard must look it up to know.
STALE = "a-session-id-that-the-database-must-be-asked-about-000"


def _submission() -> dict[str, Any]:
    return {
        "code": CLASS,
        "locale": "en",
        "idempotency_key": str(uuid.uuid4()),
        "answers": {"conn_belong": 4, "conn_part": 3},
        "demographics": {"grade": 9, "gender": 2},
    }


@pytest.fixture(params=["sqlite-unopenable", "postgresql-closed-port"])
def unreachable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Client]:
    """The app on a database it cannot reach: a directory for a SQLite file, or a dead port."""
    if request.param == "sqlite-unopenable":
        # The path is a directory: SQLite cannot open it as a database file.
        url = f"sqlite+aiosqlite:///{tmp_path}"
    else:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/test"
    settings = Settings(database_url=url, secret_key=SECRET)
    with TestClient(create_app(settings), base_url=BASE) as client:
        yield client


def _unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503, (answer.request.url, answer.status_code, answer.text[:300])
    assert int(answer.headers["retry-after"]) > 0


def test_an_unreachable_database_answers_503_everywhere(unreachable: Client) -> None:
    health = unreachable.get("/healthz")
    _unavailable(health)
    assert health.json() == {"status": "unavailable", "database": "unreachable"}
    page = unreachable.get(f"/s/{CLASS}")
    _unavailable(page)
    assert 'data-error="unavailable"' in page.text
    for answer in (
        unreachable.get(f"/api/v1/surveys/{CLASS}"),
        unreachable.post("/api/v1/responses", json=_submission()),
    ):
        _unavailable(answer)
        assert answer.json()["error"] == "unavailable"
    unreachable.cookies.set("climate_session", STALE)
    staff = unreachable.get("/staff/administrations", follow_redirects=False)
    _unavailable(staff)
    assert 'data-status="503"' in staff.text


def test_an_unreachable_database_in_arabic_says_so_in_arabic(unreachable: Client) -> None:
    english = unreachable.get(f"/s/{CLASS}?lang=en")
    arabic = unreachable.get(f"/s/{CLASS}?lang=ar")
    _unavailable(arabic)
    assert 'dir="rtl"' in arabic.text
    assert english.text != arabic.text


def _terminate_backends(url: str) -> int:
    async def run() -> int:
        parsed = make_url(url)
        conn = await asyncpg.connect(
            host=parsed.host, port=parsed.port, user=parsed.username, database=parsed.database
        )
        try:
            rows = await conn.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                parsed.database,
            )
            return len(rows)
        finally:
            await conn.close()

    return asyncio.run(run())


def _traffic(server: Server, seen: collections.Counter[str], stop: threading.Event) -> None:
    with httpx.Client(base_url=server.base, timeout=60) as client:
        while not stop.is_set():
            for method, path, body in (
                ("GET", "/healthz", None),
                ("GET", f"/s/{CLASS}", None),
                ("GET", f"/api/v1/surveys/{CLASS}", None),
                ("POST", "/api/v1/responses", _submission()),
                ("GET", "/staff/administrations", None),
            ):
                cookie = f"climate_session={STALE}" if path.startswith("/staff") else ""
                # Many schools' addresses, as behind the district's proxy: the per-address
                # limit on code look-ups stays out of the way of the outage.
                sender = f"10.{random.randrange(256)}.0.{random.randrange(256)}"
                headers = {"x-forwarded-for": sender, "cookie": cookie}
                answer = client.request(method, path, json=body, headers=headers)
                status = answer.status_code
                if status == 503:
                    # Every 503 says when to come back.
                    status = 5030 if "retry-after" in answer.headers else 5039
                seen[f"{path.split('/')[1]} {status}"] += 1


async def _fresh_database(url: str) -> str:
    """A new, empty database beside the test one, so killing its backends spares other tests."""
    parsed = make_url(url)
    name = f"{parsed.database}_outage"
    conn = await asyncpg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, database=parsed.database
    )
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.mark.skipif(not PG_URL, reason="CLIMATE_TEST_DATABASE_URL is not set")
def test_killed_connections_answer_503_and_the_service_recovers(tmp_path: Path) -> None:
    url = asyncio.run(_fresh_database(PG_URL))
    db.upgrade(url)
    make_district(Settings(database_url=url, secret_key=SECRET))
    seen: collections.Counter[str] = collections.Counter()
    stop = threading.Event()
    with running(tmp_path, url) as server:
        workers = [threading.Thread(target=_traffic, args=(server, seen, stop)) for _ in range(4)]
        for worker in workers:
            worker.start()
        killed = 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            killed += _terminate_backends(url)
            time.sleep(0.15)
        stop.set()
        for worker in workers:
            worker.join()
        # Once the database stays, the pool finds it again without a restart.
        after = [httpx.get(server.url("/healthz"), timeout=30).status_code for _ in range(5)]
        survey = httpx.get(server.url(f"/api/v1/surveys/{CLASS}"), timeout=30).status_code
        staff = httpx.get(
            server.url("/staff/administrations"),
            headers={"cookie": f"climate_session={STALE}"},
            timeout=30,
        ).status_code
        log = server.output()
    print(f"\n{killed} backends killed; answers by route and status: {dict(sorted(seen.items()))}")
    statuses = {key.rsplit(" ", 1)[1] for key in seen}
    assert killed > 10
    assert sum(seen.values()) > 50
    assert not any(status.startswith("50") and status != "5030" for status in statuses), seen
    assert statuses <= {"200", "201", "303", "429", "5030"}, seen
    assert after == [200] * 5
    assert survey == 200
    assert staff == 303
    assert "Uncaught exception" not in log
    assert "Traceback" not in log
