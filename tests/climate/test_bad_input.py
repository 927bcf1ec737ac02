"""Bad input never answers 500 and never half-writes: every broken file, on every way in.

Each broken roster goes through ``climate roster import``, the staff upload page and the
admin API; each broken response file through ``climate import responses``. Each must be
refused with its located problem, and leave every table exactly as it was. Every operation
of the OpenAPI schema is fuzzed with valid and invalid cases (and, where it takes a code,
with a real one) and must never answer 5xx. One database per module and database kind
keeps the many cases to seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as run
from hypothesis.strategies import SearchStrategy
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis import Case, GenerationMode
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation
from sqlalchemy import select, update

from climate import db
from climate.app import create_app
from climate.cli import main
from climate.instruments import load_directory
from climate.models import AccessCode, Administration
from climate.models.base import Base
from climate.rosters.parsing import parse_rosters
from climate.rosters.store import import_rosters
from climate.settings import Settings
from tests.climate.rosters.broken import BROKEN_ROSTERS, DIGITS, VALID, BrokenCsv, damaged
from tests.climate.security.conftest import BASE, _build, csrf, sign_in
from tests.conftest import PG_URL, SECRET, _reset_postgres

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


@dataclass(frozen=True)
class District:
    """The module's database: settings, an API token per role, an open survey's codes."""

    settings: Settings
    tokens: dict[str, str]
    codes: tuple[str, ...]


def _district(settings: Settings) -> District:
    """The accounts and tokens of each role, an open survey, and the valid rosters."""
    made = _build(settings)

    async def run() -> tuple[str, ...]:
        engine = db.create_engine(settings.database_url)
        try:
            data = [text.encode() for text in VALID.values()]
            await import_rosters(engine, parse_rosters(*data), "Test District", "test")
            today = dt.date.today()
            async with engine.begin() as conn:
                await conn.execute(
                    update(Administration)
                    .where(Administration.id == made.mine)
                    .values(
                        status="open",
                        opens_on=today - dt.timedelta(days=3),
                        closes_on=today + dt.timedelta(days=30),
                    )
                )
                found = await conn.scalars(
                    select(AccessCode.code).where(AccessCode.administration_id == made.mine)
                )
                return tuple(found.all())
        finally:
            await engine.dispose()

    return District(settings, made.tokens, asyncio.run(run()))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def district(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> District:
    """A database with the valid rosters, accounts, tokens and an open survey, for the module."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('bad') / 'climate.db'}"
    elif not PG_URL:
        pytest.skip("CLIMATE_TEST_DATABASE_URL is not set")
    else:
        url = PG_URL
        asyncio.run(_reset_postgres(url))
    db.upgrade(url)
    return _district(Settings(database_url=url, secret_key=SECRET))


@pytest.fixture(scope="module")
def web(district: District) -> Iterator[TestClient[Litestar]]:
    """The real app on the module's database, signed in as the district admin."""
    with TestClient(create_app(district.settings), base_url=BASE) as client:
        sign_in(client, "district_admin")
        yield client


@pytest.fixture
def env(district: District, monkeypatch: pytest.MonkeyPatch) -> str:
    url = district.settings.database_url
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
    case: BrokenCsv, web: TestClient[Litestar], district: District
) -> None:
    before = _dump(district.settings.database_url)
    files = {name: (f"{name}.csv", data) for name, data in _roster_files(case).items()}
    page = web.post("/staff/rosters", files=files, data={"_csrf_token": csrf(web)})
    assert page.status_code == 400, page.text[:500]
    assert f"<li>{case.expect(f'{case.file}.csv')}</li>" in html.unescape(page.text)
    assert _dump(district.settings.database_url) == before


@pytest.mark.parametrize("case", BROKEN_ROSTERS, ids=_id)
def test_roster_api_refuses_a_broken_file(
    case: BrokenCsv, web: TestClient[Litestar], district: District
) -> None:
    before = _dump(district.settings.database_url)
    files = {name: (f"{name}.csv", data) for name, data in _roster_files(case).items()}
    token = {"authorization": f"Bearer {district.tokens['district_admin']}"}
    answer = web.post("/api/v1/admin/rosters", files=files, headers=token)
    assert answer.status_code == 422, answer.text[:500]
    assert case.expect(f"{case.file}.csv") in answer.json()["problems"]
    assert _dump(district.settings.database_url) == before


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


# Cases per operation and kind (valid, invalid, with a real code), each sent by four callers.
CASES = 25
# Operations that take an access code: fuzzed once more with a real one, so that the cases
# reach what lies behind the code look-up. A renamed path fails the test here.
CODE_OPERATIONS = {"/api/v1/surveys/{code}", "/api/v1/responses"}


def _with_code(code: str, items: list[str]) -> Callable[[Case[Any]], Case[Any]]:
    """Put a real code, and real item ids, into a generated case."""

    def put(case: Case[Any]) -> Case[Any]:
        if case.path_parameters and "code" in case.path_parameters:
            case.path_parameters = {**case.path_parameters, "code": code}
        if isinstance(case.body, dict) and "code" in case.body:
            body = {**case.body, "code": code, "locale": "en"}
            answers = body.get("answers")
            if isinstance(answers, dict):
                values = list(answers.values())
                body["answers"] = {items[k % len(items)]: v for k, v in enumerate(values)}
            case.body = body
        return case

    return put


def _strategies(
    operation: APIOperation[Any, Any, Any, Any], district: District
) -> list[SearchStrategy[Case[Any]]]:
    kinds = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
    if operation.path not in CODE_OPERATIONS:
        return kinds
    items = [
        i.id for i in load_directory(district.settings.surveys_dir)["secondary"].instrument.items
    ]
    # First, before the wrong codes of the other kinds fill the per-address miss limit.
    return [operation.as_strategy().map(_with_code(district.codes[0], items)), *kinds]


def test_no_api_operation_answers_a_server_error(district: District) -> None:
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(district.settings))
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results)  # every operation of the schema loads
    assert {operation.path for operation in operations} >= CODE_OPERATIONS
    callers = {
        "anonymous": {},
        **{role: {"authorization": f"Bearer {token}"} for role, token in district.tokens.items()},
    }
    for operation in operations:
        for strategy in _strategies(operation, district):

            @given(case=strategy)
            @run(
                max_examples=CASES,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def check(case: Case[Any]) -> None:
                for role, headers in callers.items():
                    answer = case.call(headers=headers)
                    assert answer.status_code < 500, (role, case.method, case.path, answer.text)

            check()
