"""The administrations pages in Chromium: a refused form keeps what was typed, opening a
sensitive survey in an unreviewed language asks for an explicit acceptance, a published
closed year offers no plain Open, and axe finds nothing on these pages in English and Arabic.

The server runs ``climate serve`` on the security tests' small district; the published year
is a ``published_release`` row for the district's instrument and year, as ``climate protect``
leaves one.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from climate import db
from climate.settings import Settings
from tests.browser.conftest import SECRET, running_server
from tests.browser.test_accessibility import violations
from tests.climate.security.conftest import EMAILS, PASSWORD, District_, _build

pytestmark = pytest.mark.browser

CONTACTS = "Counseling office, room 12: 555-0100"


@dataclass(frozen=True)
class Running:
    """The server's address, its database file and the seeded administrations."""

    base: str
    database: Path
    district: District_


def _prepare(settings: Settings) -> District_:
    db.upgrade(settings.database_url)
    return _build(settings)


def _write(database: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(database)
    try:
        conn.execute(sql, args)
        conn.commit()
    finally:
        conn.close()


def _status(database: Path, administration_id: int) -> str:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT status FROM administration WHERE id = ?", (administration_id,)
        ).fetchone()
    finally:
        conn.close()
    return str(row[0])


@pytest.fixture(scope="module")
def running(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """``climate serve`` with local crisis contacts, on the two-school district."""
    directory = tmp_path_factory.mktemp("staff-administrations")
    database = directory / "climate.db"
    url = f"sqlite+aiosqlite:///{database}"
    settings = Settings(database_url=url, secret_key=SECRET)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        district = pool.submit(_prepare, settings).result()
    with running_server(directory, url, {"CLIMATE_CRISIS_CONTACTS": CONTACTS}) as base:
        yield Running(base, database, district)


@pytest.fixture
def admin(browser: Browser, running: Running) -> Iterator[Page]:
    """A tab signed in as a district admin (CSP bypassed so that axe can be injected)."""
    context: BrowserContext = browser.new_context(
        bypass_csp=True, viewport={"width": 1366, "height": 768}
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(running.base + "/staff/sign-in")
    page.fill("#email", EMAILS["district_admin"])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")
    yield page
    context.close()


def _fill_new(page: Page, name: str, opens: str, closes: str) -> None:
    page.fill("#name", name)
    page.select_option("#instrument", "secondary")
    page.check('input[name="grades"][value="9"]')
    page.check('input[name="locales"][value="ar"]')
    page.check("#sensitive_module")
    page.check('input[name="schools"][value="S1"]')
    page.fill("#opens_on", opens)
    page.fill("#closes_on", closes)


def test_a_refused_form_keeps_every_typed_value_and_marks_the_field(
    admin: Page, running: Running
) -> None:
    page = admin
    page.goto(running.base + "/staff/administrations")
    # Machine drafts start unticked; English (the source) is ticked.
    assert page.is_checked('input[name="locales"][value="en"]')
    assert not page.is_checked('input[name="locales"][value="ar"]')
    _fill_new(page, "Spring check-in", "2027-03-20", "2027-03-01")
    page.select_option("#school_year", "2027")
    with page.expect_navigation():
        page.click("form.staff-form button[type=submit]")
    assert page.input_value("#name") == "Spring check-in"
    assert page.input_value("#opens_on") == "2027-03-20"
    assert page.input_value("#closes_on") == "2027-03-01"
    assert page.input_value("#school_year") == "2027"
    assert page.is_checked('input[name="grades"][value="9"]')
    assert page.is_checked('input[name="locales"][value="ar"]')
    assert page.is_checked("#sensitive_module")
    assert page.is_checked('input[name="schools"][value="S1"]')
    closes = page.locator("#closes_on")
    assert closes.get_attribute("aria-invalid") == "true"
    assert closes.get_attribute("aria-describedby") == "closes_on-error"
    assert "close on or after" in page.inner_text("#closes_on-error")
    assert page.get_attribute(".error-summary a", "href") == "#closes_on"
    assert page.locator("#opens_on").get_attribute("aria-invalid") is None


def test_opening_with_a_machine_draft_language_needs_the_acceptance(
    admin: Page, running: Running
) -> None:
    page = admin
    page.goto(running.base + "/staff/administrations")
    _fill_new(page, "Sensitive pilot", "2027-03-01", "2027-03-20")
    with page.expect_navigation():
        page.click("form.staff-form button[type=submit]")
    made = int(page.url.rsplit("/", 1)[1])
    with page.expect_navigation():
        page.click("#next-step")
    assert "confirm=open" in page.url
    assert "العربية" in page.inner_text("#unreviewed")
    assert "This affects 1 school." in page.inner_text("#reach")
    with page.expect_navigation():
        page.click(".confirm-actions button[type=submit]")
    assert _status(running.database, made) == "draft"
    assert page.get_attribute("#accept_unreviewed", "aria-invalid") == "true"
    page.check("#accept_unreviewed")
    with page.expect_navigation():
        page.click(".confirm-actions button[type=submit]")
    assert _status(running.database, made) == "open"
    assert page.inner_text("#next-step") == "Close…"


def test_a_published_closed_year_offers_no_plain_open(admin: Page, running: Running) -> None:
    page = admin
    mine = running.district.mine
    for action in ("open", "close"):
        page.goto(f"{running.base}/staff/administrations/{mine}?confirm={action}")
        with page.expect_navigation():
            page.click(".confirm-actions button[type=submit]")
    assert _status(running.database, mine) == "closed"
    _write(
        running.database,
        "INSERT INTO published_release (release_id, instrument_id, instrument_version, year, "
        "fingerprint, policy_hash, created_at, ledger, report, payload) "
        "VALUES ('secondary-2027-1', 'secondary', '1', 2027, 'f', 'p', ?, x'', x'', x'')",
        dt.datetime(2027, 1, 5, tzinfo=dt.UTC).isoformat(),
    )
    page.goto(f"{running.base}/staff/administrations/{mine}")
    buttons = [b.strip() for b in page.locator("main .button").all_inner_texts()]
    assert "Open…" not in buttons
    assert "Open" not in buttons
    assert page.inner_text("#next-step") == "Re-open…"
    assert page.locator("#published-note").count() == 1
    page.click("#next-step")
    page.wait_for_selector("#reason")
    with page.expect_navigation():
        page.click(".confirm-actions button[type=submit]")
    assert _status(running.database, mine) == "closed"
    assert page.get_attribute("#reason", "aria-invalid") == "true"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_administrations_pages_have_no_axe_violations(
    admin: Page, running: Running, axe_source: str, lang: str
) -> None:
    page = admin
    other = running.district.other
    found = {}
    for name, path in (
        ("list", "/staff/administrations"),
        ("detail", f"/staff/administrations/{other}"),
        ("confirm", f"/staff/administrations/{other}?confirm=open"),
    ):
        page.goto(f"{running.base}{path}{'&' if '?' in path else '?'}lang={lang}")
        found[name] = violations(page, axe_source)
    page.goto(f"{running.base}/staff/administrations?lang={lang}")
    page.fill("#opens_on", "2027-03-20")
    page.fill("#closes_on", "2027-03-01")
    with page.expect_navigation():
        page.click("form.staff-form button[type=submit]")
    found["refused"] = violations(page, axe_source)
    assert found == {name: [] for name in found}


def test_the_grades_offered_follow_the_chosen_instrument(admin: Page, running: Running) -> None:
    admin.goto(running.base + "/staff/administrations")
    shown = """() => [...document.querySelectorAll('input[name="grades"]')]
      .filter(box => box.offsetParent !== null).map(box => Number(box.value))"""
    bands = admin.evaluate(
        """() => [...document.querySelectorAll('#instrument option')]
          .map(o => [o.value, Number(o.dataset.low), Number(o.dataset.high)])"""
    )
    assert len(bands) >= 1
    for value, low, high in bands:
        admin.select_option("#instrument", value)
        assert admin.evaluate(shown) == list(range(low, high + 1)), value
    # A grade ticked for one instrument is unticked when another leaves it out.
    first, *_rest = bands
    admin.select_option("#instrument", first[0])
    admin.check(f'input[name="grades"][value="{first[1]}"]')
    outside = next((b for b in bands if not b[1] <= first[1] <= b[2]), None)
    if outside is not None:
        admin.select_option("#instrument", outside[0])
        assert not admin.is_checked(f'input[name="grades"][value="{first[1]}"]')
