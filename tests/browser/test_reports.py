"""The report pages in Chromium: charts render under the real CSP, axe finds nothing, and print.

The server runs on its own seeded district (three closed years, a planted group of 3), so the
pages show real protected releases.
"""

from __future__ import annotations

import concurrent.futures
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from climate import db
from climate.settings import Settings
from tests.browser.conftest import SECRET, running_server
from tests.browser.test_accessibility import violations
from tests.climate.controllers.reports.district import Seeded, seed
from tests.climate.security.conftest import EMAILS, PASSWORD

pytestmark = pytest.mark.browser

CHARTS_LOADED = """() => [...document.querySelectorAll('.chart img')].map(
  img => ({ done: img.complete, width: img.naturalWidth, height: img.naturalHeight }))"""


def _prepare(settings: Settings) -> Seeded:
    db.upgrade(settings.database_url)
    return seed(settings)


@pytest.fixture(scope="module")
def reports_server(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Seeded]]:
    """``climate serve`` on a seeded district; its base URL and what was seeded."""
    directory = tmp_path_factory.mktemp("reports-server")
    url = f"sqlite+aiosqlite:///{directory / 'climate.db'}"
    settings = Settings(database_url=url, secret_key=SECRET)
    # Seeding runs its own event loop: keep it off the thread Playwright's loop lives on.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        seeded = pool.submit(_prepare, settings).result()
    with running_server(directory, url) as base:
        yield base, seeded


def _signed_in(browser: Browser, base: str, role: str, *, bypass_csp: bool) -> BrowserContext:
    context = browser.new_context(bypass_csp=bypass_csp, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(base + "/staff/sign-in")
    page.fill("#email", EMAILS[role])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert "/staff/sign-in" not in page.url
    page.close()
    return context


@pytest.fixture
def staff(browser: Browser, reports_server: tuple[str, Seeded]) -> Iterator[Page]:
    """A district admin's tab under the real security headers."""
    context = _signed_in(browser, reports_server[0], "district_admin", bypass_csp=False)
    yield context.new_page()
    context.close()


def _open(page: Page, url: str) -> list[str]:
    """Open a page and return the CSP violations Chromium reported on it."""
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    assert "style-src 'self'" in (response.headers.get("content-security-policy") or "")
    return blocked


@pytest.mark.parametrize("which", ["school", "district"])
def test_reports_render_under_the_csp(
    staff: Page, reports_server: tuple[str, Seeded], tmp_path: Path, which: str
) -> None:
    base, seeded = reports_server
    path = (
        f"/staff/reports/schools/{seeded.mine}" if which == "school" else "/staff/reports/district"
    )
    blocked = _open(staff, base + path)
    charts: list[dict[str, Any]] = staff.evaluate(CHARTS_LOADED)
    assert charts
    # Each chart decoded as an image: the data: URI is allowed by img-src and not blocked.
    assert all(c["done"] and c["width"] > 300 and c["height"] > 100 for c in charts), charts
    assert blocked == []
    shot = tmp_path / f"{which}.png"
    staff.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    # The print stylesheet drops navigation and keeps a chart (the school report: one).
    staff.emulate_media(media="print")
    assert not staff.is_visible(".report-languages")
    assert staff.locator(".chart img").first.is_visible() or staff.is_visible(".featured img")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_report_pages_have_no_violations(
    browser: Browser, reports_server: tuple[str, Seeded], axe_source: str, lang: str
) -> None:
    base, seeded = reports_server
    context = _signed_in(browser, base, "district_admin", bypass_csp=True)
    page = context.new_page()
    report: dict[str, list[dict[str, Any]]] = {}
    try:
        for name, path in (
            ("school", f"/staff/reports/schools/{seeded.mine}?lang={lang}"),
            ("district", f"/staff/reports/district?lang={lang}"),
        ):
            response = page.goto(base + path)
            assert response is not None
            assert response.status == 200
            assert page.get_attribute("html", "lang") == lang
            report[name] = violations(page, axe_source)
    finally:
        context.close()
    found = {name: issues for name, issues in report.items() if issues}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_school_report_fits_a_phone(
    browser: Browser, reports_server: tuple[str, Seeded], lang: str
) -> None:
    # At 360 px nothing may push the page sideways: the facts, the alpha table and the
    # charts stay within the screen (wide tables scroll inside their own box).
    base, seeded = reports_server
    context = _signed_in(browser, base, "district_admin", bypass_csp=False)
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 360, "height": 640})
        response = page.goto(f"{base}/staff/reports/schools/{seeded.mine}?lang={lang}")
        assert response is not None
        assert response.status == 200
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.locator("#consistency").count() == 1
    finally:
        context.close()
