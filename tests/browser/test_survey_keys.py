"""The survey page by keyboard: Enter never skips a question, clearing is offered only when there
is something to clear, and each section says (and announces) where the student is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Server, open_survey
from tests.browser.student import (
    focused_matches,
    options,
    questions,
    section_count,
    tab_to,
    visible_section,
)

pytestmark = pytest.mark.browser


def sent_to_api(page: Page) -> list[str]:
    """The addresses of the submissions the page sends from now on."""
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/api/" in r.url else None)
    return sent


def test_enter_on_an_answer_moves_to_the_next_question_and_sends_nothing(
    page: Page, server: Server, new_rows: Callable[[], list[dict[str, Any]]]
) -> None:
    open_survey(page, server, "en")
    sent = sent_to_api(page)
    first, second = questions(page, 1)[:2]

    tab_to(page, f'input[name="answers.{first}"]')
    page.keyboard.press("Enter")
    # Still section 1: the focused answer was taken, and focus is in the second question.
    assert visible_section(page) == 1
    assert page.is_checked(f"#a-{first}-{options(page, first)[0]}")
    assert focused_matches(page, f'input[name="answers.{second}"]')

    # After the last question of the section, Enter goes to Next, not past it.
    last = questions(page, 1)[-1]
    page.focus(f"#a-{last}-{options(page, last)[1]}")
    page.keyboard.press("Enter")
    assert visible_section(page) == 1
    assert page.is_checked(f"#a-{last}-{options(page, last)[1]}")
    assert focused_matches(page, '[data-section="1"] [data-next]')

    # On the last section, Enter on an answer goes to Send and sends nothing.
    total = section_count(page)
    for section in range(1, total):
        page.click(f'[data-section="{section}"] [data-next]')
    page.focus("#d-gender-1")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert visible_section(page) == total
    assert "/survey/thanks" not in page.url
    assert sent == []
    assert new_rows() == []


def test_enter_skips_only_the_questions_a_skip_rule_hides(page: Page, server: Server) -> None:
    open_survey(page, server, "en")
    holder = "q => q.closest('[data-section]').dataset.section"
    section = int(page.eval_on_selector("#q-bully_any", holder))
    while visible_section(page) < section:
        page.click("[data-section]:not([data-hidden]) [data-next]")

    # "Yes" shows the follow-up question, and Enter goes to it.
    page.check("#a-bully_any-1")
    page.focus("#a-bully_any-1")
    page.keyboard.press("Enter")
    assert focused_matches(page, 'input[name="answers.bully_told"]')

    # "No" hides it (and the one after it): Enter goes on to Next.
    page.check("#a-bully_any-0")
    page.focus("#a-bully_any-0")
    page.keyboard.press("Enter")
    assert questions(page, section)[-1] == "bully_any"
    assert focused_matches(page, f'[data-section="{section}"] [data-next]')
    assert visible_section(page) == section


def test_clear_my_answer_is_there_only_once_the_question_is_answered(
    page: Page, server: Server
) -> None:
    open_survey(page, server, "en")
    first, second = questions(page, 1)[:2]
    clear = f"#q-{first} [data-clear]"
    assert not page.is_visible(clear)
    # Out of the tab order too: from the first question Tab goes straight to the second.
    tab_to(page, f'input[name="answers.{first}"]')
    page.keyboard.press("Tab")
    assert focused_matches(page, f'input[name="answers.{second}"]')

    page.check(f"#a-{first}-{options(page, first)[2]}")
    assert page.is_visible(clear)
    # Kept on reload, and so is the button that clears it.
    page.reload()
    assert page.is_checked(f"#a-{first}-{options(page, first)[2]}")
    assert page.is_visible(clear)
    assert not page.is_visible(f"#q-{second} [data-clear]")

    page.focus(clear)
    page.keyboard.press("Enter")
    assert page.eval_on_selector_all(f'input[name="answers.{first}"]:checked', "e => e.length") == 0
    assert not page.is_visible(clear)
    assert focused_matches(page, f"#a-{first}-{options(page, first)[0]}")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_progress_is_shown_and_announced_with_the_section(
    page: Page, server: Server, lang: str
) -> None:
    open_survey(page, server, lang)
    total = section_count(page)
    wording: str = page.inner_text('[data-section="1"] [data-progress]')
    assert "1" in wording
    assert str(total) in wording
    bar = page.get_by_role("progressbar", name=wording)
    assert bar.is_visible()
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("1", str(total))

    page.click('[data-section="1"] [data-next]')
    # Focus moves to the heading, and the heading says where the student now is.
    assert focused_matches(page, '[data-section="2"] h2')
    heading = page.evaluate("() => document.activeElement.textContent")
    second = page.inner_text('[data-section="2"] [data-progress]')
    assert second in heading
    if lang == "en":
        assert f"Section 2 of {total}" in heading
    assert page.get_by_role("progressbar", name=second).get_attribute("value") == "2"
