"""``climate import responses``: checked rows, line-numbered errors, all or nothing, scored."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from climate import db
from climate.cli import main
from climate.models import Administration, response
from climate.settings import Settings
from tests.climate.districts import make_district

# Two students: the first agrees with every connectedness item (4 = strongly agree; the two
# reverse-coded items answered 1), so the connectedness mean is 4; the second skips all.
HEADER = (
    "school_id,grade,gender,conn_belong,conn_part,conn_outsider,conn_glad,conn_friend,conn_alone"
)
GOOD = f"{HEADER}\nS1,9,1,4,4,1,4,4,1\nS1,10,,,,,,,\n"


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CLIMATE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    make_district(settings)
    return settings.database_url


def _state(url: str) -> tuple[int, list[tuple[int, str]], list[float | None]]:
    async def run() -> tuple[int, list[tuple[int, str]], list[float | None]]:
        engine = db.create_engine(url)
        try:
            async with engine.connect() as conn:
                count = int(await conn.scalar(select(func.count()).select_from(response)) or 0)
                admins = [
                    (int(y), str(s))
                    for y, s in (
                        await conn.execute(
                            select(Administration.school_year, Administration.status).where(
                                Administration.school_year == 2019
                            )
                        )
                    ).all()
                ]
                scores = list(
                    (
                        await conn.scalars(
                            select(response.c.s01)
                            .where(response.c.locale == "und")
                            .order_by(response.c.grade)
                        )
                    ).all()
                )
        finally:
            await engine.dispose()
        return count, admins, scores

    return asyncio.run(run())


def _file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "paper.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_scores_rows_into_a_closed_administration(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, _, _ = _state(env)
    args = ["import", "responses", "--survey", "secondary", "--year", "2019"]
    assert main([*args, _file(tmp_path, GOOD)]) == 0
    assert "imported 2 responses" in capsys.readouterr().out
    count, admins, scores = _state(env)
    assert count == before + 2
    assert admins == [(2019, "closed")]
    # Connectedness is the first scale: 4 when every item is at its agreeing end; a
    # student who answered none has no score.
    assert scores == [4.0, None]
    # A second import reuses the closed administration.
    assert main([*args, _file(tmp_path, GOOD)]) == 0
    assert _state(env)[1] == [(2019, "closed")]


def test_every_bad_row_is_named_and_nothing_is_stored(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _state(env)
    lines = ["S1,9,1,4,4,1,4,4,1", "S9,9,1,4,4,1,4,4,1", "S1,9,7,4,4,1,4,4,1"]
    lines += ["S1,9,1,x,4,1,4,4,1", "S1,9"]
    bad = HEADER + "\n" + "\n".join(lines) + "\n"
    path = _file(tmp_path, bad)
    assert main(["import", "responses", "--survey", "secondary", "--year", "2019", path]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: school_id: unknown school 'S9'" in err
    assert f"{path}:4: gender: 7 is not one of" in err
    assert f"{path}:5: conn_belong: 'x' is not an option value" in err
    assert f"{path}:6: expected 9 columns, got 2" in err
    assert f"{path}:2:" not in err
    assert _state(env) == before


def test_unknown_column_is_refused(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, "school_id,grade,shoe_size\nS1,9,3\n")
    assert main(["import", "responses", "--survey", "secondary", "--year", "2019", path]) == 1
    assert f"{path}:1: shoe_size: not a demographic or item of secondary" in capsys.readouterr().err
