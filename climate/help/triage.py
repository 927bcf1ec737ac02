"""The readers' side of help requests: the triage queue, one request, replies, notes, status.

Every function takes the caller's principal and answers only for the schools it reads: an
account named among the school's readers in the help file that may also see the school (a
request of another school answers exactly as one that does not exist). Every action is
written to the audit log in the transaction of the change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.help.requests import (
    CLOSED_FOR_STAFF,
    NO_REPLY,
    NO_STATUS,
    TOO_LONG,
    Desk,
    HelpFormError,
    HelpRequestRow,
    Message,
    add_message,
    messages_of,
)
from climate.models import HELP_STATUSES, MAX_HELP_TEXT, HelpMessage, HelpRequest, School
from climate.security import audit
from climate.security.principals import Principal

Show = Literal["open", "closed"]


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One request in the triage queue."""

    id: str
    school_id: str
    school_name: str
    kind: str
    urgency: str
    status: str
    sent_on: dt.date
    due_on: dt.date
    overdue: bool
    escalated: bool
    contact_given: bool
    messages: int
    student_wrote_last: bool


@dataclass(frozen=True, slots=True)
class Case:
    """One request as its readers see it."""

    id: str
    school_id: str
    school_name: str
    kind: str
    urgency: str
    status: str
    locale: str
    contact: str
    sent_on: dt.date
    due_on: dt.date
    overdue: bool
    escalated: bool
    closed_on: dt.date | None
    note: str
    messages: tuple[Message, ...]


class NotReadable(LookupError):
    """No request of that id that the caller reads (one that does not exist alike)."""


def readable_schools(desk: Desk, principal: Principal, school_ids: Sequence[str]) -> list[str]:
    """Of ``school_ids``, those whose requests ``principal`` reads."""
    return [s for s in school_ids if desk.may_read(principal, s)]


async def reads_any(engine: AsyncEngine, desk: Desk, principal: Principal) -> bool:
    """Whether ``principal`` reads the requests of at least one school."""
    return bool(await _readable(engine, desk, principal))


async def _readable(engine: AsyncEngine, desk: Desk, principal: Principal) -> list[str]:
    if desk.config is None:
        return []
    async with engine.connect() as conn:
        ids = list(await conn.scalars(select(School.id)))
    return readable_schools(desk, principal, ids)


