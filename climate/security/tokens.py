"""API tokens for scripts: random, shown once, stored as a digest, scoped and revocable."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.models import School
from climate.models.staff import ApiToken, ApiTokenSchool
from climate.security import audit
from climate.security.principals import ROLES, SCHOOL_STAFF, Principal, token_schools
from climate.security.sessions import digest, now_utc

PREFIX = "clt_"


class TokenError(ValueError):
    """A token cannot be made as asked; ``field`` and ``code`` as for ``AccountError``."""

    def __init__(self, message: str, field: str = "", code: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as listed: never its secret."""

    id: int
    name: str
    role: str
    schools: tuple[str, ...]
    created_at: dt.datetime
    revoked: bool


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not header:
        return None
    scheme, _sep, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith(PREFIX) or len(value) > 128:
        return None
    return value


async def create_token(
    conn: AsyncConnection,
    name: str,
    role: str,
    schools: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> tuple[int, str]:
    """Store a new token; return its id and the secret, which is never shown again."""
    chosen = sorted(set(schools))
    if not name.strip() or len(name) > 100:
        raise TokenError("a token needs a name of 1 to 100 characters", "name", "name")
    if role not in ROLES:
        raise TokenError(f"role must be one of {', '.join(ROLES)}, not {role!r}", "role", "role")
    if role == SCHOOL_STAFF and not chosen:
        raise TokenError("a school_staff token needs at least one --school", "schools", "no_school")
    if role != SCHOOL_STAFF and chosen:
        raise TokenError(
            "only school_staff tokens are limited to schools", "schools", "district_school"
        )
    known = set(await conn.scalars(select(School.id).where(School.id.in_(chosen))))
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise TokenError(f"no such school: {', '.join(unknown)}", "schools", "unknown_school")
    raw = PREFIX + secrets.token_urlsafe(32)
    result = await conn.execute(
        insert(ApiToken).values(
            token_hash=digest(raw), name=name.strip(), role=role, created_at=now or now_utc()
        )
    )
    token_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    if chosen:
        await conn.execute(
            insert(ApiTokenSchool), [{"token_id": token_id, "school_id": s} for s in chosen]
        )
    return token_id, raw


async def revoke_token(
    conn: AsyncConnection, token_id: int, now: dt.datetime | None = None
) -> bool:
    """Revoke a token at once; False when there is no such live token."""
    result = await conn.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or now_utc())
    )
    return bool(result.rowcount)


async def resolve_token(conn: AsyncConnection, raw: str) -> Principal | None:
    """The principal of a live token, or None."""
    row = (
        await conn.execute(
            select(ApiToken.id, ApiToken.name, ApiToken.role).where(
                ApiToken.token_hash == digest(raw), ApiToken.revoked_at.is_(None)
            )
        )
    ).one_or_none()
    if row is None:
        return None
    return Principal(
        "token", row.id, f"token:{row.name}", row.role, await token_schools(conn, row.id)
    )


async def list_tokens(conn: AsyncConnection) -> list[TokenInfo]:
    """Every token, oldest first."""
    query = select(
        ApiToken.id, ApiToken.name, ApiToken.role, ApiToken.created_at, ApiToken.revoked_at
    ).order_by(ApiToken.id)
    result = []
    for row in (await conn.execute(query)).all():
        schools = tuple(sorted(await token_schools(conn, row.id)))
        revoked = row.revoked_at is not None
        result.append(TokenInfo(row.id, row.name, row.role, schools, row.created_at, revoked))
    return result


async def issue_token(
    engine: AsyncEngine, actor: Principal | str, name: str, role: str, schools: Sequence[str] = ()
) -> tuple[int, str]:
    """Store a new token and record it; return its id and its secret (shown once)."""
    async with engine.begin() as conn:
        token_id, raw = await create_token(conn, name, role, schools)
        await audit.record(
            conn,
            actor,
            audit.TOKEN_CREATED,
            f"token {token_id}",
            detail={"name": name, "role": role, "schools": ",".join(schools)},
        )
    return token_id, raw


async def withdraw_token(engine: AsyncEngine, actor: Principal | str, token_id: int) -> bool:
    """Revoke a token and record it; False (and nothing recorded) when no such token lives."""
    async with engine.begin() as conn:
        if not await revoke_token(conn, token_id):
            return False
        await audit.record(conn, actor, audit.TOKEN_REVOKED, f"token {token_id}")
    return True


async def all_tokens(engine: AsyncEngine) -> list[TokenInfo]:
    """Every token, oldest first, never a secret."""
    async with engine.connect() as conn:
        return await list_tokens(conn)
