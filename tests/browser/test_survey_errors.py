"""A refused submission: a summary at the top takes focus and links to each question, with
script (a 422 from the JSON API) and without (the form sent back with its problems)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from tests.browser.conftest import Server, open_survey
from tests.browser.student import focused_matches, section_count, visible_section

pytestmark = pytest.mark.browser

PROBLEM = "This is not one of the answers to this question."


def summary_links(page: Page) -> list[str]:
    """Where the error summary's links lead."""
    found: list[str] = page.eval_on_selector_all(
        "#error-summary a", "els => els.map(e => e.getAttribute('href'))"
    )
    return found


def test_a_refused_submit_focuses_a_summary_that_leads_to_each_question(
    page: Page, server: Server, new_rows: Callable[[], list[dict[str, Any]]]
) -> None:
    open_survey(page, server, "es")
    assert not page.is_visible("#error-summary")
    asked: list[str] = []

    def refuse(route: Route) -> None:
        asked.append(route.request.url)
        fields = {"demographics.gender": PROBLEM, "answers.conn_part": PROBLEM}
        body = {"error": "invalid", "message": "No.", "fields": fields}
        route.fulfill(status=422, content_type="application/json", body=json.dumps(body))

    page.route("**/api/v1/responses*", refuse)
    page.check("#a-conn_part-2")
    for section in range(1, section_count(page)):
        page.click(f'[data-section="{section}"] [data-next]')
    page.click("#submit")
    page.wait_for_selector("#error-summary", state="visible")

    # The submit asked in the page's language.
    assert asked
    assert asked[0].endswith("/api/v1/responses?lang=es")
    assert focused_matches(page, "#error-summary")
    # One link per question, in the order of the page; each question keeps its own message.
    assert summary_links(page) == ["#q-conn_part", "#q-gender"]
    for item in ("conn_part", "gender"):
        assert PROBLEM in page.inner_text(f"#q-{item}")
        assert page.get_attribute(f"#q-{item}", "aria-describedby") == f"e-{item}"

    # The first question is in section 1: the link shows that section and focuses it.
    page.click('#error-summary a[href="#q-conn_part"]')
    assert visible_section(page) == 1
    assert focused_matches(page, "#q-conn_part")
    assert page.is_checked("#a-conn_part-2")
    assert new_rows() == []


def test_without_script_the_form_sent_back_focuses_its_summary(
    plain: Page, server: Server, new_rows: Callable[[], list[dict[str, Any]]]
) -> None:
    page = plain
    open_survey(page, server, "en")
    assert not page.is_visible("#error-summary")
    page.check("#a-conn_glad-2")
    page.check("#a-help_ask-3")
    # An answer the question does not offer, as a tampered or stale form would send it.
    page.eval_on_selector("#a-help_ask-3", "r => { r.value = '99'; }")
    with page.expect_navigation():
        page.click("#submit")

    assert page.is_visible("#error-summary")
    assert focused_matches(page, "#error-summary")
    assert summary_links(page) == ["#q-help_ask"]
    assert page.is_visible("#e-help_ask")
    assert page.is_checked("#a-conn_glad-2")

    page.click('#error-summary a[href="#q-help_ask"]')
    assert focused_matches(page, "#q-help_ask")
    assert new_rows() == []
