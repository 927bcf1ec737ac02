"""The demo district generator and bulk insert, on each database."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Executable, Row, func, select, text

from climate import db
from climate.demo import district as demo
from climate.models import (
    AccessCode,
    Administration,
    Enrollment,
    PublishedRelease,
    School,
    Staffing,
    response,
)
from climate.release.pipeline import year_releases
from climate.settings import Settings

TODAY = dt.date(2026, 11, 28)


def _seed(settings: Settings, seed_value: int = 5) -> demo.SeedSummary:
    async def run() -> demo.SeedSummary:
        engine = db.create_engine(settings.database_url)
        try:
            return await demo.seed_district(
                engine,
                settings,
                school_count=6,
                years=3,
                students_per_school=60,
                seed_value=seed_value,
                today=TODAY,
            )
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _query(settings: Settings, statement: Executable) -> Sequence[Row[Any]]:
    async def run() -> Sequence[Row[Any]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return (await conn.execute(statement)).all()
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_seed_builds_a_district_with_rosters_and_an_open_survey(settings: Settings) -> None:
    summary = _seed(settings)
    assert summary.years == (2024, 2025, 2026, 2027)
    levels = {row[0] for row in _query(settings, select(School.level))}
    assert levels == {"elementary", "middle", "high"}
    # Responses for the three closed years only; the open year starts empty.
    assert summary.responses == _query(settings, select(func.count()).select_from(response))[0][0]
    years = {
        row[0]
        for row in _query(
            settings,
            select(Administration.school_year).join(
                response, response.c.administration_id == Administration.id
            ),
        )
    }
    assert years == {2024, 2025, 2026}
    open_admins = _query(
        settings,
        select(Administration.opens_on, Administration.closes_on).where(
            Administration.status == "open"
        ),
    )
    assert open_admins
    assert all(o <= TODAY <= c for o, c in open_admins)
    assert _query(settings, select(func.count()).select_from(AccessCode))[0][0] == 6
    assert _query(settings, select(func.count()).select_from(Enrollment))[0][0] > 0
    roles = _query(settings, select(Staffing.role, func.count()).group_by(Staffing.role))
    assert {r for r, _ in roles} == {"counselor", "psychologist", "social_worker"}


def test_seed_is_deterministic_by_seed(settings: Settings, tmp_path: Path) -> None:
    _seed(settings, seed_value=11)
    first = _query(
        settings, text("SELECT school_id, grade, a01, a02, s01 FROM response ORDER BY id")
    )
    other = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'other.db'}", mode="debug")
    db.upgrade(other.database_url)
    _seed(other, seed_value=11)
    second = _query(other, text("SELECT school_id, grade, a01, a02, s01 FROM response ORDER BY id"))
    assert [tuple(r) for r in first] == [tuple(r) for r in second]


def test_seeded_answers_include_skips_and_small_groups(settings: Settings) -> None:
    _seed(settings)
    skipped = _query(settings, text("SELECT count(*) FROM response WHERE a02 IS NULL"))[0][0]
    total = _query(settings, text("SELECT count(*) FROM response"))[0][0]
    assert 0 < skipped < total * 0.2
    # Some race/ethnicity categories hold fewer than 10 students in a school-year.
    small = _query(
        settings,
        text(
            "SELECT count(*) FROM (SELECT administration_id, school_id, d02, count(*) AS n "
            "FROM response GROUP BY administration_id, school_id, d02) AS cells WHERE n < 10"
        ),
    )[0][0]
    assert small > 0


def test_replacing_the_district_forgets_its_releases(settings: Settings) -> None:
    # A release describes the data it was made from; once the district is cleared a
    # reseeded year must be published afresh, not refused as responses removed.
    summary = _seed(settings)

    async def run() -> tuple[int, int]:
        engine = db.create_engine(settings.database_url)
        try:
            await year_releases(engine, summary.years[0], district_name="D")
            async with engine.connect() as conn:
                before = int(
                    await conn.scalar(select(func.count(PublishedRelease.release_id))) or 0
                )
            await demo.clear(engine)
            async with engine.connect() as conn:
                after = int(await conn.scalar(select(func.count(PublishedRelease.release_id))) or 0)
            return before, after
        finally:
            await engine.dispose()

    before, after = asyncio.run(run())
    assert before > 0
    assert after == 0
