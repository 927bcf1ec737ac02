"""``climate export``: every format from a seeded database, audited, and the same on both
databases; a planted group of 3 students shows in no exported value."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from climate import db
from climate.cli import main
from climate.release.result import COLUMNS
from climate.security.audit import EXPORTED, events
from climate.settings import Settings
from tests.climate.release.seeded import Planted, seed

SECRET = "test-secret-key-that-is-long-enough-000"


@pytest.fixture
def planted(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Planted:
    monkeypatch.setenv("CLIMATE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    return seed(settings)


def _export(tmp_path: Path, year: int, fmt: str, *extra: str) -> Path:
    out = tmp_path / f"export.{fmt}"
    assert main(["export", "--year", str(year), "--format", fmt, "--out", str(out), *extra]) == 0
    return out


def _planted_rows(rows: list[dict[str, str]], planted: Planted) -> list[dict[str, str]]:
    return [
        r
        for r in rows
        if r["org_id"] == planted.school
        and r["dimension"] == planted.dimension
        and r["group"] == planted.group
    ]


def test_csv_has_the_fixed_columns_and_hides_the_planted_group(
    planted: Planted, tmp_path: Path
) -> None:
    out = _export(tmp_path, planted.year, "csv")
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = list(reader)
    assert {r["org_type"] for r in rows} == {"district", "school"}
    mine = _planted_rows(rows, planted)
    # The group of 3 is listed (it is not empty) but every value of it is the hidden mark.
    assert mine
    assert {r["value"] for r in mine} == {"*"}
    assert {r["n_band"] for r in mine} == {"*"}
    assert {r["ci_low"] for r in mine} == {"*"}
    # A CI stands only beside a value shown as a plain number.
    for r in rows:
        if r["ci_low"] not in ("", "*"):
            # Alpha has two decimals and may be negative; every other value at most one.
            shown = r"-?\d\.\d\d" if r["statistic"] == "alpha" else r"\d+(\.\d)?"
            assert re.fullmatch(shown, r["value"])
    assert all(r["n_band"] != "3" for r in rows)


def test_xlsx_and_json_carry_the_same_rows(planted: Planted, tmp_path: Path) -> None:
    csv_path = _export(tmp_path, planted.year, "csv")
    with csv_path.open(encoding="utf-8", newline="") as handle:
        expected = [tuple(r) for r in csv.reader(handle)][1:]
    book = load_workbook(_export(tmp_path, planted.year, "xlsx"), read_only=True)
    assert book.sheetnames[-2:] == ["codebook", "methods"]
    from_sheets = []
    for name in book.sheetnames[:-2]:
        values = list(book[name].iter_rows(values_only=True))
        assert values[0] == COLUMNS
        from_sheets += [tuple("" if v is None else str(v) for v in row) for row in values[1:]]
    assert sorted(from_sheets) == sorted(expected)
    methods = {row[0]: row[1] for row in list(book["methods"].iter_rows(values_only=True))[1:]}
    assert "how to read *" in methods
    assert "release_id" in methods
    document = json.loads(_export(tmp_path, planted.year, "json").read_bytes())
    assert tuple(document["columns"]) == COLUMNS
    assert [tuple(str(r[c]) for c in COLUMNS) for r in document["rows"]] == expected
    planted_json = _planted_rows(
        [{k: str(v) for k, v in r.items()} for r in document["rows"]], planted
    )
    assert planted_json
    assert {r["value"] for r in planted_json} == {"*"}
    schema = json.loads((tmp_path / "export.schema.json").read_bytes())
    assert "ExportDocument" in json.dumps(schema)


def test_school_export_holds_that_school_and_the_district_and_is_audited(
    planted: Planted, tmp_path: Path, settings: Settings
) -> None:
    out = _export(tmp_path, planted.year, "csv", "--school", planted.school)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["org_id"] for r in rows} == {"district", planted.school}

    async def recorded() -> list[tuple[str, str, str | None]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                found = await events(conn, action=EXPORTED)
        finally:
            await engine.dispose()
        return [(e.actor, e.target, e.school_id) for e in found]

    assert asyncio.run(recorded()) == [("cli", f"{planted.year}.csv", planted.school)]


def test_unknown_school_and_year_are_refused(planted: Planted, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    base = ["export", "--format", "csv", "--out", str(out)]
    assert main([*base, "--year", str(planted.year), "--school", "NOPE"]) == 2
    assert main([*base, "--year", "1999"]) == 1
    assert not out.exists()


def test_same_csv_on_sqlite_and_postgresql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pg_url = os.environ.get("CLIMATE_TEST_DATABASE_URL", "")
    if not pg_url:
        pytest.skip("CLIMATE_TEST_DATABASE_URL is not set")
    from tests.conftest import _reset_postgres

    monkeypatch.setenv("CLIMATE_MODE", "demo")
    outputs: list[bytes] = []
    for url in (f"sqlite+aiosqlite:///{tmp_path / 'same.db'}", pg_url):
        if url == pg_url:
            asyncio.run(_reset_postgres(pg_url))
        db.upgrade(url)
        settings = Settings(database_url=url, secret_key=SECRET)
        monkeypatch.setenv("CLIMATE_DATABASE_URL", url)
        planted = seed(settings)
        out = tmp_path / f"{len(outputs)}.csv"
        assert (
            main(["export", "--year", str(planted.year), "--format", "csv", "--out", str(out)]) == 0
        )
        outputs.append(out.read_bytes())
    # The CSV carries no generation time, so the files must match byte for byte.
    assert outputs[0] == outputs[1]
