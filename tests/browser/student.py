"""What a student does on the survey page, by keyboard or by pointer."""

from __future__ import annotations

from playwright.sync_api import Page

MAX_TABS = 120


def focused_matches(page: Page, selector: str) -> bool:
    """Whether the element with focus matches ``selector``."""
    found: bool = page.evaluate(
        "s => !!document.activeElement && document.activeElement.matches(s)", selector
    )
    return found


def tab_to(page: Page, selector: str, *, back: bool = False) -> int:
    """Press Tab (or Shift+Tab) until focus reaches ``selector``; return how many presses."""
    key = "Shift+Tab" if back else "Tab"
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press(key)
        if focused_matches(page, selector):
            return presses
    raise AssertionError(f"{key} never reached {selector}")


def choose(page: Page, field: str, value: int) -> None:
    """With focus in a radio group, pick ``value`` by arrow keys (or Space when already there)."""
    values: list[str] = page.eval_on_selector_all(
        f'input[name="{field}"]', "els => els.map(e => e.value)"
    )
    current = values.index(page.evaluate("() => document.activeElement.value"))
    steps = (values.index(str(value)) - current) % len(values)
    if steps == 0:
        page.keyboard.press("Space")
    for _ in range(steps):
        page.keyboard.press("ArrowDown")
    kind = field.split(".", 1)[0][0]
    item = field.split(".", 1)[1]
    if not page.is_checked(f"#{kind}-{item}-{value}"):
        raise AssertionError(f"{field}={value} was not chosen")


def visible_section(page: Page) -> int:
    """The number of the section on screen (1-based)."""
    number: str = page.eval_on_selector(
        "[data-section]:not([data-hidden])", "s => s.getAttribute('data-section')"
    )
    return int(number)


def section_count(page: Page) -> int:
    """How many sections the survey has, demographics included."""
    return len(page.query_selector_all("[data-section]"))


def questions(page: Page, section: int) -> list[str]:
    """Item ids of the questions a section shows now (skip rules applied)."""
    found: list[str] = page.eval_on_selector_all(
        f'[data-section="{section}"] fieldset[data-item]:not([hidden])',
        "els => els.map(e => e.getAttribute('data-item'))",
    )
    return found


def options(page: Page, item: str) -> list[int]:
    """The values a question offers, in page order."""
    values: list[str] = page.eval_on_selector_all(
        f"#q-{item} input[type=radio]", "els => els.map(e => e.value)"
    )
    return [int(v) for v in values]


def receipt_of(page: Page) -> str:
    """The receipt the thank-you page shows; its address never holds it (nor the code)."""
    assert "receipt" not in page.url
    page.wait_for_selector("#receipt-number:not(:empty)", state="attached")
    shown = page.text_content("#receipt-number") or ""
    assert shown in (page.text_content("#receipt") or "")
    assert page.is_visible("#receipt")
    return shown


def stored_session(page: Page) -> int:
    """How many entries this tab keeps in sessionStorage."""
    count: int = page.evaluate("() => window.sessionStorage.length")
    return count
