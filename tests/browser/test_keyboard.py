"""A student takes the whole survey with the keyboard alone, in English and in Arabic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import CODE, Server
from tests.browser.student import (
    choose,
    focused_matches,
    options,
    questions,
    receipt_of,
    section_count,
    stored_session,
    tab_to,
    visible_section,
)

pytestmark = pytest.mark.browser


def press_enter_and_wait(page: Page, url_glob: str) -> None:
    """Press Enter and wait for the page it leads to."""
    with page.expect_navigation(url=url_glob):
        page.keyboard.press("Enter")


def go_on(page: Page, section: int, button: str) -> None:
    """Tab to a section's Next or Back button and press Enter on it."""
    tab_to(page, f'[data-section="{section}"] [data-{button}]')
    page.keyboard.press("Enter")


def radio_before_label(page: Page, item: str, value: int) -> bool:
    """Whether an answer's radio sits to the left of its label on screen."""
    radio = page.locator(f"#a-{item}-{value}").bounding_box()
    label = page.locator(f'label[for="a-{item}-{value}"]').bounding_box()
    assert radio is not None
    assert label is not None
    return radio["x"] < label["x"]


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_the_whole_survey_by_keyboard(
    page: Page,
    server: Server,
    new_rows: Callable[[], list[dict[str, Any]]],
    lang: str,
    direction: str,
) -> None:
    page.goto(server.url("/"))
    if lang != "en":
        tab_to(page, f'[data-lang="{lang}"]')
        press_enter_and_wait(page, f"**/?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    assert page.get_attribute("html", "dir") == direction

    # Typed the forgiving way: small letters and a space.
    tab_to(page, "#code")
    page.keyboard.type(CODE.lower().replace("-", " "))
    press_enter_and_wait(page, f"**/survey/start?lang={lang}")
    tab_to(page, "#start")
    press_enter_and_wait(page, f"**/survey?lang={lang}")
    page.wait_for_selector('[data-section="1"] [data-next]', state="visible")
    assert page.get_attribute("html", "dir") == direction

    total = section_count(page)
    assert total >= 5
    expected: dict[str, int] = {}

    # Section 1: answer two questions, then Shift+Tab back to change the first.
    first, second = questions(page, 1)[:2]
    tab_to(page, f'input[name="answers.{first}"]')
    choose(page, f"answers.{first}", options(page, first)[1])
    tab_to(page, f'input[name="answers.{second}"]')
    choose(page, f"answers.{second}", options(page, second)[0])
    tab_to(page, f'input[name="answers.{first}"]', back=True)
    choose(page, f"answers.{first}", options(page, first)[2])
    expected[first] = options(page, first)[2]
    expected[second] = options(page, second)[0]
    # A mirrored layout: the radio is at the start of the line, which is the right in Arabic.
    assert radio_before_label(page, first, expected[first]) == (direction == "ltr")
    go_on(page, 1, "next")
    assert visible_section(page) == 2
    # Focus moves to the new section's heading, so a screen reader announces it.
    assert focused_matches(page, '[data-section="2"] h2')

    # Section 2: Enter on an answer goes to the next question, never past it or to Send.
    item, after = questions(page, 2)[:2]
    tab_to(page, f'input[name="answers.{item}"]')
    choose(page, f"answers.{item}", options(page, item)[1])
    expected[item] = options(page, item)[1]
    page.keyboard.press("Enter")
    assert visible_section(page) == 2
    assert focused_matches(page, f'input[name="answers.{after}"]')
    go_on(page, 2, "next")
    assert visible_section(page) == 3

    # Section 3: answer, go Back (the answer there is kept), then forward again.
    item = questions(page, 3)[0]
    tab_to(page, f'input[name="answers.{item}"]')
    choose(page, f"answers.{item}", options(page, item)[1])
    expected[item] = options(page, item)[1]
    go_on(page, 3, "back")
    assert visible_section(page) == 2
    kept = questions(page, 2)[0]
    assert page.is_checked(f"#a-{kept}-{expected[kept]}")
    go_on(page, 2, "next")
    go_on(page, 3, "next")

    for section in range(4, total):
        assert visible_section(page) == section
        item = questions(page, section)[0]
        tab_to(page, f'input[name="answers.{item}"]')
        choose(page, f"answers.{item}", options(page, item)[1])
        expected[item] = options(page, item)[1]
        go_on(page, section, "next")

    assert visible_section(page) == total
    tab_to(page, 'input[name="demographics.grade"]')
    choose(page, "demographics.grade", 9)
    tab_to(page, 'input[name="demographics.gender"]')
    choose(page, "demographics.gender", 1)
    tab_to(page, "#submit")
    press_enter_and_wait(page, "**/survey/thanks?*")

    assert page.is_visible("#thanks")
    assert page.get_attribute("html", "dir") == direction
    assert "555-0100" in page.inner_text("#crisis")
    # Nothing stays on the shared Chromebook once the answers are in.
    assert stored_session(page) == 0
    (row,) = new_rows()
    assert row["locale"] == lang
    assert server.answers(row) == expected
    assert server.demographics(row) == {"grade": 9, "gender": 1}
    assert receipt_of(page) in server.receipts()
