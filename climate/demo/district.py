"""Seed a demo district into the database: schools, rosters, administrations and responses."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from climate.demo import generator as seed
from climate.instruments import Instrument, load_directory
from climate.instruments.registry import register
from climate.models import (
    AccessCode,
    Administration,
    AdministrationSchool,
    District,
    Enrollment,
    InstrumentVersion,
    PublishedRelease,
    School,
    Staffing,
    response,
)
from climate.responses.layout import Layout
from climate.responses.scoring import score_columns
from climate.settings import Settings
from climate.students import codes

# The demo's help file: help requests are on, read by the demo counselor and administrator.
DEMO_HELP = Path(__file__).resolve().parent / "help.toml"
BATCH_ROWS = 20_000


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """What was seeded, and a class code that opens the current survey."""

    schools: int
    years: tuple[int, ...]
    responses: int  # in the closed years; the current year's survey starts empty
    seconds: float
    demo_code: str | None


def current_school_year(today: dt.date) -> int:
    """School years are named by their spring year: 2026-27 is 2027."""
    return today.year + 1 if today.month >= 8 else today.year


async def is_empty(engine: AsyncEngine) -> bool:
    """Whether the database has no district yet."""
    async with engine.connect() as conn:
        return (await conn.scalar(select(District.id).limit(1))) is None


async def seed_district(
    engine: AsyncEngine,
    settings: Settings,
    *,
    school_count: int = 8,
    years: int = 4,
    students_per_school: int = 120,
    seed_value: int = 2026,
    today: dt.date | None = None,
) -> SeedSummary:
    """Create a realistic district; the newest year's survey is open today with class codes."""
    started = time.perf_counter()
    today = today or dt.date.today()
    rng = np.random.default_rng(seed_value)
    instruments = load_directory(settings.surveys_dir)
    elementary, secondary = instruments["elementary"], instruments["secondary"]
    # The first school's program starts before the newest closed year (see the generator).
    generated = seed.schools(school_count, rng, program_from=years - 1 if years > 1 else None)
    last = current_school_year(today)
    # ``years`` school years of responses, then the current year, open and empty.
    year_list = tuple(range(last - years, last + 1))

    async with AsyncSession(engine, expire_on_commit=False) as session:
        district = District(name=settings.district_name)
        session.add(district)
        await session.flush()
        session.add_all(
            School(
                id=s.id,
                district_id=district.id,
                name=s.name,
                level=s.level,
                grade_low=s.grade_low,
                grade_high=s.grade_high,
            )
            for s in generated
        )
        versions = {
            "elementary": await register(session, elementary),
            "secondary": await register(session, secondary),
        }
        await session.flush()
        plan: list[tuple[Administration, Instrument, list[seed.SeedSchool]]] = []
        for year in year_list:
            for key, loaded in (("elementary", elementary), ("secondary", secondary)):
                members = [
                    s for s in generated if (s.level == "elementary") == (key == "elementary")
                ]
                if not members:
                    continue
                administration = _administration(
                    versions[key], loaded.instrument, year, last, today, members
                )
                session.add(administration)
                plan.append((administration, loaded.instrument, members))
        await session.flush()
        demo_code = None
        for administration, _instrument, members in plan:
            session.add_all(
                AdministrationSchool(administration_id=administration.id, school_id=s.id)
                for s in members
            )
            if administration.status == "open":
                for school in members:
                    code = codes.new_code()
                    demo_code = demo_code or code
                    session.add(
                        AccessCode(
                            code=code,
                            administration_id=administration.id,
                            school_id=school.id,
                            kind="class",
                        )
                    )
        await session.commit()

    total = 0
    enrolled: dict[tuple[str, int], dict[int, int]] = {}
    async with engine.begin() as conn:
        for school in generated:
            for year in year_list:
                grades = seed.enrollment(school, round(students_per_school * school.size), rng)
                enrolled[school.id, year] = grades
                await conn.execute(
                    insert(Enrollment),
                    [
                        {"school_id": school.id, "year": year, "grade": g, "students": n}
                        for g, n in grades.items()
                    ],
                )
                fte = seed.staffing(sum(grades.values()), school)
                await conn.execute(
                    insert(Staffing),
                    [
                        {"school_id": school.id, "year": year, "role": r, "fte": f}
                        for r, f in fte.items()
                    ],
                )
        for administration, instrument, members in plan:
            if administration.status == "open":
                continue  # the current window starts empty: the demo is for taking it
            layout = Layout.of(instrument)
            year_index = year_list.index(administration.school_year)
            for school in members:
                counts = seed.respondents(
                    enrolled[school.id, administration.school_year],
                    seed.instrument_grades(instrument, school),
                    rng,
                )
                grades_of = np.repeat(list(counts), list(counts.values()))
                if not len(grades_of):
                    continue
                batch = seed.answers(
                    instrument,
                    school,
                    year_index,
                    len(grades_of),
                    administration.sensitive_module,
                    rng,
                    grades=rng.permutation(grades_of),
                )
                rows = rows_for(
                    batch,
                    instrument,
                    layout,
                    administration.id,
                    administration.opens_on,
                    school.id,
                    rng,
                )
                await insert_responses(conn, layout, rows)
                total += len(grades_of)
    return SeedSummary(
        schools=len(generated),
        years=year_list,
        responses=total,
        seconds=time.perf_counter() - started,
        demo_code=demo_code,
    )


