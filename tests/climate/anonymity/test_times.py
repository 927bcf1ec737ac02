"""No time finer than a day is kept about a student: not in any table, file or log line.

A reader walks every table the live database's catalog lists (so a table or column added
later is walked too) and every value in it, system columns included, after students have
entered codes, answered by the API and the page form, declined and mistyped, and again after
the window closes. A value is a time finer than a day if it is a datetime or a time of day,
text that spells one, or a number in the range of epoch seconds, milliseconds or
microseconds of this century. Dates are allowed: a response keeps its window's closing day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import DateTime, Double, Float, Interval, Time

from climate.app import create_app
from climate.db import counters_path
from climate.models import metadata
from climate.security.ratelimit import Store
from climate.settings import Settings
from climate.students.sealing import Sealer
from tests.climate.anonymity.play import issue_tickets, take_surveys
from tests.climate.anonymity.reader import every_row, is_postgres, live_columns
from tests.climate.districts import close_open_windows, make_district

# Staff tables may keep times: these are the columns that do, and why each may.
STAFF_TIMES = {
    ("account", "created_at"): "when a district admin made a staff account",
    ("staff_session", "created_at"): "a staff member's signed-in browser",
    ("staff_session", "last_seen_at"): "a staff member's signed-in browser, for expiry",
    ("api_token", "created_at"): "a staff script's token",
    ("api_token", "revoked_at"): "a staff script's token",
    ("audit_event", "at"): "staff actions only: no student action writes an event (tested)",
    ("instrument_version", "registered_at"): "when staff registered an instrument file",
    ("published_release", "created_at"): "when a release of aggregates (>= k) was protected",
}
# A time that is written by a student action, and why it does not tie to a student.
#
# rate_limit.window_start: epoch seconds at which a limit's window began. Rows are keyed by
# an HMAC of (limit, key) under a key derived from the service's secret key; the keys are an
# address (the school's) or a class code (the whole school's), never a ticket: a ticket's
# look-ups are counted in each worker's memory, since on PostgreSQL a counter row shares the
# database with the used ticket, and transaction ids are sequential
# (test_a_ticket_holders_time_of_day_cannot_be_read_from_transaction_order reads them so).
# Without the secret key a reader cannot tell which row belongs to which code, and on SQLite
# the counters live in a file of their own, which shares no transaction or row order with
# the database.
COUNTER_TIMES = {("rate_limit", "window_start")}
TIME_TYPES = (DateTime, Time, Interval)
# Epoch seconds, milliseconds and microseconds between 2001 and 2128.
EPOCHS = ((1e9, 5e9), (1e12, 5e12), (1e15, 5e15))
SPELLED = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\b\d{1,2}:\d{2}(:\d{2})?\b")
SYSTEM = {"xmin", "ctid", "rowid"}  # where a row lies, not when: checked in test_ids


def _finer_than_a_day(value: Any) -> bool:
    if isinstance(value, dt.datetime | dt.time | dt.timedelta):
        return True
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return any(low <= abs(value) < high for low, high in EPOCHS)
    if isinstance(value, str):
        return bool(SPELLED.search(value))
    if isinstance(value, dict):
        return any(_finer_than_a_day(v) for v in (*value.keys(), *value.values()))
    if isinstance(value, list | tuple):
        return any(_finer_than_a_day(v) for v in value)
    return False  # dates, ids and bytes (sealed rows are opened and walked below)


def _times(tables: dict[str, list[dict[str, Any]]]) -> Iterator[tuple[str, str, Any]]:
    """Every (table, column, value) that is a time finer than a day and not allowed."""
    for table, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                allowed = (table, column) in STAFF_TIMES or (table, column) in COUNTER_TIMES
                if column not in SYSTEM and not allowed and _finer_than_a_day(value):
                    yield table, column, value


def _counters_file(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """On SQLite, the rate-limit counters' own file, read whole."""
    path = counters_path(settings.database_url)
    if path is None:
        return {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            f"{name}": [dict(r) for r in conn.execute(f'SELECT rowid AS rowid, * FROM "{name}"')]
            for name in names
        }


