"""A dropped connection at submit: a calm message, retries, and exactly one stored response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Route

from tests.browser.conftest import Server, open_survey
from tests.browser.student import receipt_of, section_count, stored_session

pytestmark = pytest.mark.browser

ANSWERS = {"conn_belong": 4, "conn_part": 3}


def fill(page: Page, server: Server, lang: str) -> None:
    """Answer two questions and the grade, and reach the last section."""
    open_survey(page, server, lang)
    for item, value in ANSWERS.items():
        page.check(f"#a-{item}-{value}")
    for section in range(1, section_count(page)):
        page.click(f'[data-section="{section}"] [data-next]')
    page.check("#d-grade-11")


def test_offline_at_submit_retries_until_one_response_is_stored(
    context: BrowserContext,
    server: Server,
    new_rows: Callable[[], list[dict[str, Any]]],
) -> None:
    page = context.new_page()
    fill(page, server, "es")
    receipts = server.receipts()
    calm = page.get_attribute("#messages", "data-offline")
    assert calm

    context.set_offline(True)
    page.click("#submit")
    page.wait_for_function(
        "text => document.getElementById('status').textContent === text", arg=calm
    )
    # Several attempts fail while offline; the answers wait on the device.
    page.wait_for_timeout(2500)
    assert page.url.endswith("/survey?lang=es")
    assert page.inner_text("#status") == calm
    assert stored_session(page) == 1
    assert new_rows() == []

    context.set_offline(False)
    page.wait_for_url("**/survey/thanks?*", timeout=30_000)
    assert page.is_visible("#thanks")
    (row,) = new_rows()
    assert server.answers(row) == ANSWERS
    assert server.demographics(row) == {"grade": 11}
    assert server.receipts() - receipts == {receipt_of(page)}


def test_a_lost_answer_is_retried_with_the_same_key_and_stored_once(
    context: BrowserContext,
    server: Server,
    new_rows: Callable[[], list[dict[str, Any]]],
) -> None:
    page = context.new_page()
    fill(page, server, "en")
    receipts = server.receipts()
    sent: list[str] = []

    def lose_the_first_answer(route: Route) -> None:
        # The server stores the first attempt, but its answer never reaches the device.
        body = route.request.post_data_json
        assert body is not None
        sent.append(body["idempotency_key"])
        response = route.fetch()
        if len(sent) == 1:
            assert response.status == 201
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route("**/api/v1/responses*", lose_the_first_answer)
    page.click("#submit")
    page.wait_for_url("**/survey/thanks?*", timeout=30_000)

    assert len(sent) == 2
    assert sent[0] == sent[1]
    (row,) = new_rows()
    assert server.answers(row) == ANSWERS
    # The retry got the receipt the first attempt was given.
    assert server.receipts() - receipts == {receipt_of(page)}
