"""After a student sends the survey, the shared Chromebook gives the next student nothing back.

Back, a reload of the survey's address, or a new tab on it must show no earlier answer and
must not be able to send the answers again: the thanks page drops the code, and the survey's
pages, never cached, send a browser without it to the start page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.conftest import Server, open_survey, send_with_script, type_code_and_start

pytestmark = pytest.mark.browser


def _nothing_checked(page: Page) -> None:
    assert page.eval_on_selector_all("input:checked", "els => els.length") == 0, page.url


def _send_again_if_offered(page: Page) -> None:
    if page.query_selector("#submit") is not None:
        page.click("#submit")
        page.wait_for_load_state()


def test_back_after_sending_shows_no_answer_and_stores_nothing_more(
    page: Page, server: Server, new_rows: Callable[[], list[dict[str, Any]]]
) -> None:
    # In through the start page, as a student types the code.
    page.goto(server.url("/?lang=en"))
    type_code_and_start(page)
    page.check("#a-conn_belong-4")
    send_with_script(page)
    assert len(new_rows()) == 1
    visited = [page.url]
    while page.evaluate("() => history.length") > 1 and len(visited) < 6:
        page.go_back()
        page.wait_for_load_state()
        if page.url == visited[-1]:
            break
        visited.append(page.url)
        _nothing_checked(page)
        _send_again_if_offered(page)
        _nothing_checked(page)
    print("back through:", [url.removeprefix(server.base) for url in visited])
    assert len(visited) > 1
    assert len(new_rows()) == 1
    # The survey's address typed again, or opened in a new tab, starts afresh.
    for tab in (page, page.context.new_page()):
        tab.goto(server.url("/survey?lang=en"))
        assert tab.url.startswith(server.url("/?")), tab.url
        _nothing_checked(tab)
    assert len(new_rows()) == 1


def test_without_script_back_shows_no_answer_and_stores_nothing_more(
    plain_profile: BrowserContext, server: Server, new_rows: Callable[[], list[dict[str, Any]]]
) -> None:
    page = plain_profile.new_page()
    open_survey(page, server, "en")
    page.check("#a-conn_belong-2")
    page.check("#d-grade-9")
    with page.expect_navigation(url="**/survey/thanks?*"):
        page.click("#submit")
    assert len(new_rows()) == 1
    page.go_back()
    page.wait_for_load_state()
    # The survey page asks the server again (never cached), which sends a browser without a
    # code to the start page.
    assert page.url.startswith(server.url("/?")), page.url
    _nothing_checked(page)
    _send_again_if_offered(page)
    page.close()
    reopened = plain_profile.new_page()
    reopened.goto(server.url("/survey?lang=en"))
    assert reopened.url.startswith(server.url("/?")), reopened.url
    _nothing_checked(reopened)
    assert len(new_rows()) == 1