def _opened(settings: Settings, tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The sealed rows' contents, as the operator holding the key would read them."""
    sealer = Sealer.of(settings.secret_key)
    return [
        dict(sealer.open(r["administration_id"], r["school_id"], bytes(r["sealed"])))
        for r in tables["sealed_response"]
    ]


def test_the_schema_has_times_only_in_staff_columns(settings: Settings) -> None:
    allowed = set(STAFF_TIMES) | COUNTER_TIMES
    declared = {
        (t.name, c.name)
        for t in metadata.tables.values()
        for c in t.columns
        if isinstance(c.type, TIME_TYPES)
    }
    assert declared <= allowed, declared - allowed
    # A float column is where epoch seconds would hide: only the counters, the scale scores
    # (s01..s16, means of answers) and staff FTE (the district's roster and the CRDC's, per
    # school, nothing about a student) are floats.
    floats = {
        (t.name, c.name)
        for t in metadata.tables.values()
        for c in t.columns
        if isinstance(c.type, Float | Double)
    }
    scores = {("response", f"s{i:02d}") for i in range(1, 17)}
    staffing = {("staffing", "fte")} | {
        ("crdc_staffing", role)
        for role in ("counselor", "psychologist", "social_worker", "sworn_officers")
    }
    assert floats <= COUNTER_TIMES | scores | staffing, floats - COUNTER_TIMES - scores - staffing
    # The live catalog lists the same tables and columns: nothing was added beside the models.
    live = live_columns(settings)
    modelled = {t.name: [c.name for c in t.columns] for t in metadata.tables.values()}
    assert {t: sorted(c) for t, c in live.items() if t != "alembic_version"} == {
        t: sorted(c) for t, c in modelled.items()
    }


def test_no_table_keeps_a_time_of_day_about_a_student(settings: Settings) -> None:
    seeded = make_district(settings)
    tickets = issue_tickets(settings, seeded.tickets, 12)
    before = every_row(settings)
    with TestClient(create_app(settings)) as client:
        played = take_surveys(client, seeded, tickets)
    during = every_row(settings) | _counters_file(settings)
    assert len(during["sealed_response"]) == len(played.keys)
    assert not list(_times(during))
    # Inside the seal too: what the key holder reads at the close is no finer than a day.
    assert not [r for r in _opened(settings, during) if _finer_than_a_day(list(r.values()))]
    # The audit log is the staff's: no student action added to it.
    assert len(during["audit_event"]) == len(before["audit_event"])
    close_open_windows(settings)
    after = every_row(settings) | _counters_file(settings)
    assert len(after["response"]) == len(played.keys)
    assert not list(_times(after))


def test_the_logs_keep_no_student_data_and_no_line_per_submission(settings: Settings) -> None:
    seeded = make_district(settings)
    tickets = issue_tickets(settings, seeded.tickets, 6)
    debug = dataclasses.replace(settings, log_level="DEBUG")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep(logging.NOTSET)
    with TestClient(create_app(debug)) as client:
        # Added after the app configured logging, so it sees what the app's handlers see.
        for name in ("", "climate"):
            logging.getLogger(name).addHandler(keep)
        try:
            played = take_surveys(client, seeded, tickets)
        finally:
            for name in ("", "climate"):
                logging.getLogger(name).removeHandler(keep)
    text = "\n".join(f"{r.name} {r.levelname} {r.getMessage()}" for r in records)
    found = [s for s in played.secrets() if s.lower() in text.lower()]
    assert not found, f"{found} in the log:\n{text}"
    # Every log line has a time: a line per submission would be a time of day per student.
    # A request that stores a submission logs nothing at all, at DEBUG too.
    assert not records, text


# The names under which a limit may count a ticket (the per-code limits, old and new).
TICKET_LIMITS = ("submissions", "tickets", "class_codes", "lookups")


def test_a_ticket_holders_time_of_day_cannot_be_read_from_transaction_order(
    settings: Settings,
) -> None:
    if not is_postgres(settings):
        pytest.skip("SQLite keeps the counters in a file of their own: no shared order")
    seeded = make_district(settings)
    tickets = issue_tickets(settings, seeded.tickets, 12)
    with TestClient(create_app(settings)) as client:
        take_surveys(client, seeded, tickets, forms=0)
    rows = every_row(settings)
    # The reader: for each used ticket, the counter rows written since the previous one.
    used = sorted((int(r["xmin"]), r["code"]) for r in rows["access_code"] if r["used"])
    counters = [(int(r["xmin"]), bytes(r["key"])) for r in rows["rate_limit"]]
    guesses = {}
    previous = 0
    for xmin, code in used:
        guesses[code] = {key for at, key in counters if previous < at < xmin}
        previous = xmin
    # The test, which holds the key, checks the guesses against the truth.
    store = Store.of(None, settings.effective_secret)  # type: ignore[arg-type]
    paired = 0
    for code, guess in guesses.items():
        truth = {store.digest(name, code) for name in TICKET_LIMITS}
        paired += bool(guess & truth) and len(guess) <= 3
    print(f"{paired} of {len(guesses)} used tickets paired with their counter row")
    # Chance among the school's k or more would pair about none.
    assert paired < len(guesses) / 2
