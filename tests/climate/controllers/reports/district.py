"""A small seeded district for the report pages, with a planted group of exactly 3 students.

Only the elementary instrument's windows are closed, so each release stays quick to
protect; three closed years give the trends something to show.
"""

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
from climate.security.accounts import create_account
from climate.settings import Settings
from tests.climate.security.conftest import EMAILS, PASSWORD

TODAY = dt.date(2026, 10, 1)
PLANTED_GENDER = 4  # "Another way" in the elementary instrument
PLANTED = 3


@dataclass(frozen=True)
class Seeded:
    """What was made: the closed years, the counselor's school, another, and the plant."""

    years: tuple[int, ...]
    mine: str
    other: str
    planted_year: int
    planted_school: str


def seed(settings: Settings) -> Seeded:
    """Seed the district and one account per role (the counselor sees the first school)."""
    return asyncio.run(_seed(settings))


async def _seed(settings: Settings) -> Seeded:
    engine = db.create_engine(settings.database_url)
    try:
        summary = await seed_district(
            engine, settings, school_count=4, years=3, students_per_school=90, today=TODAY
        )
        closed = summary.years[:-1]
        instrument = load_directory(settings.surveys_dir)["elementary"].instrument
        column = response.c[Layout.of(instrument).demographics["gender"]]
        async with engine.begin() as conn:
            secondary = select(InstrumentVersion.id).where(
                InstrumentVersion.instrument_id == "secondary"
            )
            await conn.execute(
                update(Administration)
                .where(Administration.instrument_version_id.in_(secondary))
                .values(status="open")
            )
            admin_id = await conn.scalar(
                select(Administration.id)
                .join(
                    InstrumentVersion, InstrumentVersion.id == Administration.instrument_version_id
                )
                .where(
                    InstrumentVersion.instrument_id == "elementary",
                    Administration.school_year == closed[-1],
                )
            )
            schools = (
                await conn.scalars(
                    select(response.c.school_id)
                    .where(response.c.administration_id == admin_id)
                    .group_by(response.c.school_id)
                    .order_by(response.c.school_id)
                )
            ).all()
            mine, other = str(schools[0]), str(schools[1])
            here = (response.c.administration_id == admin_id) & (response.c.school_id == mine)
            await conn.execute(delete(response).where(here & (column == PLANTED_GENDER)))
            rows = (
                (await conn.execute(select(response).where(here).limit(PLANTED))).mappings().all()
            )
            await conn.execute(delete(response).where(response.c.id.in_([r["id"] for r in rows])))
            await conn.execute(insert(response), [{**r, column.name: PLANTED_GENDER} for r in rows])
            for role, email in EMAILS.items():
                await create_account(
                    conn, email, role, PASSWORD, [mine] if role == "school_staff" else []
                )
    finally:
        await engine.dispose()
    return Seeded(tuple(closed), mine, other, closed[-1], mine)
