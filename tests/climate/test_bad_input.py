"""Bad input never answers 500 and never half-writes: every broken file, on every way in.

Each broken roster goes through ``climate roster import``, the staff upload page and the
admin API; each broken response file through ``climate import responses``. Each must be
refused with its located problem, and leave every table exactly as it was. One database
per module and database kind keeps the many cases to seconds.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from climate import db
from climate.app import create_app
from climate.cli import main
from climate.models.base import Base
from climate.rosters.parsing import parse_rosters
from climate.rosters.store import import_rosters
from climate.security.accounts import create_account
from climate.security.tokens import create_token
from climate.settings import Settings
from tests.climate.rosters.broken import BROKEN_ROSTERS, DIGITS, VALID, BrokenCsv, damaged
from tests.conftest import PG_URL, SECRET, _reset_postgres

EMAIL, PASSWORD = "admin@district.example", "correct horse battery staple"
BASE = "https://testserver.local"  # cookies are Secure

HEADER = (
    "school_id,grade,gender,conn_belong,conn_part,conn_outsider,conn_glad,conn_friend,conn_alone"
)
RESPONSES = f"{HEADER}\nH1,9,1,4,4,1,4,4,1\nH1,10,,,,,,,\n"


def _responses(name: str, rows: str, expected: str, header: str = HEADER) -> BrokenCsv:
    return BrokenCsv(name, "responses", f"{header}\n{rows}\n".encode(), expected)


BROKEN_RESPONSES = [
    *(c for c in damaged("responses", RESPONSES) if not c.name.startswith("a value too")),
    _responses("header only", "", "{file}: the file has no responses"),
    _responses(
        "header in the wrong order",
        "9,H1",
        "{file}:1: the header must start with school_id,grade",
        header="grade,school_id",
    ),
    _responses(
        "unknown column",
        "H1,9,3",
        "{file}:1: shoe_size: not a demographic or item of secondary",
        header="school_id,grade,shoe_size",
    ),
    _responses(
        "an item of another instrument",
        "H1,9,1",
        "{file}:1: conn_like: not a demographic or item of secondary",
        header="school_id,grade,conn_like",
    ),
    _responses(
        "repeated column",
        "H1,9,4,4",
        "{file}:1: a column is repeated",
        header="school_id,grade,conn_belong,conn_belong",
    ),
    _responses(
        "huge integer",
        f"H1,9,1,{DIGITS},4,1,4,4,1",
        f"{{file}}:2: conn_belong: '{DIGITS[:40]}'... (5000 characters) is not an option value",
    ),
    _responses(
        "integer past 64 bits",
        "H1,9,1,99999999999999999999,4,1,4,4,1",
        "{file}:2: conn_belong: '99999999999999999999' is not an option value",
    ),
    _responses(
        "negative answer",
        "H1,9,1,-1,4,1,4,4,1",
        "{file}:2: conn_belong: -1 is not one of 1, 2, 3, 4",
    ),
    _responses(
        "float answer",
        "H1,9,1,4.0,4,1,4,4,1",
        "{file}:2: conn_belong: '4.0' is not an option value",
    ),
    _responses(
        "answer out of range",
        "H1,9,1,7,4,1,4,4,1",
        "{file}:2: conn_belong: 7 is not one of 1, 2, 3, 4",
    ),
    _responses("row too short", "H1,9,1,4,4,1,4,4", "{file}:2: expected 9 columns, got 8"),
    _responses("row too long", "H1,9,1,4,4,1,4,4,1,1", "{file}:2: expected 9 columns, got 10"),
    _responses("unknown school", "Z9,9,1,4,4,1,4,4,1", "{file}:2: school_id: unknown school 'Z9'"),
    _responses(
        "over-long school id",
        f"{'X' * 500},9,1,4,4,1,4,4,1",
        f"{{file}}:2: school_id: unknown school '{'X' * 40}'... (500 characters)",
    ),
    _responses(
        "secondary answers for an elementary school",
        "E1,,1,4,4,1,4,4,1",
        "{file}:2: school_id: E1 has grades K-5, none of them in secondary's grades 6-12",
    ),
    _responses(
        "a grade the school does not teach",
        "H1,7,1,4,4,1,4,4,1",
        "{file}:2: grade: grade 7 is outside H1's grades 9-12",
    ),
    _responses(
        "a grade the survey does not ask",
        "H1,2,1,4,4,1,4,4,1",
        "{file}:2: grade: 2 is not one of 6, 7, 8, 9, 10, 11, 12, 99",
    ),
]


def _dump(url: str) -> dict[str, list[str]]:
    """Every row of every table, in a stable order."""

    async def run() -> dict[str, list[str]]:
        engine = db.create_engine(url)
        try:
            async with engine.connect() as conn:
                return {
                    table.name: sorted(
                        repr(tuple(row)) for row in await conn.execute(select(table))
                    )
                    for table in Base.metadata.sorted_tables
                }
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _district(url: str) -> str:
    """The valid rosters, an admin account and its API token; return the token."""

    async def run() -> str:
        engine = db.create_engine(url)
        try:
            data = [text.encode() for text in VALID.values()]
            await import_rosters(engine, parse_rosters(*data), "Test District", "test")
            async with engine.begin() as conn:
                await create_account(conn, EMAIL, "district_admin", PASSWORD, [])
                return (await create_token(conn, "script", "district_admin", []))[1]
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def district(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, str]:
    """A database with the valid rosters, one admin and a token, shared by the module."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('bad') / 'climate.db'}"
    elif not PG_URL:
        pytest.skip("CLIMATE_TEST_DATABASE_URL is not set")
    else:
        url = PG_URL
        asyncio.run(_reset_postgres(url))
    db.upgrade(url)
    return Settings(database_url=url, secret_key=SECRET), _district(url)


