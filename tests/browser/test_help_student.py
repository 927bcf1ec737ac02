"""A student asks for help in the browser, gets a code once, and reads the answer with it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import (
    LOCALES,
    HelpServer,
)
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser

WORDS = {"talk": "I feel alone at lunch", "worry": "My friend said she wants to disappear"}


@pytest.fixture(scope="module")
def base(help_server: HelpServer) -> str:
    """The base URL of the module's server with help requests on."""
    return help_server.base


def send_request(page: Page, base: str, lang: str, kind: str, text: str) -> str:
    """From the help page, send a request of ``kind`` and return the code shown."""
    page.goto(f"{base}/help?lang={lang}")
    with page.expect_navigation():
        page.click(f"#choose-{kind}")
    page.select_option("#school", "N1")
    page.check("#urgency-today")
    page.fill("#text", text)
    with page.expect_navigation():
        page.click("#help-send")
    code = page.inner_text("#request-code").strip()
    assert len(code) == 14
    return code


def open_with_code(page: Page, base: str, lang: str, code: str) -> None:
    """Type the code on the follow-up page and open the conversation."""
    page.goto(f"{base}/help/follow?lang={lang}")
    page.fill("#code", code)
    with page.expect_navigation():
        page.click("#follow-submit")


@pytest.mark.parametrize("kind", ["talk", "worry"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_student_sends_and_reads_the_conversation(
    page: Page, base: str, lang: str, kind: str
) -> None:
    code = send_request(page, base, lang, kind, WORDS[kind])
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    # The code is in no address the browser keeps.
    assert code not in page.url
    assert code.replace("-", "") not in page.url
    open_with_code(page, base, lang, code.lower())
    assert WORDS[kind] in page.inner_text(".messages")
    page.fill("#reply", "Thank you")
    with page.expect_navigation():
        page.click("#reply-send")
    messages = page.inner_text(".messages")
    assert messages.index(WORDS[kind]) < messages.index("Thank you")
    assert code not in page.url


def test_without_script_a_request_is_sent_and_followed(plain: Page, base: str) -> None:
    code = send_request(plain, base, "en", "talk", "no script here")
    open_with_code(plain, base, "en", code)
    assert "no script here" in plain.inner_text(".messages")


def test_errors_take_focus_and_keep_what_was_typed(page: Page, base: str) -> None:
    page.goto(f"{base}/help/new?kind=worry&lang=en")
    page.fill("#text", "kept words")
    with page.expect_navigation():
        page.click("#help-send")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.input_value("#text") == "kept words"
    assert page.get_attribute("#school", "aria-invalid") == "true"


@pytest.mark.parametrize("lang", LOCALES)
def test_help_pages_have_no_violations(
    audited: Page, base: str, axe_source: str, lang: str
) -> None:
    page = audited
    report: dict[str, list[dict[str, Any]]] = {}

    def audit(name: str) -> None:
        assert page.get_attribute("html", "lang") == lang.replace("_", "-"), name
        report[name] = violations(page, axe_source)

    page.goto(f"{base}/help?lang={lang}")
    audit("help")
    for kind in ("talk", "worry"):
        page.goto(f"{base}/help/new?kind={kind}&lang={lang}")
        audit(f"form, {kind}")
    with page.expect_navigation():
        page.click("#help-send")
    audit("form with errors")
    page.goto(f"{base}/help/follow?lang={lang}")
    audit("follow")
    page.fill("#code", "ACDE-ACDE-ACDE")
    with page.expect_navigation():
        page.click("#follow-submit")
    audit("follow, refused")
    code = send_request(page, base, lang, "talk", "words")
    audit("code")
    open_with_code(page, base, lang, code)
    audit("conversation")

    found = {name: issues for name, issues in report.items() if issues}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
