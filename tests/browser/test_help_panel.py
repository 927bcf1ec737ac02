"""A "Yes" to a self-harm or suicide question brings calm help at once; nothing of it is kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.conftest import AXE, CONTACTS, Server, open_survey, required
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser

NARROW: ViewportSize = {"width": 360, "height": 740}
HARD = ("sh_hurt", "sui_thought", "sui_plan")
# On pages not in English, a line says 988 speaks Spanish and finds interpreters.
LANGUAGES = ".help-now-languages"


def contacts() -> list[str]:
    """The configured contacts as the page writes them: label, then number."""
    return [entry.strip() for entry in CONTACTS.split(";")]


def to_question(page: Page, item: str) -> None:
    """Press Next until the section holding ``item`` is on screen."""
    while not page.is_visible(f"#q-{item}"):
        page.click("[data-section]:not([data-hidden]) [data-next]")


def to_end(page: Page) -> None:
    """Press Next until the last section is on screen."""
    while page.query_selector("[data-section]:not([data-hidden]) [data-next]"):
        page.click("[data-section]:not([data-hidden]) [data-next]")


def test_yes_shows_help_no_hides_it_and_nothing_is_kept(
    page: Page, server: Server, new_rows: Callable[[], list[dict[str, Any]]]
) -> None:
    open_survey(page, server, "en")
    to_question(page, "sui_thought")
    panel = "#help-sui_thought"
    assert not page.is_visible(panel)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))

    page.check("#a-sui_thought-1")
    assert page.is_visible(panel)
    assert page.get_attribute(panel, "role") == "note"
    text = page.inner_text(panel)
    assert "You are not alone" in text
    assert "988" in text
    for contact in contacts():
        assert contact in text, contact
    # English needs no word about 988 in other languages.
    assert page.query_selector(f"{panel} {LANGUAGES}") is None
    # It does not take focus away from the answer.
    assert page.evaluate("() => document.activeElement.id") == "a-sui_thought-1"
    # Only this question's help: the others stay hidden until their own "Yes".
    assert not page.is_visible("#help-sh_hurt")

    page.check("#a-sui_thought-0")
    assert not page.is_visible(panel)
    # "No" also hides the follow-up question, and with it its help.
    assert not page.is_visible("#help-sui_plan")
    page.check("#a-sh_hurt-1")
    assert page.is_visible("#help-sh_hurt")
    page.click("#q-sh_hurt [data-clear]")
    assert not page.is_visible("#help-sh_hurt")

    page.check("#a-sui_thought-1")
    page.check("#a-sui_plan-0")
    assert page.is_visible(panel)
    assert not page.is_visible("#help-sui_plan")
    # Showing and hiding help asked the server for nothing, and this tab keeps only answers.
    assert sent == []
    kept: dict[str, Any] = page.evaluate(
        "() => JSON.parse(sessionStorage.getItem(sessionStorage.key(0)))"
    )
    assert set(kept) == {"answers", "key", "section"}
    assert kept["answers"] == {"answers.sui_thought": "1", "answers.sui_plan": "0"}

    to_end(page)
    with page.expect_navigation(url="**/survey/thanks?*"):
        page.click("#submit")
    (row,) = new_rows()
    # The stored row holds the two answers and nothing else a student chose or saw.
    assert server.answers(row) == {"sui_thought": 1, "sui_plan": 0}
    assert server.demographics(row) == {}
    assert not any("help" in str(column) for column in row)
    assert json.dumps(row, default=str).count("988") == 0


def test_without_script_help_is_always_under_the_hard_questions(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        open_survey(page, server, "es")
        for item in HARD:
            panel = f"#q-{item} + #help-{item}"
            assert page.is_visible(panel), item
            assert "988" in page.inner_text(panel)
            assert "988" in page.inner_text(f"{panel} {LANGUAGES}")
        # The follow-up about talking to someone is not a disclosure; no panel follows it.
        assert page.query_selector("#help-sh_talked") is None
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_help_fits_a_narrow_screen(browser: Browser, server: Server, lang: str) -> None:
    # The audit script is injected, so the page's script policy is set aside in this tab.
    context = browser.new_context(viewport=NARROW, bypass_csp=True)
    try:
        page = context.new_page()
        open_survey(page, server, lang)
        to_question(page, "sui_thought")
        page.check("#a-sui_thought-1")
        panel = page.locator("#help-sui_thought")
        assert panel.is_visible()
        assert (page.query_selector(f"#help-sui_thought {LANGUAGES}") is not None) == (lang != "en")
        width: int = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= NARROW["width"]
        box = panel.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= NARROW["width"]
        # axe-core, with the help on screen (the all-locales audit sees it hidden).
        required(AXE.exists(), f"{AXE} is missing (run `npm ci`)")
        assert violations(page, AXE.read_text(encoding="utf-8")) == []
    finally:
        context.close()
