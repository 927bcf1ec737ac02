"""One seeded district per module (its releases are protected once and then cached)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from climate import db
from climate.app import create_app
from climate.settings import Settings
from tests.climate.controllers.reports.district import Seeded, seed
from tests.climate.security.conftest import BASE, sign_in
from tests.conftest import SECRET

Client = TestClient[Litestar]


@pytest.fixture(scope="module")
def reports_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings on a migrated SQLite database of this module."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('reports') / 'climate.db'}"
    db.upgrade(url)
    return Settings(database_url=url, secret_key=SECRET)


@pytest.fixture(scope="module")
def seeded(reports_settings: Settings) -> Seeded:
    """The seeded district."""
    return seed(reports_settings)


@pytest.fixture(scope="module")
def as_role(reports_settings: Settings, seeded: Seeded) -> Iterator[dict[str, Client]]:
    """A signed-in client per role, on the module's district."""
    clients: dict[str, Client] = {}
    try:
        for role in ("district_admin", "district_viewer", "school_staff"):
            client = TestClient(create_app(reports_settings), base_url=BASE)
            client.__enter__()
            clients[role] = client
            sign_in(client, role)
        yield clients
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)
