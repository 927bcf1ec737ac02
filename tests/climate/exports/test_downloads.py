"""The download endpoint's choices: a trend file of several years, the scales only, and labels
in the language asked for; bad choices are refused with the field named, and nothing is
recorded for them."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from climate import db
from climate.app import create_app
from climate.security.audit import EXPORTED, events
from climate.security.tokens import create_token
from climate.settings import Settings
from tests.climate.release.seeded import Planted, seed
from tests.climate.security.conftest import BASE


@pytest.fixture
def planted(settings: Settings) -> Planted:
    return seed(settings)


@pytest.fixture
def web(settings: Settings, planted: Planted) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(settings), base_url=BASE) as client:
        yield client


def _viewer(settings: Settings) -> dict[str, str]:
    async def run() -> str:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                return (await create_token(conn, "viewer", "district_viewer"))[1]
        finally:
            await engine.dispose()

    return {"authorization": f"Bearer {asyncio.run(run())}"}


def _exported(settings: Settings) -> list[tuple[str, dict[str, object]]]:
    async def run() -> list[tuple[str, dict[str, object]]]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return [(e.target, dict(e.detail)) for e in await events(conn, action=EXPORTED)]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_a_trend_file_of_the_scales_in_spanish(
    settings: Settings, planted: Planted, web: TestClient[Litestar]
) -> None:
    viewer = _viewer(settings)
    params = {"years": "all", "indicators": "scales", "format": "csv", "lang": "es"}
    answer = web.get("/api/v1/exports", params=params, headers=viewer)
    assert answer.status_code == 200
    assert 'filename="climate-all-scales.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"))))
    # The seeded district has two closed school years (tests/climate/release/seeded.py).
    assert len({r["year"] for r in rows}) == 2
    assert all(":" not in r["indicator"] for r in rows)
    race = {
        r["group_label"] for r in rows if r["dimension"] == "race_ethnicity" and r["group"] == "1"
    }
    # locales/es/LC_MESSAGES/instruments.po, "American Indian or Alaska Native".
    assert race == {"Indígena americano o nativo de Alaska"}
    assert _exported(settings)[-1][0] == "all.csv"
    assert _exported(settings)[-1][1]["indicators"] == "scales"
    assert _exported(settings)[-1][1]["lang"] == "es"


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"years": "2026-2024"}, "ends before it starts"),
        ({"years": "recent"}, "years: 'recent' is not"),
        ({"year": 2025, "years": "all"}, "name one school year"),
        ({}, "name one school year"),
        ({"year": 2025, "lang": "xx"}, "lang: 'xx'"),
        ({"year": 2025, "indicators": "items"}, "indicators"),
    ],
)
def test_bad_choices_are_refused_and_not_recorded(
    settings: Settings,
    planted: Planted,
    web: TestClient[Litestar],
    params: dict[str, str | int],
    said: str,
) -> None:
    answer = web.get(
        "/api/v1/exports", params={"format": "csv", **params}, headers=_viewer(settings)
    )
    assert answer.status_code == 400
    assert said in answer.text
    assert _exported(settings) == []
