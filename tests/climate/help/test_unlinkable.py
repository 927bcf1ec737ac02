"""A database reader cannot match a help request to a survey response.

The same students answer the survey and send help requests, one after the other, while the
window is open; then the window closes. The reader has SELECT on every table and every system
column (``xmin`` and ``ctid`` on PostgreSQL; the file on SQLite), not the service's key. The
test knows which request and which response came from the same student (from the code it was
given and the answers it sent); nothing the reader sees may tell it: the two share no value
but the school (and the day, which every response of the window shares), the help tables hold
no time finer than a day, help ids are random, and on PostgreSQL every response carries the
one transaction of the close, so a request's transaction id orders it before all of them alike.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import re
import uuid
from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from scipy.stats import spearmanr
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from climate import db
from climate.app import create_app
from climate.help import requests as help
from climate.help.config import load
from climate.help.requests import Desk
from climate.settings import Settings
from tests.climate.anonymity.play import ITEMS, issue_tickets, pattern_of, patterns
from tests.climate.anonymity.reader import every_row, is_postgres, read
from tests.climate.districts import close_open_windows, make_district

STUDENTS = 50
HELP_TABLES = ("help_request", "help_message")
# Two-sided, |rho| above this has probability about 3e-5 for a shuffle of 50 (sd 1/7).
MAX_RHO = 0.6
DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
SYMBOL = "[ACDEFGHJKMNPQRTWXY34679]{4}"
CODE = re.compile(rf"\b({SYMBOL}-{SYMBOL}-{SYMBOL})\b")
FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')
HELP_FILE = """
timezone = "UTC"
reading_time = "15:00"
[district]
readers = ["lead@district.example"]
"""


@dataclasses.dataclass
class Student:
    """What one student sent and was given: a survey and a help request (its code, canonical)."""

    ticket: str
    key: str
    receipt: str
    answers: tuple[int, ...]
    form_key: str
    code: str


def _rank(values: list[Any]) -> list[int]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0] * len(values)
    for rank, index in enumerate(order):
        ranks[index] = rank
    return ranks


def _rho(arrival: list[int], order: list[Any]) -> float:
    return float(spearmanr(arrival, _rank(order)).statistic)


def _telling(value: Any) -> str | None:
    """A value that could name one row (an id, code, key, hash), as text; None for the rest.

    Days, booleans, small numbers and short words (a school id, a locale) are shared by many
    rows by nature; the day is checked apart.
    """
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, str) and len(value) >= 8 and not DAY.match(value):
        return value.replace("-", "").lower() if _is_uuid(value) else value
    return None


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _values(rows: list[dict[str, Any]], skip: tuple[str, ...] = ("xmin", "ctid")) -> set[str]:
    return {
        found
        for row in rows
        for column, value in row.items()
        if column not in skip and (found := _telling(value)) is not None
    }


def _column_types(settings: Settings) -> dict[str, dict[str, str]]:
    async def run() -> dict[str, dict[str, str]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: {
                        t: {c["name"]: str(c["type"]).upper() for c in inspect(sync).get_columns(t)}
                        for t in HELP_TABLES
                    }
                )
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _file_bytes(settings: Settings) -> bytes:
    database = Path(str(make_url(settings.database_url).database))
    found = b""
    for path in (database, database.with_name(database.name + "-wal")):
        if path.exists():
            found += path.read_bytes()
    return found


def _play(settings: Settings, administration_id: int) -> list[Student]:
    """Each student answers the survey through the API, then sends a help request from the
    student page, in the same browser (one client, one cookie jar)."""
    tickets = issue_tickets(settings, administration_id, STUDENTS)
    students: list[Student] = []
    with TestClient(create_app(settings)) as client:
        # Every student sends from the one test client's address: room for all of them.
        client.app.state["services"].limits.help_sends.limit = STUDENTS
        for number, ticket in enumerate(tickets):
            answers = patterns()[number]
            key = str(uuid.uuid4())
            body = {
                "code": ticket,
                "locale": "en",
                "idempotency_key": key,
                "answers": dict(zip(ITEMS, answers, strict=True)),
                "demographics": {"grade": 9},
            }
            answer = client.post("/api/v1/responses", json=body)
            assert answer.status_code == 201, answer.text
            kind = ("talk", "worry")[number % 2]
            blank = client.get(f"/help/new?kind={kind}&lang=en")
            form_key = FORM_KEY.search(blank.text)
            assert form_key is not None
            form = {
                "kind": kind,
                "school": "S1",
                "urgency": ("today", "week")[number % 2],
                "text": "I would like to talk to someone about my week.",
                "contact": "",
                "form_key": form_key.group(1),
            }
            page = client.post("/help/new?lang=en", data=form)
            assert page.status_code == 200, page.text[:300]
            code = CODE.search(page.text)
            assert code is not None
            receipt = str(answer.json()["receipt"])
            students.append(
                Student(
                    ticket,
                    key,
                    receipt,
                    answers,
                    form_key.group(1),
                    help.canonical(code.group(1)) or "",
                )
            )
    return students


def test_a_database_reader_cannot_match_a_help_request_to_a_response(
    settings: Settings, tmp_path: Path
) -> None:
    seeded = make_district(settings)
    path = tmp_path / "help.toml"
    path.write_text(HELP_FILE, encoding="utf-8")
    served = dataclasses.replace(settings, help_requests=path)
    desk = Desk.of(load(path), served.effective_secret)
    students = _play(served, seeded.tickets)
    close_open_windows(served)
    postgres = is_postgres(served)

    tables = every_row(served)
    responses = [r for r in tables["response"] if r["administration_id"] == seeded.tickets]
    requests = tables["help_request"]
    messages = tables["help_message"]
    assert len(responses) == len(requests) == len(messages) == STUDENTS
    # The test knows whose is whose: a response by its answers, a request by its code.
    by_answers = {s.answers: n for n, s in enumerate(students)}
    by_hash = {desk.digest(s.code): n for n, s in enumerate(students)}
    response_arrival = [by_answers[pattern_of(r)] for r in responses]
    request_arrival = [by_hash[r["code_hash"]] for r in requests]
    assert sorted(response_arrival) == sorted(request_arrival) == list(range(STUDENTS))

    # 1. No value a row could be told by is shared between the help tables and any other.
    help_values = _values(requests + messages)
    elsewhere = _values([row for t, rows in tables.items() if t not in HELP_TABLES for row in rows])
    assert not help_values & elsewhere, help_values & elsewhere
    # What the two share is the school, and the day every response of the window carries.
    for column in ("school_id", "submitted_on", "locale", "grade"):
        assert len({r[column] for r in responses}) == 1, column
    assert {r["school_id"] for r in requests} == {"S1"}

    # 2. Nothing a student held, sent or was given is stored in the clear or as a plain hash.
    everything = repr(tables)
    for student in students:
        for secret in (student.ticket, student.key, student.receipt, student.form_key):
            assert secret not in everything, secret
        for code in (student.code, help.display(student.code)):
            assert code not in everything, code
            assert hashlib.sha256(code.encode()).hexdigest() not in everything
        assert hashlib.sha256(student.form_key.encode()).hexdigest() not in everything
        assert student.form_key.replace("-", "") not in everything

    # 3. No time finer than a day in any help column: dates only, and the values are days.
    types = _column_types(served)
    for table, columns in types.items():
        for column, kind in columns.items():
            assert "TIME" not in kind, (table, column, kind)
    assert {types["help_request"][c] for c in ("sent_on", "due_on", "closed_on")} == {"DATE"}
    assert types["help_message"]["sent_on"] == "DATE"
    for row in requests + messages:
        for column in ("sent_on", "due_on", "closed_on"):
            if row.get(column) is not None:
                assert DAY.match(str(row[column])), (column, row[column])

    # 4. Help ids are random (version 4) and their order is not the order of arrival.
    ids = [uuid.UUID(str(r["id"])) for r in requests]
    assert {i.version for i in ids} == {4}
    by_id = _rho(request_arrival, [i.hex for i in ids])
    print(f"help ids' rank correlation with arrival: {by_id:+.3f}")
    assert abs(by_id) < MAX_RHO

    if postgres:
        # 5. Every response carries the close's one transaction, which no request shares:
        # a request's transaction id stands before every response alike, whoever sent it.
        (closed,) = {int(r["xmin"]) for r in responses}
        help_xmins = [int(r["xmin"]) for r in requests]
        assert len(set(help_xmins)) == STUDENTS  # one transaction per request
        assert closed not in help_xmins
        assert {x < closed for x in help_xmins} == {True}
        # The responses' physical order is a shuffle, so no request's place lines up with one.
        ctids = [tuple(int(x) for x in r["ctid"].strip("()").split(",")) for r in responses]
        physical = _rho(response_arrival, ctids)
        print(f"responses' physical rank correlation with arrival: {physical:+.3f}")
        assert abs(physical) < MAX_RHO
    else:
        # 5. No rowid: the help tables lie in the order of their random keys, not of arrival.
        for table in HELP_TABLES:
            ddl = read(served, f"SELECT sql FROM sqlite_master WHERE name = '{table}'")
            assert "WITHOUT ROWID" in str(ddl[0]["sql"]).upper(), table
            assert "rowid" not in tables[table][0]
        # Read without ORDER BY, rows come in the order the file keeps them.
        arrival_of = {str(r["id"]): by_hash[r["code_hash"]] for r in requests}
        stored = _rho(request_arrival, list(range(STUDENTS)))
        kept = _rho([arrival_of[str(m["request_id"])] for m in messages], list(range(STUDENTS)))
        print(f"help rows' stored order, correlation with arrival: {stored:+.3f}, {kept:+.3f}")
        assert abs(stored) < MAX_RHO
        assert abs(kept) < MAX_RHO
        # A copy of the file holds no code, form key or receipt.
        backup = _file_bytes(served)
        for student in students:
            for secret in (student.code, student.form_key, student.receipt, student.ticket):
                assert secret.encode() not in backup, secret
