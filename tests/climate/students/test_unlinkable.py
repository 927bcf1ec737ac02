"""Anonymity against a database reader: 50 ticket submissions, then everything a reader sees.

The reader has SELECT on every table and every system column (``xmin`` and ``ctid`` on
PostgreSQL; the file itself on SQLite), but not the service's secret key. While the window is
open it may tie a receipt or a ticket to a sealed row, never to answers. After the close,
nothing it reads may tie a receipt, ticket or key to a response better than chance among the
school's responses, and the responses' order, physical or by id, must not follow arrival.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import itertools
import uuid
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from scipy.stats import spearmanr
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from climate import db
from climate.administrations import AdministrationError, change_status
from climate.app import create_app
from climate.models import AccessCode, response
from climate.settings import Settings
from tests.climate.districts import Seeded, close_open_windows, make_district

SUBMISSIONS = 50
# Three 4-option items give 64 answer patterns: each submission gets its own, so the test
# (not the reader) knows which row is whose.
ITEMS = ("conn_belong", "conn_part", "conn_outsider")
# Two-sided, |rho| above this has probability about 3e-5 for a shuffle of 50 (sd 1/7).
MAX_RHO = 0.6


def _patterns() -> list[dict[str, int]]:
    combos = itertools.product((1, 2, 3, 4), repeat=len(ITEMS))
    return [dict(zip(ITEMS, values, strict=True)) for values in itertools.islice(combos, 50)]


def _read(settings: Settings, sql: str) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return [dict(r._mapping) for r in await conn.execute(text(sql))]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _issue_tickets(settings: Settings, administration_id: int) -> list[str]:
    tickets = ["".join("ACDEFGHJKM"[int(d)] for d in f"{n:010d}") for n in range(SUBMISSIONS)]

    async def run() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    insert(AccessCode),
                    [
                        {
                            "code": t,
                            "administration_id": administration_id,
                            "school_id": "S1",
                            "kind": "ticket",
                            "used": False,
                        }
                        for t in tickets
                    ],
                )
        finally:
            await engine.dispose()

    asyncio.run(run())
    return tickets


def _columns(settings: Settings, table: str) -> str:
    """Every column of ``table``, system columns included where the database has them."""
    if settings.database_url.startswith("postgresql"):
        return "xmin::text AS xmin, ctid::text AS ctid, *"
    return "*"


def _play(client: TestClient[Litestar], tickets: list[str]) -> list[dict[str, Any]]:
    """Submit one survey per ticket, one at a time; what each student sent and got."""
    played = []
    for ticket, answers in zip(tickets, _patterns()[: len(tickets)], strict=True):
        key = str(uuid.uuid4())
        sent = {"code": ticket, "locale": "en", "idempotency_key": key, "answers": answers}
        answer = client.post("/api/v1/responses", json=sent)
        assert answer.status_code == 201, answer.text
        played.append({"ticket": ticket, "key": key, "receipt": answer.json()["receipt"], **sent})
    return played


def _physical_order(settings: Settings, rows: list[dict[str, Any]]) -> list[Any]:
    if settings.database_url.startswith("postgresql"):
        return [tuple(int(x) for x in r["ctid"].strip("()").split(",")) for r in rows]
    # A WITHOUT ROWID table lies in its key's order: administration, school, random id.
    return [r["id"] for r in rows]


def _rank(values: list[Any]) -> list[int]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0] * len(values)
    for rank, index in enumerate(order):
        ranks[index] = rank
    return ranks


def _file_bytes(settings: Settings) -> bytes:
    database = Path(str(make_url(settings.database_url).database))
    found = b""
    for path in (database, database.with_name(database.name + "-wal")):
        if path.exists():
            found += path.read_bytes()
    return found


def test_a_database_reader_cannot_link_a_ticket_or_receipt_to_answers(
    settings: Settings,
) -> None:
    seeded: Seeded = make_district(settings)
    tickets = _issue_tickets(settings, seeded.tickets)
    with TestClient(create_app(settings)) as client:
        played = _play(client, tickets)
    postgres = settings.database_url.startswith("postgresql")

    # While the window is open: no answers anywhere in the clear.
    assert _read(settings, "SELECT * FROM response") == []
    sealed = _read(settings, f"SELECT {_columns(settings, 'sealed_response')} FROM sealed_response")
    assert len(sealed) == SUBMISSIONS
    receipts = _read(settings, f"SELECT {_columns(settings, 'receipt')} FROM receipt")
    used = _read(
        settings, f"SELECT {_columns(settings, 'access_code')} FROM access_code WHERE used"
    )
    assert {r["receipt"] for r in receipts} == {p["receipt"] for p in played}
    assert {r["code"] for r in used} >= set(tickets)
    hashes = {hashlib.sha256(p["key"].encode()).hexdigest() for p in played}
    assert {r["key_hash"] for r in receipts} == hashes
    for row in sealed:
        blob = bytes(row["sealed"])
        # Sealed: the row's field names, which a plain encoding would carry, do not show.
        assert b"locale" not in blob
        assert b"grade" not in blob
    if postgres:
        # The reader can tie a receipt to its sealed row (same transaction), nothing more.
        assert {r["xmin"] for r in receipts} == {r["xmin"] for r in sealed}

    close_open_windows(settings)

    # After the close: nothing that pointed at a submission is left.
    for table in ("receipt", "sealed_response"):
        assert _read(settings, f"SELECT * FROM {table}") == []
    assert _read(settings, "SELECT * FROM access_code WHERE kind = 'ticket'") == []
    stored = _read(
        settings,
        f"SELECT {_columns(settings, 'response')} FROM response "
        f"WHERE administration_id = {seeded.tickets}",
    )
    assert len(stored) == SUBMISSIONS
    if not postgres:
        stored.sort(key=lambda r: r["id"])  # the order the file keeps them in
    # The test knows whose row is whose from the answers; the reader does not.
    layout = {"conn_belong": "a01", "conn_part": "a02", "conn_outsider": "a03"}
    arrival = {tuple(p["answers"][i] for i in ITEMS): n for n, p in enumerate(played)}
    arrived = [arrival[tuple(r[layout[i]] for i in ITEMS)] for r in stored]
    assert sorted(arrived) == list(range(SUBMISSIONS))

    # No column but the answers tells rows apart: one date, one school, one transaction.
    clear = {"administration_id", "school_id", "submitted_on", "grade", "locale"}
    for column in clear | ({"xmin"} if postgres else set()):
        assert len({r[column] for r in stored}) == 1, column
    if postgres:
        earlier = {r["xmin"] for r in receipts} | {r["xmin"] for r in used}
        assert not earlier & {r["xmin"] for r in stored}

    # Neither the physical order nor the id order follows arrival.
    physical = spearmanr(arrived, _rank(_physical_order(settings, stored))).statistic
    by_id = spearmanr(arrived, _rank([str(r["id"]) for r in stored])).statistic
    print(f"rank correlation with arrival: physical {physical:+.3f}, id {by_id:+.3f}")
    assert abs(physical) < MAX_RHO
    assert abs(by_id) < MAX_RHO

    # A backup of the file keeps no receipt, ticket or key hash (SQLite: the file itself).
    if not postgres:
        backup = _file_bytes(settings)
        for p in played:
            for secret in (p["receipt"], p["ticket"]):
                assert secret.encode() not in backup, secret
        for hashed in hashes:
            assert hashed.encode() not in backup


def test_response_columns_hold_no_arrival_time() -> None:
    # The response row keeps a day only; anything finer would order arrivals.
    kinds = {c.name: type(c.type).__name__ for c in response.columns}
    assert kinds["submitted_on"] == "Date"
    assert not [n for n, k in kinds.items() if k in ("DateTime", "Time", "TIMESTAMP")]


def test_submissions_read_back_only_through_the_close(settings: Settings) -> None:
    seeded = make_district(settings)
    with TestClient(create_app(settings)) as client:
        _play(client, _issue_tickets(settings, seeded.tickets)[:3])
    ids = _read(settings, "SELECT id FROM sealed_response")
    close_open_windows(settings)
    moved = {str(r["id"]) for r in _read(settings, "SELECT id FROM response")}
    # Each response gets a new random id at the close: a sealed row's id does not follow it.
    assert len(moved) == 3
    assert not moved & {str(r["id"]) for r in ids}


def test_a_close_with_another_secret_key_is_refused_and_changes_nothing(
    settings: Settings,
) -> None:
    seeded = make_district(settings)
    with TestClient(create_app(settings)) as client:
        _play(client, _issue_tickets(settings, seeded.tickets)[:2])
    other = dataclasses.replace(settings, secret_key="another-secret-key-of-forty-characters!!")

    async def close(with_settings: Settings) -> bool:
        engine = db.create_engine(settings.database_url)
        try:
            return await change_status(engine, with_settings, "tests", seeded.tickets, "closed")
        finally:
            await engine.dispose()

    with pytest.raises(AdministrationError, match="CLIMATE_SECRET_KEY"):
        asyncio.run(close(other))
    # Nothing moved, nothing was forgotten, and the window is still open.
    assert len(_read(settings, "SELECT id FROM sealed_response")) == 2
    assert len(_read(settings, "SELECT receipt FROM receipt")) == 2
    assert _read(settings, "SELECT * FROM response") == []
    status = _read(settings, f"SELECT status FROM administration WHERE id = {seeded.tickets}")
    assert status == [{"status": "open"}]
    # With the key it was sealed with, the close goes through.
    assert asyncio.run(close(settings))
    assert len(_read(settings, "SELECT id FROM response")) == 2
