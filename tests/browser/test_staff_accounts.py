"""Accounts and API tokens in Chromium: a new account's role starts as the least powerful, an
admin cannot disable themselves, a token made on the page works once shown and stops when
revoked, and axe finds nothing on the accounts and token pages in English and Arabic."""

from __future__ import annotations

import concurrent.futures
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from climate import db
from climate.security.principals import DISTRICT_ADMIN
from climate.settings import Settings
from tests.browser.conftest import SECRET, running_server
from tests.browser.test_accessibility import violations
from tests.climate.security.conftest import EMAILS, PASSWORD, _build

pytestmark = pytest.mark.browser

# Each server's database file, by its base address, for reading ids as a test may.
DATABASES: dict[str, Path] = {}


def _prepare(settings: Settings) -> None:
    db.upgrade(settings.database_url)
    _build(settings)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``climate serve`` on a district of two schools and one account per role."""
    directory = tmp_path_factory.mktemp("staff-accounts")
    url = f"sqlite+aiosqlite:///{directory / 'climate.db'}"
    # Seeding runs its own event loop: keep it off the thread Playwright's loop lives on.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(_prepare, Settings(database_url=url, secret_key=SECRET)).result()
    with running_server(directory, url) as served:
        DATABASES[served] = directory / "climate.db"
        yield served


@pytest.fixture
def admin(browser: Browser, base: str) -> Iterator[Page]:
    """A district admin's tab, signed in through the real sign-in page."""
    context: BrowserContext = browser.new_context(
        bypass_csp=True, viewport={"width": 1366, "height": 768}
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(base + "/staff/sign-in")
    page.fill("#email", EMAILS[DISTRICT_ADMIN])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")
    yield page
    context.close()


def test_a_new_account_starts_as_school_staff(admin: Page, base: str) -> None:
    admin.goto(base + "/staff/accounts")
    role = admin.locator("#role")
    assert role.input_value() == "school_staff"
    assert role.locator("option:checked").inner_text() == "School staff"
    # A refused form comes back with the role and the address still chosen.
    admin.fill("#email", "new.viewer@district.example")
    admin.select_option("#role", "district_viewer")
    admin.fill("#password", "short")
    with admin.expect_navigation():
        admin.click("form.staff-form button[type=submit]")
    assert admin.locator("#email").input_value() == "new.viewer@district.example"
    assert admin.locator("#role").input_value() == "district_viewer"
    assert admin.locator("#password").get_attribute("aria-invalid") == "true"
    assert admin.evaluate("document.activeElement.id") == "problem"


def test_an_admin_cannot_disable_themselves(admin: Page, base: str) -> None:
    admin.goto(base + "/staff/accounts")
    mine = admin.locator("tbody tr", has_text=EMAILS[DISTRICT_ADMIN])
    assert mine.get_by_text("you").count() == 1
    assert mine.locator("a, button").count() == 0
    other = admin.locator("tbody tr", has_text=EMAILS["district_viewer"])
    assert other.get_by_role("link", name="Disable").count() == 1
    # Even at the address of the question, one's own account offers no way to go on.
    own = _account_id(base, EMAILS[DISTRICT_ADMIN])
    admin.goto(f"{base}/staff/accounts/{own}/disable")
    assert admin.get_by_text("You cannot disable your own account.").count() == 1
    assert admin.get_by_role("button", name="Disable the account").count() == 0


def _account_id(base: str, email: str) -> int:
    """An account's id, read from the database the server at ``base`` was started on."""
    database = DATABASES[base]
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        (found,) = conn.execute("SELECT id FROM account WHERE email = ?", (email,)).fetchone()
    finally:
        conn.close()
    return int(found)


def test_a_token_works_once_shown_and_stops_when_revoked(admin: Page, base: str) -> None:
    admin.goto(base + "/staff/tokens")
    admin.fill("#name", "Nightly export")
    admin.select_option("#role", "district_viewer")
    with admin.expect_navigation():
        admin.click("form.staff-form button[type=submit]")
    secret = admin.locator("#secret").inner_text().strip()
    assert secret.startswith("clt_")
    bearer = {"authorization": f"Bearer {secret}"}
    assert httpx.get(base + "/api/v1/schools", headers=bearer).status_code == 200
    # Shown once: the list never holds it again.
    admin.goto(base + "/staff/tokens")
    assert secret not in admin.content()
    row = admin.locator("tbody tr", has_text="Nightly export")
    with admin.expect_navigation():
        row.get_by_role("link", name="Revoke").click()
    with admin.expect_navigation():
        admin.get_by_role("button", name="Revoke the token").click()
    assert httpx.get(base + "/api/v1/schools", headers=bearer).status_code == 401
    assert admin.locator("tbody tr", has_text="Nightly export").get_by_text("Revoked").count() == 1


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_violations_on_the_account_and_token_pages(
    admin: Page, base: str, axe_source: str, lang: str
) -> None:
    admin.goto(base + "/staff/accounts")
    href = admin.locator('a[href$="/disable"]').first.get_attribute("href")
    pages = ["/staff/accounts", "/staff/tokens", f"{href}"]
    found = {}
    for path in pages:
        admin.goto(f"{base}{path}?lang={lang}")
        found[path] = violations(admin, axe_source)
    # A refused form, with its summary and marked field.
    admin.goto(f"{base}/staff/tokens?lang={lang}")
    with admin.expect_navigation():
        admin.click("form.staff-form button[type=submit]")
    found["refused token"] = violations(admin, axe_source)
    assert not {k: v for k, v in found.items() if v}, json.dumps(found, ensure_ascii=False)
