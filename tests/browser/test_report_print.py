"""The school report as it is printed and read on a phone, in both writing directions.

Printed, a table wider than the page is not scrolled: Chromium shrinks a left-to-right page
to fit, but cuts a right-to-left one off at its far edge, so every table must fit the width
of a Letter page. On a phone, a chart's values must read as whole intervals.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.test_reports import _signed_in, reports_server
from tests.climate.controllers.reports.district import Seeded

__all__ = ["reports_server"]

pytestmark = pytest.mark.browser

# Letter paper less Chromium's default print margins (0.4 in a side), at 96 CSS px an inch.
LETTER_WIDTH = round((8.5 - 2 * 0.4) * 96)

TABLES_PAST_THE_EDGE = """(width) => [...document.querySelectorAll('table')]
  .map(t => ({ caption: t.caption ? t.caption.innerText : '', box: t.getBoundingClientRect() }))
  .filter(t => t.box.left < -0.5 || t.box.right > width + 0.5)
  .map(t => ({ caption: t.caption,
               left: Math.round(t.box.left), right: Math.round(t.box.right) }))"""

# An interval cell whose text takes more than one line box has been broken inside it.
BROKEN_INTERVALS = """() => [...document.querySelectorAll('.chart table.data td')]
  .filter(td => td.innerText.includes('–'))
  .filter(td => { const r = document.createRange(); r.selectNodeContents(td);
                  return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size > 1; })
  .map(td => td.innerText)"""


@pytest.fixture
def admin(browser: Browser, reports_server: tuple[str, Seeded]) -> Iterator[Page]:
    """A district admin's tab under the real security headers."""
    context = _signed_in(browser, reports_server[0], "district_admin", bypass_csp=False)
    yield context.new_page()
    context.close()


def _school(page: Page, server: tuple[str, Seeded], lang: str) -> None:
    base, seeded = server
    response = page.goto(f"{base}/staff/reports/schools/{seeded.mine}?lang={lang}")
    assert response is not None
    assert response.status == 200


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_table_fits_a_printed_page(
    admin: Page, reports_server: tuple[str, Seeded], lang: str
) -> None:
    admin.set_viewport_size({"width": LETTER_WIDTH, "height": 1000})
    _school(admin, reports_server, lang)
    admin.emulate_media(media="print")
    # Each group table has a column per scale: the widest tables on the page.
    assert admin.locator("table.gaps").count() > 0
    outside: list[dict[str, Any]] = admin.evaluate(TABLES_PAST_THE_EDGE, LETTER_WIDTH)
    assert outside == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_chart_intervals_stay_whole_on_a_phone(
    admin: Page, reports_server: tuple[str, Seeded], lang: str
) -> None:
    admin.set_viewport_size({"width": 360, "height": 640})
    _school(admin, reports_server, lang)
    intervals = admin.locator(".chart table.data td", has_text="–")
    assert intervals.count() > 0
    broken: list[str] = admin.evaluate(BROKEN_INTERVALS)
    assert broken == []


def test_an_exact_count_is_not_called_a_band(
    admin: Page, reports_server: tuple[str, Seeded]
) -> None:
    _school(admin, reports_server, "en")
    # The facts list: enrolled, then responded. A whole school's count is published exactly.
    responded = admin.locator(".facts dd").nth(1).inner_text()
    assert responded.replace(",", "").isdigit(), responded
    assert admin.get_by_text("Respondents are shown in bands").count() == 0
