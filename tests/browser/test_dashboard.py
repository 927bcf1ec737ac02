"""The district dashboard in Chromium: the heat map reads one way in every column, live
participation matches the stored rows and shows no answers, and the pages pass axe and fit.

The server runs on its own district: six schools of 200 students, so schools' values are
published (the report tests' district hides them), the newest year's windows open, and a few
submissions made through the real survey API while this module runs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select, update

from climate import db
from climate.demo.district import seed_district
from climate.models import Administration, InstrumentVersion
from climate.security.accounts import create_account
from climate.settings import Settings
from tests.browser.conftest import SECRET, running_server
from tests.browser.test_accessibility import violations
from tests.browser.test_reports import _signed_in
from tests.climate.security.conftest import EMAILS, PASSWORD

pytestmark = pytest.mark.browser

SUBMITTED = 3
# What a participation cell may hold: a count, a share, or a dash (never an answer).
COUNT_OR_SHARE = re.compile(r"^(\d[\d,]*|\d+%|–)$")

CELLS = """(selector) => [...document.querySelectorAll(selector)].map(table => {
  const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  const rows = [...table.querySelectorAll('tbody tr, tfoot tr')].map(tr => ({
    name: tr.querySelector('th').textContent.trim(),
    cells: [...tr.querySelectorAll('td')].map(td => ({
      text: td.querySelector('bdi').textContent.trim(),
      colour: getComputedStyle(td).backgroundColor })) }));
  return { heads, rows };
})"""
COUNTS = """() => [...document.querySelectorAll('table.participation tbody tr')].map(tr => [
  tr.closest('table').querySelector('caption').id.split('-')[1],
  tr.dataset.school, tr.querySelector('td.count').textContent.trim()])"""
SWATCHES = """() => [...document.querySelectorAll('.heat-legend .swatch')].map(
  s => getComputedStyle(s).backgroundColor)"""


def _prepare(settings: Settings) -> None:
    db.upgrade(settings.database_url)
    asyncio.run(_seed(settings))


async def _seed(settings: Settings) -> None:
    engine = db.create_engine(settings.database_url)
    try:
        await seed_district(
            engine,
            settings,
            school_count=6,
            years=2,
            students_per_school=200,
            today=dt.date.today(),
        )
        async with engine.begin() as conn:
            # Only the elementary years are closed, so one release is protected per year.
            secondary = select(InstrumentVersion.id).where(
                InstrumentVersion.instrument_id == "secondary"
            )
            await conn.execute(
                update(Administration)
                .where(
                    Administration.instrument_version_id.in_(secondary),
                    Administration.status == "closed",
                )
                .values(status="open")
            )
            for role, email in EMAILS.items():
                await create_account(
                    conn, email, role, PASSWORD, ["S004"] if role == "school_staff" else []
                )
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def dashboard_server(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """``climate serve`` on the six-school district; its base URL and database file."""
    directory = tmp_path_factory.mktemp("dashboard-server")
    path = directory / "climate.db"
    url = f"sqlite+aiosqlite:///{path}"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(_prepare, Settings(database_url=url, secret_key=SECRET)).result()
    with running_server(directory, url) as base:
        code = _read(path, _CLASS_CODE)[0]["code"]
        for _ in range(SUBMITTED):
            answer = httpx.post(
                base + "/api/v1/responses",
                json={
                    "code": code,
                    "locale": "en",
                    "idempotency_key": str(uuid.uuid4()),
                    "answers": {"conn_belong": 1},
                    "demographics": {"grade": 4},
                },
                timeout=30,
            )
            assert answer.status_code == 201, answer.text
        yield base, path


_CLASS_CODE = """SELECT c.code FROM access_code c JOIN administration a
  ON a.id = c.administration_id WHERE a.status = 'open' AND c.kind = 'class'
  AND a.school_year = (SELECT max(school_year) FROM administration) AND c.school_id = 'S004'"""
_STORED = """SELECT administration_id, school_id, count(*) AS n FROM (
  SELECT administration_id, school_id FROM sealed_response
  UNION ALL SELECT administration_id, school_id FROM response) AS stored
  WHERE administration_id IN (SELECT id FROM administration WHERE status = 'open')
  GROUP BY administration_id, school_id"""


def _read(path: Path, sql: str) -> list[sqlite3.Row]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql).fetchall()


@pytest.fixture
def admin(browser: Browser, dashboard_server: tuple[str, Path]) -> Iterator[Page]:
    """A district admin's tab under the real security headers."""
    context = _signed_in(browser, dashboard_server[0], "district_admin", bypass_csp=False)
    context.set_default_timeout(300_000)
    yield context.new_page()
    context.close()


