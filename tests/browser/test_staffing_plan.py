"""The staffing plan page and its board memo in Chromium: CSP, axe, a phone, and two printed pages.

The server is the report pages' seeded district (``tests/browser/test_reports.py``) under the
shipped policy, whose salaries are placeholders: the page must say to set them, not invent a cost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.test_accessibility import violations
from tests.browser.test_reports import _signed_in, reports_server
from tests.climate.controllers.reports.district import Seeded

__all__ = ["reports_server"]

pytestmark = pytest.mark.browser

PAGE = "/staff/reports/staffing"
MEMO = "/staff/reports/staffing/memo"
# Each page of a PDF is one "/Type /Page" object; the page tree is "/Type /Pages"
# (as tests/browser/test_report_print.py counts them).
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![s\w])")


@pytest.fixture(scope="module")
def signed_in(browser: Browser, reports_server: tuple[str, Seeded]) -> Iterator[BrowserContext]:
    """One district admin's session for the module (sign-ins are rate limited per account)."""
    context = _signed_in(browser, reports_server[0], "district_admin", bypass_csp=False)
    yield context
    context.close()


@pytest.fixture
def admin(signed_in: BrowserContext) -> Iterator[Page]:
    """A district admin's tab under the real security headers."""
    page = signed_in.new_page()
    yield page
    page.close()


def _open(page: Page, url: str) -> list[str]:
    """Open a page and return the CSP violations Chromium reported on it."""
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    return blocked


@pytest.mark.parametrize("path", [PAGE, MEMO])
def test_page_and_memo_render_under_the_csp(
    admin: Page, reports_server: tuple[str, Seeded], path: str
) -> None:
    assert _open(admin, reports_server[0] + path) == []
    # The stylesheets applied: the ranked table's numbers line up at the end of the column.
    align = admin.evaluate(
        "getComputedStyle(document.querySelector('table.plan tbody td:nth-child(4)')).textAlign"
    )
    assert align == "end"
    # No salary is set in the shipped policy: no cost is made up.
    assert admin.locator(".unset").first.inner_text() == "Set your salary in the policy"
    assert "$" not in admin.locator("table.plan").inner_text()


def test_the_page_links_the_memo_and_both_downloads(
    admin: Page, reports_server: tuple[str, Seeded]
) -> None:
    base = reports_server[0]
    _open(admin, base + PAGE)
    links = admin.locator("#downloads ~ ul a")
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert hrefs[0].startswith(MEMO)
    for fmt in ("csv", "xlsx"):
        href = next(h for h in hrefs if f"format={fmt}" in h)
        with admin.expect_download() as caught:
            admin.evaluate(
                "href => { const a = document.createElement('a'); a.href = href; "
                "document.body.append(a); a.click(); }",
                href,
            )
        download = caught.value
        assert download.suggested_filename.endswith(f".{fmt}")
        assert download.failure() is None


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_the_memo_prints_on_two_pages_at_most(
    admin: Page, reports_server: tuple[str, Seeded], lang: str, paper: str
) -> None:
    _open(admin, f"{reports_server[0]}{MEMO}?lang={lang}")
    pdf = admin.pdf(format=paper)
    pages = len(PAGE_OBJECT.findall(pdf))
    assert 1 <= pages <= 2, pages


def test_the_printed_memo_carries_date_and_district(
    admin: Page, reports_server: tuple[str, Seeded]
) -> None:
    _open(admin, reports_server[0] + MEMO)
    admin.emulate_media(media="print")
    footer = admin.locator(".print-footer")
    assert footer.is_visible()
    district = admin.locator(".memo-from").inner_text()
    assert footer.inner_text().startswith("Printed on ")
    assert f"· {district} ·" in footer.inner_text()
    # Printed: no navigation, no link back, only the memo.
    assert not admin.locator(".nav").is_visible()
    assert not admin.locator(".memo-back").is_visible()
    for heading in ("#memo-need", "#memo-gap", "#memo-priorities", "#memo-method"):
        assert admin.locator(heading).is_visible(), heading


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("path", [PAGE, MEMO])
def test_page_and_memo_fit_a_phone(
    admin: Page, reports_server: tuple[str, Seeded], lang: str, path: str
) -> None:
    # At 360 px each row of the plan becomes a card of label and value; nothing scrolls sideways.
    admin.set_viewport_size({"width": 360, "height": 640})
    _open(admin, f"{reports_server[0]}{path}?lang={lang}")
    assert admin.evaluate("document.documentElement.scrollWidth") <= 360
    label = admin.evaluate(
        "getComputedStyle(document.querySelector('table.plan tbody td'), '::before').content"
    )
    assert label not in ("none", "normal", '""')


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_page_and_memo_have_no_violations(
    browser: Browser, reports_server: tuple[str, Seeded], axe_source: str, lang: str
) -> None:
    base = reports_server[0]
    context = _signed_in(browser, base, "district_admin", bypass_csp=True)
    page = context.new_page()
    report: dict[str, list[dict[str, Any]]] = {}
    try:
        for name, path in (("page", PAGE), ("memo", MEMO)):
            response = page.goto(f"{base}{path}?lang={lang}")
            assert response is not None
            assert response.status == 200
            assert page.get_attribute("html", "lang") == lang
            report[name] = violations(page, axe_source)
    finally:
        context.close()
    found = {name: issues for name, issues in report.items() if issues}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_school_staff_are_refused(browser: Browser, reports_server: tuple[str, Seeded]) -> None:
    base = reports_server[0]
    context = _signed_in(browser, base, "school_staff", bypass_csp=False)
    page = context.new_page()
    try:
        for path in (PAGE, MEMO):
            response = page.goto(base + path)
            assert response is not None
            assert response.status == 403, path
            assert page.locator("table.plan").count() == 0
    finally:
        context.close()
