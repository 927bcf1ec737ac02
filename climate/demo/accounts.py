"""One demo account per role, with published passwords: only ever in demo or debug mode."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.models import School
from climate.models.staff import AccountSchool
from climate.security.accounts import create_account, find_account

# Documented in README.md and printed by `climate demo`; never created in production.
DEMO_ACCOUNTS = (
    ("admin@demo.example", "district_admin", "demo-admin-password"),
    ("viewer@demo.example", "district_viewer", "demo-viewer-password"),
    ("counselor@demo.example", "school_staff", "demo-counselor-password"),
)


async def ensure_demo_accounts(engine: AsyncEngine) -> list[tuple[str, str, str]]:
    """Create the missing demo accounts (the counselor gets the first school)."""
    async with engine.begin() as conn:
        first = await conn.scalar(select(School.id).order_by(School.id).limit(1))
        for email, role, password in DEMO_ACCOUNTS:
            schools = [first] if role == "school_staff" and first else []
            found = await find_account(conn, email)
            if found is None:
                if role == "school_staff" and not schools:
                    continue
                await create_account(conn, email, role, password, schools)
            elif schools:
                assigned = await conn.scalar(
                    select(AccountSchool.school_id).where(AccountSchool.account_id == found)
                )
                if assigned is None:
                    # Reseeding removed the schools, and with them the assignment.
                    await conn.execute(
                        insert(AccountSchool).values(account_id=found, school_id=schools[0])
                    )
    return list(DEMO_ACCOUNTS)
