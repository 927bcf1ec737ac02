"""A small district that takes help requests: two schools, a reader at each, a district lead.

Used by the help-request tests of every tier (domain, pages, browser): ``help_file`` writes
the district's help file, ``make_help_district`` the schools and accounts.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert

from climate import db
from climate.models import District, School
from climate.security.accounts import create_account
from climate.settings import Settings

PASSWORD = "correct horse battery staple"
# Reads North High's requests (its own school only).
NORTH_READER = "north.counselor@district.example"
# Reads South High's requests.
SOUTH_READER = "south.counselor@district.example"
# Staff of North High who is not named a reader: sees North's reports, not its requests.
NORTH_TEACHER = "north.teacher@district.example"
# The district's student-services lead: reads every school's requests.
LEAD = "lead@district.example"
# A district analyst: sees every school's reports, reads no requests.
VIEWER = "viewer@district.example"
NOTIFY_NORTH = "north.duty@district.example"
ESCALATE_NORTH = "north.principal@district.example"
NOTIFY_DISTRICT = "duty@district.example"
ESCALATE_DISTRICT = "director@district.example"
SCHOOLS = {"N1": "North High", "S1": "South High", "E1": "East Elementary"}


def help_file(directory: Path, *, timezone: str = "UTC", reading_time: str = "15:00") -> Path:
    """Write the district's help file into ``directory`` and return its path.

    East Elementary names no reader of its own; the district lead reads it.
    """
    path = directory / "help.toml"
    path.write_text(
        f"""
timezone = "{timezone}"
reading_time = "{reading_time}"
retention_days = 90
staff_url = "https://climate.district.example/staff/help"

[district]
readers = ["{LEAD}"]
notify = ["{NOTIFY_DISTRICT}"]
escalate = ["{ESCALATE_DISTRICT}"]

[schools.N1]
readers = ["{NORTH_READER}"]
notify = ["{NOTIFY_NORTH}"]
escalate = ["{ESCALATE_NORTH}"]

[schools.S1]
readers = ["{SOUTH_READER}"]
""",
        encoding="utf-8",
    )
    return path


@dataclass(frozen=True)
class HelpDistrict:
    """The accounts made, by e-mail address (all share ``PASSWORD``)."""

    accounts: tuple[str, ...]


def make_help_district(settings: Settings) -> HelpDistrict:
    """Create the schools and accounts on ``settings``' (migrated) database."""
    return asyncio.run(_make(settings))


async def _make(settings: Settings) -> HelpDistrict:
    engine = db.create_engine(settings.database_url)
    accounts: tuple[tuple[str, str, list[str]], ...] = (
        (NORTH_READER, "school_staff", ["N1"]),
        (SOUTH_READER, "school_staff", ["S1"]),
        (NORTH_TEACHER, "school_staff", ["N1"]),
        (LEAD, "district_admin", []),
        (VIEWER, "district_viewer", []),
    )
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(District).values(id=1, name="Test District"))
            for sid, name in SCHOOLS.items():
                high = not name.endswith("Elementary")
                await conn.execute(
                    insert(School).values(
                        id=sid,
                        district_id=1,
                        name=name,
                        level="high" if high else "elementary",
                        grade_low=9 if high else 3,
                        grade_high=12 if high else 5,
                    )
                )
            for email, role, schools in accounts:
                await create_account(conn, email, role, PASSWORD, schools)
    finally:
        await engine.dispose()
    return HelpDistrict(tuple(email for email, _, _ in accounts))
