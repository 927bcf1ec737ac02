"""The help-request queue in Chromium: a reader signs in, opens the queue and a request, replies
and closes it; axe finds nothing on the queue and the request page in English and Arabic.

The server runs with the district's help file of ``help_district`` and a request sent to North
High as a student's form sends it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from climate import db
from climate.help.config import load
from climate.help.requests import Desk, NewRequest, send
from tests.browser.conftest import SECRET, HelpServer
from tests.browser.test_accessibility import violations
from tests.climate.help_district import NORTH_READER, PASSWORD

pytestmark = pytest.mark.browser

WORDS = "I would like to talk to someone about my friend."
REPLY = "Come to the counseling office at lunch; we will be there."


@dataclass(frozen=True)
class Served:
    """The running server and its database file."""

    base: str
    database: Path

    def request(self) -> tuple[str, str, list[str]]:
        """The one request's id, its status, and its messages by author, read from the database."""
        conn = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        try:
            ident, status = conn.execute("SELECT id, status FROM help_request").fetchone()
            authors = [
                f"{author}: {body}"
                for author, body in conn.execute(
                    "SELECT author, body FROM help_message ORDER BY number"
                )
            ]
        finally:
            conn.close()
        return (
            uuid.UUID(bytes=ident).hex if isinstance(ident, bytes) else str(ident),
            status,
            authors,
        )


def _seed(server: HelpServer) -> None:
    """Send one request to North High, as a student's form would, on the running server's data."""
    path = server.database.parent / "help.toml"
    desk = Desk.of(load(path), SECRET)
    new = NewRequest("N1", "talk", "today", WORDS, "", "en", uuid.uuid4().hex)

    async def run() -> None:
        engine = db.create_engine(f"sqlite+aiosqlite:///{server.database}")
        try:
            await send(engine, desk, new, dt.datetime.now(dt.UTC))
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="module")
def served(help_server: HelpServer) -> Served:
    """The module's server with help requests on and one request waiting at North High."""
    # Seeding runs its own event loop: keep it off the thread Playwright's loop lives on.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(_seed, help_server).result()
    return Served(help_server.base, help_server.database)


def _signed_in(browser: Browser, base: str, *, bypass_csp: bool = False) -> Page:
    """A tab signed in as North's reader through the real sign-in page."""
    context = browser.new_context(bypass_csp=bypass_csp, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(base + "/staff/sign-in")
    page.fill("#email", NORTH_READER)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert page.url == base + "/staff"
    return page


def test_a_reader_opens_replies_to_and_closes_a_request(browser: Browser, served: Served) -> None:
    page = _signed_in(browser, served.base)
    try:
        with page.expect_navigation():
            page.click("nav.nav #nav-help")
        assert page.url == served.base + "/staff/help"
        ident, status, _ = served.request()
        assert status == "new"
        row = page.locator(f'tr[data-request="{ident}"]')
        assert "New" in row.inner_text()
        with page.expect_navigation():
            row.locator("a").click()
        assert page.url == f"{served.base}/staff/help/{ident}"
        assert WORDS in page.inner_text("#conversation")
        assert served.request()[1] == "seen"
        page.fill("#reply", REPLY)
        with page.expect_navigation():
            page.click("button:has-text('Send reply')")
        assert page.is_visible("#done")
        assert REPLY in page.inner_text("#conversation")
        assert served.request()[1:] == ("in_progress", [f"student: {WORDS}", f"staff: {REPLY}"])
        with page.expect_navigation():
            page.click("button[value='closed']")
        assert "Closed" in page.inner_text("#status")
        assert served.request()[1] == "closed"
        # Gone from the open queue, found under Closed.
        page.goto(served.base + "/staff/help")
        assert page.locator(f'tr[data-request="{ident}"]').count() == 0
        with page.expect_navigation():
            page.click(".help-tabs a[href='/staff/help?show=closed']")
        assert page.locator(f'tr[data-request="{ident}"]').count() == 1
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_queue_and_a_request_have_no_violations(
    browser: Browser, served: Served, axe_source: str, lang: str
) -> None:
    page = _signed_in(browser, served.base, bypass_csp=True)
    ident = served.request()[0]
    report: dict[str, list[dict[str, Any]]] = {}
    try:
        for path in ("/staff/help", "/staff/help?show=closed", f"/staff/help/{ident}"):
            joiner = "&" if "?" in path else "?"
            response = page.goto(f"{served.base}{path}{joiner}lang={lang}")
            assert response is not None
            assert response.status == 200, path
            assert page.get_attribute("html", "lang") == lang
            report[path] = violations(page, axe_source)
    finally:
        page.context.close()
    found = {path: issues for path, issues in report.items() if issues}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