def _administration(
    version: InstrumentVersion,
    instrument: Instrument,
    year: int,
    last: int,
    today: dt.date,
    members: Sequence[seed.SeedSchool],
) -> Administration:
    low, high = instrument.grade_band
    current = year == last
    opens, closes = (
        (today - dt.timedelta(days=7), today + dt.timedelta(days=60))
        if current
        else seed.school_year_dates(year)
    )
    return Administration(
        instrument_version_id=version.id,
        name=f"{instrument.title} {year - 1}-{str(year)[-2:]}",
        school_year=year,
        term="fall" if current else "spring",
        grades=list(range(low, high + 1)),
        locales=["en", "es", "ar", "zh_Hans", "vi", "pt", "ru", "ht", "so"],
        opens_on=opens,
        closes_on=closes,
        access_mode="class-code",
        sensitive_module=instrument.id == "secondary",
        consent_mode="passive",
        status="open" if current else "closed",
        declines=0 if current else len(members) * 2,
    )


def rows_for(
    batch: seed.Answers,
    instrument: Instrument,
    layout: Layout,
    administration_id: int,
    opens_on: dt.date,
    school_id: str,
    rng: np.random.Generator,
) -> list[tuple[Any, ...]]:
    """Rows in ``response_columns(layout)`` order, built column-wise for speed."""
    count = len(batch.grade)
    submitted = opens_on + dt.timedelta(days=int(rng.integers(0, 20)))
    prefer_grade = next(
        o.value
        for d in instrument.demographics
        if d.id == "grade"
        for o in d.options
        if o.prefer_not_to_say
    )
    grade = [None if g == prefer_grade else int(g) for g in batch.grade]
    scores = score_columns(instrument, batch.items)
    columns: list[list[Any]] = [
        [uuid.UUID(bytes=rng.bytes(16), version=4) for _ in range(count)],
        [administration_id] * count,
        [school_id] * count,
        grade,
        [rng.choice(("en", "en", "en", "es", "ar", "vi"))] * count,
        [submitted] * count,
    ]
    for question in layout.demographics:
        columns.append(batch.demographics[question].tolist())
    for item in layout.items:
        values = batch.items[item]
        columns.append([None if v == seed.MISSING else v for v in values.tolist()])
    for scale in layout.scales:
        values = scores[scale]
        columns.append([None if np.isnan(v) else v for v in values.tolist()])
    return list(zip(*columns, strict=True))


def response_columns(layout: Layout) -> tuple[str, ...]:
    """Columns of a response insert for an instrument with ``layout``."""
    return (
        "id",
        "administration_id",
        "school_id",
        "grade",
        "locale",
        "submitted_on",
        *layout.columns,
    )


async def insert_responses(
    conn: AsyncConnection, layout: Layout, rows: Sequence[tuple[Any, ...]]
) -> None:
    """Bulk-insert response rows through the driver's fastest path (COPY on PostgreSQL)."""
    columns = response_columns(layout)
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if conn.dialect.name == "postgresql":
        await driver.copy_records_to_table("response", records=rows, columns=list(columns))  # type: ignore[union-attr]
        return
    if conn.dialect.name == "sqlite":
        # Column names come from the layout's fixed slot names, never from input.
        names, marks = ", ".join(columns), ", ".join("?" for _ in columns)
        sql = f"INSERT INTO response ({names}) VALUES ({marks})"  # noqa: S608
        converted = [(r[0].hex, *r[1:5], r[5].isoformat(), *r[6:]) for r in rows]
        for start in range(0, len(converted), BATCH_ROWS):
            await driver.executemany(sql, converted[start : start + BATCH_ROWS])  # type: ignore[union-attr]
        return
    await conn.execute(insert(response), [dict(zip(columns, r, strict=True)) for r in rows])


async def clear(engine: AsyncEngine) -> None:
    """Remove everything seeded (used by ``climate seed --replace``)."""
    async with engine.begin() as conn:
        await conn.execute(delete(response))
        for model in (
            # The releases of a district that is gone describe data that is gone: a new
            # district's years are published afresh, not audited against them.
            PublishedRelease,
            AccessCode,
            # An opened administration's schools cannot be taken from it (migration 0008):
            # they go with the administration, by its cascade.
            Administration,
            InstrumentVersion,
            Staffing,
            Enrollment,
            School,
            District,
        ):
            await conn.execute(delete(model))


async def open_class_code(engine: AsyncEngine) -> str | None:
    """A class code of a currently open administration, for the demo's printed link."""
    async with engine.connect() as conn:
        code: str | None = await conn.scalar(
            select(AccessCode.code)
            .join(Administration, Administration.id == AccessCode.administration_id)
            .where(Administration.status == "open", AccessCode.kind == "class")
            .order_by(AccessCode.school_id, AccessCode.code)
            .limit(1)
        )
        return code
