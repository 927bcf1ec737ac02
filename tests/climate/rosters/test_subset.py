"""Importing a subset of the rosters: enrollment or staffing alone names schools already
stored; a row naming any other school is refused by file and line, and nothing is written."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from climate import db
from climate.models import Enrollment, Staffing
from climate.rosters.parsing import RosterError, SchoolRow, parse_rosters
from climate.rosters.store import ImportSummary, import_files, stored_rosters
from climate.settings import Settings

SCHOOLS = b"school_id,name,level,grade_low,grade_high\nS1,North High,high,9,12\n"
ENROLLMENT = b"school_id,year,grade,students\nS1,2027,9,120\nS1,2027,10,110\n"
STAFFING = b"school_id,year,role,fte\nS1,2027,counselor,1.5\n"
STORED = {"S1": SchoolRow("S1", "North High", "high", 9, 12)}


def _import(
    settings: Settings, schools: bytes | None, enrollment: bytes | None, staffing: bytes | None
) -> ImportSummary:
    async def run() -> ImportSummary:
        engine = db.create_engine(settings.database_url)
        try:
            return await import_files(engine, schools, enrollment, staffing, "Test District", "cli")
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _rows(settings: Settings) -> tuple[int, int]:
    async def run() -> tuple[int, int]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                enrolled = await conn.scalar(select(func.count()).select_from(Enrollment))
                staff = await conn.scalar(select(func.count()).select_from(Staffing))
                return enrolled or 0, staff or 0
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_files_left_out_are_not_read() -> None:
    rosters = parse_rosters(None, ENROLLMENT, None, stored=STORED)
    assert (len(rosters.schools), len(rosters.enrollment), len(rosters.staffing)) == (0, 2, 0)


def test_without_stored_schools_every_named_school_is_unknown() -> None:
    with pytest.raises(RosterError) as raised:
        parse_rosters(None, None, STAFFING)
    assert [str(p) for p in raised.value.problems] == [
        "staffing.csv:2: school_id: unknown school 'S1'; not a stored school, "
        "and schools.csv is not part of this import"
    ]


def test_a_row_may_name_a_stored_school_beside_new_ones() -> None:
    schools = b"school_id,name,level,grade_low,grade_high\nS2,South Middle,middle,6,8\n"
    enrollment = b"school_id,year,grade,students\nS1,2027,9,100\nS2,2027,6,90\nS3,2027,6,1\n"
    with pytest.raises(RosterError) as raised:
        parse_rosters(schools, enrollment, None, stored=STORED)
    assert [str(p) for p in raised.value.problems] == [
        "enrollment.csv:4: school_id: unknown school 'S3'; not in schools.csv"
    ]


def test_one_file_imports_alone_then_the_next(settings: Settings) -> None:
    assert _import(settings, SCHOOLS, None, None) == ImportSummary(1, 0, 0)
    assert _import(settings, None, ENROLLMENT, None) == ImportSummary(0, 2, 0)
    assert _import(settings, None, None, STAFFING) == ImportSummary(0, 0, 1)

    async def stored() -> int:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                rosters = await stored_rosters(conn, 2027)
                return sum(row.students for row in rosters.enrollment)
        finally:
            await engine.dispose()

    assert asyncio.run(stored()) == 230


def test_a_bad_line_in_a_subset_writes_nothing(settings: Settings) -> None:
    _import(settings, SCHOOLS, None, None)
    bad = b"school_id,year,grade,students\nS1,2027,9,120\nS1,2027,3,40\n"
    with pytest.raises(RosterError) as raised:
        _import(settings, None, bad, STAFFING)
    assert [str(p) for p in raised.value.problems] == [
        "enrollment.csv:3: grade: grade 3 is outside S1's grades 9-12"
    ]
    assert _rows(settings) == (0, 0)
