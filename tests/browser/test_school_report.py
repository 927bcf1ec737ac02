"""The school report's first screen: who answered, how many, and what stands out, in view.

A counselor opens the report on a laptop (1366 x 768) and should read the respondents, the
response rate and the first finding without scrolling; axe-core finds nothing on the page
with every folded chart description opened, in a left-to-right and a right-to-left language.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.test_accessibility import violations
from tests.browser.test_reports import _signed_in, reports_server
from tests.climate.controllers.reports.district import Seeded

__all__ = ["reports_server"]

pytestmark = pytest.mark.browser

LAPTOP: ViewportSize = {"width": 1366, "height": 768}

# The page boxes of the summary's key elements, as the reader's first screen shows them.
BOXES = """() => {
  const facts = [...document.querySelectorAll('.key-facts dd')];
  const first = document.querySelector('.findings li');
  return [facts[0], facts[1], first].map(e => {
    const b = e.getBoundingClientRect();
    return { text: e.innerText, top: b.top, bottom: b.bottom, left: b.left, right: b.right };
  });
}"""


@pytest.fixture
def counselor_view(browser: Browser, reports_server: tuple[str, Seeded]) -> Iterator[Page]:
    """A district admin's tab at laptop size, under the real security headers."""
    context = _signed_in(browser, reports_server[0], "district_admin", bypass_csp=False)
    page = context.new_page()
    page.set_viewport_size(LAPTOP)
    yield page
    context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_summary_is_on_the_first_screen(
    counselor_view: Page, reports_server: tuple[str, Seeded], lang: str
) -> None:
    base, seeded = reports_server
    response = counselor_view.goto(f"{base}/staff/reports/schools/{seeded.mine}?lang={lang}")
    assert response is not None
    assert response.status == 200
    assert counselor_view.evaluate("window.scrollY") == 0
    boxes: list[dict[str, Any]] = counselor_view.evaluate(BOXES)
    labels = counselor_view.locator(".key-facts dt").all_inner_texts()
    if lang == "en":
        assert labels[:2] == ["Students who responded", "Response rate"]
    for box in boxes:
        assert box["text"].strip(), box
        assert box["top"] >= 0, box
        assert box["bottom"] <= LAPTOP["height"], box
        assert box["left"] >= 0, box
        assert box["right"] <= LAPTOP["width"], box


def test_the_headline_table_comes_with_its_legend(
    counselor_view: Page, reports_server: tuple[str, Seeded]
) -> None:
    base, seeded = reports_server
    counselor_view.goto(f"{base}/staff/reports/schools/{seeded.mine}")
    table = counselor_view.locator("table.headline").bounding_box()
    legend = counselor_view.locator(".legend").bounding_box()
    assert table is not None
    assert legend is not None
    # Beside it on a laptop: the legend starts level with the table, to its side.
    assert legend["x"] >= table["x"] + table["width"]
    assert abs(legend["y"] - table["y"]) < 40
    assert counselor_view.locator(".legend").get_by_text("do not use").count() == 1
    # Nothing developer-facing above the detail: the release id lives in the methods.
    summary = counselor_view.locator(".summary").inner_text()
    assert "elementary-" not in summary


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_violations_with_every_fold_open(
    browser: Browser, reports_server: tuple[str, Seeded], axe_source: str, lang: str
) -> None:
    base, seeded = reports_server
    context = _signed_in(browser, base, "district_admin", bypass_csp=True)
    page = context.new_page()
    try:
        response = page.goto(f"{base}/staff/reports/schools/{seeded.mine}?lang={lang}")
        assert response is not None
        assert response.status == 200
        opened = page.evaluate(
            "() => [...document.querySelectorAll('details')].map(d => (d.open = true)).length"
        )
        # Every chart's words and values fold, and so does the "What to do next" panel.
        assert opened == page.locator(".chart").count() + 1 > 1
        found = violations(page, axe_source)
    finally:
        context.close()
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
