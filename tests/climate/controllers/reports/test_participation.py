"""Live participation pages: counts match the stored rows, scoped to the caller's schools."""

from __future__ import annotations

import asyncio
import re

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select, union_all

from climate import db
from climate.app import create_app
from climate.models import Administration, response, sealed_response
from climate.settings import Settings
from tests.climate.controllers.reports.district import Seeded
from tests.climate.security.conftest import BASE

Clients = dict[str, TestClient[Litestar]]
ROW = re.compile(
    r'<caption id="window-(\d+)">.*?</caption>|<tr data-school="([^"]+)">.*?'
    r'<td class="count"><bdi dir="ltr">([0-9,]+)</bdi>',
    re.S,
)


def _shown(html: str) -> dict[tuple[int, str], int]:
    """Counts per (window, school) as the page prints them."""
    found: dict[tuple[int, str], int] = {}
    window = 0
    for caption, school, count in ROW.findall(html):
        if caption:
            window = int(caption)
        else:
            found[(window, school)] = int(count.replace(",", ""))
    return found


def _stored(settings: Settings) -> dict[tuple[int, str], int]:
    async def read() -> dict[tuple[int, str], int]:
        engine = db.create_engine(settings.database_url)
        opened = select(Administration.id).where(Administration.status == "open")
        rows = union_all(
            *(
                select(t.c.administration_id, t.c.school_id).where(
                    t.c.administration_id.in_(opened)
                )
                for t in (sealed_response, response)
            )
        ).subquery()
        try:
            async with engine.connect() as conn:
                found = await conn.execute(
                    select(rows.c.administration_id, rows.c.school_id, func.count()).group_by(
                        rows.c.administration_id, rows.c.school_id
                    )
                )
                return {(int(a), str(s)): int(n) for a, s, n in found.tuples()}
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_the_dashboard_counts_what_is_stored_in_open_windows(
    as_role: Clients, reports_settings: Settings
) -> None:
    page = as_role["district_viewer"].get("/staff/reports/district")
    assert page.status_code == 200
    shown = _shown(page.text)
    stored = _stored(reports_settings)
    assert stored
    assert {k: v for k, v in shown.items() if v} == stored


def test_school_staff_see_their_own_schools_only(
    as_role: Clients, seeded: Seeded, reports_settings: Settings
) -> None:
    page = as_role["school_staff"].get("/staff/reports/participation")
    assert page.status_code == 200
    shown = _shown(page.text)
    assert shown
    assert {school for _w, school in shown} == {seeded.mine}
    stored = _stored(reports_settings)
    assert all(stored.get(key, 0) == n for key, n in shown.items())
    assert seeded.other not in page.text


def test_the_participation_page_needs_a_sign_in(reports_settings: Settings) -> None:
    with TestClient(create_app(reports_settings), base_url=BASE) as client:
        answer = client.get("/staff/reports/participation", follow_redirects=False)
    assert answer.status_code in (302, 303, 401)
