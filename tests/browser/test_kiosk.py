"""A kiosk or guest session that blocks storage: the survey is still taken and stored once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.browser.conftest import Server, send_with_script, type_code_and_start

pytestmark = pytest.mark.browser

# What a locked-down profile does to a page's storage: every use throws.
BLOCKED_STORAGE = """
for (const name of ["localStorage", "sessionStorage", "indexedDB"]) {
  Object.defineProperty(window, name, {
    get() { throw new DOMException("blocked by policy", "SecurityError"); },
  });
}
"""


@pytest.fixture
def locked(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile with page storage blocked; only this site's own cookies are kept."""
    context = browser.new_context()
    context.set_default_timeout(15_000)
    context.add_init_script(BLOCKED_STORAGE)
    yield context
    context.close()


def test_the_survey_is_taken_with_storage_blocked(
    locked: BrowserContext, server: Server, new_rows: Callable[[], list[dict[str, Any]]]
) -> None:
    page = locked.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url("/?lang=en"))
    assert (
        page.evaluate("() => { try { sessionStorage.length; return 1 } catch (e) { return 0 } }")
        == 0
    )
    type_code_and_start(page)
    page.check("#a-conn_belong-3")
    send_with_script(page)
    assert page.is_visible("#thanks")
    (row,) = new_rows()
    assert server.answers(row) == {"conn_belong": 3}
    # Only this site's cookies were set, and none outlives the browser.
    cookies = locked.cookies()
    assert {c["domain"] for c in cookies} <= {"127.0.0.1", "localhost"}
    assert all(c["expires"] == -1 or c["value"] == "" for c in cookies), cookies
    assert errors == []
