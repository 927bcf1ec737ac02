"""The school report's "What to do next" panel, from the district's file or the shipped text."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pytest
from litestar.testing import TestClient

from climate.app import create_app
from climate.settings import Settings, SettingsError
from tests.climate.controllers.reports.district import Seeded
from tests.climate.controllers.reports.test_pages import Clients
from tests.climate.security.conftest import BASE, sign_in

DISTRICT = """\
[en]
intro = "Bring results to the Tuesday support team meeting."
tiers = [{ name = "Tier 1", text = "Advisory lessons on belonging." }]
contacts = [{ name = "Student services", detail = "555-0100" }]
links = [{ title = "Referral form", url = "https://district.example/refer?a=1&b=2" }]
"""

PANEL = re.compile(r'<details class="next-steps"( open)?>(.*?)</details>', re.S)


def _panel(page: str) -> tuple[bool, str]:
    found = PANEL.search(page)
    assert found is not None, "no What to do next panel"
    return found.group(1) is not None, found.group(2)


def test_the_shipped_panel_opens_beside_a_concern_only(as_role: Clients, seeded: Seeded) -> None:
    for school in (seeded.mine, seeded.other):
        page = as_role["district_admin"].get(f"/staff/reports/schools/{school}").text
        opened, body = _panel(page)
        concern = 'class="finding concern"' in page
        assert opened == concern, school
        assert "What to do next" in body
        assert "For every student" in body
        assert 'lang="en"' in body


def test_the_districts_own_text_is_shown(
    reports_settings: Settings, seeded: Seeded, tmp_path: Path
) -> None:
    path = tmp_path / "next.toml"
    path.write_text(DISTRICT, encoding="utf-8")
    settings = dataclasses.replace(reports_settings, next_steps=path)
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, "school_staff")
        # An Arabic reader gets the district's English text, marked as English.
        page = client.get(f"/staff/reports/schools/{seeded.mine}?lang=ar").text
    _opened, body = _panel(page)
    assert 'lang="en" dir="ltr"' in body
    assert "Tuesday support team" in body
    assert "For every student" not in body
    assert "Student services: <strong>555-0100</strong>" in body
    assert f'href="{html.escape("https://district.example/refer?a=1&b=2")}"' in body


def test_a_bad_file_stops_the_service_at_start_up(
    reports_settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "next.toml"
    path.write_text('[en]\ntiers = [{ name = "Tier 1" }]\n', encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        create_app(dataclasses.replace(reports_settings, next_steps=path))
    assert str(raised.value) == (
        f"CLIMATE_NEXT_STEPS {path}: Object missing required field `text` at en.tiers[1]"
    )
