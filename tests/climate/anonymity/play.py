"""A school's survey as students take it: tickets, a class code, the page form and a decline."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import insert

from climate import db
from climate.models import AccessCode
from climate.settings import Settings
from tests.climate.districts import CLASS, Seeded

Client = TestClient[Litestar]
# Three 4-option items give 64 answer patterns: each submission gets its own, so the test
# (not a reader) knows which stored row came from which submission.
ITEMS = ("conn_belong", "conn_part", "conn_outsider")
LAYOUT = {"conn_belong": "a01", "conn_part": "a02", "conn_outsider": "a03"}


@dataclass
class Played:
    """What the students sent and were given, in the order they sent it."""

    tickets: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)
    # Per administration, the answer patterns in arrival order.
    patterns: dict[int, list[tuple[int, ...]]] = field(default_factory=dict)

    def secrets(self) -> list[str]:
        """Everything a student held or was given: a log or a table must show none of it."""
        return [CLASS, *self.tickets, *self.keys, *self.receipts]


def patterns() -> list[tuple[int, ...]]:
    """Distinct answer patterns, in a fixed order."""
    return list(itertools.product((1, 2, 3, 4), repeat=len(ITEMS)))


def pattern_of(row: dict[str, Any]) -> tuple[int, ...]:
    """The answer pattern a stored response row holds."""
    return tuple(int(row[LAYOUT[item]]) for item in ITEMS)


def issue_tickets(settings: Settings, administration_id: int, count: int) -> list[str]:
    """``count`` fresh tickets of school S1, written as the staff page would."""
    tickets = ["".join("ACDEFGHJKM"[int(d)] for d in f"{n:010d}") for n in range(count)]

    async def run() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                rows = [
                    {"code": t, "administration_id": administration_id, "school_id": "S1"}
                    | {"kind": "ticket", "used": False}
                    for t in tickets
                ]
                await conn.execute(insert(AccessCode), rows)
        finally:
            await engine.dispose()

    asyncio.run(run())
    return tickets


def _send(client: Client, played: Played, administration_id: int, code: str) -> None:
    answers = patterns()[len(played.keys) % 64]
    key = str(uuid.uuid4())
    body = {
        "code": code,
        "locale": "en",
        "idempotency_key": key,
        "answers": dict(zip(ITEMS, answers, strict=True)),
        "demographics": {"grade": 9},
    }
    answer = client.post("/api/v1/responses", json=body)
    assert answer.status_code == 201, answer.text
    played.keys.append(key)
    played.receipts.append(str(answer.json()["receipt"]))
    played.patterns.setdefault(administration_id, []).append(answers)


def _send_form(client: Client, played: Played, administration_id: int) -> None:
    answers = patterns()[len(played.keys) % 64]
    key = str(uuid.uuid4())
    assert client.get(f"/s/{CLASS}").status_code == 200
    form = {f"answers.{item}": str(value) for item, value in zip(ITEMS, answers, strict=True)}
    sent = client.post(
        "/survey",
        data={**form, "demographics.grade": "9", "idempotency_key": key},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text[:300]
    played.keys.append(key)
    played.receipts.append(sent.headers["set-cookie"].split(";")[0].split("=", 1)[1])
    played.patterns.setdefault(administration_id, []).append(answers)


def take_surveys(client: Client, seeded: Seeded, tickets: list[str], forms: int = 4) -> Played:
    """Every ticket sends once through the API, then ``forms`` class-code students use the
    page form, one declines, and one mistypes a code."""
    played = Played(tickets=list(tickets))
    for ticket in tickets:
        _send(client, played, seeded.tickets, ticket)
    for _ in range(forms):
        _send_form(client, played, seeded.secondary)
    assert client.get(f"/s/{CLASS}").status_code == 200
    assert client.post("/survey/decline", follow_redirects=False).status_code == 303
    assert client.get("/s/XXXXXXXXXX").status_code == 404
    return played
