"""A published year published again: paper surveys imported, responses removed, old releases.

Every step goes through the commands a district runs: ``climate export`` publishes the year,
``climate import responses`` adds paper surveys to it, and ``climate export`` again.
"""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.sql import Executable

from climate import db
from climate.cli import main
from climate.models import PublishedRelease, response
from climate.release.editions import unpack_cells
from climate.settings import Settings
from tests.climate.release.seeded import Planted, seed

# Three paper surveys from one school, filled in alike: grade 4, girls, every answer given.
PAPER = "school_id,grade,gender,conn_belong,bully_names,safe_class\n" + "{school},4,1,2,2,0\n" * 3


@pytest.fixture
def planted(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Planted:
    monkeypatch.setenv("CLIMATE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    return seed(settings)


def _export(tmp_path: Path, year: int, name: str) -> tuple[int, list[dict[str, str]]]:
    out = tmp_path / f"{name}.csv"
    code = main(["export", "--year", str(year), "--format", "csv", "--out", str(out)])
    if code != 0:
        return code, []
    with out.open(encoding="utf-8", newline="") as handle:
        return code, list(csv.DictReader(handle))


def _import(tmp_path: Path, planted: Planted) -> int:
    path = tmp_path / "paper.csv"
    path.write_text(PAPER.format(school=planted.school), encoding="utf-8")
    args = ["import", "responses", "--survey", "elementary", "--year", str(planted.year)]
    return main([*args, str(path)])


def _stored(settings: Settings) -> list[tuple[str, bytes | None]]:
    async def run() -> list[tuple[str, bytes | None]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    select(PublishedRelease.release_id, PublishedRelease.cells).order_by(
                        PublishedRelease.created_at
                    )
                )
                return [(str(r), c) for r, c in rows.all()]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _run(settings: Settings, statement: Executable) -> None:
    async def run() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(statement)
        finally:
            await engine.dispose()

    asyncio.run(run())


def _by_key(rows: list[dict[str, str]]) -> dict[tuple[str, ...], dict[str, str]]:
    return {
        (r["org_id"], r["dimension"], r["group"], r["indicator"], r["statistic"]): r for r in rows
    }


def test_paper_surveys_imported_into_a_published_year_are_published(
    planted: Planted, settings: Settings, tmp_path: Path
) -> None:
    code, first = _export(tmp_path, planted.year, "first")
    assert code == 0
    assert _import(tmp_path, planted) == 0
    code, second = _export(tmp_path, planted.year, "second")
    assert code == 0
    stored = _stored(settings)
    assert len(stored) == 2
    # Each release keeps the data it was made from: the second has the 3 more respondents.
    totals = [
        next(c.n for c in unpack_cells(blob).cells if c.key == ()) for _, blob in stored if blob
    ]
    assert totals[1] == totals[0] + 3
    before, after = _by_key(first), _by_key(second)
    # A school that sent no paper survey publishes what it published before.
    others = {k[0] for k in before} - {planted.school, "district"}
    assert others
    for key, row in before.items():
        if key[0] in others:
            assert {c: after[key][c] for c in row if c != "release_id"} == {
                c: v for c, v in row.items() if c != "release_id"
            }
    # The school that did, and the district, hide their size now: the 3 do not follow by
    # subtraction (their exact counts were published the first time).
    for org in (planted.school, "district"):
        sizes = {r["n_band"] for k, r in after.items() if k[0] == org and k[1] == "all"}
        assert sizes == {"*"}, org
    # The planted group of 3 stays hidden in both.
    for rows in (first, second):
        mine = [
            r
            for r in rows
            if r["org_id"] == planted.school
            and r["dimension"] == planted.dimension
            and r["group"] == planted.group
        ]
        assert mine
        assert {r["value"] for r in mine} == {"*"}


def test_a_release_stored_without_its_data_keeps_them_when_read_again(
    planted: Planted, settings: Settings, tmp_path: Path
) -> None:
    assert _export(tmp_path, planted.year, "first")[0] == 0
    _run(settings, update(PublishedRelease).values(cells=None))
    assert [blob for _, blob in _stored(settings)] == [None]
    assert _export(tmp_path, planted.year, "again")[0] == 0
    (only,) = _stored(settings)
    assert only[1] is not None


def test_a_changed_year_after_a_release_without_data_says_what_to_do(
    planted: Planted, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _export(tmp_path, planted.year, "first")[0] == 0
    _run(settings, update(PublishedRelease).values(cells=None))
    assert _import(tmp_path, planted) == 0
    capsys.readouterr()
    assert _export(tmp_path, planted.year, "second")[0] == 1
    said = capsys.readouterr().err
    assert "nothing was published" in said
    assert "restore its responses as they were when it was published" in said
    assert "import the new responses again" in said
    assert len(_stored(settings)) == 1


def test_removed_responses_are_refused_and_the_message_says_what_to_do(
    planted: Planted, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _export(tmp_path, planted.year, "first")[0] == 0
    # No command removes a response; a correction by hand in the database does.
    gone = select(response.c.id).where(response.c.school_id == planted.school).limit(1)
    _run(settings, delete(response).where(response.c.id.in_(gone.scalar_subquery())))
    capsys.readouterr()
    assert _export(tmp_path, planted.year, "second")[0] == 1
    said = capsys.readouterr().err
    assert "responses were removed or changed since it was published" in said
    assert "restore the removed responses" in said
    assert "never removed or changed" in said
    assert len(_stored(settings)) == 1
