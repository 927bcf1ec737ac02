"""The audit log read back: the newest events by kind, and the export that records itself."""

from __future__ import annotations

import asyncio
import csv
import io

from climate import db
from climate.security import audit
from climate.settings import Settings


def test_newest_filters_by_action_and_the_export_holds_its_own_record(settings: Settings) -> None:
    async def work() -> tuple[list[audit.Event], list[audit.Event], str]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                for n in range(3):
                    await audit.record(conn, "cli", audit.TOKEN_CREATED, f"token {n}")
                await audit.record(conn, "cli", audit.TOKEN_REVOKED, "=token 0")
            created = await audit.newest(engine, limit=2, action=audit.TOKEN_CREATED)
            every = await audit.newest(engine, limit=10)
            return created, every, await audit.export_csv(engine, "someone@district.example")
        finally:
            await engine.dispose()

    created, every, text = asyncio.run(work())
    assert [e.target for e in created] == ["token 2", "token 1"]
    assert [e.action for e in every] == [audit.TOKEN_REVOKED] + [audit.TOKEN_CREATED] * 3
    rows = list(csv.DictReader(io.StringIO(text)))
    assert (rows[0]["actor"], rows[0]["action"], rows[0]["detail"]) == (
        "someone@district.example",
        audit.EXPORTED,
        "format=csv",
    )
    assert len(rows) == 5
    # A cell that a spreadsheet would run as a formula is written as text.
    assert rows[1]["target"] == "'=token 0"
