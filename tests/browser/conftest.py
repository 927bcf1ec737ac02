"""The real app under uvicorn, driven by the system Chromium through Playwright.

Browser tests run on SQLite only: the database layer is tested on SQLite and PostgreSQL
elsewhere, and what these tests prove is what a student's browser does with the pages.
One browser serves the whole session and one server (its own database) each module.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from climate import db
from climate.instruments import load_directory
from climate.responses.layout import Layout
from climate.settings import Settings
from climate.students.sealing import Sealer
from tests.climate.districts import CLASS, make_district
from tests.climate.help_district import help_file, make_help_district

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SECRET = "browser-test-secret-key-long-enough-0000"
CONTACTS = "Counselor office: 555-0100; Anonymous reporting line: 555-0199"
LOCALES = Settings(secret_key=SECRET).accepted_locales
CODE = f"{CLASS[:5]}-{CLASS[5:]}"
STARTUP_SECONDS = 60.0


def required(present: bool, reason: str) -> None:
    """Skip when something the browser tests need is missing; fail in CI, which must run them."""
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests")
    pytest.skip(reason)


def read_only(database: Path, sql: str) -> list[sqlite3.Row]:
    """Rows of a query on a SQLite file opened read-only."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@dataclass(frozen=True)
class Server:
    """A running server, its SQLite file, and where the secondary survey's answers are stored."""

    base: str
    database: Path
    layout: Layout

    def url(self, path: str) -> str:
        """An absolute URL on this server."""
        return self.base + path

    def _read(self, sql: str) -> list[sqlite3.Row]:
        return read_only(self.database, sql)

    def responses(self) -> dict[str, dict[str, Any]]:
        """Every stored response row, keyed by its random id.

        An open window's submissions are sealed; the test holds the server's key and opens them.
        """
        found = {str(row["id"]): dict(row) for row in self._read("SELECT * FROM response")}
        sealer = Sealer.of(SECRET)
        for row in self._read("SELECT * FROM sealed_response"):
            where = {"administration_id": row["administration_id"], "school_id": row["school_id"]}
            opened = sealer.open(where["administration_id"], where["school_id"], row["sealed"])
            found[str(row["id"])] = {**opened, **where}
        return found

    def receipts(self) -> set[str]:
        """Every receipt given so far."""
        return {str(row["receipt"]) for row in self._read("SELECT receipt FROM receipt")}

    def answers(self, row: dict[str, Any]) -> dict[str, int]:
        """A stored row's answers by item id, leaving out the questions not answered."""
        return {item: row[col] for item, col in self.layout.items.items() if row[col] is not None}

    def demographics(self, row: dict[str, Any]) -> dict[str, int]:
        """A stored row's demographics by question id, grade included."""
        found = {q: row[col] for q, col in self.layout.demographics.items() if row[col] is not None}
        if row["grade"] is not None:
            found["grade"] = row["grade"]
        return found


def type_code_and_start(page: Page, code: str = CODE) -> None:
    """From the start page already open: type the code, then start the survey."""
    page.fill("#code", code)
    with page.expect_navigation():
        page.click("#code-submit")
    with page.expect_navigation():
        page.click("#start")


def send_with_script(page: Page) -> None:
    """Send the survey as its Send button does on the last section, and reach the thanks page."""
    with page.expect_navigation(url="**/survey/thanks?*"):
        page.evaluate("() => document.getElementById('survey').requestSubmit()")


def open_survey(page: Page, server: Server, lang: str, code: str = CODE) -> None:
    """Open the survey as a printed link does: the link puts the code in a cookie, then on."""
    page.goto(server.url(f"/s/{code}?lang={lang}"))
    page.goto(server.url(f"/survey?lang={lang}"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prepare(settings: Settings, grades: list[int] | None) -> None:
    db.upgrade(settings.database_url)
    # Offer every shipped language, so each can be checked in the browser.
    make_district(settings, grades=grades, locales=list(LOCALES))


def serve(directory: Path, grades: list[int] | None = None) -> Iterator[Server]:
    """Migrate and seed a database in ``directory``, run ``climate serve`` on it, stop it after."""
    database = directory / "climate.db"
    url = f"sqlite+aiosqlite:///{database}"
    settings = Settings(database_url=url, secret_key=SECRET)
    # Seeding runs its own event loop: keep it off the thread Playwright's loop lives on.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(_prepare, settings, grades).result()
    with running_server(directory, url, {"CLIMATE_CRISIS_CONTACTS": CONTACTS}) as base:
        instrument = load_directory(settings.surveys_dir)["secondary"].instrument
        yield Server(base, database, Layout.of(instrument))


@contextlib.contextmanager
def running_server(directory: Path, url: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """``climate serve`` on ``url`` in a subprocess on a free port; yields its base URL."""
    port = _free_port()
    log = (directory / "server.log").open("wb")
    variables = {
        **os.environ,
        "CLIMATE_DATABASE_URL": url,
        "CLIMATE_SECRET_KEY": SECRET,
        "CLIMATE_LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "climate.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=variables,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited: {(directory / 'server.log').read_text()}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer /healthz in time")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The system Chromium, launched once for the session; never a downloaded build."""
    required(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real app on its own seeded SQLite database, for one test module."""
    yield from serve(tmp_path_factory.mktemp("server"))


@pytest.fixture(scope="module")
def axe_source() -> str:
    """The pinned axe-core build that `npm ci` installs."""
    required(AXE.exists(), f"{AXE} is missing (run `npm ci`)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def audited(browser: Browser) -> Iterator[Page]:
    """A tab whose pages accept the injected audit script despite their script policy."""
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (cookies, storage, cache) for one test."""
    made = browser.new_context()
    made.set_default_timeout(15_000)
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A tab in a fresh profile."""
    return context.new_page()


@pytest.fixture
def plain_profile(browser: Browser) -> Iterator[BrowserContext]:
    """A profile with script turned off."""
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def plain(plain_profile: BrowserContext) -> Page:
    """A tab with script turned off."""
    return plain_profile.new_page()


@pytest.fixture
def new_rows(server: Server) -> Callable[[], list[dict[str, Any]]]:
    """Response rows stored since the test started."""
    before = set(server.responses())

    def rows() -> list[dict[str, Any]]:
        return [row for key, row in server.responses().items() if key not in before]

    return rows


def host_of(url: str) -> str:
    """The host and port of a URL."""
    return urlsplit(url).netloc


@dataclass(frozen=True)
class HelpServer:
    """A running server whose district takes help requests (tests/climate/help_district.py)."""

    base: str
    database: Path

    def url(self, path: str) -> str:
        """An absolute URL on this server."""
        return self.base + path

    def read(self, sql: str) -> list[sqlite3.Row]:
        """Rows of a read-only query on the server's database."""
        return read_only(self.database, sql)


def _prepare_help(settings: Settings) -> None:
    db.upgrade(settings.database_url)
    make_help_district(settings)


@pytest.fixture(scope="module")
def help_server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HelpServer]:
    """The real app with help requests on, its schools and readers, for one test module."""
    directory = tmp_path_factory.mktemp("help-server")
    database = directory / "climate.db"
    url = f"sqlite+aiosqlite:///{database}"
    settings = Settings(database_url=url, secret_key=SECRET)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(_prepare_help, settings).result()
    env = {"CLIMATE_CRISIS_CONTACTS": CONTACTS, "CLIMATE_HELP_REQUESTS": str(help_file(directory))}
    with running_server(directory, url, env) as base:
        yield HelpServer(base, database)
