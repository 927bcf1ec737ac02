"""Accounts and API tokens from the staff pages: forms that keep what was typed and mark the
field at fault, the least powerful role by default, a confirmation before disabling, nobody
disabling themselves or the last admin, and tokens shown once, working, then revoked."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from climate import db
from climate.app import create_app
from climate.models.staff import Account
from climate.security import audit
from climate.settings import Settings
from tests.climate.security.conftest import BASE, EMAILS, _build, csrf, sign_in

Client = TestClient[Litestar]


@pytest.fixture
def admin(settings: Settings) -> Iterator[Client]:
    """A district admin signed in on a district of two schools and three accounts."""
    _build(settings)
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, "district_admin")
        yield client


def _ids(settings: Settings) -> dict[str, int]:
    async def run() -> dict[str, int]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(select(Account.email, Account.id))
                return {r.email: r.id for r in rows}
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _actions(settings: Settings) -> list[str]:
    async def run() -> list[str]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                return [e.action for e in await audit.events(conn, limit=None)]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_a_new_account_starts_as_the_least_powerful_role(admin: Client) -> None:
    page = admin.get("/staff/accounts").text
    options = re.findall(r'<option value="([a-z_]+)"( selected)?>([^<]+)</option>', page)
    assert [(value, label) for value, _s, label in options] == [
        ("school_staff", "School staff"),
        ("district_viewer", "District viewer"),
        ("district_admin", "District administrator"),
    ]
    assert [value for value, chosen, _l in options if chosen] == ["school_staff"]
    # Roles and schools read by name in the list, never as ids.
    assert "District administrator" in page
    assert ">district_admin<" not in page


def test_a_refused_form_keeps_what_was_typed_and_marks_the_field(admin: Client) -> None:
    response = admin.post(
        "/staff/accounts",
        data={
            "email": "new.counselor@district.example",
            "role": "school_staff",
            "password": "short",
            "schools": "S2",
            "_csrf_token": csrf(admin),
        },
    )
    assert response.status_code == 400
    page = response.text
    assert 'value="new.counselor@district.example"' in page
    assert re.search(r'value="S2" checked', page)
    assert '<option value="school_staff" selected>' in page
    # The password is never sent back, and its field is the one marked.
    assert "short" not in page.replace("shortly", "")
    assert re.search(
        r'id="password"[^>]*aria-invalid="true" aria-describedby="password-error"', page
    )
    assert 'id="email" name="email" type="email" autocomplete="off" required value=' in page
    assert re.search(r'id="email"[^>]*aria-invalid', page) is None
    assert '<a href="#password">Give a first password of 12 to 256 characters' in page


def test_a_district_role_with_schools_is_refused_at_the_schools(admin: Client) -> None:
    response = admin.post(
        "/staff/accounts",
        data={
            "email": "v2@district.example",
            "role": "district_viewer",
            "password": "a long enough password",
            "schools": "S1",
            "_csrf_token": csrf(admin),
        },
    )
    assert response.status_code == 400
    assert '<a href="#schools">District roles see every school' in response.text
    assert '<option value="district_viewer" selected>' in response.text


def test_disabling_asks_first_and_then_ends_the_sessions(admin: Client, settings: Settings) -> None:
    viewer = _ids(settings)[EMAILS["district_viewer"]]
    listing = admin.get("/staff/accounts").text
    # Disable is a link to a question, not a button that acts.
    assert f'href="/staff/accounts/{viewer}/disable"' in listing
    assert f'action="/staff/accounts/{viewer}/disable"' not in listing
    question = admin.get(f"/staff/accounts/{viewer}/disable")
    assert question.status_code == 200
    assert f"Disable {EMAILS['district_viewer']}?" in question.text
    assert "Keep the account" in question.text
    assert "account.disabled" not in _actions(settings)
    done = admin.post(
        f"/staff/accounts/{viewer}/disable",
        data={"_csrf_token": csrf(admin)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _actions(settings).count(audit.ACCOUNT_DISABLED) == 1
    assert admin.get("/staff/accounts/999999/disable").status_code == 404


def test_nobody_disables_themselves_or_the_last_admin(admin: Client, settings: Settings) -> None:
    me = _ids(settings)[EMAILS["district_admin"]]
    listing = admin.get("/staff/accounts").text
    assert f'href="/staff/accounts/{me}/disable"' not in listing
    assert "You cannot disable your own account." in admin.get(f"/staff/accounts/{me}/disable").text
    refused = admin.post(f"/staff/accounts/{me}/disable", data={"_csrf_token": csrf(admin)})
    assert refused.status_code == 400
    assert "You cannot disable your own account." in refused.text
    # A second admin cannot disable the first while the first is the only other admin, and
    # then not itself: whoever is left is never the last one removed.
    added = admin.post(
        "/staff/accounts",
        data={
            "email": "second.admin@district.example",
            "role": "district_admin",
            "password": "a long enough password",
            "_csrf_token": csrf(admin),
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    second = _ids(settings)["second.admin@district.example"]
    assert (
        admin.post(
            f"/staff/accounts/{second}/disable",
            data={"_csrf_token": csrf(admin)},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert audit.ACCOUNT_DISABLED in _actions(settings)


def test_the_last_admin_cannot_be_disabled_from_the_shell(settings: Settings) -> None:
    from climate.security.accounts import AccountError, switch_account

    _build(settings)

    async def run() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            with pytest.raises(AccountError) as raised:
                await switch_account(engine, "cli", EMAILS["district_admin"], disabled=True)
            assert raised.value.code == "last_admin"
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_a_token_made_on_the_page_works_once_shown_and_stops_when_revoked(
    admin: Client, settings: Settings
) -> None:
    made = admin.post(
        "/staff/tokens",
        data={
            "name": "Nightly export",
            "role": "school_staff",
            "schools": "S1",
            "_csrf_token": csrf(admin),
        },
    )
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    found = re.search(r'<code class="secret" dir="ltr" id="secret">(clt_[^<]+)</code>', made.text)
    assert found is not None
    secret = found.group(1)
    # Shown once: the list never holds it again.
    listing = admin.get("/staff/tokens").text
    assert secret not in listing
    assert "Nightly export" in listing
    with TestClient(create_app(settings), base_url=BASE) as script:
        bearer = {"authorization": f"Bearer {secret}"}
        answer = script.get("/api/v1/schools", headers=bearer)
        assert answer.status_code == 200
        assert [s["id"] for s in answer.json()] == ["S1"]
        token_id = int(re.findall(r'href="/staff/tokens/(\d+)/revoke"', listing)[-1])
        question = admin.get(f"/staff/tokens/{token_id}/revoke").text
        assert "stops working at once" in question
        revoked = admin.post(
            f"/staff/tokens/{token_id}/revoke",
            data={"_csrf_token": csrf(admin)},
            follow_redirects=False,
        )
        assert revoked.status_code == 303
        assert script.get("/api/v1/schools", headers=bearer).status_code == 401
    actions = _actions(settings)
    assert audit.TOKEN_CREATED in actions
    assert audit.TOKEN_REVOKED in actions


def test_a_refused_token_keeps_what_was_typed(admin: Client) -> None:
    refused = admin.post(
        "/staff/tokens",
        data={"name": "Warehouse", "role": "school_staff", "_csrf_token": csrf(admin)},
    )
    assert refused.status_code == 400
    assert 'value="Warehouse"' in refused.text
    assert '<a href="#schools">Choose at least one school' in refused.text
    assert "clt_" not in refused.text


@pytest.mark.parametrize("role", ["district_viewer", "school_staff"])
def test_only_admins_reach_accounts_and_tokens(settings: Settings, role: str) -> None:
    _build(settings)
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, role)
        for path in ("/staff/tokens", "/staff/accounts", "/staff/tokens/1/revoke"):
            assert client.get(path).status_code == 403, path
        assert "/staff/tokens" not in client.get("/staff").text
