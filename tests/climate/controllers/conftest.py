"""A seeded district and the real app on it, for the student routes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from climate.app import create_app
from climate.settings import Settings
from tests.climate.districts import Seeded, make_district


@pytest.fixture
def seeded(settings: Settings) -> Seeded:
    """The test district in the test database."""
    return make_district(settings)


@pytest.fixture
def student(settings: Settings, seeded: Seeded) -> Iterator[TestClient[Litestar]]:
    """The real app on the seeded database."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client
