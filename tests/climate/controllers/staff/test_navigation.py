"""Staff navigation: the home page and the reports index list exactly the reports a role may
open, by name; unknown staff addresses and refused reports answer staff pages; staff see the
staff help box, never the students' crisis box."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import update

from climate import db
from climate.app import create_app
from climate.models import Administration
from climate.settings import CrisisContact, Settings
from tests.climate.security.conftest import BASE, District_, _build, sign_in

Client = TestClient[Litestar]
REPORT_LINK = re.compile(r'href="(/staff/reports/(?:schools/[^"?]+|district)\?year=\d+)"')
STUDENT_CODE_PAGE = "We could not find a survey with this code"
STUDENT_CRISIS = "you do not have to give your name"

# What each role may open once "Mine" (North High S1, South High S2) closed in 2027 and "Other"
# (South High only) closed in 2026.
SCHOOL = "/staff/reports/schools/{}?year={}"
EVERY_SCHOOL = {SCHOOL.format("S1", 2027), SCHOOL.format("S2", 2027), SCHOOL.format("S2", 2026)}
DASHBOARD = {"/staff/reports/district?year=2027", "/staff/reports/district?year=2026"}
READABLE = {
    "school_staff": {SCHOOL.format("S1", 2027)},
    "district_viewer": EVERY_SCHOOL | DASHBOARD,
    "district_admin": EVERY_SCHOOL | DASHBOARD,
}


def _close_years(settings: Settings, district: District_) -> None:
    """Close both administrations, "Other" as a year earlier."""

    async def run() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    update(Administration)
                    .where(Administration.id == district.mine)
                    .values(status="closed")
                )
                await conn.execute(
                    update(Administration)
                    .where(Administration.id == district.other)
                    .values(status="closed", school_year=2026)
                )
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture
def closed(settings: Settings) -> Settings:
    """Two schools with closed years, and crisis contacts configured for the district."""
    _close_years(settings, _build(settings))
    return dataclasses.replace(
        settings, crisis_contacts=(CrisisContact("Student services", "555-0142"),)
    )


@pytest.fixture
def app(closed: Settings) -> Iterator[Client]:
    """A signed-out browser on the app."""
    with TestClient(create_app(closed), base_url=BASE) as client:
        yield client


def _visible(html: str) -> str:
    """The page's text as a reader sees it (tags and attributes removed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _links(html: str) -> set[str]:
    return {link.replace("&amp;", "&") for link in REPORT_LINK.findall(html)}


@pytest.mark.parametrize("role", sorted(READABLE))
def test_home_links_every_readable_report_and_no_other(app: Client, role: str) -> None:
    sign_in(app, role)
    page = app.get("/staff")
    assert page.status_code == 200
    assert _links(page.text) == READABLE[role]
    # Every report on the home page is one click away, and the index lists the same ones.
    index = app.get("/staff/reports")
    assert index.status_code == 200
    assert _links(index.text) == READABLE[role]


def test_home_names_the_role_and_schools_never_their_ids(app: Client) -> None:
    sign_in(app, "school_staff")
    text = _visible(app.get("/staff").text)
    assert "School staff · North High" in text
    assert "South High" not in text
    for raw in ("school_staff", "S1", "Role:", "Schools:"):
        assert raw not in text


def test_district_roles_are_named_with_every_school(app: Client) -> None:
    sign_in(app, "district_viewer")
    text = _visible(app.get("/staff").text)
    assert "District viewer · Every school in" in text
    # School years as administrations name them: 2027 is 2026-27.
    assert "North High: report for 2026-27" in text
    assert "South High: report for 2026-27" in text
    assert "District dashboard, 2026-27" in text
    assert "2025-26" in text
    assert "district_viewer" not in text


def test_index_groups_by_school_newest_year_first(app: Client) -> None:
    sign_in(app, "district_admin")
    html = app.get("/staff/reports").text
    south = html[html.index('data-school="S2"') :]
    assert south.index("year=2027") < south.index("year=2026")
    # Schools in name order, the dashboard before them.
    assert html.index("District dashboard") < html.index("North High") < html.index("South High")


@pytest.mark.parametrize("role", sorted(READABLE))
def test_nav_offers_reports_to_every_role(app: Client, role: str) -> None:
    sign_in(app, role)
    nav = re.search(r'<nav class="nav".*?</nav>', app.get("/staff/reports").text, re.S)
    assert nav
    assert '<a href="/staff/reports" aria-current="page">Reports</a>' in nav.group(0)
    assert '<a href="/staff">Home</a>' in nav.group(0)


UNKNOWN = ("/staff/nowhere", "/staff/reports/nowhere", "/staff/reports/schools", "/staff/a/b/c")


@pytest.mark.parametrize("signed_in", [False, True])
def test_unknown_staff_addresses_answer_the_staff_404(app: Client, signed_in: bool) -> None:
    if signed_in:
        sign_in(app, "school_staff")
    for path in UNKNOWN:
        page = app.get(path, follow_redirects=False)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html")
        assert 'data-status="404"' in page.text
        assert "Page not found" in page.text
        assert '<a href="/staff">Staff home</a>' in page.text
        assert STUDENT_CODE_PAGE not in page.text
        assert 'id="staff-help"' in page.text
        assert 'id="crisis"' not in page.text


def test_student_pages_keep_their_own_404(app: Client) -> None:
    page = app.get("/nowhere")
    assert page.status_code == 404
    assert STUDENT_CODE_PAGE in page.text
    assert 'id="crisis"' in page.text
    assert 'id="staff-help"' not in page.text


@pytest.mark.parametrize("path", ["/staff/reports/schools/S2", "/staff/reports/schools/NO-SUCH"])
def test_another_schools_report_is_refused_with_the_staff_403(app: Client, path: str) -> None:
    sign_in(app, "school_staff")
    page = app.get(path)
    assert page.status_code == 403
    assert 'data-status="403"' in page.text
    assert '<a href="/staff/reports">' in page.text
    assert STUDENT_CODE_PAGE not in page.text
    # The refusal keeps the staff navigation: the caller is known.
    assert 'aria-label="Staff pages"' in page.text


def test_the_dashboard_is_refused_to_school_staff_with_the_staff_403(app: Client) -> None:
    sign_in(app, "school_staff")
    page = app.get("/staff/reports/district")
    assert page.status_code == 403
    assert 'data-status="403"' in page.text
    assert 'aria-label="Staff pages"' in page.text


@pytest.mark.parametrize("path", ["/staff/sign-in", "/staff", "/staff/reports", "/staff/nowhere"])
def test_staff_pages_show_the_staff_help_box(app: Client, path: str) -> None:
    sign_in(app, "district_admin")
    html = app.get(path).text
    box = re.search(r'<aside class="crisis staff-help" id="staff-help".*?</aside>', html, re.S)
    assert box, path
    text = _visible(box.group(0))
    assert "When results worry you" in text
    assert "988" in text
    assert "911" in text
    assert "Student services: 555-0142" in text
    assert STUDENT_CRISIS not in html
    assert 'id="crisis"' not in html


def test_staff_pages_speak_arabic(app: Client) -> None:
    sign_in(app, "school_staff")
    html = app.get("/staff?lang=ar").text
    assert 'lang="ar"' in html
    assert 'dir="rtl"' in html
    assert _links(html) == READABLE["school_staff"]
