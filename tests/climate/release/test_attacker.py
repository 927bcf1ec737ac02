"""The release attacked from outside: published rows and documented methods only.

A district of two (and, in the slow tier, four) elementary schools, with a planted group of
3 students of one gender in one school who answer every question alike. The attacker of
``tests.climate.release.attacker`` propagates bounds over every relation, every published
n, percentage and mean, and uses every published interval as an equation; it must pin no
hidden quantity.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, update

from climate import db
from climate.instruments import load_directory
from climate.models import Administration, InstrumentVersion, response
from climate.release.catalogue import SCHOOL, cell_data
from climate.release.gather import gather, sources
from climate.release.pipeline import release_policy, year_releases
from climate.responses.layout import Layout
from climate.settings import Settings
from tests.climate.release.attacker import attack
from tests.climate.release.seeded import PLANTED_GENDER, Planted, seed


def _alike(settings: Settings, planted: Planted) -> None:
    """Make the planted students answer every item as the first of them did."""

    async def run() -> None:
        engine = db.create_engine(settings.database_url)
        instrument = load_directory(settings.surveys_dir)["elementary"].instrument
        gender = response.c[Layout.of(instrument).demographics["gender"]]
        try:
            async with engine.begin() as conn:
                admin = await conn.scalar(
                    select(Administration.id)
                    .join(InstrumentVersion)
                    .where(
                        InstrumentVersion.instrument_id == "elementary",
                        Administration.school_year == planted.year,
                    )
                )
                here = (
                    (response.c.administration_id == admin)
                    & (response.c.school_id == planted.school)
                    & (gender == PLANTED_GENDER)
                )
                rows = (await conn.execute(select(response).where(here))).mappings().all()
                assert len(rows) == 3
                # Every column but the row's own id: the same answers, grade and group.
                answers = {k: v for k, v in dict(rows[0]).items() if k != "id"}
                await conn.execute(update(response).where(here).values(**answers))
        finally:
            await engine.dispose()

    asyncio.run(run())


def _attacked(settings: Settings, schools: int) -> tuple[int, tuple[str, ...], int]:
    planted = seed(settings, schools=schools)
    _alike(settings, planted)

    async def run() -> tuple[int, tuple[str, ...], int]:
        engine = db.create_engine(settings.database_url)
        try:
            (release,) = await year_releases(engine, planted.year, district_name="D")
            async with engine.connect() as conn:
                gathered = await gather(conn, (await sources(conn, planted.year))[0])
        finally:
            await engine.dispose()
        instrument = load_directory(settings.surveys_dir)["elementary"].instrument
        # Which groups are small comes from the data: it only scores the attack.
        data = cell_data(instrument, gathered.schools, gathered.cells)
        assert data[((SCHOOL, planted.school), (planted.dimension, planted.group))].n == 3
        verdict = attack(release.rows, instrument, release_policy(), data)
        planted_rows = [
            r
            for r in release.rows
            if (r.org_id, r.dimension, r.group)
            == (planted.school, planted.dimension, planted.group)
        ]
        assert planted_rows
        assert all(r.value in ("*", "") for r in planted_rows)
        return verdict.hidden, verdict.disclosed, len(release.rows)

    return asyncio.run(run())


def test_no_hidden_quantity_is_pinned_with_two_schools_per_level(settings: Settings) -> None:
    hidden, disclosed, published = _attacked(settings, schools=4)
    print(f"two schools: {len(disclosed)} of {hidden} hidden quantities disclosed")
    assert hidden > 500
    assert published > 1000
    assert disclosed == ()


@pytest.mark.slow
def test_no_hidden_quantity_is_pinned_with_four_schools_per_level(settings: Settings) -> None:
    hidden, disclosed, _ = _attacked(settings, schools=8)
    print(f"four schools: {len(disclosed)} of {hidden} hidden quantities disclosed")
    assert hidden > 1000
    assert disclosed == ()
