"""The change planted in the demo district is the one its report tells the demo counselor.

The first school (the one the demo counselor is given) starts a belonging program before
the newest closed year, which lifts its connectedness by about 20 points (see
``climate.demo.generator``). The report must find that change through the release
pipeline and its Benjamini-Hochberg adjustment, and say it on the counselor's page.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from litestar.testing import TestClient
from sqlalchemy import select, update

from climate import db
from climate.app import create_app
from climate.demo import district as demo
from climate.demo.accounts import DEMO_ACCOUNTS, ensure_demo_accounts
from climate.demo.traits import PROGRAM_TRAIT
from climate.models import Administration, InstrumentVersion
from climate.reports.changes import Changes, changes
from climate.reports.published import Published
from climate.reports.source import releases
from climate.settings import Settings
from tests.climate.security.conftest import BASE, csrf

TODAY = dt.date(2026, 11, 28)
CHANGES = re.compile(r'<ul class="changes">(.*?)</ul>', re.S)


async def _seed(settings: Settings) -> tuple[demo.SeedSummary, Changes]:
    """A high school and an elementary school over three closed years; only the high school's
    survey is published (the elementary windows are left open, so the test stays quick)."""
    engine = db.create_engine(settings.database_url)
    try:
        summary = await demo.seed_district(
            engine, settings, school_count=2, years=3, students_per_school=120, today=TODAY
        )
        async with engine.begin() as conn:
            elementary = select(InstrumentVersion.id).where(
                InstrumentVersion.instrument_id == "elementary"
            )
            await conn.execute(
                update(Administration)
                .where(Administration.instrument_version_id.in_(elementary))
                .values(status="open")
            )
        await ensure_demo_accounts(engine)
        published = Published.of(await releases(engine, summary.years[:-1], settings))
        return summary, changes(published, "S001")
    finally:
        await engine.dispose()


def test_the_planted_program_is_what_changed(settings: Settings) -> None:
    summary, told = asyncio.run(_seed(settings))
    planted_year = summary.years[-2]  # the newest closed year
    found = {c.scale: c for c in told.found}
    assert PROGRAM_TRAIT in found, told
    change = found[PROGRAM_TRAIT]
    assert change.direction == "increasing"
    assert change.last_year == planted_year
    assert change.first_year == summary.years[0]
    assert int(change.last) - int(change.first) >= 8

    email, _role, password = next(a for a in DEMO_ACCOUNTS if a[1] == "school_staff")
    with TestClient(create_app(settings), base_url=BASE) as client:
        signed_in = client.post(
            "/staff/sign-in",
            data={"email": email, "password": password, "_csrf_token": csrf(client)},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303
        page = client.get("/staff/reports/schools/S001")
    assert page.status_code == 200
    listed = CHANGES.search(page.text)
    assert listed is not None
    sentences = re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)
    assert any(
        "School connectedness and belonging" in s and " rose from " in s for s in sentences
    ), sentences
