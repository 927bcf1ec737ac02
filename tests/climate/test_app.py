"""The app factory and health check, on each database."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from climate.app import create_app
from climate.settings import Settings, SettingsError


def test_healthz_answers_ok(client: TestClient[Litestar]) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_schema_is_served(client: TestClient[Litestar]) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "climate"


def test_api_docs_load_nothing_from_other_sites(client: TestClient[Litestar]) -> None:
    import re

    page = client.get("/schema/swagger")
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls
    assert all(url.startswith("/schema/assets/") for url in urls)
    assert all(client.get(url).status_code == 200 for url in urls)


def test_an_unreadable_staffing_policy_stops_the_app_at_start(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[roles.counselor]\nratio = 'many'\n", encoding="utf-8")
    settings = Settings(database_url="sqlite+aiosqlite://", mode="demo", staffing_policy=policy)
    expected = r"CLIMATE_STAFFING_POLICY .*policy\.toml: roles\.counselor"
    with pytest.raises(SettingsError, match=expected):
        create_app(settings)
