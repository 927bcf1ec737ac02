"""The JSON API: the localized survey and submissions, on each database."""

from __future__ import annotations

import asyncio
import hashlib
import statistics
import time
import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from climate import db
from climate.models import AccessCode, Administration, Receipt, response, sealed_response
from climate.settings import Settings
from tests.climate.districts import (
    CLASS,
    CLOSED,
    ELEMENTARY,
    TICKET,
    Seeded,
    close_open_windows,
)

Client = TestClient[Litestar]


def body(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": CLASS,
        "locale": "en",
        "idempotency_key": str(uuid.uuid4()),
        "answers": {"conn_belong": 4, "conn_part": 3, "bully_any": 1, "bully_told": 0},
        "demographics": {"grade": 9, "gender": 2},
    }
    base.update(changes)
    return base


def rows(settings: Settings, table: Any) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                result = await conn.execute(select(table))
                return [dict(r._mapping) for r in result]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_submission_is_stored_and_answered_201(student: Client, settings: Settings) -> None:
    answer = student.post("/api/v1/responses", json=body())
    assert answer.status_code == 201
    receipt = answer.json()["receipt"]
    assert [r["receipt"] for r in rows(settings, Receipt)] == [receipt]
    assert len(rows(settings, sealed_response)) == 1
    assert rows(settings, response) == []
    close_open_windows(settings)
    stored = rows(settings, response)
    assert len(stored) == 1
    row = stored[0]
    assert (row["grade"], row["locale"], row["school_id"]) == (9, "en", "S1")
    # conn_belong and conn_part are the first two items of secondary.toml: slots a01, a02.
    assert (row["a01"], row["a02"], row["a03"]) == (4, 3, None)
    assert rows(settings, Receipt) == rows(settings, sealed_response) == []


def test_replay_returns_the_same_receipt_with_200_and_writes_nothing(
    student: Client, settings: Settings
) -> None:
    sent = body()
    first = student.post("/api/v1/responses", json=sent)
    again = student.post("/api/v1/responses", json=sent)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert len(rows(settings, sealed_response)) == 1
    assert len(rows(settings, Receipt)) == 1


def test_receipt_table_keeps_only_a_hash_of_the_key(student: Client, settings: Settings) -> None:
    sent = body()
    student.post("/api/v1/responses", json=sent)
    (stored,) = rows(settings, Receipt)
    assert stored["key_hash"] == hashlib.sha256(sent["idempotency_key"].encode()).hexdigest()
    assert set(stored) == {"key_hash", "receipt", "administration_id"}


def test_stored_row_holds_nothing_identifying(student: Client, settings: Settings) -> None:
    sent = body()
    receipt = student.post(
        "/api/v1/responses", json=sent, headers={"user-agent": "Chromebook-UA-XYZ"}
    ).json()["receipt"]
    close_open_windows(settings)
    (row,) = rows(settings, response)
    text = repr(row)
    for secret in (CLASS, sent["idempotency_key"], receipt, "Chromebook-UA-XYZ", "testclient"):
        assert secret not in text
    assert row["id"].version == 4
    assert type(row["submitted_on"]).__name__ == "date"


def test_each_bad_field_gets_its_own_message(student: Client) -> None:
    sent = body(
        answers={"conn_belong": 9, "no_such_item": 1, "bully_told": 1, "sui_plan": 1},
        demographics={"gender": 42, "grade": 3},
        locale="ru",
    )
    answer = student.post("/api/v1/responses", json=sent)
    assert answer.status_code == 422
    fields = answer.json()["fields"]
    assert set(fields) == {
        "answers.conn_belong",
        "answers.no_such_item",
        "answers.bully_told",
        "answers.sui_plan",
        "demographics.gender",
        "demographics.grade",
        "locale",
    }


def test_sensitive_items_are_refused_when_the_module_is_off(student: Client) -> None:
    sent = body(code=TICKET, answers={"sh_hurt": 0})
    answer = student.post("/api/v1/responses", json=sent)
    assert answer.status_code == 422
    assert "answers.sh_hurt" in answer.json()["fields"]


def test_sensitive_items_are_taken_when_the_module_is_on(student: Client) -> None:
    answer = student.post("/api/v1/responses", json=body(answers={"sh_hurt": 0}))
    assert answer.status_code == 201


def test_closed_window_unknown_code_and_used_ticket(student: Client, settings: Settings) -> None:
    closed = student.post("/api/v1/responses", json=body(code=CLOSED))
    assert (closed.status_code, closed.json()["error"]) == (410, "closed")
    unknown = student.post("/api/v1/responses", json=body(code="XXXXXXXXXX"))
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_code")
    first = student.post("/api/v1/responses", json=body(code=TICKET, answers={}))
    assert first.status_code == 201
    second = student.post("/api/v1/responses", json=body(code=TICKET, answers={}))
    # A used ticket answers as one never issued: nobody learns which tickets were used.
    assert (second.status_code, second.json()) == (404, unknown.json())
    never_issued = student.get("/api/v1/surveys/XXXXXXXXXX").json()
    assert student.get(f"/api/v1/surveys/{TICKET}").json() == never_issued
    tickets = {r["code"]: r["used"] for r in rows(settings, AccessCode) if r["kind"] == "ticket"}
    assert tickets[TICKET] is True
    assert len(rows(settings, sealed_response)) == 1


