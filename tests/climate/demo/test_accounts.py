"""The demo creates one account per role, once, and the counselor keeps a school."""

from __future__ import annotations

import asyncio

from climate import db
from climate.demo.accounts import ensure_demo_accounts
from climate.security.accounts import list_accounts
from climate.settings import Settings
from tests.climate.security.conftest import District_


def test_demo_accounts_one_per_role_and_idempotent(settings: Settings, district: District_) -> None:
    async def run() -> list[tuple[str, str, tuple[str, ...]]]:
        engine = db.create_engine(settings.database_url)
        try:
            await ensure_demo_accounts(engine)
            await ensure_demo_accounts(engine)
            async with engine.connect() as conn:
                return [(a.email, a.role, a.schools) for a in await list_accounts(conn)]
        finally:
            await engine.dispose()

    demo = [a for a in asyncio.run(run()) if a[0].endswith("@demo.example")]
    assert sorted(role for _e, role, _s in demo) == [
        "district_admin",
        "district_viewer",
        "school_staff",
    ]
    assert next(s for _e, role, s in demo if role == "school_staff") == ("S1",)
