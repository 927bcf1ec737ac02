"""The dashboard's support staff beside sworn officers, from the newest CRDC import."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import insert

from climate import db
from climate.models import CrdcStaffing
from climate.settings import Settings
from tests.climate.controllers.reports.district import Seeded
from tests.climate.controllers.reports.test_pages import Clients


def _store(settings: Settings, rows: list[dict[str, object]]) -> None:
    async def run() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(insert(CrdcStaffing), rows)
        finally:
            await engine.dispose()

    asyncio.run(run())


def _support_rows(page: str) -> list[list[str]]:
    table = re.search(r'<table class="data support">(.*?)</table>', page, re.S)
    assert table is not None
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    ][1:]


def test_the_newest_collection_of_the_year_or_before_is_shown(
    as_role: Clients, seeded: Seeded, reports_settings: Settings
) -> None:
    year = seeded.years[-1]
    dashboard = as_role["district_viewer"].get(f"/staff/reports/district?year={year}").text
    assert 'class="data support"' not in dashboard  # nothing imported yet
    base = {"psychologist": 0.5, "social_worker": 1.0, "sworn_officers": 2.0}
    _store(
        reports_settings,
        [
            # An older collection, and one after the year: neither is shown.
            {
                "school_id": seeded.mine,
                "year": year - 4,
                "source": "CRDC 2017-18",
                "counselor": 9.0,
                **base,
            },
            {
                "school_id": seeded.mine,
                "year": year + 1,
                "source": "CRDC 2027-28",
                "counselor": 8.0,
                **base,
            },
            {
                "school_id": seeded.mine,
                "year": year - 2,
                "source": "CRDC 2020-21",
                "counselor": 3.0,
                **base,
            },
            # A figure the collection did not publish is a dash, never a zero.
            {
                "school_id": seeded.other,
                "year": year - 2,
                "source": "CRDC 2020-21",
                "counselor": 1.5,
                **{**base, "psychologist": None},
            },
        ],
    )
    page = as_role["district_viewer"].get(f"/staff/reports/district?year={year}").text
    assert "(CRDC 2020-21)" in page
    rows = {row[0]: row[1:] for row in _support_rows(page)}
    assert len(rows) == 2
    mine = next(v for k, v in rows.items() if v[0] == "3.0")
    other = next(v for k, v in rows.items() if v[0] == "1.5")
    assert mine == ["3.0", "0.5", "1.0", "2.0"]
    assert other == ["1.5", "–", "1.0", "2.0"]
    # Schools by name, never by id.
    assert seeded.mine not in rows
    assert seeded.other not in rows
