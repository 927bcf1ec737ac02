"""The CRDC school support file: matched by NCES id, reserved codes named, all or nothing."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from climate import db
from climate.cli import main
from climate.models import CrdcStaffing, Staffing
from climate.rosters.crdc import RESERVED, CrdcRow, match_schools, parse_crdc
from climate.rosters.parsing import RosterError, school_years
from climate.rosters.store import SchoolSupport, school_support, stored_rosters
from climate.security import audit
from climate.security.principals import Principal
from climate.settings import Settings

SAMPLE = Path(__file__).parent / "data" / "crdc_sample.csv"
SCHOOLS = (
    "school_id,name,level,grade_low,grade_high,nces_id\n"
    "S1,Maple Elementary,elementary,K,5,990000100001\n"
    "S2,Lincoln Middle,middle,6,8,990000100002\n"
    "S3,Roosevelt High,high,9,12,990000100003\n"
    "S4,Cedar Elementary,elementary,K,5,990000100004\n"
    "S5,Pine Academy,other,6,12,\n"
)
ENROLLMENT = "school_id,year,grade,students\nS1,2021,3,300\nS2,2021,7,500\nS3,2021,10,900\n"
# The district's own roster has S1's counselors; CRDC fills in the rest of 2021.
STAFFING = "school_id,year,role,fte\nS1,2021,counselor,1.2\n"
HEADER = "LEAID,SCHID,COMBOKEY,SCH_FTECOUNSELORS,SCH_FTESERVICES_PSY,SCH_FTESERVICES_SOC,"
HEADER += "SCH_FTESECURITY_LEO\n"
ROW = "9900001,00001,990000100001,1,0.5,0,0\n"

T = TypeVar("T")
Snapshot = tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]


@pytest.fixture
def database(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test database, for the ``climate`` command."""
    monkeypatch.setenv("CLIMATE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    return settings.database_url


def _rosters(directory: Path, schools: str = SCHOOLS) -> None:
    paths = []
    for name, text in (("s.csv", schools), ("e.csv", ENROLLMENT), ("f.csv", STAFFING)):
        (directory / name).write_text(text, encoding="utf-8")
        paths.append(str(directory / name))
    assert main(["roster", "import", *paths]) == 0


@pytest.fixture
def env(database: str, tmp_path: Path) -> Path:
    """A district with five schools (four with an NCES id) and its 2021 rosters."""
    _rosters(tmp_path)
    return tmp_path


def _run(url: str, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = db.create_engine(url)
        try:
            async with engine.connect() as conn:
                return await work(conn)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _snapshot(url: str) -> Snapshot:
    async def work(conn: AsyncConnection) -> Snapshot:
        figures = await conn.execute(select(CrdcStaffing).order_by(CrdcStaffing.school_id))
        staffing = await conn.execute(
            select(Staffing.school_id, Staffing.role, Staffing.fte, Staffing.source).order_by(
                Staffing.school_id, Staffing.role
            )
        )
        events = await audit.events(conn, limit=None)
        return [tuple(r) for r in figures.all()], [tuple(r) for r in staffing.all()], len(events)

    return _run(url, work)


def _crdc(path: Path, capsys: pytest.CaptureFixture[str], year: int = 2021) -> tuple[int, str, str]:
    code = main(["roster", "import-crdc", str(path), "--year", str(year)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_sample_imports_as_the_years_baseline(
    settings: Settings, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code, out, err = _crdc(SAMPLE, capsys)
    assert code == 0, err
    # Three schools matched, 9 roles: two are reserved codes, one is the district's own.
    assert out == (
        "imported CRDC 2020-21 for 3 schools (other districts' rows passed over: 1); "
        "6 staffing values added as the plan's baseline, 1 kept from the district's own roster\n"
    )
    assert f"{SAMPLE}:3: SCH_FTESERVICES_PSY: school S2: -9 {RESERVED[-9]}; left empty" in err
    assert f"{SAMPLE}:4: SCH_FTESERVICES_SOC: school S3: -11 {RESERVED[-11]}; left empty" in err
    assert f"{SAMPLE}:5: COMBOKEY: 990000100099 is in the district's LEA" in err
    assert "schools not in the file: S4\n" in err
    assert "schools without an nces_id, not matched: S5\n" in err
    # The other district's reserved codes (line 6) are not the district's concern.
    assert ":6:" not in err

    support = _run(settings.database_url, lambda conn: school_support(conn, 2021))
    assert support == {
        "S1": SchoolSupport(1.0, 0.5, 0.0, 0.0, "CRDC 2020-21", 2021),
        "S2": SchoolSupport(2.0, None, 1.0, 1.0, "CRDC 2020-21", 2021),
        "S3": SchoolSupport(3.5, 1.0, None, 2.0, "CRDC 2020-21", 2021),
    }
    events = _run(settings.database_url, lambda conn: audit.events(conn, limit=None))
    assert [(e.target, e.detail) for e in events if e.target == "crdc"] == [
        ("crdc", {"source": "CRDC 2020-21", "schools": 3, "staffing": 6})
    ]
    counselor = Principal("account", 1, "c@example.org", "school_staff", frozenset({"S2"}))
    scoped = _run(settings.database_url, lambda conn: school_support(conn, 2021, counselor))
    assert list(scoped) == ["S2"]
    _, staffing, _ = _snapshot(settings.database_url)
    assert ("S1", "counselor", 1.2, None) in staffing
    assert ("S1", "psychologist", 0.5, "CRDC 2020-21") in staffing
    assert not any(row[:2] == ("S2", "psychologist") for row in staffing)

    async def plan_inputs(conn: AsyncConnection) -> dict[str, dict[str, float]]:
        rosters = await stored_rosters(conn, 2021)
        return {school.school_id: dict(school.fte) for school in school_years(rosters, 2021)}

    fte = _run(settings.database_url, plan_inputs)
    assert fte == {
        "S1": {"counselor": 1.2, "psychologist": 0.5, "social_worker": 0.0},
        "S2": {"counselor": 2.0, "social_worker": 1.0},
        "S3": {"counselor": 3.5, "psychologist": 1.0},
    }


def test_the_districts_roster_wins_and_an_import_replaces_the_last(
    settings: Settings, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _crdc(SAMPLE, capsys)[0] == 0
    staffing = env / "f2.csv"
    staffing.write_text("school_id,year,role,fte\nS2,2021,counselor,2.5\n", encoding="utf-8")
    paths = [str(env / "s.csv"), str(env / "e.csv"), str(staffing)]
    assert main(["roster", "import", *paths]) == 0
    smaller = env / "crdc.csv"
    smaller.write_text(HEADER + ROW + "9900001,00002,990000100002,4,0.3,0.2,0\n")
    code, out, _ = _crdc(smaller, capsys)
    assert code == 0
    assert "2 kept from the district's own roster" in out
    figures, rows, _ = _snapshot(settings.database_url)
    assert [row[0] for row in figures] == ["S1", "S2"]
    assert ("S2", "counselor", 2.5, None) in rows
    assert ("S2", "psychologist", 0.3, "CRDC 2020-21") in rows
    # S3 came from the earlier import of the same year, which this one replaces.
    assert not any(row[0] == "S3" for row in rows)


@pytest.mark.parametrize("code", sorted(RESERVED))
def test_each_reserved_code_gets_its_message(
    code: int, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = env / "crdc.csv"
    path.write_text(HEADER + f"9900001,00001,990000100001,1,{code},0,{code}\n")
    status, _, err = _crdc(path, capsys)
    assert status == 0
    for column in ("SCH_FTESERVICES_PSY", "SCH_FTESECURITY_LEO"):
        assert f"{path}:2: {column}: school S1: {code} {RESERVED[code]}; left empty" in err


def test_reserved_messages_differ() -> None:
    assert len(set(RESERVED.values())) == len(RESERVED)


BAD = [
    ("missing column", (HEADER.replace(",SCH_FTESERVICES_SOC", "") + ROW).encode(), "1",
     "SCH_FTESERVICES_SOC: missing column of the CRDC school support file"),
    ("not a number", (HEADER + ROW.replace(",0.5,", ",n/a,")).encode(), "2",
     "SCH_FTESERVICES_PSY: expected a number of FTE such as 1.5, got 'n/a'"),
    ("duplicate key", (HEADER + ROW + ROW).encode(), "3",
     "COMBOKEY: 990000100001 already on line 2"),
    ("unknown code", (HEADER + ROW.replace(",0.5,", ",-1,")).encode(), "2",
     "SCH_FTESERVICES_PSY: -1 is not a CRDC reserved code"),
    ("spreadsheet key", (HEADER + ROW.replace("990000100001", "9.90000E+11")).encode(), "2",
     "COMBOKEY: '9.90000E+11' was turned into a number by a spreadsheet"),
    ("windows-1252", ("SCH_NAME," + HEADER + "Escuela Ni\xf1a," + ROW).encode("cp1252"), "2",
     "column 1: not UTF-8 text (byte 0xf1); save the file as CSV UTF-8"),
    ("utf-16", (HEADER + ROW).encode("utf-16"), "1", "column 1: not UTF-8 text (byte 0xff)"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "line", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_file_changes_nothing(
    data: bytes,
    line: str,
    message: str,
    settings: Settings,
    env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _crdc(SAMPLE, capsys)[0] == 0
    before = _snapshot(settings.database_url)
    path = env / "bad.csv"
    path.write_bytes(data)
    code, out, err = _crdc(path, capsys, year=2022)
    assert code == 1
    assert f"{path}:{line}: {message}" in err
    assert out == ""
    assert _snapshot(settings.database_url) == before


def test_a_district_without_nces_ids_is_told_how_to_add_them(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _rosters(tmp_path, re.sub(r",\d{12}\n", ",\n", SCHOOLS))
    before = _snapshot(database)
    code, _, err = _crdc(SAMPLE, capsys)
    assert code == 1
    assert "no school has an nces_id; add the 12-digit NCES school id" in err
    assert _snapshot(database) == before


def test_a_file_of_another_district_is_refused(
    settings: Settings, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(settings.database_url)
    path = env / "other.csv"
    path.write_text(HEADER + "9900002,00001,990000200001,1,0,0,0\n")
    code, _, err = _crdc(path, capsys)
    assert code == 1
    assert "no row has the NCES id of one of the district's schools" in err
    assert _snapshot(settings.database_url) == before


def test_matching_stays_within_the_districts_leas() -> None:
    def row(line: int, nces_id: str) -> CrdcRow:
        return CrdcRow(line, nces_id, {}, ())

    rows = [row(2, "990000100001"), row(3, "990000100777"), row(4, "990000200001")]
    found = match_schools(rows, {"A": "990000100001", "B": "990000100002", "C": None})
    assert found.schools == {"A": rows[0]}
    assert found.unknown == (rows[1],)
    assert (found.missing, found.unkeyed, found.others) == (("B",), ("C",), 1)


def test_the_real_header_is_read_in_any_case() -> None:
    rows = parse_crdc((HEADER.lower() + ROW).encode(), "x.csv")
    assert [r.fte for r in rows] == [
        {"counselor": 1.0, "psychologist": 0.5, "social_worker": 0.0, "sworn_officers": 0.0}
    ]
    with pytest.raises(RosterError, match=r"x\.csv:2: -: no data rows after the header"):
        parse_crdc(HEADER.encode(), "x.csv")
