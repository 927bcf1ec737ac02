"""Who is asking: a signed-in account or an API token, with its role and schools."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from climate.models.staff import AccountSchool, ApiTokenSchool

DISTRICT_ADMIN = "district_admin"
DISTRICT_VIEWER = "district_viewer"
SCHOOL_STAFF = "school_staff"
ROLES = (DISTRICT_ADMIN, DISTRICT_VIEWER, SCHOOL_STAFF)
DISTRICT_ROLES = frozenset({DISTRICT_ADMIN, DISTRICT_VIEWER})


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. ``schools`` matters only for ``school_staff``."""

    kind: str  # "account" or "token"
    id: int
    label: str  # an email address, or "token:<name>"
    role: str
    schools: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        """Whether this caller may change rosters, administrations and accounts."""
        return self.role == DISTRICT_ADMIN

    @property
    def sees_district(self) -> bool:
        """Whether this caller may see every school."""
        return self.role in DISTRICT_ROLES


async def account_schools(conn: AsyncConnection, account_id: int) -> frozenset[str]:
    """The schools assigned to an account."""
    rows = await conn.scalars(
        select(AccountSchool.school_id).where(AccountSchool.account_id == account_id)
    )
    return frozenset(rows)


async def token_schools(conn: AsyncConnection, token_id: int) -> frozenset[str]:
    """The schools a token is scoped to."""
    rows = await conn.scalars(
        select(ApiTokenSchool.school_id).where(ApiTokenSchool.token_id == token_id)
    )
    return frozenset(rows)
