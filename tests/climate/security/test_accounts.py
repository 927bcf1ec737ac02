"""Accounts as the staff pages and the CLI use them: each change and its record commit together."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate import db
from climate.models.staff import Account, StaffSession
from climate.security import accounts, audit
from climate.security.accounts import AccountError
from climate.security.principals import Principal
from climate.security.sessions import resolve_session
from climate.settings import Settings
from tests.climate.security.conftest import EMAILS, PASSWORD, District_

T = TypeVar("T")
NEW_PASSWORD = "a different long passphrase"


def _run(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = db.create_engine(settings.database_url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _log(settings: Settings) -> list[audit.Event]:
    async def work(engine: AsyncEngine) -> list[audit.Event]:
        async with engine.connect() as conn:
            return list(reversed(await audit.events(conn, limit=None)))

    return _run(settings, work)


def _admin(settings: Settings) -> Principal:
    async def work(engine: AsyncEngine) -> Principal:
        raw = await accounts.sign_in(engine, EMAILS["district_admin"], PASSWORD)
        assert raw is not None
        async with engine.begin() as conn:
            found = await resolve_session(conn, raw)
        assert found is not None
        return found

    return _run(settings, work)


def test_an_added_account_is_recorded_with_it(settings: Settings, district: District_) -> None:
    admin = _admin(settings)
    account_id = _run(
        settings,
        lambda e: accounts.add_account(
            e, admin, " New@District.example ", "school_staff", PASSWORD, ["S2", "S1"]
        ),
    )
    event = _log(settings)[-1]
    assert (event.actor, event.action, event.target) == (
        EMAILS["district_admin"],
        audit.ACCOUNT_CREATED,
        "new@district.example",
    )
    assert event.detail == {"id": account_id, "role": "school_staff", "schools": "S2,S1"}


def test_a_refused_account_is_neither_stored_nor_recorded(
    settings: Settings,
    district: District_,
) -> None:
    before = _log(settings)
    with pytest.raises(AccountError, match="no such school: S9"):
        _run(
            settings,
            lambda e: accounts.add_account(
                e, "cli", "x@district.example", "school_staff", PASSWORD, ["S9"]
            ),
        )
    assert _log(settings) == before

    async def stored(engine: AsyncEngine) -> list[str]:
        async with engine.connect() as conn:
            return list(await conn.scalars(select(Account.email)))

    assert "x@district.example" not in _run(settings, stored)


def test_switching_records_only_a_change(settings: Settings, district: District_) -> None:
    viewer = EMAILS["district_viewer"]
    assert (
        _run(settings, lambda e: accounts.switch_account(e, "cli", viewer, disabled=True)) == viewer
    )
    assert (
        _run(settings, lambda e: accounts.switch_account(e, "cli", viewer, disabled=True)) == viewer
    )
    assert _run(settings, lambda e: accounts.switch_account(e, "cli", 2, disabled=False)) == viewer
    changes = [(e.action, e.target) for e in _log(settings) if e.actor == "cli"]
    assert changes == [(audit.ACCOUNT_DISABLED, viewer), (audit.ACCOUNT_ENABLED, viewer)]
    assert _run(settings, lambda e: accounts.switch_account(e, "cli", 999, disabled=True)) is None
    assert (
        _run(settings, lambda e: accounts.switch_account(e, "cli", "no@x.example", disabled=False))
        is None
    )


def test_an_account_cannot_disable_itself(settings: Settings, district: District_) -> None:
    admin = _admin(settings)
    with pytest.raises(AccountError, match="your own account"):
        _run(settings, lambda e: accounts.switch_account(e, admin, admin.id, disabled=True))
    # Enabling oneself is harmless, and the shell has no account of its own.
    assert _run(settings, lambda e: accounts.switch_account(e, admin, admin.id, disabled=False))


def test_sign_in_is_recorded_either_way_without_keeping_unknown_names(
    settings: Settings,
    district: District_,
) -> None:
    email = EMAILS["school_staff"]
    assert _run(settings, lambda e: accounts.sign_in(e, email, "not the password")) is None
    assert (
        _run(settings, lambda e: accounts.sign_in(e, PASSWORD, "a password typed as a name"))
        is None
    )
    raw = _run(settings, lambda e: accounts.sign_in(e, email.upper(), PASSWORD))
    assert raw is not None
    recorded = [(e.actor, e.action) for e in _log(settings)]
    assert recorded == [
        (email, audit.SIGN_IN_FAILED),
        ("(unknown account)", audit.SIGN_IN_FAILED),
        (email, audit.SIGNED_IN),
    ]
    assert PASSWORD not in str(_log(settings))


def test_a_new_password_ends_the_other_sessions(settings: Settings, district: District_) -> None:
    admin = _admin(settings)
    with pytest.raises(AccountError, match="current password"):
        _run(settings, lambda e: accounts.renew_password(e, admin, "wrong", NEW_PASSWORD))
    kept = _run(settings, lambda e: accounts.renew_password(e, admin, PASSWORD, NEW_PASSWORD))

    async def live(engine: AsyncEngine) -> int:
        async with engine.connect() as conn:
            return len((await conn.execute(select(StaffSession.id_hash))).all())

    assert _run(settings, live) == 1
    assert _run(settings, lambda e: accounts.sign_in(e, admin.label, NEW_PASSWORD)) is not None
    changed = [e for e in _log(settings) if e.action == audit.PASSWORD_CHANGED]
    assert [(e.actor, e.target) for e in changed] == [(admin.label, admin.label)]
    _run(settings, lambda e: accounts.sign_out(e, admin, kept))
    assert _log(settings)[-1].action == audit.SIGNED_OUT
