"""Staff navigation in Chromium: from the staff home, one click reaches every report a role may
read, every other report is refused with a staff page, and axe finds nothing on the home page
and the reports index, in English and Arabic.

The server runs on a seeded district with closed years (the same one the report pages are
tested on), and each role signs in through the real sign-in page.
"""

from __future__ import annotations

import concurrent.futures
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from climate import db
from climate.security.principals import DISTRICT_ADMIN, DISTRICT_VIEWER, ROLES, SCHOOL_STAFF
from climate.settings import Settings
from tests.browser.conftest import SECRET, running_server
from tests.browser.test_accessibility import violations
from tests.climate.controllers.reports.district import Seeded, seed
from tests.climate.security.conftest import EMAILS, PASSWORD

pytestmark = pytest.mark.browser

REPORT_LINKS = """() => [...document.querySelectorAll('main a')]
  .map(a => a.getAttribute('href'))
  .filter(h => /^\\/staff\\/reports\\/(schools\\/|district)/.test(h))"""
STUDENT_CODE_PAGE = "We could not find a survey with this code"


@dataclass(frozen=True)
class District:
    """The running server, what was seeded, and each school's name and closed years."""

    base: str
    seeded: Seeded
    names: dict[str, str]
    years: dict[str, tuple[int, ...]]  # school id -> years with a closed survey window

    def readable(self, role: str) -> set[str]:
        """The addresses of every report ``role`` may read, read from the database."""
        schools = [self.seeded.mine] if role == SCHOOL_STAFF else sorted(self.names)
        found = {f"/staff/reports/schools/{s}?year={y}" for s in schools for y in self.years[s]}
        if role != SCHOOL_STAFF:
            every = {y for years in self.years.values() for y in years}
            found |= {f"/staff/reports/district?year={y}" for y in every}
        return found


def _prepare(settings: Settings) -> Seeded:
    db.upgrade(settings.database_url)
    return seed(settings)


def _read(database: Path) -> tuple[dict[str, str], dict[str, tuple[int, ...]]]:
    """Schools by id, and the years each took part in a closed administration."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        names = dict(conn.execute("SELECT id, name FROM school").fetchall())
        years: dict[str, set[int]] = {school: set() for school in names}
        for school, year in conn.execute(
            "SELECT s.school_id, a.school_year FROM administration_school s "
            "JOIN administration a ON a.id = s.administration_id WHERE a.status = 'closed'"
        ):
            years[school].add(int(year))
    finally:
        conn.close()
    return names, {school: tuple(sorted(found)) for school, found in years.items()}


@pytest.fixture(scope="module")
def district(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[District]:
    """``climate serve`` on a seeded district with closed years, and what it holds."""
    directory = tmp_path_factory.mktemp("staff-navigation")
    database = directory / "climate.db"
    url = f"sqlite+aiosqlite:///{database}"
    settings = Settings(database_url=url, secret_key=SECRET)
    # Seeding runs its own event loop: keep it off the thread Playwright's loop lives on.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        seeded = pool.submit(_prepare, settings).result()
    names, years = _read(database)
    with running_server(directory, url) as base:
        yield District(base, seeded, names, years)


def _signed_in(browser: Browser, base: str, role: str, *, bypass_csp: bool = False) -> Page:
    """A tab signed in as ``role`` through the real sign-in page, left on the staff home."""
    context: BrowserContext = browser.new_context(
        bypass_csp=bypass_csp, viewport={"width": 1366, "height": 768}
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(base + "/staff/sign-in")
    page.fill("#email", EMAILS[role])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert page.url == base + "/staff"
    return page


def _title_of(page: Page) -> str:
    return page.inner_text("main h1")


@pytest.mark.parametrize("role", ROLES)
def test_one_click_from_home_reaches_every_readable_report(
    browser: Browser, district: District, role: str
) -> None:
    page = _signed_in(browser, district.base, role)
    try:
        links: list[str] = page.evaluate(REPORT_LINKS)
        expected = district.readable(role)
        assert expected, "the seeded district has closed years"
        assert set(links) == expected
        for href in sorted(expected):
            page.goto(district.base + "/staff")
            with page.expect_navigation():
                page.click(f'main a[href="{href}"]')
            assert page.url == district.base + href
            assert page.locator("#error").count() == 0, href
            if "/schools/" in href:
                school = href.split("/schools/")[1].split("?")[0]
                assert district.names[school] in _title_of(page)
            else:
                assert _title_of(page) == "District dashboard"
            # The report opened is of the year the link named.
            current = page.get_attribute(".years [aria-current='page']", "href") or ""
            assert f"year={href.rsplit('=', 1)[1]}&" in current
    finally:
        page.context.close()


@pytest.mark.parametrize("role", ROLES)
def test_every_other_report_is_refused_with_a_staff_page(
    browser: Browser, district: District, role: str
) -> None:
    page = _signed_in(browser, district.base, role)
    try:
        # District roles see every school; a school's staff, theirs alone.
        mine = set(district.names) if role != SCHOOL_STAFF else {district.seeded.mine}
        refused = [f"/staff/reports/schools/{s}" for s in sorted(set(district.names) - mine)]
        if role == SCHOOL_STAFF:
            refused.append("/staff/reports/district")
            assert len(refused) == len(district.names)
        else:
            assert refused == []
        for path in refused:
            response = page.goto(district.base + path)
            assert response is not None
            assert response.status == 403, path
            assert page.get_attribute("#error", "data-status") == "403"
            assert STUDENT_CODE_PAGE not in page.content()
            assert page.is_visible("main a[href='/staff/reports']")
            assert page.is_visible("nav.nav a[href='/staff/reports']")
        # An address nothing serves is the staff 404, for every role.
        response = page.goto(district.base + "/staff/reports/nowhere")
        assert response is not None
        assert response.status == 404
        assert page.inner_text("#error") == "Page not found"
        with page.expect_navigation():
            page.click("main a[href='/staff']")
        assert page.url == district.base + "/staff"
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("role", [DISTRICT_ADMIN, DISTRICT_VIEWER, SCHOOL_STAFF])
def test_home_and_index_have_no_violations(
    browser: Browser, district: District, axe_source: str, lang: str, role: str
) -> None:
    page = _signed_in(browser, district.base, role, bypass_csp=True)
    report: dict[str, list[dict[str, Any]]] = {}
    try:
        for path in ("/staff", "/staff/reports", "/staff/nowhere"):
            response = page.goto(f"{district.base}{path}?lang={lang}")
            assert response is not None
            assert response.status == (404 if path == "/staff/nowhere" else 200)
            assert page.get_attribute("html", "lang") == lang
            report[path] = violations(page, axe_source)
    finally:
        page.context.close()
    found = {path: issues for path, issues in report.items() if issues}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_home_fits_a_phone(browser: Browser, district: District, lang: str) -> None:
    page = _signed_in(browser, district.base, DISTRICT_ADMIN)
    try:
        page.set_viewport_size({"width": 360, "height": 640})
        for path in ("/staff", "/staff/reports"):
            page.goto(f"{district.base}{path}?lang={lang}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    finally:
        page.context.close()
