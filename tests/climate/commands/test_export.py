"""``climate export``: every format from a seeded database, audited, and the same on both
databases; a planted group of 3 students shows in no exported value."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
from pathlib import Path

import msgspec
import pytest
from openpyxl import load_workbook

from analysis.disclosure import Policy
from climate import db
from climate.cli import main
from climate.exports.files import district_name
from climate.exports.reading import EXTRA_COLUMNS
from climate.release.pipeline import year_releases
from climate.release.result import COLUMNS, Statistic, is_number
from climate.reports.published import rse_flag
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
        # The fixed columns first, as they always were; the added ones after them.
        assert tuple(reader.fieldnames or ()) == COLUMNS + EXTRA_COLUMNS
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


def _text(value: object, column: str) -> str:
    """A sheet cell as the CSV writes it: numbers in the published number of decimals."""
    if value is None:
        return ""
    if isinstance(value, float):
        # Published means and limits have one decimal, alpha two (README, "how to read").
        return f"{value:.2f}" if column == "alpha" else f"{value:.1f}"
    return str(value)


def test_xlsx_and_json_carry_the_same_rows(planted: Planted, tmp_path: Path) -> None:
    csv_path = _export(tmp_path, planted.year, "csv")
    with csv_path.open(encoding="utf-8", newline="") as handle:
        expected = [tuple(r) for r in csv.reader(handle)][1:]
    book = load_workbook(_export(tmp_path, planted.year, "xlsx"), read_only=True)
    assert book.sheetnames[-2:] == ["codebook", "methods"]
    header = COLUMNS + EXTRA_COLUMNS
    statistic = header.index("statistic")
    from_sheets = []
    for name in book.sheetnames[:-2]:
        values = list(book[name].iter_rows(values_only=True))
        assert values[0] == header
        from_sheets += [
            tuple(_text(v, "alpha" if row[statistic] == "alpha" else "") for v in row)
            for row in values[1:]
        ]
    assert sorted(from_sheets) == sorted(expected)
    methods = {row[0]: row[1] for row in list(book["methods"].iter_rows(values_only=True))[1:]}
    assert "how to read *" in methods
    assert "release_id" in methods
    document = json.loads(_export(tmp_path, planted.year, "json").read_bytes())
    assert tuple(document["columns"]) == COLUMNS + EXTRA_COLUMNS
    assert [
        tuple("" if r[c] is None else str(r[c]) for c in COLUMNS + EXTRA_COLUMNS)
        for r in document["rows"]
    ] == expected
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


def _old_csv(rows: list[Statistic]) -> bytes:
    """The CSV as the export wrote it before the added columns: the fixed thirteen only."""
    handle = io.StringIO(newline="")
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        name = (
            "'" + r.org_name if r.org_name[:1] in ("=", "+", "-", "@", "\t", "\r") else r.org_name
        )
        writer.writerow((*msgspec.structs.astuple(r)[:4], name, *msgspec.structs.astuple(r)[5:]))
    return handle.getvalue().encode("utf-8")


def _published(settings: Settings, year: int) -> list[Statistic]:
    async def run() -> list[Statistic]:
        engine = db.create_engine(settings.database_url)
        try:
            name = await district_name(engine, settings)
            found = await year_releases(
                engine, year, district_name=name, policy=Policy(k=settings.suppression_k)
            )
        finally:
            await engine.dispose()
        return [row for release in found for row in release.rows]

    return asyncio.run(run())


def test_the_first_13_columns_are_byte_for_byte_the_fixed_csv(
    planted: Planted, tmp_path: Path, settings: Settings
) -> None:
    new = _export(tmp_path, planted.year, "csv").read_bytes().split(b"\n")
    old = _old_csv(_published(settings, planted.year)).split(b"\n")
    assert len(new) == len(old) > 2
    # Every line is the old line, then a comma and the added columns.
    for before, after in zip(old[:-1], new[:-1], strict=True):
        assert after.startswith(before + b","), (before, after)
    assert new[-1] == old[-1] == b""


def test_xlsx_reads_back_as_numbers_tables_and_labels(planted: Planted, tmp_path: Path) -> None:
    with _export(tmp_path, planted.year, "csv").open(encoding="utf-8", newline="") as handle:
        published = list(csv.DictReader(handle))
    book = load_workbook(_export(tmp_path, planted.year, "xlsx"))
    header = COLUMNS + EXTRA_COLUMNS
    rows = []
    for sheet in book.worksheets[:-2]:
        # Every data sheet is a table over all its rows, with filter buttons on its header.
        (table,) = sheet.tables.values()
        assert table.ref == table.autoFilter.ref == f"A1:S{sheet.max_row}"
        assert [c.name for c in table.tableColumns] == list(header)
        for cells in sheet.iter_rows(min_row=2):
            rows.append(dict(zip(header, cells, strict=True)))
    assert len(rows) == len(published)
    numeric = 0
    by_key = {_key(r): r for r in published}
    for row in rows:
        text = by_key[_key({h: _text(c.value, "") for h, c in row.items()})]
        for column in ("value", "ci_low", "ci_high", "n_band", "value_bound", "year"):
            cell = row[column]
            if is_number(text[column]):
                # A number is a number cell (openpyxl: data_type "n"), never text.
                assert cell.data_type == "n", column
                assert isinstance(cell.value, int | float), column
                assert float(cell.value) == float(text[column])
                numeric += 1
            else:
                assert cell.value == (text[column] or None), column
    assert numeric > len(rows)
    flags = {r["value_flag"].value for r in rows}
    assert flags == {"exact", "bottom_coded", "top_coded", "hidden"}
    # Labels as the instrument words them (surveys/elementary.toml: race_ethnicity value 1;
    # the connectedness scale's title) and as the report pages name dimensions.
    race = [r for r in rows if r["dimension"].value == "race_ethnicity" and r["group"].value == "1"]
    assert {r["group_label"].value for r in race} == {"American Indian or Alaska Native"}
    assert {r["dimension_label"].value for r in race} == {"Race and ethnicity"}
    connected = {
        r["indicator_label"].value for r in rows if r["indicator"].value == "connectedness"
    }
    assert connected == {"School connectedness and belonging"}
    assert all(r["group_label"].value and r["indicator_label"].value for r in rows)
    methods = [v for _k, v in book["methods"].iter_rows(min_row=2, values_only=True)]
    assert not any(str(v).startswith("{") for v in methods)


def _key(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(
        row[c] for c in ("release_id", "org_id", "dimension", "group", "indicator", "statistic")
    )


def test_the_reliability_flag_is_the_report_pages_rule(planted: Planted, tmp_path: Path) -> None:
    with _export(tmp_path, planted.year, "csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    flags = []
    for r in rows:
        fixed = [r[c] for c in COLUMNS]
        statistic = Statistic(fixed[0], int(fixed[1]), *fixed[2:])
        # climate.reports.published.rse_flag is what the school report shows beside a value.
        assert r["reliability"] == rse_flag(statistic)
        flags.append(r["reliability"])
    assert {"caution", "unreliable", ""} <= set(flags)


def test_scales_only_over_all_years_is_a_trend_file_and_audited(
    planted: Planted, tmp_path: Path, settings: Settings
) -> None:
    out = tmp_path / "trend.csv"
    command = ["export", "--years", "all", "--indicators", "scales", "--format", "csv"]
    assert main([*command, "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    years = sorted({int(r["year"]) for r in rows})
    # The seeded district has two closed school years (tests/climate/release/seeded.py).
    assert len(years) == 2
    assert planted.year in years
    assert all(":" not in r["indicator"] for r in rows)
    for year in years:
        full = _export(tmp_path, year, "csv", "--indicators", "all")
        with full.open(encoding="utf-8", newline="") as handle:
            every = [r for r in csv.DictReader(handle) if ":" not in r["indicator"]]
        assert [r for r in rows if int(r["year"]) == year] == every

    async def recorded() -> list[tuple[str, str]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                found = await events(conn, action=EXPORTED)
        finally:
            await engine.dispose()
        return [(e.target, e.detail.get("indicators", "")) for e in found]

    assert ("all.csv", "scales") in asyncio.run(recorded())


def test_labels_follow_the_language_asked_for(planted: Planted, tmp_path: Path) -> None:
    document = json.loads(
        _export(
            tmp_path, planted.year, "json", "--lang", "ar", "--indicators", "scales"
        ).read_bytes()
    )
    assert document["language"] == "ar"
    race = {
        r["group_label"]
        for r in document["rows"]
        if r["dimension"] == "race_ethnicity" and r["group"] == "1"
    }
    # locales/ar/LC_MESSAGES/instruments.po, "American Indian or Alaska Native".
    assert race == {"من الهنود الأمريكيين أو من سكان ألاسكا الأصليين"}
    everyone = {r["group_label"] for r in document["rows"] if r["group"] == "all"}
    assert everyone == {"جميع الطلاب"}  # messages.po, "All students"


def test_bad_years_and_languages_are_refused_and_write_nothing(
    planted: Planted, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.csv"
    base = ["export", "--format", "csv", "--out", str(out)]
    for extra, status, said in (
        (["--years", "2026-2024"], 2, "ends before it starts"),
        (["--years", "last"], 2, "is not 'all'"),
        (["--year", str(planted.year), "--lang", "xx"], 2, "--lang 'xx'"),
        (["--years", "1990-1995"], 1, "no closed administration in 1990-1995"),
    ):
        assert main([*base, *extra]) == status
        assert said in capsys.readouterr().err
    assert not out.exists()