@pytest.fixture(scope="module")
def web(district: tuple[Settings, str]) -> Iterator[TestClient[Litestar]]:
    """The real app on the module's database, signed in as the district admin."""
    with TestClient(create_app(district[0]), base_url=BASE) as client:
        client.get("/staff/sign-in")
        form = {"email": EMAIL, "password": PASSWORD, "_csrf_token": _csrf(client)}
        signed = client.post("/staff/sign-in", data=form, follow_redirects=False)
        assert signed.status_code == 303, signed.text
        yield client


def _csrf(client: TestClient[Litestar]) -> str:
    return str(client.cookies["climate_csrf"])


@pytest.fixture
def env(district: tuple[Settings, str], monkeypatch: pytest.MonkeyPatch) -> str:
    url = district[0].database_url
    monkeypatch.setenv("CLIMATE_DATABASE_URL", url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    return url


def _roster_files(case: BrokenCsv) -> dict[str, bytes]:
    files = {name: text.encode("utf-8") for name, text in VALID.items()}
    files[case.file] = case.data
    return files


def _id(case: BrokenCsv) -> str:
    return f"{case.file}: {case.name}"


@pytest.mark.parametrize("case", BROKEN_ROSTERS, ids=_id)
def test_roster_import_refuses_a_broken_file(
    case: BrokenCsv, env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _dump(env)
    paths = []
    for name, data in _roster_files(case).items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(data)
        paths.append(str(path))
    assert main(["roster", "import", *paths]) == 1
    assert case.expect(str(tmp_path / f"{case.file}.csv")) in capsys.readouterr().err.splitlines()
    assert _dump(env) == before


@pytest.mark.parametrize("case", BROKEN_ROSTERS, ids=_id)
def test_roster_upload_page_refuses_a_broken_file(
    case: BrokenCsv, web: TestClient[Litestar], district: tuple[Settings, str]
) -> None:
    before = _dump(district[0].database_url)
    files = {name: (f"{name}.csv", data) for name, data in _roster_files(case).items()}
    page = web.post("/staff/rosters", files=files, data={"_csrf_token": _csrf(web)})
    assert page.status_code == 400, page.text[:500]
    assert f"<li>{case.expect(f'{case.file}.csv')}</li>" in html.unescape(page.text)
    assert _dump(district[0].database_url) == before


@pytest.mark.parametrize("case", BROKEN_ROSTERS, ids=_id)
def test_roster_api_refuses_a_broken_file(
    case: BrokenCsv, web: TestClient[Litestar], district: tuple[Settings, str]
) -> None:
    before = _dump(district[0].database_url)
    files = {name: (f"{name}.csv", data) for name, data in _roster_files(case).items()}
    token = {"authorization": f"Bearer {district[1]}"}
    answer = web.post("/api/v1/admin/rosters", files=files, headers=token)
    assert answer.status_code == 422, answer.text[:500]
    assert case.expect(f"{case.file}.csv") in answer.json()["problems"]
    assert _dump(district[0].database_url) == before


@pytest.mark.parametrize("case", BROKEN_RESPONSES, ids=lambda case: case.name)
def test_response_import_refuses_a_broken_file(
    case: BrokenCsv, env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _dump(env)
    path = tmp_path / "paper.csv"
    path.write_bytes(case.data)
    args = ["import", "responses", "--survey", "secondary", "--year", "2019", str(path)]
    assert main(args) == 1
    assert case.expect(str(path)) in capsys.readouterr().err.splitlines()
    assert _dump(env) == before


def test_response_import_takes_the_valid_file(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The broken files above differ from this one by what they break, so this must pass.
    path = tmp_path / "paper.csv"
    path.write_text(RESPONSES, "utf-8")
    args = ["import", "responses", "--survey", "secondary", "--year", "2018", str(path)]
    assert main(args) == 0
    assert "imported 2 responses" in capsys.readouterr().out


@pytest.mark.parametrize("year", ["0", "99999", "-5"])
def test_response_import_refuses_an_impossible_year(
    year: str, env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _dump(env)
    path = tmp_path / "paper.csv"
    path.write_text(RESPONSES, "utf-8")
    assert main(["import", "responses", "--survey", "secondary", "--year", year, str(path)]) == 1
    assert f"--year {year}: expected a school year such as 2024" in capsys.readouterr().err
    assert _dump(env) == before


@pytest.mark.parametrize(
    "path",
    [
        "/static/a%00b.css",
        "/static/%00",
        "/schema/assets/swagger-ui%00.js",
        "/schema/%00",
        "/schema/openapi.json%00",
        "/staff/%00",
        "/s/AB%00CD",
        "/api/v1/surveys/%00",
    ],
)
def test_a_nul_byte_in_a_path_is_not_found(
    path: str, web: TestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    assert web.get(path).status_code == 404
    assert "Traceback" not in caplog.text
