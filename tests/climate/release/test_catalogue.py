"""The catalogue's combined groups: named by their members, summed from them, published."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from analysis.disclosure import HIDDEN, CellKey, protect
from climate import db
from climate.i18n import Catalogs
from climate.instruments import SHIPPED_DIRECTORY, Instrument, load_directory
from climate.instruments.model import CombinedGroup
from climate.release.catalogue import (
    NOT_REPORTED,
    SCHOOL,
    CellData,
    build_release,
    cell_data,
    combined_groups,
    dimensions,
)
from climate.release.gather import gather, sources
from climate.release.pipeline import release_policy
from climate.release.rows import published_rows
from climate.reports.labels import Labels
from climate.settings import Settings
from tests.climate.release.seeded import seed


@pytest.fixture(scope="module")
def shipped() -> dict[str, Instrument]:
    return {k: v.instrument for k, v in load_directory(SHIPPED_DIRECTORY).items()}


def _question(instrument: Instrument, question_id: str) -> int:
    return next(i for i, d in enumerate(instrument.demographics) if d.id == question_id)


def test_a_combined_group_is_named_by_its_members_in_category_order(
    shipped: dict[str, Instrument],
) -> None:
    secondary = shipped["secondary"]
    grade = secondary.demographics[_question(secondary, "grade")]
    gender = secondary.demographics[_question(secondary, "gender")]
    # surveys/secondary.toml declares these two.
    assert combined_groups(grade) == (("11+12", ("11", "12")),)
    assert combined_groups(gender) == (("3+4+not_reported", ("3", "4", NOT_REPORTED)),)
    # Written in another order, the same members give the same name.
    reordered = msgspec.structs.replace(
        grade, combined=[CombinedGroup(options=[12, 11], label="11th and 12th grade")]
    )
    assert combined_groups(reordered) == (("11+12", ("11", "12")),)


def test_the_release_dimensions_carry_the_combined_groups(shipped: dict[str, Instrument]) -> None:
    found = {d.name: d for d in dimensions(shipped["secondary"], ("S1", "S2"))}
    assert found["grade"].combined == (("11+12", ("11", "12")),)
    assert found["grade"].categories == ("6", "7", "8", "9", "10", "11", "12", NOT_REPORTED)
    assert found["race_ethnicity"].combined == ()
    assert found[SCHOOL].combined == ()


def test_labels_name_a_combined_group_in_the_readers_language(
    shipped: dict[str, Instrument],
) -> None:
    catalogs = Catalogs()
    secondary = shipped["secondary"]
    english = Labels(_=str, text=catalogs.instrument_text("en"), instrument=secondary)
    spanish = Labels(_=str, text=catalogs.instrument_text("es"), instrument=secondary)
    assert english.group("grade", "11+12") == "11th and 12th grade"
    # locales/es/LC_MESSAGES/instruments.po
    assert spanish.group("grade", "11+12") == "11.º y 12.º grado"
    assert english.group("gender", "3+4+not_reported") == (
        "Nonbinary, another gender identity or not reported"
    )
    # A combination of another question, or none declared, is shown as it is named.
    assert english.group("race_ethnicity", "11+12") == "11+12"
    assert english.group("grade", "9") == "9th grade"


def _combining(instrument: Instrument, question_id: str, options: list[int]) -> Instrument:
    """The instrument with one more combined group: ``options`` and those who did not say."""
    at = _question(instrument, question_id)
    question = instrument.demographics[at]
    group = CombinedGroup(options=options, label="Combined", not_reported=True)
    changed = msgspec.structs.replace(question, combined=[*question.combined, group])
    demographics = [*instrument.demographics[:at], changed, *instrument.demographics[at + 1 :]]
    return msgspec.structs.replace(instrument, demographics=demographics)


def _sum(cells: list[CellData]) -> CellData:
    total = cells[0]
    for cell in cells[1:]:
        total = total.add(cell)
    return total


def test_combined_cells_are_the_sums_of_their_members_and_are_published(
    settings: Settings,
) -> None:
    # The seeded elementary year plants 3 students of gender 4 ("Another way") in one
    # school; here 4 is combined with those who did not say.
    planted = seed(settings)

    async def run() -> tuple[Instrument, tuple[str, ...], dict[CellKey, CellData], dict[str, str]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                source = (await sources(conn, planted.year))[0]
                gathered = await gather(conn, source)
        finally:
            await engine.dispose()
        instrument = _combining(source.instrument, "gender", [4])
        data = cell_data(instrument, gathered.schools, gathered.cells)
        return instrument, gathered.schools, data, dict(gathered.names)

    instrument, schools, data, names = asyncio.run(run())
    name = "4+not_reported"
    for school in (None, *schools):
        at: CellKey = () if school is None else ((SCHOOL, school),)
        members = [data[k] for c in ("4", NOT_REPORTED) if (k := (*at, ("gender", c))) in data]
        combined = data.get((*at, ("gender", name)))
        if not members:
            assert combined is None
            continue
        assert combined == _sum(members)
    here = ((SCHOOL, planted.school), ("gender", planted.group))
    assert data[here].n == 3

    policy = release_policy()
    release = build_release(instrument, schools, data)
    protected = protect(release, policy, release_id="r")
    assert protected.report.ok
    assert protected.status(here) == "hidden"
    rows = published_rows(
        instrument,
        protected,
        data,
        policy=policy,
        release_id="r",
        year=planted.year,
        names=names,
        district_name="D",
    )
    groups = {(r.org_id, r.group) for r in rows if r.dimension == "gender"}
    assert ("district", name) in groups
    assert (planted.school, name) in groups
    # The planted group's rows publish no value.
    place = (planted.school, planted.dimension, planted.group)
    planted_rows = [r for r in rows if (r.org_id, r.dimension, r.group) == place]
    assert planted_rows
    assert {r.value for r in planted_rows} == {HIDDEN}
