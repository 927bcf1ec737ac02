"""The ids of rows written per submission are random, and in no order that follows arrival.

tests/climate/students/test_unlinkable.py plays 50 ticket submissions through the API and
checks the ``response`` rows of that window after the close (ids and ``ctid``). This adds:
the class-code window and the page form; the rows that exist while a window is open
(``sealed_response`` and ``receipt``, whose ids and keys must not count arrivals either); that
every UUID anywhere is a random (version 4) one, never a time-based one; that on SQLite no
per-submission table has a rowid; and which tables get a row per submission at all, so a new
one is noticed and checked.
"""

from __future__ import annotations

import math
import re
import uuid
from typing import Any

import pytest
from litestar.testing import TestClient
from scipy.stats import spearmanr

from climate.app import create_app
from climate.settings import Settings
from climate.students.sealing import Sealer
from tests.climate.anonymity.play import issue_tickets, pattern_of, take_surveys
from tests.climate.anonymity.reader import every_row, is_postgres, read
from tests.climate.districts import close_open_windows, make_district

TICKETS = 40
FORMS = 20
# Spearman's rho of a random shuffle of n is about normal with sd 1/sqrt(n - 1): |rho| beyond
# 3.9 sd has probability about 1e-4 (0.62 for 40 rows, 0.89 for 20), while an order that
# follows arrival gives 1.
Z_MAX = 3.9
# The tables that get a row per submission while a window is open, and where each one's
# order is checked. No counter row is written per ticket (a ticket's look-ups are counted
# in memory), so rate_limit is not one of them.
PER_SUBMISSION = {"sealed_response", "receipt"}


def _rho(arrival: list[int], keys: list[Any]) -> float:
    """Rank correlation of arrival with the order of ``keys``; fails if beyond chance."""
    order = sorted(range(len(keys)), key=lambda i: keys[i])
    ranks = [0] * len(keys)
    for rank, index in enumerate(order):
        ranks[index] = rank
    rho = float(spearmanr(arrival, ranks).statistic)
    assert abs(rho) < Z_MAX / math.sqrt(len(keys) - 1), f"rho {rho:+.3f} over {len(keys)} rows"
    return rho


# SQLite keeps a UUID as 32 hex digits; PostgreSQL has a type of its own.
SPELLED_UUID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def _uuids(tables: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str, uuid.UUID]]:
    """Every UUID in every column of every table, however the driver returns it."""
    found = []
    for table, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                if isinstance(value, uuid.UUID):
                    found.append((table, column, uuid.UUID(str(value))))
                elif isinstance(value, str) and SPELLED_UUID.fullmatch(value):
                    found.append((table, column, uuid.UUID(value)))
    return found


def test_per_submission_rows_have_random_ids_in_no_arrival_order(settings: Settings) -> None:
    seeded = make_district(settings)
    tickets = issue_tickets(settings, seeded.tickets, TICKETS)
    before = every_row(settings)
    with TestClient(create_app(settings)) as client:
        played = take_surveys(client, seeded, tickets, forms=FORMS)
    during = every_row(settings)
    grew = {t for t, rows in during.items() if len(rows) - len(before[t]) >= TICKETS}
    assert grew == PER_SUBMISSION

    # Sealed rows: the test opens them to learn which submission each one is.
    sealer = Sealer.of(settings.secret_key)
    by_pattern = {
        aid: {pattern: n for n, pattern in enumerate(patterns)}
        for aid, patterns in played.patterns.items()
    }
    for administration_id, arrivals in by_pattern.items():
        sealed = [
            r for r in during["sealed_response"] if r["administration_id"] == administration_id
        ]
        opened = [
            sealer.open(administration_id, r["school_id"], bytes(r["sealed"])) for r in sealed
        ]
        arrival = [arrivals[pattern_of(row)] for row in opened]
        assert sorted(arrival) == list(range(len(arrivals)))
        rho = _rho(arrival, [str(r["id"]) for r in sealed])
        print(f"administration {administration_id}: sealed id order vs arrival {rho:+.3f}")
    # Receipts: neither the key hash (the row's key) nor the receipt counts arrivals.
    given = {receipt: n for n, receipt in enumerate(played.receipts)}
    receipts = during["receipt"]
    arrival = [given[r["receipt"]] for r in receipts]
    _rho(arrival, [r["key_hash"] for r in receipts])
    _rho(arrival, [r["receipt"] for r in receipts])
    assert len({r[:4] for r in played.receipts}) > len(played.receipts) // 2  # no shared stem

    close_open_windows(settings)
    after = every_row(settings)
    # The class-code window's responses (test_unlinkable checks the ticket window's).
    stored = [r for r in after["response"] if r["administration_id"] == seeded.secondary]
    arrival = [by_pattern[seeded.secondary][pattern_of(r)] for r in stored]
    assert sorted(arrival) == list(range(FORMS))
    _rho(arrival, [str(r["id"]) for r in stored])
    if is_postgres(settings):
        where = [tuple(int(x) for x in r["ctid"].strip("()").split(",")) for r in stored]
        _rho(arrival, where)

    # Every UUID in the database, before and after the close, is random: a time-based one
    # (versions 1, 6 and 7) would carry the moment it was made.
    found = _uuids(during) + _uuids(after)
    assert len(found) >= 2 * len(played.keys)
    assert {(t, c, u.version) for t, c, u in found} == {(t, c, 4) for t, c, _ in found}


def test_no_per_submission_table_has_a_rowid_on_sqlite(settings: Settings) -> None:
    if is_postgres(settings):
        pytest.skip("PostgreSQL's row order is its ctid, checked above and in test_unlinkable")
    rows = read(settings, "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
    plain = {r["name"] for r in rows if "WITHOUT ROWID" not in r["sql"].upper()}
    assert not plain & {"response", "sealed_response", "receipt"}