def test_a_used_ticket_replay_still_gets_its_receipt(student: Client) -> None:
    sent = body(code=TICKET, answers={})
    first = student.post("/api/v1/responses", json=sent)
    again = student.post("/api/v1/responses", json=sent)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()


def test_codes_are_forgiving(student: Client) -> None:
    typed = f" {CLASS[:5].lower()}-{CLASS[5:]} "
    assert student.post("/api/v1/responses", json=body(code=typed)).status_code == 201


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"{not json", 400),
        (b'{"code": 5}', 400),
        (b"[]", 400),
        (b'{"code": "ACDEFGHJKM", "locale": "en", "idempotency_key": "short"}', 400),
        (b"x" * 100_000, 413),
    ],
)
def test_unreadable_bodies_get_a_clear_4xx(student: Client, content: bytes, status: int) -> None:
    answer = student.post(
        "/api/v1/responses", content=content, headers={"content-type": "application/json"}
    )
    assert answer.status_code == status
    assert answer.json()["message"]


def test_wrong_types_name_the_problem(student: Client) -> None:
    answer = student.post("/api/v1/responses", json=body(answers={"conn_belong": "four"}))
    assert answer.status_code == 400
    assert "Expected `int`" in str(answer.json())


def test_a_used_ticket_takes_as_long_as_an_unknown_code(student: Client) -> None:
    assert student.post("/api/v1/responses", json=body(code=TICKET, answers={})).status_code == 201

    def took(code: str) -> float:
        started = time.perf_counter()
        answer = student.post("/api/v1/responses", json=body(code=code, answers={}))
        assert answer.status_code == 404
        return time.perf_counter() - started

    used, unknown = [], []
    for _ in range(15):
        used.append(took(TICKET))
        unknown.append(took("XXXXXXXXXX"))
    ratio = statistics.median(used) / statistics.median(unknown)
    assert 1 / 3 < ratio < 3, ratio


def test_guessing_codes_is_limited_on_the_api(student: Client) -> None:
    services = student.app.state["services"]
    services.limits.misses.limit = 5
    guesses = [
        student.post("/api/v1/responses", json=body(code=f"XXXXXXXX{c}{c}")).status_code
        for c in "ACDEFGH"
    ]
    assert guesses == [404] * 5 + [429] * 2
    # Once the address has missed too often, a real code is refused too: a guesser who
    # happens on one cannot tell.
    found = student.get(f"/api/v1/surveys/{CLASS}")
    assert (found.status_code, found.json()["error"]) == (429, "rate_limited")
    assert 1 <= int(found.headers["retry-after"]) <= 60


def test_every_look_up_counts_against_the_code_held(student: Client) -> None:
    services = student.app.state["services"]
    services.limits.class_codes.limit = 4
    answers = [student.get(f"/api/v1/surveys/{CLASS}").status_code for _ in range(3)]
    answers.append(student.post("/api/v1/responses", json=body()).status_code)
    answers.append(student.post("/api/v1/responses", json=body()).status_code)
    assert answers == [200, 200, 200, 201, 429]


def test_submissions_per_code_are_rate_limited(student: Client) -> None:
    services = student.app.state["services"]
    services.limits.submissions.limit = 3
    answers = [student.post("/api/v1/responses", json=body()).status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]
    limited = student.post("/api/v1/responses", json=body())
    assert limited.json()["error"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1


def test_get_survey_is_localized_and_follows_the_administration(student: Client) -> None:
    answer = student.get(f"/api/v1/surveys/{CLASS}?lang=es")
    assert answer.status_code == 200
    survey = answer.json()
    assert survey["locale"] == "es"
    assert [lang["code"] for lang in survey["languages"]] == ["en", "es", "ar"]
    assert "harder_questions" in [s["id"] for s in survey["sections"]]
    told = next(q for s in survey["sections"] for q in s["questions"] if q["id"] == "bully_told")
    assert (told["show_if"], told["show_values"]) == ("bully_any", [1])
    assert survey["demographics"][0]["id"] == "grade"


def test_get_survey_leaves_out_a_disabled_sensitive_module(student: Client) -> None:
    survey = student.get(f"/api/v1/surveys/{TICKET}").json()
    assert "harder_questions" not in [s["id"] for s in survey["sections"]]


def test_locales_outside_the_administration_fall_back(student: Client) -> None:
    survey = student.get(f"/api/v1/surveys/{ELEMENTARY}?lang=vi").json()
    assert survey["locale"] == "en"


def test_get_survey_errors_are_json(student: Client) -> None:
    answer = student.get(f"/api/v1/surveys/{CLOSED}")
    assert (answer.status_code, answer.json()["error"]) == (410, "closed")


def test_the_api_is_in_the_openapi_schema_and_pages_are_not(student: Client) -> None:
    paths = student.get("/schema/openapi.json").json()["paths"]
    assert "/api/v1/responses" in paths
    assert "/api/v1/surveys/{code}" in paths
    assert not [p for p in paths if p.startswith(("/s/", "/survey", "/enter"))]


def test_declines_are_only_counted(student: Client, settings: Settings, seeded: Seeded) -> None:
    assert student.get(f"/s/{CLASS}").status_code == 200
    assert student.post("/survey/decline").status_code == 200
    declines = {r["id"]: r["declines"] for r in rows(settings, Administration)}
    assert declines[seeded.secondary] == 1
    assert rows(settings, response) == []
