"""What the report pages show, made without a server: scoped, recorded, from closed years only."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from climate import db
from climate.i18n import Catalogs
from climate.reports.pages import dashboard_for, school_report_for
from climate.reports.source import chosen_year
from climate.security import audit
from climate.security.principals import Principal
from climate.settings import Settings
from tests.climate.controllers.reports.district import Seeded, seed
from tests.conftest import SECRET

T = TypeVar("T")
CATALOGS = Catalogs()
VIEWER = Principal("account", 2, "viewer@district.example", "district_viewer")


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Seeded]:
    """The report pages' seeded district, on a SQLite file of this module."""
    path: Path = tmp_path_factory.mktemp("pages") / "climate.db"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", secret_key=SECRET)
    db.upgrade(settings.database_url)
    return settings, seed(settings)


def _on(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = db.create_engine(settings.database_url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _viewed(settings: Settings) -> list[audit.Event]:
    async def work(engine: AsyncEngine) -> list[audit.Event]:
        async with engine.connect() as conn:
            return await audit.events(conn, limit=None, action=audit.VIEWED_REPORT)

    return _on(settings, work)


def _counselor(seeded: Seeded) -> Principal:
    return Principal(
        "account", 3, "counselor@district.example", "school_staff", frozenset({seeded.mine})
    )


def test_the_year_shown_is_a_closed_one() -> None:
    assert chosen_year((2024, 2025), None) == 2025
    assert chosen_year((2024, 2025), 2024) == 2024
    assert chosen_year((2024, 2025), 2026) is None
    assert chosen_year((), None) is None


def test_a_school_report_is_made_and_recorded(district: tuple[Settings, Seeded]) -> None:
    settings, seeded = district
    before = len(_viewed(settings))
    page = _on(
        settings,
        lambda e: school_report_for(
            e,
            settings,
            CATALOGS,
            _counselor(seeded),
            seeded.mine,
            year=None,
            scale=None,
            lang="en",
        ),
    )
    assert page is not None
    assert page.year == seeded.years[-1] == page.report.year
    assert tuple(y for y, _label in page.years_available) == seeded.years
    # School years are written as administrations name them: 2026 is 2025-26.
    assert [label for _y, label in page.years_available] == [
        f"{y - 1}-{y % 100:02d}" for y in seeded.years
    ]
    assert (page.school_id, page.release.instrument_id, page.release.year) == (
        seeded.mine,
        "elementary",
        seeded.years[-1],
    )
    assert page.enrollment != "–"
    newest = _viewed(settings)
    assert len(newest) == before + 1
    assert (newest[0].actor, newest[0].school_id, newest[0].detail) == (
        "counselor@district.example",
        seeded.mine,
        {"release": page.release.release_id},
    )


@pytest.mark.parametrize(("school", "year"), [("other", None), ("mine", 1999), ("NO-SUCH", None)])
def test_a_school_report_the_caller_may_not_see_is_none_and_not_recorded(
    district: tuple[Settings, Seeded], school: str, year: int | None
) -> None:
    settings, seeded = district
    school_id = {"other": seeded.other, "mine": seeded.mine}.get(school, school)
    before = _viewed(settings)
    page = _on(
        settings,
        lambda e: school_report_for(
            e,
            settings,
            CATALOGS,
            _counselor(seeded),
            school_id,
            year=year,
            scale=None,
            lang="en",
        ),
    )
    assert page is None
    assert _viewed(settings) == before


def test_the_dashboard_of_an_earlier_year_is_made_and_recorded(
    district: tuple[Settings, Seeded],
) -> None:
    settings, seeded = district
    first = seeded.years[0]
    page = _on(
        settings,
        lambda e: dashboard_for(
            e, settings, CATALOGS, VIEWER, year=first, sort="name", order="asc", lang="es"
        ),
    )
    assert page is not None
    assert (page.year, page.years) == (first, seeded.years)
    assert len(page.views) == 1  # only the elementary instrument's windows are closed
    assert {r.year for r in page.releases} == {first}
    shown = {row.school for view in page.views for row in view.rows}
    assert shown >= {seeded.mine, seeded.other}
    assert page.schools == len(shown)
    newest = _viewed(settings)[0]
    assert (newest.actor, newest.target) == (VIEWER.label, f"district dashboard {first}")
    assert newest.detail == {"releases": ",".join(sorted(r.release_id for r in page.releases))}
    missing = _on(
        settings,
        lambda e: dashboard_for(
            e, settings, CATALOGS, VIEWER, year=1999, sort="name", order="asc", lang="en"
        ),
    )
    assert missing is None