async def queue(
    engine: AsyncEngine, desk: Desk, principal: Principal, now: dt.datetime, show: Show = "open"
) -> list[QueueRow]:
    """The requests of the schools ``principal`` reads: most pressing first."""
    schools = await _readable(engine, desk, principal)
    if not schools or desk.config is None:
        return []
    config = desk.config
    closed = HelpRequest.status == "closed"
    last = (
        select(HelpMessage.request_id, func.max(HelpMessage.number).label("last"))
        .group_by(HelpMessage.request_id)
        .subquery()
    )
    query = (
        select(
            HelpRequest.id,
            HelpRequest.school_id,
            School.name,
            HelpRequest.kind,
            HelpRequest.urgency,
            HelpRequest.status,
            HelpRequest.sent_on,
            HelpRequest.due_on,
            HelpRequest.escalated,
            HelpRequest.contact,
            func.coalesce(last.c.last, 0).label("total"),
            HelpMessage.author,
        )
        .join(School, School.id == HelpRequest.school_id)
        .outerjoin(last, last.c.request_id == HelpRequest.id)
        .outerjoin(
            HelpMessage,
            and_(HelpMessage.request_id == HelpRequest.id, HelpMessage.number == last.c.last),
        )
        .where(HelpRequest.school_id.in_(schools), closed if show == "closed" else ~closed)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    found = [
        QueueRow(
            id=r.id.hex,
            school_id=r.school_id,
            school_name=r.name,
            kind=r.kind,
            urgency=r.urgency,
            status=r.status,
            sent_on=r.sent_on,
            due_on=r.due_on,
            overdue=r.status == "new" and config.overdue(r.school_id, r.due_on, now),
            escalated=r.escalated,
            contact_given=bool(r.contact),
            messages=int(r.total),
            student_wrote_last=r.author == "student",
        )
        for r in rows
    ]
    rank = {status: number for number, status in enumerate(HELP_STATUSES)}
    found.sort(
        key=lambda q: (
            not q.overdue,
            rank[q.status] if show == "open" else 0,
            q.urgency != "today",
            q.sent_on if show == "open" else -q.sent_on.toordinal(),
            q.id,
        )
    )
    return found


def _request_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(hex=text)
    except ValueError:
        raise NotReadable() from None


async def _case_row(
    conn: AsyncConnection, desk: Desk, principal: Principal, request_id: uuid.UUID
) -> HelpRequestRow:
    row = (
        await conn.execute(
            select(HelpRequest.id, HelpRequest.status, HelpRequest.school_id).where(
                HelpRequest.id == request_id
            )
        )
    ).first()
    if row is None or not desk.may_read(principal, row.school_id):
        raise NotReadable()
    return HelpRequestRow(row.id, row.status, row.school_id)


async def case(
    engine: AsyncEngine,
    desk: Desk,
    principal: Principal,
    request_id: str,
    now: dt.datetime,
    *,
    viewed: bool = True,
) -> Case:
    """One request for its reader; a view marks a new one seen and is audited.

    ``viewed=False`` reads it without either (a form shown again with its error).
    """
    ident = _request_id(request_id)
    async with engine.begin() as conn:
        found = await _case_row(conn, desk, principal, ident)
        if viewed and found.status == "new":
            await conn.execute(
                update(HelpRequest).where(HelpRequest.id == ident).values(status="seen")
            )
        if viewed:
            await audit.record(
                conn, principal, audit.HELP_VIEWED, ident.hex, school_id=found.school_id, now=now
            )
        row = (
            await conn.execute(
                select(HelpRequest.__table__, School.name)
                .join(School, School.id == HelpRequest.school_id)
                .where(HelpRequest.id == ident)
            )
        ).one()
        messages = await messages_of(conn, ident)
    config = desk.config
    assert config is not None
    return Case(
        id=ident.hex,
        school_id=row.school_id,
        school_name=row.name,
        kind=row.kind,
        urgency=row.urgency,
        status=row.status,
        locale=row.locale,
        contact=row.contact,
        sent_on=row.sent_on,
        due_on=row.due_on,
        overdue=False,
        escalated=row.escalated,
        closed_on=row.closed_on,
        note=row.note,
        messages=messages,
    )


async def reply(
    engine: AsyncEngine,
    desk: Desk,
    principal: Principal,
    request_id: str,
    text: str,
    now: dt.datetime,
) -> None:
    """A reader's reply, which the student reads with the code; a new request moves on."""
    body = text.strip()
    if not body:
        raise HelpFormError({"reply": NO_REPLY})
    if len(body) > MAX_HELP_TEXT:
        raise HelpFormError({"reply": TOO_LONG})
    ident = _request_id(request_id)
    assert desk.config is not None
    async with engine.begin() as conn:
        found = await _case_row(conn, desk, principal, ident)
        if found.status == "closed":
            raise HelpFormError({"reply": CLOSED_FOR_STAFF})
        await add_message(conn, ident, "staff", body, desk.config.local(now).date())
        await conn.execute(
            update(HelpRequest)
            .where(HelpRequest.id == ident)
            .values(
                unread_reply=True,
                status="in_progress" if found.status in ("new", "seen") else found.status,
            )
        )
        await audit.record(
            conn, principal, audit.HELP_REPLIED, ident.hex, school_id=found.school_id, now=now
        )


async def set_status(
    engine: AsyncEngine,
    desk: Desk,
    principal: Principal,
    request_id: str,
    status: str,
    now: dt.datetime,
) -> None:
    """Move a request to ``status`` (seen, in progress, closed; or back from closed)."""
    if status not in HELP_STATUSES or status == "new":
        raise HelpFormError({"status": NO_STATUS})
    ident = _request_id(request_id)
    assert desk.config is not None
    async with engine.begin() as conn:
        found = await _case_row(conn, desk, principal, ident)
        await conn.execute(
            update(HelpRequest)
            .where(HelpRequest.id == ident)
            .values(
                status=status,
                closed_on=desk.config.local(now).date() if status == "closed" else None,
            )
        )
        await audit.record(
            conn,
            principal,
            audit.HELP_STATUS_CHANGED,
            ident.hex,
            school_id=found.school_id,
            detail={"from": found.status, "to": status},
            now=now,
        )


async def save_note(
    engine: AsyncEngine,
    desk: Desk,
    principal: Principal,
    request_id: str,
    note: str,
    now: dt.datetime,
) -> None:
    """Keep the readers' note on a request (never shown to the student)."""
    if len(note) > MAX_HELP_TEXT:
        raise HelpFormError({"note": TOO_LONG})
    ident = _request_id(request_id)
    async with engine.begin() as conn:
        found = await _case_row(conn, desk, principal, ident)
        await conn.execute(
            update(HelpRequest).where(HelpRequest.id == ident).values(note=note.strip())
        )
        await audit.record(
            conn, principal, audit.HELP_NOTED, ident.hex, school_id=found.school_id, now=now
        )


async def count_open(engine: AsyncEngine, desk: Desk, principal: Principal) -> int:
    """How many requests not yet closed the caller reads (for the staff navigation)."""
    schools = await _readable(engine, desk, principal)
    if not schools:
        return 0
    async with engine.connect() as conn:
        found = await conn.scalar(
            select(func.count())
            .select_from(HelpRequest)
            .where(HelpRequest.school_id.in_(schools), HelpRequest.status != "closed")
        )
    return int(found or 0)
