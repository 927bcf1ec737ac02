"""The survey page is light, loads nothing from elsewhere, and fits a narrow screen."""

from __future__ import annotations

import re
import sqlite3

import httpx
import pytest
from playwright.sync_api import Browser, Response, ViewportSize

from tests.browser.conftest import CODE, LOCALES, Server, host_of, open_survey
from tests.climate.districts import CLASS

pytestmark = pytest.mark.browser

# The budget for the first load of a survey page: HTML, CSS and script, uncompressed.
BUDGET = 100_000
NARROW: ViewportSize = {"width": 360, "height": 740}


@pytest.mark.parametrize("lang", LOCALES)
def test_first_load_is_light_and_local(browser: Browser, server: Server, lang: str) -> None:
    context = browser.new_context()
    requested: list[str] = []
    loaded: list[Response] = []
    context.on("request", lambda request: requested.append(request.url))
    context.on("response", lambda response: loaded.append(response))
    # The code as the start page leaves it, so that the survey page is the first load.
    context.add_cookies([{"name": "climate_code", "value": CLASS, "url": server.url("/survey")}])
    try:
        page = context.new_page()
        page.goto(server.url(f"/survey?lang={lang}"))
        page.wait_for_load_state("networkidle")
        kinds = {r.request.resource_type for r in loaded}
        assert {"document", "stylesheet", "script"} <= kinds
        weight = sum(
            len(r.body())
            for r in loaded
            if r.request.resource_type in ("document", "stylesheet", "script")
        )
        assert weight < BUDGET, f"{weight:,} bytes"
        assert "font" not in kinds
        assert {host_of(url) for url in requested} == {host_of(server.base)}
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ar", "vi", "ru"])
def test_survey_fits_a_narrow_screen(browser: Browser, server: Server, lang: str) -> None:
    # 360 px wide: the narrow Chromebook window, and 200 % zoom of a 720 px one.
    context = browser.new_context(viewport=NARROW)
    try:
        page = context.new_page()
        open_survey(page, server, lang)
        page.eval_on_selector_all(
            "[data-section]", "els => els.forEach(e => e.removeAttribute('data-hidden'))"
        )
        width: int = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= NARROW["width"]
        # Every answer is a target of at least 44 px in height (WCAG 2.5.5).
        low: list[str] = page.eval_on_selector_all(
            ".option",
            "els => els.filter(e => e.offsetParent && e.offsetHeight < 44)"
            ".map(e => e.textContent.trim())",
        )
        assert low == []
    finally:
        context.close()


def test_each_view_has_its_own_code_and_key(server: Server) -> None:
    # A second class code for the same survey: both share one cached blank page.
    other = "RTWXY34679"
    with sqlite3.connect(server.database) as conn:
        conn.execute(
            "INSERT INTO access_code (code, administration_id, school_id, kind, used) "
            "SELECT ?, administration_id, school_id, kind, 0 FROM access_code WHERE code = ?",
            (other, CLASS),
        )
    seen: set[str] = set()
    for code in (CODE, other, CODE, other):
        with httpx.Client(follow_redirects=True, timeout=10) as client:
            client.get(server.url(f"/s/{code}?lang=ar"))
            page = client.get(server.url("/survey?lang=ar")).text
        shown = f"{code[:5]}-{code[5:]}" if "-" not in code else code
        assert re.findall(r'data-code="([^"]+)"', page) == [shown]
        assert 'action="/survey?lang=ar"' in page
        (key,) = re.findall(r'name="idempotency_key" value="([^"]+)"', page)
        seen.add(key)
    # Two students must never share a key, or the second one's answers would count as a replay.
    assert len(seen) == 4
