"""Stored rosters: an import and its record commit together, or neither does."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from climate import db
from climate.models import School
from climate.rosters.parsing import EnrollmentRow, Rosters, SchoolRow, StaffingRow, parse_rosters
from climate.rosters.store import ImportSummary, import_rosters
from climate.security import audit
from climate.settings import Settings

SCHOOLS = b"school_id,name,level,grade_low,grade_high\nS1,North High,high,9,12\n"
ENROLLMENT = b"school_id,year,grade,students\nS1,2027,9,120\nS1,2027,10,110\n"
STAFFING = b"school_id,year,role,fte\nS1,2027,counselor,1.5\n"


def _import(settings: Settings, rosters: Rosters) -> ImportSummary:
    async def run() -> ImportSummary:
        engine = db.create_engine(settings.database_url)
        try:
            return await import_rosters(engine, rosters, "Test District", "cli")
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _state(settings: Settings) -> tuple[list[str], list[audit.Event]]:
    async def run() -> tuple[list[str], list[audit.Event]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                schools = list(await conn.scalars(select(School.id).order_by(School.id)))
                return schools, await audit.events(conn, limit=None)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_an_import_is_stored_and_recorded(settings: Settings) -> None:
    summary = _import(settings, parse_rosters(SCHOOLS, ENROLLMENT, STAFFING))
    assert summary == ImportSummary(schools=1, enrollment=2, staffing=1)
    schools, events = _state(settings)
    assert schools == ["S1"]
    assert [(e.actor, e.action, e.target, e.detail) for e in events] == [
        ("cli", audit.ROSTER_IMPORTED, "rosters", {"schools": 1, "enrollment": 2, "staffing": 1})
    ]


def test_a_conflicting_import_leaves_nothing_behind(settings: Settings) -> None:
    # Parsing refuses an unknown school, so build rosters the database itself must refuse.
    rosters = Rosters(
        (SchoolRow("S1", "North High", "high", 9, 12),),
        (EnrollmentRow("S1", 2027, 9, 120),),
        (StaffingRow("S9", 2027, "counselor", 1.0),),
    )
    with pytest.raises(IntegrityError):
        _import(settings, rosters)
    assert _state(settings) == ([], [])
