"""Sign-in marks a browser as known to the account, and a known browser keeps its own count."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from climate import db
from climate.app import create_app
from climate.security.accounts import create_account
from climate.security.devices import PATH
from climate.settings import Settings

EMAIL = "counselor@district.example"
PASSWORD = "correct horse battery staple"
Client = TestClient[Litestar]


def add_account(settings: Settings) -> None:
    """One district admin account, ``EMAIL`` with ``PASSWORD``."""

    async def add() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                await create_account(conn, EMAIL, "district_admin", PASSWORD)
        finally:
            await engine.dispose()

    asyncio.run(add())


@pytest.fixture
def staff(settings: Settings) -> Iterator[Client]:
    """The app over https with one account."""
    add_account(settings)
    with TestClient(create_app(settings), base_url="https://testserver.local") as client:
        yield client


def attempt(client: Client, password: str) -> int:
    client.cookies.pop("climate_session", None)  # signed out, as a browser coming back
    page = client.get("/staff/sign-in")
    assert page.status_code == 200
    form = {"email": EMAIL, "password": password, "_csrf_token": page_token(page.text)}
    return client.post("/staff/sign-in", data=form, follow_redirects=False).status_code


def page_token(html: str) -> str:
    marker = 'name="_csrf_token" value="'
    return html.split(marker, 1)[1].split('"', 1)[0]


def test_a_failed_sign_in_leaves_the_browser_unknown(staff: Client) -> None:
    assert attempt(staff, "not the password") == 400
    assert "climate_device" not in staff.cookies


def test_a_signed_in_browser_is_known_with_a_cookie_for_the_sign_in_form(staff: Client) -> None:
    page = staff.get("/staff/sign-in")
    form = {"email": EMAIL, "password": PASSWORD, "_csrf_token": page_token(page.text)}
    answer = staff.post("/staff/sign-in", data=form, follow_redirects=False)
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "climate_device" in c)
    lowered = cookie.lower()
    for part in ("secure", "httponly", "samesite=strict", "path=/staff/sign-in", "max-age="):
        assert part in lowered
    assert EMAIL not in cookie


def test_a_known_browser_is_not_stopped_by_the_failures_of_its_address(staff: Client) -> None:
    assert attempt(staff, PASSWORD) == 303
    known = staff.cookies["climate_device"]
    # A stranger at the same address, without the cookie, uses up the tries the account
    # has from it (ten, the owner's first sign-in among them) ...
    staff.cookies.delete("climate_device")
    answers = [attempt(staff, "a wrong guess") for _ in range(12)]
    assert answers == [400] * 9 + [429] * 3
    assert attempt(staff, PASSWORD) == 429
    # ... and a forged cookie is no known browser, ...
    staff.cookies.set("climate_device", "x" + known, domain="testserver.local", path=PATH)
    assert attempt(staff, PASSWORD) == 429
    # ... while the owner's browser has its own count, and signs in.
    staff.cookies.set("climate_device", known, domain="testserver.local", path=PATH)
    assert attempt(staff, PASSWORD) == 303
