"""Staff accounts: create, list, disable and enable, sign in and out, change passwords.

The functions that take an engine are what the staff pages and the CLI call: each runs one
transaction and writes its audit record in it. The ones that take a connection are their
parts, for callers that already hold a transaction (the demo, tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.models import School
from climate.models.staff import Account, AccountSchool
from climate.security import audit
from climate.security.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    spend_verification_time,
    verify_password,
)
from climate.security.principals import (
    DISTRICT_ADMIN,
    ROLES,
    SCHOOL_STAFF,
    Principal,
    account_schools,
)
from climate.security.scoping import school_filter
from climate.security.sessions import end_all_sessions, end_session, now_utc, start_session


class AccountError(ValueError):
    """An account cannot be created or changed as asked.

    ``field`` names the form field at fault (empty when none is), and ``code`` the kind of
    problem, so that a page can say it in the reader's language beside that field.
    """

    def __init__(self, message: str, field: str = "", code: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """An account as listed: never its password hash."""

    id: int
    email: str
    role: str
    schools: tuple[str, ...]
    disabled: bool


@dataclass(frozen=True, slots=True)
class AccountsView:
    """The accounts page: every account, and the schools a new account may be given."""

    accounts: tuple[AccountInfo, ...]
    schools: tuple[tuple[str, str], ...]


def normalize_email(email: str) -> str:
    """Email addresses compare without case or surrounding spaces."""
    return email.strip().lower()


async def create_account(
    conn: AsyncConnection,
    email: str,
    role: str,
    password: str,
    schools: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> int:
    """Create an account and return its id; raise AccountError naming what is wrong."""
    address = normalize_email(email)
    chosen = sorted(set(schools))
    if "@" not in address or len(address) > 254 or any(c.isspace() for c in address):
        raise AccountError(f"{email!r} is not an email address", "email", "email")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}", "role", "role")
    if role == SCHOOL_STAFF and not chosen:
        raise AccountError(
            "a school_staff account needs at least one school", "schools", "no_school"
        )
    if role != SCHOOL_STAFF and chosen:
        raise AccountError(
            "only school_staff accounts are limited to schools", "schools", "district_school"
        )
    problem = password_problem(password)
    if problem:
        raise AccountError(problem, "password", "password")
    if await conn.scalar(select(Account.id).where(Account.email == address)) is not None:
        raise AccountError(f"an account for {address} already exists", "email", "exists")
    known = set(await conn.scalars(select(School.id).where(School.id.in_(chosen))))
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise AccountError(f"no such school: {', '.join(unknown)}", "schools", "unknown_school")
    result = await conn.execute(
        insert(Account).values(
            email=address,
            password_hash=await hash_password(password),
            role=role,
            disabled=False,
            created_at=now or now_utc(),
        )
    )
    account_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    if chosen:
        await conn.execute(
            insert(AccountSchool), [{"account_id": account_id, "school_id": s} for s in chosen]
        )
    return account_id


async def list_accounts(conn: AsyncConnection) -> list[AccountInfo]:
    """Every account, by email."""
    rows = (
        await conn.execute(
            select(Account.id, Account.email, Account.role, Account.disabled).order_by(
                Account.email
            )
        )
    ).all()
    return [
        AccountInfo(
            r.id, r.email, r.role, tuple(sorted(await account_schools(conn, r.id))), r.disabled
        )
        for r in rows
    ]


async def find_account(conn: AsyncConnection, email: str) -> int | None:
    """The id of the account with ``email``, if any."""
    found: int | None = await conn.scalar(
        select(Account.id).where(Account.email == normalize_email(email))
    )
    return found


async def set_disabled(conn: AsyncConnection, account_id: int, disabled: bool) -> bool:
    """Disable (ending its sessions) or enable an account; False when nothing changed."""
    result = await conn.execute(
        update(Account)
        .where(Account.id == account_id, Account.disabled.is_not(disabled))
        .values(disabled=disabled)
    )
    if disabled:
        await end_all_sessions(conn, account_id)
    return bool(result.rowcount)


async def check_credentials(conn: AsyncConnection, email: str, password: str) -> int | None:
    """The id of the enabled account these credentials open, or None."""
    found = await _stored_credentials(conn, email)
    account_id = await _opened(found, password)
    if account_id is not None and found is not None:
        await _rehash(conn, account_id, found[1], password)
    return account_id


async def _stored_credentials(conn: AsyncConnection, email: str) -> tuple[int, str, bool] | None:
    row = (
        await conn.execute(
            select(Account.id, Account.password_hash, Account.disabled).where(
                Account.email == normalize_email(email)
            )
        )
    ).one_or_none()
    return None if row is None else (int(row.id), str(row.password_hash), bool(row.disabled))


async def _opened(found: tuple[int, str, bool] | None, password: str) -> int | None:
    # Hashing runs in a thread; callers hold no transaction while it waits its turn.
    if found is None:
        await spend_verification_time(password)
        return None
    account_id, stored, disabled = found
    if not await verify_password(stored, password) or disabled:
        return None
    return account_id


async def _rehash(conn: AsyncConnection, account_id: int, stored: str, password: str) -> None:
    if needs_rehash(stored):
        await conn.execute(
            update(Account)
            .where(Account.id == account_id)
            .values(password_hash=await hash_password(password))
        )


async def change_password(conn: AsyncConnection, account_id: int, current: str, new: str) -> None:
    """Change a password after checking the current one; every session of the account ends."""
    stored = await conn.scalar(select(Account.password_hash).where(Account.id == account_id))
    if stored is None or not await verify_password(stored, current):
        raise AccountError("the current password is not right")
    problem = password_problem(new)
    if problem:
        raise AccountError(problem)
    await conn.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(password_hash=await hash_password(new))
    )
    await end_all_sessions(conn, account_id)


async def accounts_view(engine: AsyncEngine, principal: Principal) -> AccountsView:
    """Every account, and the (id, name) of each school ``principal`` may see."""
    async with engine.connect() as conn:
        accounts = await list_accounts(conn)
        query = select(School.id, School.name).where(school_filter(principal, School.id))
        schools = (await conn.execute(query.order_by(School.id))).all()
    return AccountsView(tuple(accounts), tuple((r.id, r.name) for r in schools))


async def all_accounts(engine: AsyncEngine) -> list[AccountInfo]:
    """Every account, by email."""
    async with engine.connect() as conn:
        return await list_accounts(conn)


async def add_account(
    engine: AsyncEngine,
    actor: Principal | str,
    email: str,
    role: str,
    password: str,
    schools: Sequence[str] = (),
) -> int:
    """Create an account and record it; raise AccountError naming what is wrong."""
    async with engine.begin() as conn:
        account_id = await create_account(conn, email, role, password, schools)
        await audit.record(
            conn,
            actor,
            audit.ACCOUNT_CREATED,
            normalize_email(email),
            detail={"id": account_id, "role": role, "schools": ",".join(schools)},
        )
    return account_id


async def switch_account(
    engine: AsyncEngine, actor: Principal | str, account: int | str, *, disabled: bool
) -> str | None:
    """Disable or enable an account, by id or email, and record a change.

    Returns the account's email, or None when there is no such account. Nothing is recorded
    when the account already was as asked.
    """
    own = isinstance(actor, Principal) and actor.kind == "account" and actor.id == account
    if disabled and own:
        raise AccountError("you cannot disable your own account", code="own")
    which = (
        Account.id == account
        if isinstance(account, int)
        else Account.email == normalize_email(account)
    )
    async with engine.begin() as conn:
        row = (
            await conn.execute(select(Account.id, Account.email, Account.role).where(which))
        ).one_or_none()
        if row is None:
            return None
        if disabled and row.role == DISTRICT_ADMIN and not await _another_admin(conn, row.id):
            raise AccountError(
                f"{row.email} is the last active district administrator: add or enable "
                "another one first, so that someone can still manage the district",
                code="last_admin",
            )
        if await set_disabled(conn, row.id, disabled):
            action = audit.ACCOUNT_DISABLED if disabled else audit.ACCOUNT_ENABLED
            await audit.record(conn, actor, action, row.email)
    return str(row.email)


async def _another_admin(conn: AsyncConnection, account_id: int) -> bool:
    """Whether an active district admin other than ``account_id`` remains.

    Every active admin's row is locked (on PostgreSQL), this one's too, so that of two admins
    disabling each other at once the second waits and then sees the first disabled; SQLite
    lets one writer in at a time.
    """
    active = await conn.scalars(
        select(Account.id)
        .where(Account.role == DISTRICT_ADMIN, Account.disabled.is_(False))
        .with_for_update()
    )
    return any(found != account_id for found in active)


async def sign_in(
    engine: AsyncEngine, email: str, password: str, replacing: str | None = None
) -> str | None:
    """Start a session when the credentials open an account; record the attempt either way.

    Returns the raw session id for the cookie, or None when sign-in failed. A session the
    browser already held (``replacing``, its raw id) ends on success: an id planted in the
    browser before sign-in never becomes a signed-in session.
    """
    async with engine.connect() as conn:
        found = await _stored_credentials(conn, email)
    # No connection is held while the password is checked: a flood of guesses queues for the
    # hashing threads, not for the pool every other request needs.
    account_id = await _opened(found, password)
    async with engine.begin() as conn:
        if account_id is None or found is None:
            # An unknown "email" may be a password typed in the wrong box: never keep it.
            actor = normalize_email(email) if found is not None else "(unknown account)"
            await audit.record(conn, actor, audit.SIGN_IN_FAILED)
            return None
        await _rehash(conn, account_id, found[1], password)
        if replacing:
            await end_session(conn, replacing)
        raw = await start_session(conn, account_id)
        await audit.record(conn, normalize_email(email), audit.SIGNED_IN)
    return raw


async def sign_out(engine: AsyncEngine, principal: Principal, raw: str) -> None:
    """End the session with raw id ``raw`` and record it."""
    async with engine.begin() as conn:
        await end_session(conn, raw)
        await audit.record(conn, principal, audit.SIGNED_OUT)


async def renew_password(engine: AsyncEngine, principal: Principal, current: str, new: str) -> str:
    """Change the caller's password and record it; every other session ends.

    Returns the raw id of the one new session; raises AccountError when refused.
    """
    async with engine.begin() as conn:
        await change_password(conn, principal.id, current, new)
        raw = await start_session(conn, principal.id)
        await audit.record(conn, principal, audit.PASSWORD_CHANGED, principal.label)
    return raw
