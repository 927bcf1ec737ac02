"""The rounds of the help desk: escalating requests past their reading time, and retention.

Both claim their rows in the database, so any number of workers may run them at once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.help.requests import Desk
from climate.models import HelpMessage, HelpRequest, School
from climate.security import audit


@dataclass(frozen=True, slots=True)
class Overdue:
    """A request claimed for escalation: whom to tell, about which school."""

    request_id: uuid.UUID
    school_id: str
    school_name: str
    to: tuple[str, ...]


async def claim_overdue(engine: AsyncEngine, desk: Desk, now: dt.datetime) -> list[Overdue]:
    """Mark every new request past its reading time as escalated, and return them.

    The update claims each row once, so several workers running this at once tell each
    person once. A request whose school has no one to escalate to is not claimed (the queue
    shows it past its time). Send the e-mail, then ``escalated`` records it in the audit log,
    or ``unclaim`` hands it back for the next round.
    """
    if desk.config is None:
        return []
    config = desk.config
    today = config.local(now).date()
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(HelpRequest.id, HelpRequest.school_id, HelpRequest.due_on, School.name)
                .join(School, School.id == HelpRequest.school_id)
                .where(
                    HelpRequest.status == "new",
                    HelpRequest.escalated.is_(False),
                    HelpRequest.due_on <= today,
                )
            )
        ).all()
    claimed: list[Overdue] = []
    for row in rows:
        to = config.escalate(row.school_id)
        if not to or not config.overdue(row.school_id, row.due_on, now):
            continue
        async with engine.begin() as conn:
            done = await conn.execute(
                update(HelpRequest)
                .where(HelpRequest.id == row.id, HelpRequest.escalated.is_(False))
                .values(escalated=True)
            )
        if done.rowcount == 1:
            claimed.append(Overdue(row.id, row.school_id, row.name, to))
    return claimed


async def escalated(engine: AsyncEngine, overdue: Overdue, now: dt.datetime) -> None:
    """Record in the audit log that ``overdue`` was escalated (its e-mail went out)."""
    async with engine.begin() as conn:
        await audit.record(
            conn,
            "help desk",
            audit.HELP_ESCALATED,
            overdue.request_id.hex,
            school_id=overdue.school_id,
            detail={"told": len(overdue.to)},
            now=now,
        )


async def unclaim(engine: AsyncEngine, request_id: uuid.UUID) -> None:
    """Hand an escalation back when its e-mail could not be sent (the next run retries)."""
    async with engine.begin() as conn:
        await conn.execute(
            update(HelpRequest).where(HelpRequest.id == request_id).values(escalated=False)
        )


async def purge(engine: AsyncEngine, desk: Desk, now: dt.datetime, actor: str = "help desk") -> int:
    """Delete the requests closed more than the retention time ago; audited with the count."""
    if desk.config is None:
        return 0
    cutoff = desk.config.local(now).date() - dt.timedelta(days=desk.config.retention_days)
    async with engine.begin() as conn:
        old = HelpRequest.status == "closed", HelpRequest.closed_on <= cutoff
        ids = list(await conn.scalars(select(HelpRequest.id).where(*old)))
        if not ids:
            return 0
        await conn.execute(delete(HelpMessage).where(HelpMessage.request_id.in_(ids)))
        await conn.execute(delete(HelpRequest).where(HelpRequest.id.in_(ids)))
        await audit.record(
            conn,
            actor,
            audit.HELP_PURGED,
            "help requests",
            detail={"count": len(ids), "closed_on_or_before": cutoff.isoformat()},
            now=now,
        )
    return len(ids)
