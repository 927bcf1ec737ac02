"""Starting over is kept away from Next and asks first; without script it is a plain link."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Server, open_survey
from tests.browser.student import focused_matches, visible_section

pytestmark = pytest.mark.browser

ASK = "#start-over-ask"
CHOSEN = ("#a-conn_belong-3", "#a-adult_cares-2")


def kept_answers(page: Page) -> int:
    """How many answers this tab keeps for the survey."""
    count: int = page.evaluate(
        """() => Object.keys(sessionStorage).filter(k => k !== "climate:receipt")
            .map(k => Object.keys(JSON.parse(sessionStorage.getItem(k)).answers || {}).length)
            .reduce((a, b) => a + b, 0)"""
    )
    return count


def test_start_over_asks_first_and_keep_keeps_everything(page: Page, server: Server) -> None:
    open_survey(page, server, "en")
    page.check(CHOSEN[0])
    page.click('[data-section="1"] [data-next]')
    page.check(CHOSEN[1])

    # Well apart from Next, and not a link that clears at once.
    nav = page.locator('[data-section="2"] [data-next]').bounding_box()
    ask = page.locator(ASK).bounding_box()
    assert nav is not None
    assert ask is not None
    assert ask["y"] - (nav["y"] + nav["height"]) >= 48
    assert not page.is_visible("#start-over")
    assert page.get_attribute(ASK, "aria-expanded") == "false"

    page.click(ASK)
    assert page.is_visible("#start-over-confirm")
    assert page.get_attribute(ASK, "aria-expanded") == "true"
    assert focused_matches(page, "#start-over-question")
    page.click("#start-over-keep")
    assert not page.is_visible("#start-over-confirm")
    assert focused_matches(page, ASK)
    assert all(page.is_checked(chosen) for chosen in CHOSEN)
    assert kept_answers(page) == 2
    page.reload()
    assert all(page.is_checked(chosen) for chosen in CHOSEN)
    assert visible_section(page) == 2

    # Escape closes the question too, and keeps the answers.
    page.click(ASK)
    page.keyboard.press("Escape")
    assert not page.is_visible("#start-over-confirm")
    assert kept_answers(page) == 2


def test_start_over_clears_every_answer_once_confirmed(page: Page, server: Server) -> None:
    open_survey(page, server, "en")
    page.check(CHOSEN[0])
    page.click('[data-section="1"] [data-next]')
    page.check(CHOSEN[1])
    key = page.input_value("[data-key]")

    page.click(ASK)
    with page.expect_navigation():
        page.click("#start-over-clear")
    page.wait_for_selector('[data-section="1"] [data-next]', state="visible")
    assert page.url.endswith("/survey?lang=en")
    assert visible_section(page) == 1
    assert page.eval_on_selector_all("input[type=radio]:checked", "els => els.length") == 0
    assert kept_answers(page) == 0
    # A fresh start sends under a fresh key.
    assert page.input_value("[data-key]") != key


def test_without_script_start_over_is_a_link_to_a_fresh_page(plain: Page, server: Server) -> None:
    page = plain
    open_survey(page, server, "en")
    assert not page.is_visible(ASK)
    page.check(CHOSEN[0])
    with page.expect_navigation():
        page.click("#start-over")
    assert page.url.endswith("/survey?lang=en")
    assert page.eval_on_selector_all("input[type=radio]:checked", "els => els.length") == 0
