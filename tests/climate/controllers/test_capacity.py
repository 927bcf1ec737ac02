"""Admission by capacity: a worker sheds what it cannot serve soon, and nothing is lost."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from climate.errors import Busy
from climate.security.capacity import Capacity
from tests.climate.controllers.test_api import body

Client = TestClient[Litestar]


def test_a_full_line_is_shed_at_once_and_the_rest_are_served() -> None:
    async def crowd() -> tuple[int, int, int]:
        capacity = Capacity(running=2, waiting=3)
        release = asyncio.Event()
        busiest = 0
        running = 0

        async def one() -> bool:
            nonlocal busiest, running
            try:
                async with capacity.admit():
                    running += 1
                    busiest = max(busiest, running)
                    await release.wait()
                    running -= 1
            except Busy:
                return False
            return True

        tasks = [asyncio.create_task(one()) for _ in range(10)]
        await asyncio.sleep(0.01)
        waiting = capacity.queued
        release.set()
        served = sum(await asyncio.gather(*tasks))
        return served, busiest, waiting

    served, busiest, waiting = asyncio.run(crowd())
    # Two at once and three in line are served; the other five are turned away at once.
    assert (served, busiest, waiting) == (5, 2, 3)


def test_bad_capacities_are_refused() -> None:
    with pytest.raises(ValueError, match="capacity"):
        Capacity(running=0)


def test_a_shed_submission_is_a_503_the_page_resends_and_it_is_stored_once(
    student: Client, seeded: Any
) -> None:
    services = student.app.state["services"]
    full = Capacity(running=1, waiting=0)
    services.capacity = full
    sent = body(idempotency_key=str(uuid.uuid4()))

    async def hold() -> None:
        await full._slots.acquire()  # another student's request holds the only slot

    student.blocking_portal.call(hold)
    shed = student.post("/api/v1/responses?lang=es", json=sent)
    assert shed.status_code == 503
    assert shed.json()["error"] == "busy"
    assert shed.headers["retry-after"] == "2"
    assert shed.json()["message"] != Busy.message  # in the student's language
    student.blocking_portal.call(_release, full)
    stored = student.post("/api/v1/responses", json=sent)
    again = student.post("/api/v1/responses", json=sent)
    assert (stored.status_code, again.status_code) == (201, 200)
    assert stored.json() == again.json()


async def _release(capacity: Capacity) -> None:
    capacity._slots.release()
