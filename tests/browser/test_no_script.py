"""Without script the survey is one long page that stores, keeps answers and switches language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Server, open_survey
from tests.browser.student import receipt_of

pytestmark = pytest.mark.browser


def test_the_form_works_as_one_long_page(
    plain: Page, server: Server, new_rows: Callable[[], list[dict[str, Any]]]
) -> None:
    page = plain
    open_survey(page, server, "en")
    # Every section and question is on screen at once, with no Next or Back buttons.
    sections = page.query_selector_all("[data-section]")
    assert len(sections) >= 5
    assert all(section.is_visible() for section in sections)
    assert page.is_visible("#q-grade")
    assert not page.is_visible("[data-next]")
    assert page.is_visible("#submit")

    page.check("#a-conn_belong-2")
    page.check("#a-help_ask-3")
    page.check("#d-grade-8")
    # A question a skip rule hides: without script it is on the page, and the server drops it.
    page.check("#a-bully_any-0")
    page.check("#a-bully_told-1")

    with page.expect_navigation():
        page.click('[data-lang="ar"]')
    assert page.get_attribute("html", "dir") == "rtl"
    for chosen in ("#a-conn_belong-2", "#a-help_ask-3", "#d-grade-8", "#a-bully_told-1"):
        assert page.is_checked(chosen), chosen
    page.check("#d-gender-2")

    with page.expect_navigation(url="**/survey/thanks?*"):
        page.click("#submit")
    assert page.is_visible("#thanks")
    (row,) = new_rows()
    assert row["locale"] == "ar"
    assert server.answers(row) == {"conn_belong": 2, "help_ask": 3, "bully_any": 0}
    assert server.demographics(row) == {"grade": 8, "gender": 2}
    assert receipt_of(page) in server.receipts()
