"""A small seeded district for release tests, with a planted group of exactly 3 students."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

from climate import db
from climate.demo.district import seed_district
from climate.instruments import load_directory
from climate.models import Administration, InstrumentVersion, response
from climate.responses.layout import Layout
from climate.settings import Settings

TODAY = dt.date(2026, 10, 1)
PLANTED_GENDER = 4  # "Another way" in the elementary instrument


@dataclass(frozen=True)
class Planted:
    """Where the planted group of 3 lives."""

    year: int
    school: str
    dimension: str
    group: str


def seed(settings: Settings, *, secondary: bool = False, schools: int = 4) -> Planted:
    """Seed a small district; plant 3 students of one gender in one school's closed year.

    The secondary instrument's windows are left open unless asked for (so that a release
    holds the elementary instrument only and stays quick to protect). Of 4 schools, 2 are
    elementary schools; of 10, 6.
    """
    return asyncio.run(_seed(settings, secondary, schools))


async def _seed(settings: Settings, secondary: bool, schools: int) -> Planted:
    engine = db.create_engine(settings.database_url)
    try:
        summary = await seed_district(
            engine, settings, school_count=schools, years=2, students_per_school=90, today=TODAY
        )
        year = summary.years[0]
        instrument = load_directory(settings.surveys_dir)["elementary"].instrument
        column = response.c[Layout.of(instrument).demographics["gender"]]
        async with engine.begin() as conn:
            if not secondary:
                ids = select(InstrumentVersion.id).where(
                    InstrumentVersion.instrument_id == "secondary"
                )
                await conn.execute(
                    update(Administration)
                    .where(Administration.instrument_version_id.in_(ids))
                    .values(status="open")
                )
            admin_id = await conn.scalar(
                select(Administration.id)
                .join(
                    InstrumentVersion, InstrumentVersion.id == Administration.instrument_version_id
                )
                .where(
                    InstrumentVersion.instrument_id == "elementary",
                    Administration.school_year == year,
                )
            )
            school = await conn.scalar(
                select(response.c.school_id)
                .where(response.c.administration_id == admin_id)
                .order_by(response.c.school_id)
                .limit(1)
            )
            assert admin_id is not None
            assert school is not None
            here = (response.c.administration_id == admin_id) & (response.c.school_id == school)
            await conn.execute(delete(response).where(here & (column == PLANTED_GENDER)))
            query = select(response).where(here).order_by(response.c.id).limit(3)
            rows = (await conn.execute(query)).mappings().all()
            await conn.execute(delete(response).where(response.c.id.in_([r["id"] for r in rows])))
            await conn.execute(insert(response), [{**r, column.name: PLANTED_GENDER} for r in rows])
    finally:
        await engine.dispose()
    return Planted(year, str(school), "gender", str(PLANTED_GENDER))