def _favorability(text: str, elevated: bool) -> float:
    number = float(text.rstrip("%").lstrip("≤≥"))
    return 100 - number if elevated else number


def test_the_better_school_is_shaded_as_better(
    admin: Page, dashboard_server: tuple[str, Path]
) -> None:
    admin.goto(dashboard_server[0] + "/staff/reports/district")
    swatches: list[str] = admin.evaluate(SWATCHES)
    steps = {colour: k for k, colour in enumerate(swatches[:5], start=1)}
    assert len(steps) == 5, swatches
    (table,) = admin.evaluate(CELLS, ".heat-map")
    heads = table["heads"][1:]
    favorable = next(i for i, h in enumerate(heads) if "higher is better" in h)
    elevated = next(i for i, h in enumerate(heads) if "lower is better" in h)
    for column, is_elevated in ((favorable, False), (elevated, True)):
        shaded = []
        for row in table["rows"]:
            cell = row["cells"][column]
            if cell["text"] in ("*", "–") or "–" in cell["text"]:
                continue
            value = _favorability(cell["text"], is_elevated)
            # The shade is the step of the fixed scale the printed value falls in.
            assert steps[cell["colour"]] == min(5, int(value // 20) + 1), (row, heads[column])
            shaded.append((value, steps[cell["colour"]], row["name"]))
        assert len(shaded) >= 3, (heads[column], table["rows"])
        best, worst = max(shaded), min(shaded)
        assert best[1] >= worst[1], (heads[column], shaded)
        # No school shaded better than one with a more favorable value.
        for a in shaded:
            for b in shaded:
                if a[0] > b[0]:
                    assert a[1] >= b[1], (heads[column], a, b)


def test_live_participation_matches_the_stored_rows_and_shows_no_answers(
    admin: Page, dashboard_server: tuple[str, Path]
) -> None:
    base, path = dashboard_server
    stored = {(r["administration_id"], r["school_id"]): r["n"] for r in _read(path, _STORED)}
    assert SUBMITTED in stored.values()
    for address in ("/staff/reports/district", "/staff/reports/participation"):
        admin.goto(base + address)
        found: list[list[Any]] = admin.evaluate(COUNTS)
        shown = {(int(w), school): int(n.replace(",", "")) for w, school, n in found}
        assert {k: v for k, v in shown.items() if v} == stored, address
        cells = admin.eval_on_selector_all(
            "table.participation td", "tds => tds.map(td => td.textContent.trim())"
        )
        assert cells
        assert all(COUNT_OR_SHARE.match(c) for c in cells), cells


def test_school_staff_see_only_their_own_school(
    browser: Browser, dashboard_server: tuple[str, Path]
) -> None:
    base, _path = dashboard_server
    context = _signed_in(browser, base, "school_staff", bypass_csp=False)
    try:
        page = context.new_page()
        page.goto(base + "/staff/reports/participation")
        schools = {
            r.get_attribute("data-school")
            for r in page.query_selector_all("table.participation tbody tr")
        }
        assert schools == {"S004"}
        assert page.inner_text("table.participation td.count") == str(SUBMITTED)
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_dashboard_and_participation_pass_axe_and_fit(
    browser: Browser,
    dashboard_server: tuple[str, Path],
    axe_source: str,
    lang: str,
) -> None:
    base, _path = dashboard_server
    context = _signed_in(browser, base, "district_admin", bypass_csp=True)
    context.set_default_timeout(300_000)
    page = context.new_page()
    report: dict[str, list[dict[str, Any]]] = {}
    try:
        for name in ("district", "participation"):
            for width, height in ((1366, 768), (360, 640)):
                page.set_viewport_size({"width": width, "height": height})
                response = page.goto(f"{base}/staff/reports/{name}?lang={lang}")
                assert response is not None
                assert response.status == 200
                # Wide tables scroll inside their own box; the page never scrolls sideways.
                assert page.evaluate("document.documentElement.scrollWidth") <= width, name
            report[name] = violations(page, axe_source)
    finally:
        context.close()
    found = {name: issues for name, issues in report.items() if issues}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
