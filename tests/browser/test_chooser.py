"""On a narrow screen one compact language chooser leaves the first question in view.

At 360x640 (a small phone, or a zoomed Chromebook) nine language buttons took three rows and
pushed the first answer below the fold. There the chooser is one native disclosure that opens
the same choices; wide screens keep the row of buttons.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.conftest import CODE, LOCALES, Server, open_survey
from tests.browser.student import focused_matches, tab_to

pytestmark = pytest.mark.browser

NARROW: ViewportSize = {"width": 360, "height": 640}
WIDE: ViewportSize = {"width": 1366, "height": 768}
COMPACT = "details.languages-compact"
ROW = ".languages-row"


@contextlib.contextmanager
def _tab(browser: Browser, viewport: ViewportSize, *, script: bool = True) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, java_script_enabled=script)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def narrow(browser: Browser) -> Iterator[Page]:
    """A tab on a 360x640 screen."""
    with _tab(browser, NARROW) as page:
        yield page


@pytest.fixture
def narrow_plain(browser: Browser) -> Iterator[Page]:
    """A tab on a 360x640 screen with script turned off."""
    with _tab(browser, NARROW, script=False) as page:
        yield page


@pytest.fixture
def wide(browser: Browser) -> Iterator[Page]:
    """A tab on a 1366x768 screen."""
    with _tab(browser, WIDE) as page:
        yield page


def _first_question_box(page: Page) -> dict[str, float]:
    box: dict[str, float] = page.eval_on_selector(
        "[data-section]:not([data-hidden]) fieldset[data-item]:not([hidden])",
        "e => { const r = e.getBoundingClientRect(); "
        "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }",
    )
    return box


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_whole_first_question_is_in_view_on_a_small_screen(
    narrow: Page, server: Server, lang: str
) -> None:
    page = narrow
    open_survey(page, server, lang)
    # The first question and every one of its answers, without scrolling (the row of nine
    # buttons left its last answers below the fold).
    assert page.evaluate("() => window.scrollY") == 0
    box = _first_question_box(page)
    assert box["top"] >= 0, box
    assert box["bottom"] <= NARROW["height"], box
    assert box["left"] >= 0, box
    assert box["right"] <= NARROW["width"], box
    # Nothing wider than the screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]

    assert page.is_visible(f"{COMPACT} > summary")
    assert not page.is_visible(ROW)
    # The summary names the current language in itself.
    current = page.locator(f"{COMPACT} > summary [lang]")
    assert current.get_attribute("lang") == lang
    assert current.inner_text() == page.inner_text(f'{ROW} [data-lang="{lang}"]')


def test_the_compact_chooser_switches_language_by_keyboard_and_keeps_answers(
    narrow: Page, server: Server
) -> None:
    page = narrow
    open_survey(page, server, "en")
    page.check("#a-conn_belong-4")
    page.check("#a-conn_part-2")

    tab_to(page, f"{COMPACT} > summary", back=True)
    page.keyboard.press("Enter")
    assert page.get_attribute(COMPACT, "open") is not None
    choices = page.locator(f"{COMPACT} [data-lang]")
    assert choices.count() == len(LOCALES)
    for i in range(choices.count()):
        # Every language is named in itself, and marked as such.
        code = choices.nth(i).get_attribute("data-lang") or ""
        assert choices.nth(i).get_attribute("lang") == code.replace("_", "-")
        assert choices.nth(i).is_visible()
        box = choices.nth(i).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= NARROW["width"]
    tab_to(page, f'{COMPACT} [data-lang="ar"]')
    assert focused_matches(page, f'{COMPACT} [data-lang="ar"]')
    with page.expect_navigation(url="**/survey?lang=ar"):
        page.keyboard.press("Enter")
    page.wait_for_selector("[data-section]:not([data-hidden]) [data-next]", state="visible")

    assert page.get_attribute("html", "dir") == "rtl"
    assert page.is_checked("#a-conn_belong-4")
    assert page.is_checked("#a-conn_part-2")
    # The chooser opens again in right-to-left, inside the screen, and names Arabic now.
    page.click(f"{COMPACT} > summary")
    box = page.locator(f"{COMPACT} > ul").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= NARROW["width"]
    assert page.get_attribute(f'{COMPACT} [data-lang="ar"]', "aria-current") == "true"


def test_the_compact_chooser_works_without_script(narrow_plain: Page, server: Server) -> None:
    page = narrow_plain
    open_survey(page, server, "en")
    page.check("#a-conn_belong-3")
    assert not page.is_visible(f'{COMPACT} [data-lang="es"]')
    page.click(f"{COMPACT} > summary")
    with page.expect_navigation():
        page.click(f'{COMPACT} [data-lang="es"]')
    assert page.get_attribute("html", "lang") == "es"
    assert page.is_checked("#a-conn_belong-3")


@pytest.mark.parametrize("path", [f"/s/{CODE}?lang=en", "/survey?lang=en"])
def test_a_wide_screen_keeps_the_row_of_languages(wide: Page, server: Server, path: str) -> None:
    page = wide
    page.goto(server.url(f"/s/{CODE}?lang=en"))
    page.goto(server.url(path))
    assert not page.is_visible(COMPACT)
    row = page.locator(f"{ROW} [data-lang]")
    assert row.count() == len(LOCALES)
    assert all(row.nth(i).is_visible() for i in range(row.count()))
    with page.expect_navigation(url="**?lang=es"):
        row.nth(1).click()
    assert page.get_attribute("html", "lang") == "es"
