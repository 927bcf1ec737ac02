"""The grade question: only grades both in the administration and in the school's span.

A grade the form did not offer is stored as not reported; it never costs the student the rest
of the response. The test district's S1 spans 6-12; Maple High (S2, 9-12) takes the same survey
as S1 with a code of its own, so one process serves both from its caches.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import insert, select

from climate import db
from climate.app import create_app
from climate.models import AccessCode, AdministrationSchool, School, response
from climate.settings import Settings
from tests.climate.districts import CLASS, Seeded, close_open_windows, make_district

Client = TestClient[Litestar]
MAPLE = "MNPQRTWXY3"
PREFER = 99


def add_maple_high(settings: Settings, administration_id: int) -> None:
    """Add a 9-12 school to the administration, with its own class code."""

    async def add() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                district_id = await conn.scalar(select(School.district_id).where(School.id == "S1"))
                await conn.execute(
                    insert(School).values(
                        id="S2",
                        district_id=district_id,
                        name="Maple High",
                        level="high",
                        grade_low=9,
                        grade_high=12,
                    )
                )
                await conn.execute(
                    insert(AdministrationSchool).values(
                        administration_id=administration_id, school_id="S2"
                    )
                )
                await conn.execute(
                    insert(AccessCode).values(
                        code=MAPLE,
                        administration_id=administration_id,
                        school_id="S2",
                        kind="class",
                        used=False,
                    )
                )
        finally:
            await engine.dispose()

    asyncio.run(add())


@pytest.fixture
def student(settings: Settings) -> Iterator[Client]:
    """The real app on the test district, with Maple High in an administration of grades 6-11."""
    seeded: Seeded = make_district(settings, grades=list(range(6, 12)))
    add_maple_high(settings, seeded.secondary)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def api_grades(client: Client, code: str) -> list[int]:
    """The grade options the student API offers for ``code``'s survey."""
    survey = client.get(f"/api/v1/surveys/{code}").json()
    (grade,) = [q for q in survey["demographics"] if q["id"] == "grade"]
    return [option["value"] for option in grade["options"]]


def page_grades(client: Client, code: str) -> list[int]:
    """The grade radios the survey page offers for ``code``."""
    assert client.get(f"/s/{code}").status_code == 200
    page = client.get("/survey").text
    return [int(v) for v in re.findall(r'name="demographics\.grade" value="(\d+)"', page)]


def stored(settings: Settings) -> list[dict[str, Any]]:
    """Every response row, after closing the open windows (which unseals their answers)."""
    close_open_windows(settings)

    async def read() -> list[dict[str, Any]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return [dict(r._mapping) for r in await conn.execute(select(response))]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def submission(code: str, grade: int) -> dict[str, Any]:
    """A short submission for ``code`` saying ``grade``."""
    return {
        "code": code,
        "locale": "en",
        "idempotency_key": str(uuid.uuid4()),
        "answers": {"conn_belong": 4},
        "demographics": {"grade": grade, "gender": 2},
    }


def test_the_api_offers_grades_in_both_the_administration_and_the_school(student: Client) -> None:
    assert api_grades(student, MAPLE) == [9, 10, 11, PREFER]
    assert api_grades(student, CLASS) == [6, 7, 8, 9, 10, 11, PREFER]
    # Asked again in the other order, each school still gets its own list from the cache.
    assert api_grades(student, MAPLE) == [9, 10, 11, PREFER]


def test_the_page_offers_the_same_grades_as_the_api(student: Client) -> None:
    assert page_grades(student, CLASS) == [6, 7, 8, 9, 10, 11, PREFER]
    assert page_grades(student, MAPLE) == [9, 10, 11, PREFER]
    assert page_grades(student, CLASS) == [6, 7, 8, 9, 10, 11, PREFER]


@pytest.mark.parametrize(
    ("grade", "kept"),
    [(8, None), (12, None), (6, None), (PREFER, None), (10, 10)],
    ids=["below-the-school", "outside-the-administration", "far-below", "prefer-not", "offered"],
)
def test_a_grade_not_offered_is_stored_as_not_reported(
    student: Client, settings: Settings, grade: int, kept: int | None
) -> None:
    answer = student.post("/api/v1/responses", json=submission(MAPLE, grade))
    assert answer.status_code == 201, answer.text
    (row,) = stored(settings)
    assert (row["school_id"], row["grade"], row["a01"]) == ("S2", kept, 4)


def test_the_no_script_form_keeps_the_response_with_a_grade_not_offered(
    student: Client, settings: Settings
) -> None:
    assert student.get(f"/s/{MAPLE}").status_code == 200
    form = {
        "idempotency_key": str(uuid.uuid4()),
        "answers.conn_belong": "2",
        "demographics.grade": "7",
    }
    answer = student.post("/survey", data=form, follow_redirects=False)
    assert answer.status_code == 303
    (row,) = stored(settings)
    assert (row["school_id"], row["grade"], row["a01"]) == ("S2", None, 2)


def test_a_grade_the_instrument_lacks_is_still_refused(student: Client) -> None:
    answer = student.post("/api/v1/responses", json=submission(MAPLE, 3))
    assert answer.status_code == 422
    assert set(answer.json()["fields"]) == {"demographics.grade"}
