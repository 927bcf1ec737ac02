"""A small district for the student-route tests: one school, two open windows, one closed."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from climate import db
from climate.administrations import change_status
from climate.instruments import load_directory
from climate.instruments.registry import register
from climate.models import AccessCode, Administration, AdministrationSchool, District, School
from climate.settings import Settings

CLASS = "ACDEFGHJKM"
TICKET = "NPQRTWXY34"
TICKET_2 = "NPQRTWXY36"
CLOSED = "679ACDEFGH"
ELEMENTARY = "34679ACDEF"


@dataclass(frozen=True)
class Seeded:
    """Ids of what was made."""

    secondary: int
    tickets: int
    closed: int
    elementary: int


def make_district(
    settings: Settings, *, grades: list[int] | None = None, locales: list[str] | None = None
) -> Seeded:
    """Create the district synchronously (tests are synchronous).

    ``grades`` (of the secondary windows) and ``locales`` (of every window) replace the
    defaults: they are written with the windows, since the database refuses to change them in an
    opened window.
    """
    return asyncio.run(_make(settings, grades, locales))


async def _make(settings: Settings, grades: list[int] | None, locales: list[str] | None) -> Seeded:
    engine = db.create_engine(settings.database_url)
    today = dt.date.today()
    loaded = load_directory(settings.surveys_dir)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            district = District(name="Test District")
            session.add(district)
            await session.flush()
            session.add(
                School(
                    id="S1",
                    district_id=district.id,
                    name="Test High",
                    level="high",
                    grade_low=6,
                    grade_high=12,
                )
            )
            secondary = await register(session, loaded["secondary"])
            elementary = await register(session, loaded["elementary"])
            await session.flush()

            def window(version: int, status: str, access: str, sensitive: bool) -> Administration:
                opens = today - dt.timedelta(days=3 if status == "open" else 100)
                return Administration(
                    instrument_version_id=version,
                    name="Test",
                    school_year=today.year,
                    term="fall",
                    grades=list(range(6, 13)) if grades is None else grades,
                    locales=["en", "es", "ar"] if locales is None else locales,
                    opens_on=opens,
                    closes_on=opens + dt.timedelta(days=30),
                    access_mode=access,
                    sensitive_module=sensitive,
                    consent_mode="passive",
                    status=status,
                    declines=0,
                )

            made = [
                window(secondary.id, "open", "class-code", True),
                window(secondary.id, "open", "tickets", False),
                window(secondary.id, "closed", "class-code", False),
                window(elementary.id, "open", "class-code", False),
            ]
            made[3].grades = [3, 4, 5]
            session.add_all(made)
            await session.flush()
            for administration in made:
                session.add(
                    AdministrationSchool(administration_id=administration.id, school_id="S1")
                )
            for code, administration, kind in (
                (CLASS, made[0], "class"),
                (TICKET, made[1], "ticket"),
                (TICKET_2, made[1], "ticket"),
                (CLOSED, made[2], "class"),
                (ELEMENTARY, made[3], "class"),
            ):
                session.add(
                    AccessCode(
                        code=code, administration_id=administration.id, school_id="S1", kind=kind
                    )
                )
            await session.commit()
            return Seeded(*(a.id for a in made))
    finally:
        await engine.dispose()


def close_open_windows(settings: Settings) -> None:
    """Close every open administration as an admin would, moving sealed answers to responses."""

    async def close() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                opened = await conn.scalars(
                    select(Administration.id).where(Administration.status == "open")
                )
                ids = list(opened)
            for administration_id in ids:
                await change_status(engine, settings, "tests", administration_id, "closed")
        finally:
            await engine.dispose()

    asyncio.run(close())
