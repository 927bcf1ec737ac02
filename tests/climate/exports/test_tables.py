"""Excel tables over data sheets: every part well formed, read back with openpyxl's tables."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from climate.exports.spreadsheet import Cell, Spreadsheet, column_letter

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def test_column_letters_run_past_z() -> None:
    assert [column_letter(n) for n in (1, 19, 26, 27, 52, 53, 702, 703)] == [
        "A",
        "S",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_each_part_of_a_table_sheet_is_a_table_with_filter_buttons(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    rows: list[tuple[Cell, ...]] = [("a", 1, 2.5), ("b", 2, "*"), ("c", 3, None)]
    with Spreadsheet(path, max_rows=3) as book:
        names = book.add_sheet("race/ethnicity", ("id", "n", "value"), rows, table=True)
        book.add_sheet("empty", ("x", "y"), [], table=True)
        book.add_sheet("notes", ("item", "value"), [("k", "10")])
    # Two rows per sheet below the header: the rows go on in a second sheet.
    assert names == ["race_ethnicity", "race_ethnicity (2)"]
    with zipfile.ZipFile(path) as package:
        parts = {n: ElementTree.fromstring(package.read(n)) for n in package.namelist()}
    tables = sorted(n for n in parts if n.startswith("xl/tables/"))
    assert tables == ["xl/tables/table1.xml", "xl/tables/table2.xml", "xl/tables/table3.xml"]
    types = parts["[Content_Types].xml"]
    listed = {e.get("PartName") for e in types}
    assert {"/" + t for t in tables} <= listed
    read = load_workbook(path)
    first, second = read["race_ethnicity"], read["race_ethnicity (2)"]
    assert first.tables["t_race_ethnicity"].ref == "A1:C3"
    assert second.tables["t_race_ethnicity__2_"].ref == "A1:C2"
    assert first.tables["t_race_ethnicity"].autoFilter.ref == "A1:C3"
    assert [c.name for c in first.tables["t_race_ethnicity"].tableColumns] == ["id", "n", "value"]
    # A table holds at least one row under its header, blank when there is none.
    assert read["empty"].tables["t_empty"].ref == "A1:B2"
    assert not read["notes"].tables
    assert first["C2"].value == 2.5
    assert first["C3"].value == "*"


def test_a_table_needs_distinct_column_names(tmp_path: Path) -> None:
    with Spreadsheet(tmp_path / "d.xlsx") as book, pytest.raises(ValueError, match="distinct"):
        book.add_sheet("s", ("a", "a"), [(1, 2)], table=True)
