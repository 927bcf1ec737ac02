"""Help requests as a student sends and follows them, and what the readers' side shares.

The readers' queue is in ``climate.help.triage``, the escalation and retention rounds in
``climate.help.rounds``.

Everything here runs in its own transactions, on its own tables: a request is never written
with, before or after a response on purpose, and carries nothing a response carries but the
school. The request code is random (12 characters, 3.8e16 codes), shown once, and stored only
as an HMAC under the service's key, as is the form's one-time key that keeps a form sent
twice from making two requests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.help.config import HelpConfig
from climate.models import (
    HELP_KINDS,
    HELP_URGENCIES,
    MAX_HELP_CONTACT,
    MAX_HELP_TEXT,
    HelpMessage,
    HelpRequest,
    School,
)
from climate.security.principals import Principal
from climate.security.scoping import may_see

ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
CODE_LENGTH = 12
GROUP = 4
PURPOSE = b"climate help request codes v1"
MAX_FORM_KEY = 64
ADD_ATTEMPTS = 3


def _(message: str) -> str:
    """Mark a message for the catalogs; it is translated where it is shown."""
    return message


NO_SCHOOL = _("Choose your school.")
NO_KIND = _("Choose what you would like to ask for.")
NO_URGENCY = _("Choose how soon you would like to hear from someone.")
TOO_LONG = _("This is too long. Please shorten it.")
NOT_TAKEN = _("This school does not take requests here yet. Please talk to an adult you trust.")
EMPTY_REPLY = _("Write something to send.")
TOO_MANY = _(
    "Many requests were sent from this place just now. Please wait a few minutes and send it "
    "again, or talk to an adult you trust."
)
CLOSED = _("This request is closed. If you still need help, send a new request.")
# What the readers are told on the staff pages.
NO_REPLY = _("Write a reply to send.")
CLOSED_FOR_STAFF = _("This request is closed. Reopen it to reply.")
NO_STATUS = _("Choose a status.")


class HelpFormError(ValueError):
    """A request or answer that cannot be taken: field name -> message (an English msgid)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def new_code() -> str:
    """A fresh request code in its canonical form."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def canonical(text: str) -> str | None:
    """The canonical form of a typed request code, or None when it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\n")
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def display(code: str) -> str:
    """A request code as shown to the student: three groups of four."""
    return "-".join(code[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


@dataclass(frozen=True, slots=True)
class Desk:
    """The help requests of one service: the district's help file (None: off) and the key."""

    config: HelpConfig | None
    key: bytes

    @classmethod
    def of(cls, config: HelpConfig | None, secret: str) -> Desk:
        """The desk of a service whose secret key is ``secret``."""
        derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE)
        return cls(config, derive.derive(secret.encode("utf-8")))

    @property
    def enabled(self) -> bool:
        """Whether the district has turned help requests on."""
        return self.config is not None

    def digest(self, value: str) -> str:
        """The stored form of a request code or a form key."""
        return hmac.new(self.key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def takes_requests(self, school_id: str) -> bool:
        """Whether ``school_id`` takes requests (help is on and someone reads them)."""
        return self.config is not None and self.config.takes_requests(school_id)

    def may_read(self, principal: Principal, school_id: str) -> bool:
        """Whether ``principal`` reads ``school_id``'s requests."""
        if self.config is None or principal.kind != "account":
            return False
        readers = self.config.readers(school_id)
        return principal.label.lower() in readers and may_see(principal, school_id)


# --- students --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchoolChoice:
    """A school a student may send a request to."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class NewRequest:
    """A request as the student's form sends it (every field as typed)."""

    school_id: str
    kind: str
    urgency: str
    text: str
    contact: str
    locale: str
    form_key: str


@dataclass(frozen=True, slots=True)
class Sent:
    """A request taken: the code to show (None when this form had been sent already)."""

    code: str | None
    school_name: str
    reading_time: dt.time


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a conversation, as the student or the reader sees it."""

    author: str
    body: str
    sent_on: dt.date


@dataclass(frozen=True, slots=True)
class Thread:
    """A request as its student sees it with the code: no notes, no reader's name."""

    kind: str
    status: str
    school_name: str
    sent_on: dt.date
    reading_time: dt.time
    messages: tuple[Message, ...]

    @property
    def closed(self) -> bool:
        """Whether the request is closed (the student may read it, not answer)."""
        return self.status == "closed"


async def schools_taking(engine: AsyncEngine, desk: Desk) -> list[SchoolChoice]:
    """The schools that take requests, by name."""
    if desk.config is None:
        return []
    async with engine.connect() as conn:
        rows = (await conn.execute(select(School.id, School.name).order_by(School.name))).all()
    return [SchoolChoice(r.id, r.name) for r in rows if desk.takes_requests(r.id)]


def check(new: NewRequest, schools: Sequence[SchoolChoice]) -> dict[str, str]:
    """What is wrong with a request, by field (empty when it can be sent)."""
    faults: dict[str, str] = {}
    if new.kind not in HELP_KINDS:
        faults["kind"] = NO_KIND
    if new.school_id not in {s.id for s in schools}:
        faults["school"] = NO_SCHOOL if not new.school_id else NOT_TAKEN
    if new.urgency not in HELP_URGENCIES:
        faults["urgency"] = NO_URGENCY
    if len(new.text) > MAX_HELP_TEXT:
        faults["text"] = TOO_LONG
    if len(new.contact) > MAX_HELP_CONTACT:
        faults["contact"] = TOO_LONG
    return faults


async def send(engine: AsyncEngine, desk: Desk, new: NewRequest, now: dt.datetime) -> Sent:
    """Store a request in a transaction of its own; HelpFormError says what to mend."""
    schools = await schools_taking(engine, desk)
    faults = check(new, schools)
    if faults or desk.config is None:
        raise HelpFormError(faults or {"school": NOT_TAKEN})
    school = next(s for s in schools if s.id == new.school_id)
    reading = desk.config.reading(school.id)
    code = new_code()
    request_id = uuid.uuid4()
    today = desk.config.local(now).date()
    form_hash = desk.digest("form:" + new.form_key[:MAX_FORM_KEY])
    text = new.text.strip()
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(HelpRequest).values(
                    id=request_id,
                    school_id=school.id,
                    kind=new.kind,
                    urgency=new.urgency,
                    status="new",
                    locale=new.locale[:16],
                    contact=new.contact.strip(),
                    code_hash=desk.digest(code),
                    form_hash=form_hash,
                    sent_on=today,
                    due_on=desk.config.due_on(school.id, now),
                    escalated=False,
                    unread_reply=False,
                    closed_on=None,
                    note="",
                )
            )
            if text:
                await conn.execute(
                    insert(HelpMessage).values(
                        request_id=request_id, number=1, author="student", body=text, sent_on=today
                    )
                )
    except IntegrityError:
        # The same form sent again (a double click, a reload): the first request stands.
        async with engine.connect() as conn:
            found = await conn.scalar(
                select(func.count())
                .select_from(HelpRequest)
                .where(HelpRequest.form_hash == form_hash)
            )
        if not found:
            raise
        return Sent(None, school.name, reading)
    return Sent(code, school.name, reading)


async def _by_code(conn: AsyncConnection, desk: Desk, code: str) -> HelpRequestRow | None:
    canon = canonical(code)
    if canon is None:
        return None
    row = (
        await conn.execute(
            select(HelpRequest.id, HelpRequest.status, HelpRequest.school_id).where(
                HelpRequest.code_hash == desk.digest(canon)
            )
        )
    ).first()
    return None if row is None else HelpRequestRow(row.id, row.status, row.school_id)


@dataclass(frozen=True, slots=True)
class HelpRequestRow:
    """What a code look-up finds."""

    id: uuid.UUID
    status: str
    school_id: str


async def follow(engine: AsyncEngine, desk: Desk, code: str) -> Thread | None:
    """The request a code opens, replies marked read; None for any code that opens nothing."""
    if desk.config is None:
        return None
    async with engine.begin() as conn:
        found = await _by_code(conn, desk, code)
        if found is None:
            return None
        await conn.execute(
            update(HelpRequest)
            .where(HelpRequest.id == found.id, HelpRequest.unread_reply.is_(True))
            .values(unread_reply=False)
        )
        return await _thread(conn, desk, found.id)


async def answer(
    engine: AsyncEngine, desk: Desk, code: str, text: str, now: dt.datetime
) -> Thread | None:
    """Add the student's answer to the request a code opens; None when it opens nothing."""
    if desk.config is None:
        return None
    body = text.strip()
    if not body:
        raise HelpFormError({"text": EMPTY_REPLY})
    if len(body) > MAX_HELP_TEXT:
        raise HelpFormError({"text": TOO_LONG})
    async with engine.begin() as conn:
        found = await _by_code(conn, desk, code)
        if found is None:
            return None
        if found.status == "closed":
            raise HelpFormError({"text": CLOSED})
        await add_message(conn, found.id, "student", body, desk.config.local(now).date())
        return await _thread(conn, desk, found.id)


async def add_message(
    conn: AsyncConnection, request_id: uuid.UUID, author: str, body: str, day: dt.date
) -> None:
    # Two messages written at once may pick the same number: the second tries the next one.
    for _attempt in range(ADD_ATTEMPTS):
        try:
            async with conn.begin_nested():
                await _insert_message(conn, request_id, author, body, day)
            return
        except IntegrityError:
            continue
    await _insert_message(conn, request_id, author, body, day)


async def _insert_message(
    conn: AsyncConnection, request_id: uuid.UUID, author: str, body: str, day: dt.date
) -> None:
    number = await conn.scalar(
        select(func.coalesce(func.max(HelpMessage.number), 0)).where(
            HelpMessage.request_id == request_id
        )
    )
    await conn.execute(
        insert(HelpMessage).values(
            request_id=request_id,
            number=int(number or 0) + 1,
            author=author,
            body=body,
            sent_on=day,
        )
    )


async def messages_of(conn: AsyncConnection, request_id: uuid.UUID) -> tuple[Message, ...]:
    rows = (
        await conn.execute(
            select(HelpMessage.author, HelpMessage.body, HelpMessage.sent_on)
            .where(HelpMessage.request_id == request_id)
            .order_by(HelpMessage.number)
        )
    ).all()
    return tuple(Message(r.author, r.body, r.sent_on) for r in rows)


async def _thread(conn: AsyncConnection, desk: Desk, request_id: uuid.UUID) -> Thread:
    assert desk.config is not None
    row = (
        await conn.execute(
            select(
                HelpRequest.kind,
                HelpRequest.status,
                HelpRequest.sent_on,
                HelpRequest.school_id,
                School.name,
            )
            .join(School, School.id == HelpRequest.school_id)
            .where(HelpRequest.id == request_id)
        )
    ).one()
    return Thread(
        kind=row.kind,
        status=row.status,
        school_name=row.name,
        sent_on=row.sent_on,
        reading_time=desk.config.reading(row.school_id),
        messages=await messages_of(conn, request_id),
    )
