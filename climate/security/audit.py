"""The audit log: who did what, to what, when. Append-only (the database refuses changes).

Record an event inside the same transaction as the change it describes, so that a change is
never committed without its record. The domain function that makes the change records it
(never a handler or a command), so the staff pages, the API and the CLI record alike::

    async with engine.begin() as conn:
        ...  # the change
        await record(conn, principal, VIEWED_REPORT, "climate-2027", school_id="S01")

Events never hold passwords, tokens, access codes, answers or student addresses.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.models.staff import AuditEvent
from climate.security.principals import Principal
from climate.security.sessions import now_utc, utc

SIGNED_IN = "signed_in"
SIGN_IN_FAILED = "sign_in_failed"
SIGNED_OUT = "signed_out"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an event name)
ACCOUNT_CREATED = "account_created"
ACCOUNT_DISABLED = "account_disabled"
ACCOUNT_ENABLED = "account_enabled"
TOKEN_CREATED = "token_created"  # noqa: S105 (an event name)
TOKEN_REVOKED = "token_revoked"  # noqa: S105 (an event name)
ROSTER_IMPORTED = "roster_imported"
ADMINISTRATION_CREATED = "administration_created"
ADMINISTRATION_OPENED = "administration_opened"
ADMINISTRATION_CLOSED = "administration_closed"
CODES_CREATED = "codes_created"
CODES_VIEWED = "codes_viewed"
VIEWED_REPORT = "viewed_report"
EXPORTED = "exported"
HELP_VIEWED = "help_viewed"
HELP_REPLIED = "help_replied"
HELP_NOTED = "help_noted"
HELP_STATUS_CHANGED = "help_status_changed"
HELP_ESCALATED = "help_escalated"
HELP_PURGED = "help_purged"
ACTIONS = (
    SIGNED_IN,
    SIGN_IN_FAILED,
    SIGNED_OUT,
    PASSWORD_CHANGED,
    ACCOUNT_CREATED,
    ACCOUNT_DISABLED,
    ACCOUNT_ENABLED,
    TOKEN_CREATED,
    TOKEN_REVOKED,
    ROSTER_IMPORTED,
    ADMINISTRATION_CREATED,
    ADMINISTRATION_OPENED,
    ADMINISTRATION_CLOSED,
    CODES_CREATED,
    CODES_VIEWED,
    VIEWED_REPORT,
    EXPORTED,
    HELP_VIEWED,
    HELP_REPLIED,
    HELP_NOTED,
    HELP_STATUS_CHANGED,
    HELP_ESCALATED,
    HELP_PURGED,
)
CSV_COLUMNS = ("id", "at", "actor", "action", "target", "school_id", "detail")


@dataclass(frozen=True, slots=True)
class Event:
    """One recorded event."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    target: str
    school_id: str | None
    detail: Mapping[str, Any]


async def record(
    conn: AsyncConnection,
    actor: Principal | str,
    action: str,
    target: str = "",
    *,
    school_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Append one event; ``actor`` is a principal, or a name such as ``cli``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    await conn.execute(
        insert(AuditEvent).values(
            at=now or now_utc(),
            actor=(actor.label if isinstance(actor, Principal) else actor)[:254],
            action=action,
            target=target[:200],
            school_id=school_id,
            detail=dict(detail or {}),
        )
    )


async def events(
    conn: AsyncConnection, *, limit: int | None = 200, action: str | None = None
) -> list[Event]:
    """Recorded events, newest first."""
    query = select(AuditEvent.__table__).order_by(AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if limit is not None:
        query = query.limit(limit)
    rows = (await conn.execute(query)).all()
    return [
        Event(r.id, utc(r.at), r.actor, r.action, r.target, r.school_id, r.detail or {})
        for r in rows
    ]


async def newest(engine: AsyncEngine, *, limit: int, action: str | None = None) -> list[Event]:
    """The newest ``limit`` events, only of ``action`` when it names one."""
    async with engine.connect() as conn:
        return await events(conn, limit=limit, action=action)


async def export_csv(engine: AsyncEngine, actor: Principal | str) -> str:
    """Every event as CSV; the export is recorded first, so the file holds its own record."""
    async with engine.begin() as conn:
        await record(conn, actor, EXPORTED, "audit log", detail={"format": "csv"})
        found = await events(conn, limit=None)
    return to_csv(found)


def to_csv(recorded: Sequence[Event]) -> str:
    """Events as a tidy CSV with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for event in recorded:
        detail = ";".join(f"{k}={v}" for k, v in sorted(event.detail.items()))
        writer.writerow(
            [
                event.id,
                event.at.isoformat(),
                _cell(event.actor),
                event.action,
                _cell(event.target),
                event.school_id or "",
                _cell(detail),
            ]
        )
    return buffer.getvalue()


def _cell(text: str) -> str:
    # Spreadsheets run cells that start with these as formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
