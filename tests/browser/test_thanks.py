"""The thanks page: help shown once, then a "Finished" step that leaves a blank start page.

On a shared Chromebook the last student's tab is the next student's: "Finished" puts the
start page in the thanks page's place in the tab's history, so Back cannot bring the receipt
(or anything before it) back to a stranger.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.conftest import CODE, Server, send_with_script, type_code_and_start

pytestmark = pytest.mark.browser


def _send(page: Page, server: Server, lang: str) -> None:
    """In through the start page as a student is, answer one question, send."""
    page.goto(server.url(f"/?lang={lang}"))
    type_code_and_start(page)
    page.check("#a-conn_belong-4")
    send_with_script(page)
    page.wait_for_selector("#receipt-number:not(:empty)", state="attached")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_thanks_page_shows_one_help_box(page: Page, server: Server, lang: str) -> None:
    _send(page, server, lang)
    text = page.inner_text("body")
    # 988, 911 and the district's contacts, once each, in the page itself rather than after it.
    for needle in ("988", "911", "555-0100", "555-0199"):
        assert text.count(needle) == 1, needle
    assert page.locator("#crisis").count() == 1
    assert page.locator("main #crisis").count() == 1
    assert "555-0100" in page.inner_text("#crisis")
    assert "911" in page.inner_text("#crisis")
    # It comes before the last step, so a student reads it on the way out.
    assert page.evaluate(
        "() => !!(document.getElementById('crisis').compareDocumentPosition("
        "document.getElementById('finished')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    # Every other student page keeps the help box at its foot.
    page.goto(server.url(f"/s/{CODE}?lang={lang}"))
    assert page.locator("main #crisis").count() == 0
    assert page.locator("body > #crisis").count() == 1


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_finished_leaves_a_blank_start_page_in_place_of_the_thanks_page(
    page: Page, server: Server, lang: str
) -> None:
    _send(page, server, lang)
    before = page.evaluate("() => history.length")
    with page.expect_navigation(url=f"**/?lang={lang}"):
        page.click("#finished")

    assert page.get_attribute("html", "lang") == lang
    assert page.input_value("#code") == ""
    assert page.evaluate("() => window.sessionStorage.length") == 0
    # The start page took the thanks page's entry instead of adding one.
    assert page.evaluate("() => history.length") == before
    page.go_back()
    page.wait_for_load_state()
    assert "/survey/thanks" not in page.url
    assert page.locator("#receipt-number:not(:empty)").count() == 0
    assert page.eval_on_selector_all("input:checked", "els => els.length") == 0


def test_finished_is_a_plain_link_without_script(
    plain_profile: BrowserContext, server: Server
) -> None:
    page = plain_profile.new_page()
    page.goto(server.url(f"/s/{CODE}?lang=ar"))
    page.goto(server.url("/survey?lang=ar"))
    page.check("#a-conn_belong-2")
    with page.expect_navigation(url="**/survey/thanks?*"):
        page.click("#submit")
    with page.expect_navigation(url="**/?lang=ar"):
        page.click("#finished")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.input_value("#code") == ""
