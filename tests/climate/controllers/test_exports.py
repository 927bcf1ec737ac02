"""Export downloads: scoped to the caller's schools, audited, and only protected values."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook

from climate import db
from climate.app import create_app
from climate.security.accounts import create_account
from climate.security.audit import EXPORTED, events
from climate.security.tokens import create_token
from climate.settings import Settings
from tests.climate.release.seeded import Planted, seed
from tests.climate.security.conftest import BASE, PASSWORD, csrf

EMAIL = "counselor@district.example"


def _tokens(settings: Settings, school: str) -> dict[str, str]:
    async def run() -> dict[str, str]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                await create_account(conn, EMAIL, "school_staff", PASSWORD, [school])
                return {
                    "viewer": (await create_token(conn, "viewer", "district_viewer"))[1],
                    "staff": (await create_token(conn, "staff", "school_staff", [school]))[1],
                }
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
def planted(settings: Settings) -> Planted:
    return seed(settings)


@pytest.fixture
def web(settings: Settings, planted: Planted) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(settings), base_url=BASE) as client:
        yield client


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_school_token_exports_its_school_and_the_district_only(
    settings: Settings,
    planted: Planted,
    web: TestClient[Litestar],
) -> None:
    tokens = _tokens(settings, planted.school)
    staff = {"authorization": f"Bearer {tokens['staff']}"}
    answer = web.get(
        "/api/v1/exports",
        params={"year": planted.year, "format": "csv", "school": planted.school},
        headers=staff,
    )
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    # School results never stay in a browser's or a proxy's cache.
    assert answer.headers["cache-control"] == "no-store"
    rows = _rows(answer.content)
    assert rows
    assert {r["org_id"] for r in rows if r["org_type"] == "school"} == {planted.school}
    # The planted group of 3 students is never shown.
    mine = [
        r
        for r in rows
        if r["org_id"] == planted.school
        and r["dimension"] == planted.dimension
        and r["group"] == planted.group
    ]
    assert mine
    assert all(r["value"] in {"*", ""} and r["n_band"] in {"*", ""} for r in mine)
    # Another school, guessed: as if it did not exist.
    other = web.get(
        "/api/v1/exports",
        params={"year": planted.year, "format": "csv", "school": "S999"},
        headers=staff,
    )
    assert other.status_code == 404
    # The whole district is not a school staff export.
    whole = web.get(
        "/api/v1/exports", params={"year": planted.year, "format": "csv"}, headers=staff
    )
    assert whole.status_code == 403


def test_district_token_exports_xlsx_and_json_and_each_is_audited(
    settings: Settings,
    planted: Planted,
    web: TestClient[Litestar],
) -> None:
    tokens = _tokens(settings, planted.school)
    viewer = {"authorization": f"Bearer {tokens['viewer']}"}
    xlsx = web.get(
        "/api/v1/exports", params={"year": planted.year, "format": "xlsx"}, headers=viewer
    )
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert "methods" in [name.lower() for name in book.sheetnames]
    document = web.get(
        "/api/v1/exports", params={"year": planted.year, "format": "json"}, headers=viewer
    )
    assert document.status_code == 200
    assert document.json()["hidden_symbol"] == "*"
    assert xlsx.headers["cache-control"] == document.headers["cache-control"] == "no-store"
    for year, fmt, status in ((1990, "csv", 404), (planted.year, "pdf", 400)):
        params: dict[str, str | int] = {"year": year, "format": fmt}
        refused = web.get("/api/v1/exports", params=params, headers=viewer)
        assert (refused.status_code, refused.headers["cache-control"]) == (status, "no-store")

    async def exported() -> list[str]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return [e.target for e in await events(conn) if e.action == EXPORTED]
        finally:
            await engine.dispose()

    assert sorted(asyncio.run(exported())) == sorted(
        [f"{planted.year}.xlsx", f"{planted.year}.json"]
    )


def test_signed_in_staff_download_from_the_report_links(
    settings: Settings,
    planted: Planted,
    web: TestClient[Litestar],
) -> None:
    _tokens(settings, planted.school)
    assert web.get(
        "/staff/exports", params={"year": planted.year, "format": "csv"}, follow_redirects=False
    ).status_code in {302, 303}
    signed = web.post(
        "/staff/sign-in", data={"email": EMAIL, "password": PASSWORD, "_csrf_token": csrf(web)}
    )
    assert signed.status_code in {200, 302, 303}
    answer = web.get(
        "/staff/exports", params={"year": planted.year, "format": "csv", "school": planted.school}
    )
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert _rows(answer.content)
