"""One staff look in Chromium: on every staff page, in English and Arabic, axe finds nothing,
and every control a person aims at is at least 44 px tall, the student pages' target size.

The server runs on the seeded district the report pages are tested on; a district admin signs
in through the real sign-in page, so every page of the staff navigation is reachable.
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
from playwright.sync_api import Browser, Page

from climate import db
from climate.security.principals import DISTRICT_ADMIN
from climate.settings import Settings
from tests.browser.conftest import SECRET, running_server
from tests.browser.test_accessibility import violations
from tests.climate.controllers.reports.district import seed
from tests.climate.security.conftest import EMAILS, PASSWORD

pytestmark = pytest.mark.browser

TARGET = 44  # px, as the student pages' buttons, inputs and language links
# Every control a person aims at, each with the box that must be tall enough: a checkbox or
# radio button is aimed at through its label.
SMALL_TARGETS = """(target) => {
  const aimed = [...document.querySelectorAll(
    'main button, main input, main select, main textarea, main a.button, nav.nav a, nav.nav button'
  )];
  const found = [];
  for (const element of aimed) {
    if (element.type === 'hidden') continue;
    const box = ['checkbox', 'radio'].includes(element.type)
      ? element.closest('label') || element : element;
    const rect = box.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;  // not shown on this page
    if (rect.height + 0.5 < target) {
      const name = element.id || element.name || element.textContent.trim().slice(0, 30);
      found.push(`${element.tagName.toLowerCase()} ${name}: ${rect.height.toFixed(1)}px`);
    }
  }
  return found;
}"""


@dataclass(frozen=True)
class District:
    """The running server and one administration to open."""

    base: str
    administration: int


def _prepare(settings: Settings) -> None:
    db.upgrade(settings.database_url)
    seed(settings)


@pytest.fixture(scope="module")
def district(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[District]:
    """``climate serve`` on the seeded district."""
    directory = tmp_path_factory.mktemp("staff-look")
    database = directory / "climate.db"
    url = f"sqlite+aiosqlite:///{database}"
    # Seeding runs its own event loop: keep it off the thread Playwright's loop lives on.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(_prepare, Settings(database_url=url, secret_key=SECRET)).result()
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        (administration,) = conn.execute("SELECT min(id) FROM administration").fetchone()
    finally:
        conn.close()
    with running_server(directory, url) as base:
        yield District(base, int(administration))


def pages(district: District) -> list[str]:
    """Every page of the staff navigation an admin reaches, and an administration's two."""
    one = f"/staff/administrations/{district.administration}"
    return [
        "/staff",
        "/staff/reports",
        "/staff/administrations",
        one,
        f"{one}/codes",
        "/staff/rosters",
        "/staff/accounts",
        "/staff/tokens",
        "/staff/audit",
        "/staff/password",
    ]


def _signed_in(browser: Browser, base: str, width: int, height: int) -> Page:
    """A tab of the given size, signed in as a district admin through the sign-in page."""
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(base + "/staff/sign-in")
    page.fill("#email", EMAILS[DISTRICT_ADMIN])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert page.url == base + "/staff"
    return page


def _open(page: Page, url: str, lang: str) -> None:
    response = page.goto(f"{url}?lang={lang}")
    assert response is not None
    assert response.status == 200, url
    assert page.get_attribute("html", "lang") == lang


def _check(page: Page, axe_source: str) -> dict[str, Any]:
    return {"axe": violations(page, axe_source), "small": page.evaluate(SMALL_TARGETS, TARGET)}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_staff_page_is_clean_and_its_controls_are_44px(
    browser: Browser, district: District, axe_source: str, lang: str
) -> None:
    report: dict[str, dict[str, Any]] = {}
    signed_out = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    try:
        page = signed_out.new_page()
        _open(page, district.base + "/staff/sign-in", lang)
        report["/staff/sign-in"] = _check(page, axe_source)
    finally:
        signed_out.close()
    page = _signed_in(browser, district.base, 1366, 768)
    try:
        for path in pages(district):
            _open(page, district.base + path, lang)
            report[path] = _check(page, axe_source)
    finally:
        page.context.close()
    assert len(report) == 11
    found = {path: seen for path, seen in report.items() if seen["axe"] or seen["small"]}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_tables_are_bordered_and_dates_stay_on_one_line(
    browser: Browser, district: District
) -> None:
    page = _signed_in(browser, district.base, 1366, 768)
    try:
        for path in ("/staff/administrations", "/staff/audit", "/staff/rosters"):
            _open(page, district.base + path, "en")
            cells = page.evaluate(
                """() => [...document.querySelectorAll('main table td')].map(td => {
                  const style = getComputedStyle(td);
                  return {width: parseFloat(style.borderBottomWidth),
                          pad: parseFloat(style.paddingInlineStart),
                          time: td.querySelector('time') !== null,
                          wrap: style.whiteSpace}; })"""
            )
            assert cells, path
            assert all(c["width"] >= 1 and c["pad"] >= 5 for c in cells), path
            assert all(c["wrap"] == "nowrap" for c in cells if c["time"]), path
    finally:
        page.context.close()


def test_a_roster_template_downloads(browser: Browser, district: District, tmp_path: Path) -> None:
    page = _signed_in(browser, district.base, 1366, 768)
    try:
        _open(page, district.base + "/staff/rosters", "en")
        with page.expect_download() as download:
            page.click("a[href='/staff/rosters/enrollment.csv']")
        saved = tmp_path / "enrollment.csv"
        download.value.save_as(saved)
        assert saved.read_bytes() == b"school_id,year,grade,students\r\n"
    finally:
        page.context.close()
