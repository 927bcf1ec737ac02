"""The XLSX writer: every file is read back with openpyxl and its parts parsed as XML."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as run
from hypothesis import strategies as st
from openpyxl import load_workbook

from climate.exports.spreadsheet import MAX_NAME, MAX_ROWS, Cell, Spreadsheet

Sheets = dict[str, list[tuple[object, ...]]]

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _read(path: Path) -> Sheets:
    book = load_workbook(path, read_only=True)
    try:
        return {n: [tuple(r) for r in book[n].iter_rows(values_only=True)] for n in book.sheetnames}
    finally:
        book.close()


def _parts(path: Path) -> dict[str, ElementTree.Element]:
    """Every part parsed, which fails on XML that is not well-formed."""
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
        return {n: ElementTree.fromstring(package.read(n)) for n in package.namelist()}


def _write(path: Path, sheets: Sequence[tuple[str, Sequence[str], list[list[Cell]]]]) -> Path:
    with Spreadsheet(path) as book:
        for name, header, rows in sheets:
            book.add_sheet(name, header, rows)
    return path


def test_values_keep_their_types(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        ["2024-secondary", 2024, "42.1", 42.5, True, "", None, "<=5", "*"],
        ["x", -3, "0", 1e-05, False, "after a gap", None, ">=95", "0042"],
    ]
    path = _write(tmp_path / "a.xlsx", [("stats", list("abcdefghi"), rows)])
    read = _read(path)
    assert list(read) == ["stats"]
    assert read["stats"] == [
        tuple("abcdefghi"),
        ("2024-secondary", 2024, "42.1", 42.5, True, None, None, "<=5", "*"),
        ("x", -3, "0", 1e-05, False, "after a gap", None, ">=95", "0042"),
    ]
    year, text, number = read["stats"][1][1:4]
    assert type(year) is int
    assert type(text) is str  # a published value that looks like a number stays text
    assert type(number) is float


def test_text_that_xml_or_excel_would_change_survives(tmp_path: Path) -> None:
    texts = [
        "<b>&amp;\"quoted\" 'single'</b>",
        "  leading and trailing  ",
        "line\nbreak\tand tab",
        "carriage\r\nreturn",
        "_x0041_ is how Excel writes A",
        "]]> ends a CDATA section",
    ]
    path = _write(tmp_path / "e.xlsx", [("text", ["value"], [[t] for t in texts])])
    assert _read(path)["text"][1:] == [(t,) for t in texts]
    # openpyxl reads "_x0041_" unchanged either way and keeps spaces without being told;
    # Excel needs the escaped underscore and xml:space to do the same.
    strings = {
        e.text: e.get("{http://www.w3.org/XML/1998/namespace}space")
        for e in _parts(path)["xl/sharedStrings.xml"].iter(f"{MAIN}t")
    }
    assert "_x005F_x0041_ is how Excel writes A" in strings
    assert strings["  leading and trailing  "] == "preserve"
    assert strings["value"] is None


def test_control_characters_do_not_break_the_file(tmp_path: Path) -> None:
    # XML 1.0 cannot hold these; Excel's own escape form "_xHHHH_" is written instead,
    # which Excel turns back into the character and openpyxl shows as it stands.
    path = _write(
        tmp_path / "c.xlsx",
        [("bad\x07name", ["value"], [["bell\x07"], ["nul\x00 esc\x1b"], ["half\ud800"]])],
    )
    parts = _parts(path)
    assert "xl/sharedStrings.xml" in parts
    assert _read(path) == {
        "bad_name": [("value",), ("bell_x0007_",), ("nul_x0000_ esc_x001B_",), ("half_xD800_",)]
    }


def test_unicode_text_and_sheet_names(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [["مدرسة لينكولن", "林肯中学", "Trường Lincoln", "😀"]]
    path = _write(tmp_path / "u.xlsx", [("النوع", ["ar", "zh", "vi", "emoji"], rows)])
    assert _read(path) == {"النوع": [("ar", "zh", "vi", "emoji"), tuple(rows[0])]}


def test_empty_sheets_and_an_empty_workbook_open(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.xlsx", [("nothing", [], []), ("header only", ["a", "b"], [])])
    assert _read(path) == {"nothing": [], "header only": [("a", "b")]}
    with Spreadsheet(tmp_path / "none.xlsx"):
        pass
    assert _read(tmp_path / "none.xlsx") == {"Sheet1": []}


def test_a_sheet_past_the_row_limit_goes_on_in_numbered_sheets(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [[i, f"row {i}"] for i in range(10)]
    with Spreadsheet(tmp_path / "r.xlsx", max_rows=5) as book:
        # Four rows and the header fill a sheet of five rows.
        assert book.add_sheet("grade", ["n", "label"], rows) == ["grade", "grade (2)", "grade (3)"]
        assert book.add_sheet("exact", ["n", "label"], rows[:8]) == ["exact", "exact (2)"]
        assert book.add_sheet("bare", [], rows[:5]) == ["bare"]
        assert book.add_sheet("bare", [], rows[:6]) == ["bare (2)", "bare (3)"]
    read = _read(tmp_path / "r.xlsx")
    header = ("n", "label")
    assert read["grade"] == [header, *map(tuple, rows[:4])]
    assert read["grade (2)"] == [header, *map(tuple, rows[4:8])]
    assert read["grade (3)"] == [header, *map(tuple, rows[8:])]
    assert read["exact"] == [header, *map(tuple, rows[:4])]
    assert read["exact (2)"] == [header, *map(tuple, rows[4:8])]
    assert read["bare"] == list(map(tuple, rows[:5]))
    assert read["bare (3)"] == [tuple(rows[5])]
    assert MAX_ROWS == 2**20  # Excel's specifications and limits


def test_rows_are_numbered_up_to_the_limit_and_no_further(tmp_path: Path) -> None:
    with Spreadsheet(tmp_path / "n.xlsx", max_rows=3) as book:
        book.add_sheet("s", ["h"], [["a"], ["b"], ["c"]])
    sheet = _parts(tmp_path / "n.xlsx")["xl/worksheets/sheet1.xml"]
    assert [r.get("r") for r in sheet.iter(f"{MAIN}row")] == ["1", "2", "3"]


def test_sheet_names_are_made_legal_short_and_unique(tmp_path: Path) -> None:
    long = "a dimension with a very long name indeed"
    wanted = ["what? [a/b]: *x*\\", long, long, "Grade", "grade", "'quoted'", "", "History"]
    with Spreadsheet(tmp_path / "n.xlsx") as book:
        for name in wanted:
            book.add_sheet(name, ["h"], [])
        names = book.sheet_names
    assert names == [
        "what_ _a_b__ _x__",
        long[:31],
        long[:27] + " (2)",
        "Grade",
        "grade (2)",
        "quoted",
        "Sheet",
        "History (2)",
    ]
    assert list(_read(tmp_path / "n.xlsx")) == names


@run(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(max_size=40), max_size=6))
def test_any_names_give_sheets_excel_accepts(tmp_path: Path, names: list[str]) -> None:
    with Spreadsheet(tmp_path / "any.xlsx") as book:
        for name in names:
            book.add_sheet(name, [], [])
        made = book.sheet_names
    assert len(made) == len(names)
    assert len({n.casefold() for n in made}) == len(made)
    for name in made:
        assert 0 < len(name) <= MAX_NAME
        assert not set(name) & set("[]:*?/\\")
        assert "'" not in (name[0], name[-1])


@run(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(
        st.text(
            st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_legal_text_reads_back_unchanged(tmp_path: Path, texts: list[str]) -> None:
    # openpyxl drops every "x005F_" as it reads, even one that was never an escape.
    assume(not any("x005F_" in t for t in texts))
    path = _write(tmp_path / "t.xlsx", [("t", [], [list(texts)])])
    expected = tuple(t or None for t in texts)  # an empty text is an empty cell
    assert _read(path)["t"] == [expected]


def test_parts_are_well_formed_and_listed(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.xlsx", [("one", ["a"], [["x"]]), ("two", ["b"], [[1]])])
    parts = _parts(path)
    assert set(parts) == {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/sharedStrings.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
    }
    overrides = {e.get("PartName") for e in parts["[Content_Types].xml"]}
    assert {p.lstrip("/") for p in overrides if p} == set(parts) - {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/_rels/workbook.xml.rels",
    }
    targets = {"xl/" + str(e.get("Target")) for e in parts["xl/_rels/workbook.xml.rels"]}
    assert targets == {p for p in parts if p.startswith("xl/") and p != "xl/workbook.xml"} - {
        "xl/_rels/workbook.xml.rels"
    }


def test_the_header_is_bold_and_frozen(tmp_path: Path) -> None:
    book = load_workbook(_write(tmp_path / "h.xlsx", [("s", ["a", "b"], [["x", "y"]])]))
    sheet = book["s"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert not sheet["A2"].font.b
    assert sheet.column_dimensions["A"].width >= len("a")


def test_a_limit_without_room_for_a_row_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_rows"):
        Spreadsheet(tmp_path / "x.xlsx", max_rows=1)
