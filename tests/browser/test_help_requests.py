"""A help request from end to end, in English and in Arabic.

A student sends each kind of request and gets a code; the counselor who reads that school's
requests finds it and replies, the counselor of another school neither sees it nor can open
it; the student reads the reply with the code. A wrong code is refused in words that do not
tell whether it exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import HelpServer
from tests.climate.help_district import NORTH_READER, PASSWORD, SOUTH_READER

pytestmark = pytest.mark.browser


@pytest.fixture
def profiles(browser: Browser) -> Iterator[list[BrowserContext]]:
    """Fresh browser profiles made on demand (a student's, each counselor's), closed after."""
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def _tab(browser: Browser, profiles: list[BrowserContext]) -> Page:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(30_000)
    profiles.append(context)
    return context.new_page()


def _send(page: Page, server: HelpServer, lang: str, kind: str, words: str) -> str:
    page.goto(server.url(f"/help?lang={lang}"))
    with page.expect_navigation():
        page.click(f"#choose-{kind}")
    page.select_option("#school", "N1")
    page.check("#urgency-today")
    page.fill("#text", words)
    with page.expect_navigation():
        page.click("#help-send")
    code = page.inner_text("#request-code").strip()
    assert code not in page.url
    return code


def _sign_in(page: Page, server: HelpServer, email: str, lang: str) -> None:
    page.goto(server.url(f"/staff/sign-in?lang={lang}"))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")


def _request_id(server: HelpServer, words: str) -> str:
    rows = server.read(
        f"SELECT request_id FROM help_message WHERE author = 'student' AND body = '{words}'"
    )
    assert len(rows) == 1
    found = rows[0]["request_id"]
    return uuid.UUID(bytes=found).hex if isinstance(found, bytes) else uuid.UUID(found).hex


def _follow(page: Page, server: HelpServer, lang: str, code: str) -> int:
    page.goto(server.url(f"/help/follow?lang={lang}"))
    page.fill("#code", code)
    with page.expect_navigation() as navigation:
        page.click("#follow-submit")
    response = navigation.value
    assert response is not None
    return response.status


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_each_kind_goes_from_student_to_counselor_and_back(
    browser: Browser, profiles: list[BrowserContext], help_server: HelpServer, lang: str
) -> None:
    north = _tab(browser, profiles)
    _sign_in(north, help_server, NORTH_READER, lang)
    south = _tab(browser, profiles)
    _sign_in(south, help_server, SOUTH_READER, lang)
    for kind in ("talk", "worry"):
        words = f"{kind} {lang} {uuid.uuid4().hex[:8]}"
        reply = f"reply to {words}"
        student = _tab(browser, profiles)
        code = _send(student, help_server, lang, kind, words)
        assert student.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        ident = _request_id(help_server, words)

        # North High's counselor finds it in the queue, reads it and replies.
        north.goto(help_server.url(f"/staff/help?lang={lang}"))
        row = north.locator(f'tr[data-request="{ident}"]')
        assert row.count() == 1
        with north.expect_navigation():
            row.locator("a").click()
        assert words in north.inner_text("#conversation")
        north.fill("#reply", reply)
        with north.expect_navigation():
            north.click("form[action*='/reply'] button[type=submit]")
        assert reply in north.inner_text("#conversation")

        # South High's counselor does not see it, and cannot open it by its address.
        south.goto(help_server.url(f"/staff/help?lang={lang}"))
        assert south.locator(f'tr[data-request="{ident}"]').count() == 0
        refused = south.goto(help_server.url(f"/staff/help/{ident}?lang={lang}"))
        assert refused is not None
        assert refused.status == 404
        assert words not in south.content()

        # The student, in a fresh profile, reads the reply with the code typed in small letters.
        reader = _tab(browser, profiles)
        assert _follow(reader, help_server, lang, code.lower()) == 200
        messages = reader.inner_text(".messages")
        assert messages.index(words) < messages.index(reply)
        assert code not in reader.url


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_wrong_code_is_refused_without_saying_whether_it_exists(
    browser: Browser, profiles: list[BrowserContext], help_server: HelpServer, lang: str
) -> None:
    page = _tab(browser, profiles)
    answers = []
    # Well formed but never given, not a code at all, and a real code with one letter changed.
    real = _send(page, help_server, lang, "talk", f"a real one {uuid.uuid4().hex[:8]}")
    changed = real[:-1] + ("A" if real[-1] != "A" else "C")
    for typed in ("ACDE-FGHJ-KMNP", "hello", changed):
        status = _follow(page, help_server, lang, typed)
        answers.append((status, page.inner_text("#code-error")))
    assert len(set(answers)) == 1, answers
    assert answers[0][0] == 404
    assert page.locator(".messages").count() == 0
