"""``climate administrations``, ``codes`` and ``tickets`` against a real database."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from sqlalchemy import select, text

from climate import db
from climate.cli import main
from climate.models import AccessCode, Administration
from climate.settings import Settings
from climate.students import codes
from tests.climate.districts import make_district


def _created(out: str) -> int:
    """The id of the administration that `climate administrations create` printed."""
    found = re.search(r"administration (\d+)", out)
    assert found is not None, out
    return int(found.group(1))


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    make_district(settings)
    monkeypatch.setenv("CLIMATE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    # A sensitive administration opens only where the district has local contacts.
    monkeypatch.setenv("CLIMATE_CRISIS_CONTACTS", "Counseling office, room 12: 555-0100")
    return settings


def read(settings: Settings, query: Any) -> list[Any]:
    async def run() -> list[Any]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(query)).all())
        finally:
            await engine.dispose()

    return asyncio.run(run())


CREATE = [
    "administrations",
    "create",
    "--instrument",
    "secondary",
    "--school-year",
    "2027",
    "--opens",
    "2026-11-01",
    "--closes",
    "2026-12-15",
]


def test_create_open_close_and_list(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*CREATE, "--locales", "en,es", "--sensitive", "--grades", "9-12"]) == 0
    created = _created(capsys.readouterr().out)
    (row,) = read(env, select(Administration).where(Administration.id == created))
    assert (row.status, row.locales, row.grades, row.sensitive_module) == (
        "draft",
        ["en", "es"],
        [9, 10, 11, 12],
        True,
    )
    assert main(["administrations", "open", str(created), "--accept-unreviewed"]) == 0
    assert main(["administrations", "list"]) == 0
    assert re.search(rf"\b{created}\s+open\b", capsys.readouterr().out)
    assert main(["administrations", "close", str(created)]) == 0
    (row,) = read(env, select(Administration.status).where(Administration.id == created))
    assert row.status == "closed"


def test_locales_the_district_does_not_accept_are_refused(
    env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*CREATE, "--locales", "en,de"]) == 2
    assert "de" in capsys.readouterr().err


def test_bad_grades_and_unknown_ids_are_refused(env: Settings) -> None:
    assert main([*CREATE, "--grades", "1-4"]) == 2
    assert main([*CREATE, "--schools", "NOPE"]) == 2
    assert main(["administrations", "open", "9999"]) == 2


def test_codes_are_issued_per_school(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*CREATE]) == 0
    created = _created(capsys.readouterr().out)
    assert main(["codes", "--administration", str(created), "--per-school", "2"]) == 0
    printed = re.findall(r"S1\t(\S+)", capsys.readouterr().out)
    assert len(printed) == 2
    stored = {
        r.code for r in read(env, select(AccessCode).where(AccessCode.administration_id == created))
    }
    assert {codes.canonical(p) for p in printed} == stored


def test_tickets_print_an_html_sheet(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*CREATE, "--access", "tickets"]) == 0
    created = _created(capsys.readouterr().out)
    assert main(["tickets", "--administration", str(created), "--count", "3"]) == 0
    sheet = capsys.readouterr().out
    assert sheet.startswith("<!doctype html>")
    shown = re.findall(r'<p class="code">([A-Z0-9-]+)</p>', sheet)
    assert len(shown) == 3
    rows = read(env, select(AccessCode).where(AccessCode.administration_id == created))
    assert {r.kind for r in rows} == {"ticket"}
    assert {codes.canonical(s) for s in shown} == {r.code for r in rows}
    # Class codes are refused for a ticket administration.
    assert main(["codes", "--administration", str(created)]) == 2


# A constraint checked only at commit: each new administration adds a row that breaks it.
FAIL_AT_COMMIT = {
    "sqlite": [
        "CREATE TABLE probe_parent (id INTEGER PRIMARY KEY)",
        "CREATE TABLE probe_child (parent INTEGER REFERENCES probe_parent (id) "
        "DEFERRABLE INITIALLY DEFERRED)",
        "CREATE TRIGGER probe AFTER INSERT ON administration "
        "BEGIN INSERT INTO probe_child VALUES (999); END",
    ],
    "postgresql": [
        "CREATE TABLE probe_parent (id INTEGER PRIMARY KEY)",
        "CREATE TABLE probe_child (parent INTEGER REFERENCES probe_parent (id) "
        "DEFERRABLE INITIALLY DEFERRED)",
        "CREATE FUNCTION probe() RETURNS trigger AS $$ BEGIN "
        "INSERT INTO probe_child VALUES (999); RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER probe AFTER INSERT ON administration FOR EACH ROW EXECUTE FUNCTION probe()",
    ],
}


def test_created_is_printed_only_after_the_commit(
    env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    async def break_commits() -> None:
        engine = db.create_engine(env.database_url)
        try:
            async with engine.begin() as conn:
                for statement in FAIL_AT_COMMIT[conn.dialect.name]:
                    await conn.execute(text(statement))
        finally:
            await engine.dispose()

    before = read(env, select(Administration.id))
    asyncio.run(break_commits())
    assert main(CREATE) == 1
    out, err = capsys.readouterr()
    assert "created" not in out
    assert "was not created" in err
    assert "Traceback" not in err
    assert read(env, select(Administration.id)) == before
