"""A year whose results cannot be published: every page and route that builds a release says
why and what an admin can do, with 503, never a 500."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from markupsafe import escape
from sqlalchemy import delete, select

from climate import db
from climate.app import create_app
from climate.cli import main
from climate.errors import AUDIT, RELEASE_ADVICE, REMOVED, SETUP, UNKEPT
from climate.i18n import Catalogs
from climate.models import response
from climate.security.accounts import create_account
from climate.security.tokens import create_token
from climate.settings import Settings
from tests.climate.release.seeded import Planted, seed
from tests.climate.security.conftest import BASE, EMAILS, PASSWORD, sign_in

Client = TestClient[Litestar]


@pytest.fixture
def planted(settings: Settings) -> Planted:
    return seed(settings)


@pytest.fixture
def token(settings: Settings, planted: Planted) -> str:
    async def run() -> str:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                await create_account(conn, EMAILS["district_admin"], "district_admin", PASSWORD)
                return (await create_token(conn, "script", "district_viewer"))[1]
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
def admin(settings: Settings, token: str) -> Iterator[Client]:
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, "district_admin")
        yield client


def _remove_one_response(settings: Settings, school: str) -> None:
    """What no command does: a response deleted by hand after the year was published."""

    async def run() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                gone = select(response.c.id).where(response.c.school_id == school).limit(1)
                await conn.execute(
                    delete(response).where(response.c.id.in_(gone.scalar_subquery()))
                )
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_pages_explain_a_year_that_cannot_be_published(
    admin: Client, settings: Settings, planted: Planted, token: str
) -> None:
    year = planted.year
    pages = [
        f"/staff/reports/district?year={year}",
        f"/staff/reports/schools/{planted.school}?year={year}",
        f"/staff/exports?year={year}&format=csv",
    ]
    for page in pages:
        assert admin.get(page).status_code == 200, page
    _remove_one_response(settings, planted.school)
    advice = RELEASE_ADVICE[REMOVED]
    for page in pages:
        answer = admin.get(page)
        assert answer.status_code == 503, page
        assert 'data-status="503"' in answer.text
        assert "restore the removed responses from a backup" in answer.text
        assert advice.split(".")[0] in answer.text
    # The same page in Spanish says it in Spanish.
    spanish = admin.get(f"{pages[0]}&lang=es")
    assert spanish.status_code == 503
    translated = Catalogs().gettext("es", advice)
    assert translated != advice
    assert str(escape(translated)) in spanish.text
    api = admin.get(
        f"/api/v1/exports?year={year}&format=json", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 503
    body = api.json()
    assert body["error"] == "release_unavailable"
    assert "restore the removed responses from a backup" in body["message"]
    # The detail names the release and the cell that lost a response, for the admin.
    assert "responses were removed or changed since it was published" in body["detail"]
    assert f"school={planted.school}" in body["detail"]


def test_pages_show_a_year_again_after_paper_surveys_are_imported(
    admin: Client,
    settings: Settings,
    planted: Planted,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The documented workflow that answered 500: view the year, import paper surveys, view.
    district = f"/staff/reports/district?year={planted.year}"
    school = f"/staff/reports/schools/{planted.school}?year={planted.year}"
    assert admin.get(district).status_code == 200
    paper = tmp_path / "paper.csv"
    paper.write_text(
        "school_id,grade,gender,conn_belong\n" + f"{planted.school},4,1,2\n" * 3, encoding="utf-8"
    )
    monkeypatch.setenv("CLIMATE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    args = ["import", "responses", "--survey", "elementary", "--year", str(planted.year)]
    assert main([*args, str(paper)]) == 0
    assert admin.get(district).status_code == 200
    assert admin.get(school).status_code == 200


def test_every_reason_has_its_advice() -> None:
    assert set(RELEASE_ADVICE) == {REMOVED, UNKEPT, AUDIT, SETUP}
