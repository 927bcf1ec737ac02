"""Switching language in the middle of the survey keeps every answer and the place reached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Server, open_survey
from tests.browser.student import options, questions, receipt_of, section_count, visible_section

pytestmark = pytest.mark.browser


def switch(page: Page, lang: str) -> None:
    """Pick a language in the survey's language picker."""
    with page.expect_navigation(url=f"**/survey?lang={lang}"):
        page.click(f'[data-lang="{lang}"]')
    page.wait_for_selector("[data-section]:not([data-hidden]) [data-back]", state="visible")


def test_switching_language_midway_keeps_answers(
    page: Page, server: Server, new_rows: Callable[[], list[dict[str, Any]]]
) -> None:
    open_survey(page, server, "en")
    expected: dict[str, int] = {}
    for section in (1, 2):
        for item in questions(page, section)[:2]:
            value = options(page, item)[-1]
            page.check(f"#a-{item}-{value}")
            expected[item] = value
        page.click(f'[data-section="{section}"] [data-next]')
    assert visible_section(page) == 3
    english = page.inner_text('[data-section="1"] legend')

    switch(page, "ar")
    assert page.get_attribute("html", "dir") == "rtl"
    # The same place, the same answers, in the other language's words.
    assert visible_section(page) == 3
    assert page.inner_text('[data-section="1"] legend') != english
    for item, value in expected.items():
        assert page.is_checked(f"#a-{item}-{value}"), item
    item = questions(page, 3)[0]
    page.check(f"#a-{item}-{options(page, item)[0]}")
    expected[item] = options(page, item)[0]

    switch(page, "es")
    assert page.get_attribute("html", "dir") == "ltr"
    for item, value in expected.items():
        assert page.is_checked(f"#a-{item}-{value}"), item
    for section in range(visible_section(page), section_count(page)):
        page.click(f'[data-section="{section}"] [data-next]')
    page.check("#d-grade-7")
    with page.expect_navigation(url="**/survey/thanks?*"):
        page.click("#submit")

    assert page.get_attribute("html", "lang") == "es"
    (row,) = new_rows()
    assert row["locale"] == "es"
    assert server.answers(row) == expected
    assert server.demographics(row) == {"grade": 7}
    assert receipt_of(page) in server.receipts()
