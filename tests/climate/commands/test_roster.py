"""``climate roster import``: all-or-nothing, line-numbered errors, updates in place."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from climate import db
from climate.cli import main
from climate.models import Enrollment, School, Staffing
from climate.settings import Settings

SCHOOLS = (
    "school_id,name,level,grade_low,grade_high,nces_id\n"
    "S1,Maple Elementary,elementary,K,5,\nS2,Lincoln Middle,middle,6,8,\n"
)
ENROLLMENT = "school_id,year,grade,students\nS1,2026,K,50\nS1,2026,3,60\nS2,2026,6,200\n"
STAFFING = (
    "school_id,year,role,fte\n"
    "S1,2026,counselor,0.5\nS2,2026,counselor,1\nS2,2026,psychologist,0.4\n"
)


def _files(
    tmp_path: Path, schools: str = SCHOOLS, enrollment: str = ENROLLMENT, staffing: str = STAFFING
) -> list[str]:
    paths = []
    for name, text in (
        ("schools.csv", schools),
        ("enrollment.csv", enrollment),
        ("staffing.csv", staffing),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


def _snapshot(url: str) -> tuple[list[tuple[object, ...]], ...]:
    async def run() -> tuple[list[tuple[object, ...]], ...]:
        engine = db.create_engine(url)
        try:
            async with engine.connect() as conn:
                result = []
                for statement in (
                    select(School.id, School.name, School.grade_low).order_by(School.id),
                    select(Enrollment.school_id, Enrollment.grade, Enrollment.students).order_by(
                        Enrollment.school_id, Enrollment.grade
                    ),
                    select(Staffing.school_id, Staffing.role, Staffing.fte).order_by(
                        Staffing.school_id, Staffing.role
                    ),
                ):
                    result.append([tuple(r) for r in (await conn.execute(statement)).all()])
                return tuple(result)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CLIMATE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    return settings.database_url


def test_import_then_reimport_updates_in_place(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["roster", "import", *_files(tmp_path)]) == 0
    assert "imported 2 schools, 3 enrollment rows and 3 staffing rows" in capsys.readouterr().out
    schools, enrollment, staffing = _snapshot(env)
    assert schools == [("S1", "Maple Elementary", 0), ("S2", "Lincoln Middle", 6)]
    assert ("S1", 0, 50) in enrollment
    assert ("S2", "psychologist", 0.4) in staffing
    renamed = SCHOOLS.replace("Maple Elementary", "Maple Grove Elementary")
    more = ENROLLMENT.replace("S1,2026,K,50", "S1,2026,K,55")
    assert main(["roster", "import", *_files(tmp_path, renamed, more)]) == 0
    schools, enrollment, _ = _snapshot(env)
    assert schools[0] == ("S1", "Maple Grove Elementary", 0)
    assert ("S1", 0, 55) in enrollment
    assert len(enrollment) == 3


def test_a_bad_row_imports_nothing(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["roster", "import", *_files(tmp_path)]) == 0
    before = _snapshot(env)
    broken = STAFFING + "S2,2026,nurse,1\n"
    changed = SCHOOLS.replace("Maple Elementary", "Changed Name")
    assert main(["roster", "import", *_files(tmp_path, changed, ENROLLMENT, broken)]) == 1
    error = capsys.readouterr().err
    assert "staffing.csv:5: role:" in error
    assert _snapshot(env) == before


def test_a_missing_file_is_named(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _files(tmp_path)
    Path(paths[1]).unlink()
    assert main(["roster", "import", *paths]) == 2
    assert "enrollment.csv: no such file" in capsys.readouterr().err
