"""The administrations pages: a refused form keeps what was typed and marks the field at fault,
languages by name with their review state (machine drafts unticked), instruments by title and
grade band, and only the next step offered, behind a confirmation that says what it touches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from climate.app import create_app
from climate.settings import Settings
from tests.climate.security.conftest import BASE, District_, csrf, district, sign_in

__all__ = ["district"]

Client = TestClient[Litestar]

GOOD = {
    "name": "Spring check-in",
    "instrument": "secondary",
    "school_year": "2027",
    "term": "spring",
    "grades": ["9", "10"],
    "locales": ["en"],
    "opens_on": "2027-03-01",
    "closes_on": "2027-03-20",
    "access_mode": "class-code",
    "consent_mode": "active",
    "schools": ["S2"],
}


@pytest.fixture
def admin(settings: Settings, district: District_) -> Iterator[Client]:
    """A district admin signed in on the two-school district."""
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, "district_admin")
        yield client


def _tag(page: str, element_id: str) -> str:
    found = re.search(rf'<[a-z]+ [^>]*id="{element_id}"[^>]*>', page)
    assert found, element_id
    return found.group(0)


def _post(web: Client, **changed: str | list[str]) -> str:
    response = web.post(
        "/staff/administrations",
        data={**GOOD, **changed, "_csrf_token": csrf(web)},
        follow_redirects=False,
    )
    assert response.status_code == 400, response.status_code
    return response.text


def test_the_form_names_instruments_languages_and_years(admin: Client) -> None:
    page = admin.get("/staff/administrations").text
    assert "School Climate and Well-Being Survey (grades 6-12)" in page
    assert '<option value="2027"' in page
    assert ">2026-27</option>" in page
    # English (the source) is ticked; machine drafts wait for a person to tick them.
    assert 'value="en" id="locales" checked' in page
    assert re.search(r'value="ar"[^>]*checked', page) is None
    assert "العربية" in page
    assert ">Machine draft</span>" in page
    assert ">Draft</span>" in page


@pytest.mark.parametrize(
    ("changed", "field", "said"),
    [
        ({"closes_on": "2027-02-01"}, "closes_on", "The window must close on or after it opens"),
        ({"opens_on": "March 1"}, "opens_on", "Give a date, such as 2027-03-01"),
        ({"school_year": ""}, "school_year", "Choose a school year"),
        ({"grades": ["3"]}, "grades", "Choose grades within 6-12"),
        ({"locales": []}, "locales", "Choose languages the district has accepted"),
        ({"schools": []}, "schools", "Choose at least one known school"),
    ],
)
def test_a_refused_form_keeps_what_was_typed_and_marks_the_field(
    admin: Client, changed: dict[str, str | list[str]], field: str, said: str
) -> None:
    page = _post(admin, **changed)
    tag = _tag(page, field)
    assert 'aria-invalid="true"' in tag
    assert f'aria-describedby="{field}-error"' in tag
    assert f'<p class="error" id="{field}-error">{said}' in page
    assert f'<a href="#{field}">{said}' in page
    assert 'value="Spring check-in"' in page
    if field != "opens_on":
        assert 'value="2027-03-01"' in page
    assert re.search(r'value="active"\s+selected', page)
    assert page.count('aria-invalid="true"') >= 1
    assert 'id="name"' in page
    assert "aria-invalid" not in _tag(page, "name")


def test_only_the_next_step_is_offered_and_confirmed(admin: Client, district: District_) -> None:
    page = admin.get(f"/staff/administrations/{district.mine}").text
    assert "?confirm=open" in page
    assert "confirm=close" not in page
    confirm = admin.get(f"/staff/administrations/{district.mine}?confirm=open")
    assert "Open \u2068Mine\u2069?" in confirm.text
    assert "This affects 2 schools." in confirm.text
    # A step that is not the next one shows the administration as it is.
    stale = admin.get(f"/staff/administrations/{district.mine}?confirm=close").text
    assert "Close \u2068Mine\u2069?" not in stale
    assert "next-step" in stale


def test_a_counselor_gets_no_confirmation_page(settings: Settings, district: District_) -> None:
    with TestClient(create_app(settings), base_url=BASE) as web:
        sign_in(web, "school_staff")
        page = web.get(f"/staff/administrations/{district.mine}?confirm=open").text
    assert "Open \u2068Mine\u2069?" not in page
    assert "next-step" not in page
