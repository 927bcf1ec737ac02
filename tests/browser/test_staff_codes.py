"""Class codes and tickets in Chromium: a tickets survey cannot be given class codes from the
page, a district viewer is refused the codes page, and axe finds nothing on the page (with and
without a refusal on it) in English and Arabic."""

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
from climate.security.principals import DISTRICT_ADMIN, DISTRICT_VIEWER, SCHOOL_STAFF
from climate.settings import Settings
from tests.browser.conftest import SECRET, running_server
from tests.browser.test_accessibility import violations
from tests.climate.controllers.staff.test_codes import tickets_administration
from tests.climate.security.conftest import EMAILS, PASSWORD, District_, _build

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Served:
    """The running server, its database file, and the administrations made."""

    base: str
    database: Path
    district: District_
    ticketed: int

    def kinds(self, administration_id: int) -> list[str]:
        """The kind of every code the administration holds, read from the database."""
        conn = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        try:
            rows = conn.execute(
                "SELECT kind FROM access_code WHERE administration_id = ? ORDER BY kind",
                (administration_id,),
            ).fetchall()
        finally:
            conn.close()
        return [kind for (kind,) in rows]


def _prepare(settings: Settings) -> tuple[District_, int]:
    db.upgrade(settings.database_url)
    return _build(settings), tickets_administration(settings)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``climate serve`` on a district with a class-code survey and a tickets survey."""
    directory = tmp_path_factory.mktemp("staff-codes")
    database = directory / "climate.db"
    url = f"sqlite+aiosqlite:///{database}"
    settings = Settings(database_url=url, secret_key=SECRET)
    # Seeding runs its own event loop: keep it off the thread Playwright's loop lives on.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        district, ticketed = pool.submit(_prepare, settings).result()
    with running_server(directory, url) as base:
        yield Served(base, database, district, ticketed)


def signed_in(browser: Browser, base: str, role: str, *, bypass_csp: bool = False) -> Page:
    """A tab signed in as ``role`` through the real sign-in page."""
    context = browser.new_context(bypass_csp=bypass_csp, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(base + "/staff/sign-in")
    page.fill("#email", EMAILS[role])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert page.url == base + "/staff"
    return page


def test_a_tickets_survey_cannot_get_class_codes_from_the_page(
    browser: Browser, served: Served
) -> None:
    page = signed_in(browser, served.base, DISTRICT_ADMIN)
    address = f"{served.base}/staff/administrations/{served.ticketed}/codes"
    try:
        page.goto(address)
        assert page.inner_text("#kind") == "Kind: Single-use tickets"
        assert (
            page.locator("main select, main input")
            .evaluate_all(
                "els => els.flatMap(e => e.options ? [...e.options].map(o => o.value) : [e.value])"
            )
            .count("class")
            == 0
        )
        # Even a form altered to ask for class codes is refused, beside the field.
        page.fill("#count", "5")
        page.eval_on_selector("input[name=kind]", "e => { e.value = 'class'; }")
        with page.expect_navigation():
            page.click("form.staff-form button[type=submit]")
        assert page.is_visible("#problem")
        assert "single-use tickets" in page.inner_text("#kind-error")
        assert page.input_value("#count") == "5"
        assert served.kinds(served.ticketed) == []
        # The kind the survey uses goes through.
        page.fill("#count", "4")
        with page.expect_navigation():
            page.click("form.staff-form button[type=submit]")
        assert page.locator("#problem").count() == 0
        assert served.kinds(served.ticketed) == ["ticket"] * 4
    finally:
        page.context.close()


def test_a_district_viewer_is_refused_the_codes_page(browser: Browser, served: Served) -> None:
    page = signed_in(browser, served.base, DISTRICT_VIEWER)
    try:
        response = page.goto(f"{served.base}/staff/administrations/{served.district.mine}/codes")
        assert response is not None
        assert response.status == 403
        assert page.get_attribute("#error", "data-status") == "403"
        assert page.locator(".slip-code, code.code").count() == 0
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("role", [DISTRICT_ADMIN, SCHOOL_STAFF])
def test_the_codes_page_has_no_violations(
    browser: Browser, served: Served, axe_source: str, lang: str, role: str
) -> None:
    page = signed_in(browser, served.base, role, bypass_csp=True)
    report: dict[str, list[dict[str, Any]]] = {}
    try:
        address = f"{served.base}/staff/administrations/{served.district.mine}/codes?lang={lang}"
        response = page.goto(address)
        assert response is not None
        assert response.status == 200
        assert page.get_attribute("html", "lang") == lang
        report["codes"] = violations(page, axe_source)
        if role == DISTRICT_ADMIN:
            page.fill("#count", "many")
            with page.expect_navigation():
                page.click("form.staff-form button[type=submit]")
            assert page.get_attribute("#count", "aria-invalid") == "true"
            report["refused"] = violations(page, axe_source)
    finally:
        page.context.close()
    found = {name: issues for name, issues in report.items() if issues}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
