"""An instrument version is immutable once it has responses."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from climate import db
from climate.instruments import load_instrument
from climate.instruments.registry import ChangedInstrumentError, instrument_of, register
from climate.models import Administration, District, School, response
from climate.settings import PROJECT_ROOT, Settings


def _copy(tmp_path: Path, extra: str = "") -> Path:
    source = (PROJECT_ROOT / "surveys" / "elementary.toml").read_text(encoding="utf-8")
    target = tmp_path / "elementary.toml"
    target.write_text(source + extra, encoding="utf-8")
    return target


def _run(settings: Settings, tmp_path: Path, answered: bool) -> str:
    async def run() -> str:
        engine = db.create_engine(settings.database_url)
        try:
            async with AsyncSession(engine) as session:
                first = await register(session, load_instrument(_copy(tmp_path)))
                again = await register(session, load_instrument(_copy(tmp_path)))
                assert again.id == first.id
                assert instrument_of(first).id == "elementary"
                if answered:
                    session.add(District(id=1, name="D"))
                    session.add(
                        School(
                            id="S1",
                            district_id=1,
                            name="S",
                            level="elementary",
                            grade_low=0,
                            grade_high=5,
                        )
                    )
                    admin = Administration(
                        instrument_version_id=first.id,
                        name="a",
                        school_year=2026,
                        term="spring",
                        grades=[3],
                        locales=["en"],
                        opens_on=dt.date(2026, 2, 1),
                        closes_on=dt.date(2026, 3, 1),
                        access_mode="class-code",
                    )
                    session.add(admin)
                    await session.flush()
                    await session.execute(
                        insert(response).values(
                            id=uuid.uuid4(),
                            administration_id=admin.id,
                            school_id="S1",
                            grade=3,
                            locale="en",
                            submitted_on=dt.date(2026, 2, 2),
                        )
                    )
                changed = load_instrument(_copy(tmp_path, "\n# a changed comment\n"))
                row = await register(session, changed)
                return row.content_hash
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_unanswered_version_takes_the_changed_file(settings: Settings, tmp_path: Path) -> None:
    changed_hash = _run(settings, tmp_path, answered=False)
    assert changed_hash == load_instrument(tmp_path / "elementary.toml").content_hash


def test_answered_version_refuses_a_changed_file(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ChangedInstrumentError, match="give the changed file a new version"):
        _run(settings, tmp_path, answered=True)
