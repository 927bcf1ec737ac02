"""A whole school's count survives a rare answer: exposed counts hide values, not schools.

The report district (two 90-student elementary schools, a planted group of 3) has a year
in which no student of one school is flagged on the distress scale, so the school's
published 0% proves it of every hidden group of that school. Several such groups
are exposed at once; the values one repair hides can mend the others too. Hiding the
exposed groups' relations whole instead took the school's count with them, and the
district's exact total then took the other school's count as its complement.
"""

from __future__ import annotations

import asyncio

from climate import db
from climate.instruments import load_directory
from climate.release.catalogue import cell_data
from climate.release.gather import gather, sources
from climate.release.pipeline import release_policy, year_releases
from climate.release.result import YearRelease
from climate.settings import Settings
from tests.climate.controllers.reports.district import Seeded, seed
from tests.climate.release.attacker import attack


def _released(settings: Settings) -> tuple[Seeded, YearRelease, dict[str, int]]:
    seeded = seed(settings)

    async def run() -> tuple[YearRelease, dict[str, int]]:
        engine = db.create_engine(settings.database_url)
        try:
            (release,) = await year_releases(engine, seeded.planted_year, district_name="D")
            async with engine.connect() as conn:
                gathered = await gather(conn, (await sources(conn, seeded.planted_year))[0])
        finally:
            await engine.dispose()
        instrument = load_directory(settings.surveys_dir)["elementary"].instrument
        data = cell_data(instrument, gathered.schools, gathered.cells)
        verdict = attack(release.rows, instrument, release_policy(), data)
        assert verdict.disclosed == ()
        sizes = {school: data[(("school", school),)].n for school in gathered.schools}
        return release, sizes

    release, sizes = asyncio.run(run())
    return seeded, release, sizes


def test_both_whole_school_counts_are_published_exactly(settings: Settings) -> None:
    seeded, release, sizes = _released(settings)
    for school in (seeded.mine, seeded.other):
        shown = {
            r.n_band
            for r in release.rows
            if r.org_type == "school" and r.org_id == school and r.dimension == "all"
        }
        # The n of a whole school is published exactly (release_policy); the audit keeps
        # it wherever no small group needs it hidden, as here.
        assert shown == {str(sizes[school])}, (school, shown)
