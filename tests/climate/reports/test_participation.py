"""Live participation: submissions so far per school of each open window, counted from the
stored rows, against enrolment in the grades surveyed; scoped to the caller's schools."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import func, select

from climate import db
from climate.app import create_app
from climate.demo.district import seed_district
from climate.models import AccessCode, Administration, Enrollment, sealed_response
from climate.reports.formatting import Formatter
from climate.reports.participation import OpenWindow, level_title, open_windows
from climate.security.principals import DISTRICT_VIEWER, SCHOOL_STAFF, Principal
from climate.settings import Settings
from tests.climate.districts import close_open_windows

TODAY = dt.date.today()
FMT = Formatter.for_language("en")
VIEWER = Principal("account", 1, "viewer@example.org", DISTRICT_VIEWER)


def _seed(settings: Settings) -> list[tuple[str, str]]:
    """A small district; the class codes of the open secondary window, school by school."""

    async def run() -> list[tuple[str, str]]:
        engine = db.create_engine(settings.database_url)
        try:
            await seed_district(
                engine, settings, school_count=4, years=1, students_per_school=20, today=TODAY
            )
            async with engine.connect() as conn:
                found = await conn.execute(
                    select(AccessCode.school_id, AccessCode.code)
                    .join(Administration, Administration.id == AccessCode.administration_id)
                    .where(Administration.status == "open", AccessCode.kind == "class")
                    .order_by(AccessCode.school_id)
                )
                return [(str(s), str(c)) for s, c in found.tuples()]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _submit(settings: Settings, code: str, times: int) -> None:
    with TestClient(create_app(settings)) as client:
        for _ in range(times):
            answer = client.post(
                "/api/v1/responses",
                json={
                    "code": code,
                    "locale": "en",
                    "idempotency_key": str(uuid.uuid4()),
                    "answers": {"conn_belong": 4},
                    "demographics": {"grade": 9},
                },
            )
            assert answer.status_code == 201, answer.text


def _read(settings: Settings, query: Any) -> list[Any]:
    async def run() -> list[Any]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(query)).tuples())
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _windows(settings: Settings, principal: Principal) -> tuple[OpenWindow, ...]:
    async def run() -> tuple[OpenWindow, ...]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return await open_windows(conn, principal, FMT, lambda text: text)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_counts_so_far_match_the_sealed_rows_and_enrolment(settings: Settings) -> None:
    codes = _seed(settings)
    # The demo's class codes are the secondary window's, one per school; grade 9 takes it.
    taking = [school for school, _code in codes[:2]]
    _submit(settings, codes[0][1], 3)
    _submit(settings, codes[1][1], 1)
    stored = dict(
        _read(
            settings,
            select(sealed_response.c.school_id, func.count()).group_by(sealed_response.c.school_id),
        )
    )
    assert stored == {taking[0]: 3, taking[1]: 1}
    windows = _windows(settings, VIEWER)
    counted = {(w.administration_id, s.school_id): s.responses for w in windows for s in w.schools}
    assert sum(counted.values()) == 4
    for school, n in stored.items():
        assert n in [v for (a, s), v in counted.items() if s == school]
    # Enrolment: the school's students in the window's grades, in its school year, from rosters.
    window = next(w for w in windows if any(s.responses == 3 for s in w.schools))
    ((grades, year),) = _read(
        settings,
        select(Administration.grades, Administration.school_year).where(
            Administration.id == window.administration_id
        ),
    )
    first = next(s for s in window.schools if s.school_id == taking[0])
    (enrolled,) = _read(
        settings,
        select(func.sum(Enrollment.students)).where(
            Enrollment.school_id == taking[0],
            Enrollment.year == year,
            Enrollment.grade.in_(list(grades)),
        ),
    )[0]
    assert first.enrolled == enrolled
    assert first.shown_responses == "3"
    assert first.rate == FMT.share(3 / enrolled)
    assert window.total.responses == sum(s.responses for s in window.schools)


def test_school_staff_see_only_their_own_schools(settings: Settings) -> None:
    _seed(settings)
    mine = Principal("account", 2, "counselor@example.org", SCHOOL_STAFF, frozenset({"S001"}))
    shown = {s.school_id for w in _windows(settings, mine) for s in w.schools}
    assert shown == {"S001"}
    everyone = {s.school_id for w in _windows(settings, VIEWER) for s in w.schools}
    assert len(everyone) > 1
    nobody = Principal("account", 3, "new@example.org", SCHOOL_STAFF)
    assert _windows(settings, nobody) == ()


def test_a_closed_window_is_no_longer_counted(settings: Settings) -> None:
    _seed(settings)
    assert _windows(settings, VIEWER)
    close_open_windows(settings)
    assert _windows(settings, VIEWER) == ()


def test_a_grade_band_is_named_by_its_school_level() -> None:
    same = lambda text: text  # noqa: E731
    assert level_title([3, 4, 5], same) == "Elementary (grades 3-5)"
    assert level_title(range(6, 13), same) == "Secondary (grades 6-12)"
    assert level_title([9, 10, 11, 12], same) == "High school (grades 9-12)"
    assert level_title([6, 7, 8], same) == "Middle school (grades 6-8)"
