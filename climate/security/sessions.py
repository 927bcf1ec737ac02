"""Server-side staff sessions: a random id in a cookie, only its digest in the database.

A session ends after ``IDLE`` without a request or ``ABSOLUTE`` after sign-in, whichever is
first, and at sign-out, password change or when the account is disabled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from litestar.datastructures import Cookie
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from climate.models.staff import Account, StaffSession
from climate.security.principals import Principal, account_schools

COOKIE = "climate_session"
IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)
# Writing last_seen_at on every request would turn each page view into a write.
TOUCH_AFTER = dt.timedelta(minutes=1)


def digest(raw: str) -> str:
    """The SHA-256 hex digest under which a random secret is stored."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def utc(moment: dt.datetime) -> dt.datetime:
    """A stored time as an aware UTC datetime (SQLite gives them back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def now_utc() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


async def start_session(
    conn: AsyncConnection, account_id: int, now: dt.datetime | None = None
) -> str:
    """Create a session for an account and return the raw id for its cookie."""
    now = now or now_utc()
    raw = secrets.token_urlsafe(32)
    await conn.execute(
        insert(StaffSession).values(
            id_hash=digest(raw), account_id=account_id, created_at=now, last_seen_at=now
        )
    )
    return raw


async def resolve_session(
    conn: AsyncConnection, raw: str, now: dt.datetime | None = None
) -> Principal | None:
    """The principal of a live session, or None (an expired session is removed)."""
    if not raw or len(raw) > 128:
        return None
    now = now or now_utc()
    key = digest(raw)
    row = (
        await conn.execute(
            select(
                StaffSession.created_at,
                StaffSession.last_seen_at,
                Account.id,
                Account.email,
                Account.role,
                Account.disabled,
            )
            .join(Account, Account.id == StaffSession.account_id)
            .where(StaffSession.id_hash == key)
        )
    ).one_or_none()
    if row is None:
        return None
    last_seen, created = utc(row.last_seen_at), utc(row.created_at)
    if row.disabled or now - last_seen > IDLE or now - created > ABSOLUTE:
        await conn.execute(delete(StaffSession).where(StaffSession.id_hash == key))
        return None
    if now - last_seen > TOUCH_AFTER:
        await conn.execute(
            update(StaffSession).where(StaffSession.id_hash == key).values(last_seen_at=now)
        )
    schools = await account_schools(conn, row.id)
    return Principal("account", row.id, row.email, row.role, schools)


async def end_session(conn: AsyncConnection, raw: str) -> None:
    """Remove one session (sign-out)."""
    await conn.execute(delete(StaffSession).where(StaffSession.id_hash == digest(raw)))


async def end_all_sessions(conn: AsyncConnection, account_id: int) -> None:
    """Remove every session of an account (password change, disabled account)."""
    await conn.execute(delete(StaffSession).where(StaffSession.account_id == account_id))


def session_cookie(raw: str) -> Cookie:
    """The cookie that carries a session id: Secure, HttpOnly, SameSite=Lax, no Max-Age."""
    return Cookie(key=COOKIE, value=raw, path="/", secure=True, httponly=True, samesite="lax")


def cleared_cookie() -> Cookie:
    """A cookie that makes the browser forget its session id."""
    return Cookie(
        key=COOKIE, value="", path="/", secure=True, httponly=True, samesite="lax", max_age=0
    )
