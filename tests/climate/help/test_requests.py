"""Help requests in the domain: sent, followed with the code, read and answered by the readers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.commands import on_database
from climate.help import requests as help
from climate.help import triage
from climate.help.config import load
from climate.help.requests import Desk, HelpFormError, NewRequest
from climate.help.triage import NotReadable
from climate.models import AuditEvent, HelpMessage, HelpRequest
from climate.security.principals import Principal
from climate.settings import Settings
from tests.climate.help_district import (
    LEAD,
    NORTH_READER,
    NORTH_TEACHER,
    SOUTH_READER,
    VIEWER,
    help_file,
    make_help_district,
)

SECRET = "test-secret-key-that-is-long-enough-000"
# A Monday, mid-morning in the district (UTC): requests are due today by 15:00.
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()

NORTH = Principal("account", 1, NORTH_READER, "school_staff", frozenset({"N1"}))
SOUTH = Principal("account", 2, SOUTH_READER, "school_staff", frozenset({"S1"}))
# Staff of North High whom the help file does not name: sees North's reports, not its requests.
TEACHER = Principal("account", 3, NORTH_TEACHER, "school_staff", frozenset({"N1"}))
DISTRICT = Principal("account", 4, LEAD, "district_admin")
VIEWING = Principal("account", 5, VIEWER, "district_viewer")
# A token carrying a reader's very address still reads nothing: only accounts read requests.
TOKEN = Principal("token", 1, LEAD, "district_admin")
# Named a reader of North High, but the account is no longer assigned to it.
MOVED = Principal("account", 6, NORTH_READER, "school_staff", frozenset({"S1"}))


@pytest.fixture
def desk(settings: Settings, tmp_path: Path) -> Desk:
    """The help district on the test database, and its desk."""
    make_help_district(settings)
    return Desk.of(load(help_file(tmp_path)), SECRET)


def new(
    school: str = "N1",
    *,
    kind: str = "talk",
    text: str = "I would like to talk about something at home.",
    contact: str = "",
    key: str | None = None,
    urgency: str = "today",
) -> NewRequest:
    """A request as the form sends it."""
    return NewRequest(school, kind, urgency, text, contact, "es", key or str(uuid.uuid4()))


def rows(engine: AsyncEngine, table: Any) -> Any:
    """Every row of a table, as mappings (awaitable)."""

    async def run() -> list[Any]:
        async with engine.connect() as conn:
            return list((await conn.execute(select(table))).mappings())

    return run()


def test_a_request_is_sent_and_followed_with_its_code(settings: Settings, desk: Desk) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        sent = await help.send(engine, desk, new(contact="Room 12, Ana"), NOW)
        assert sent.code is not None
        assert sent.school_name == "North High"
        assert sent.reading_time == dt.time(15, 0)
        stored = await rows(engine, HelpRequest.__table__)
        assert len(stored) == 1
        row = stored[0]
        assert (row["kind"], row["urgency"], row["status"], row["locale"]) == (
            "talk",
            "today",
            "new",
            "es",
        )
        assert row["contact"] == "Room 12, Ana"
        assert (row["sent_on"], row["due_on"]) == (TODAY, TODAY)
        # The code is kept only as its digest under the service's key.
        assert row["code_hash"] == desk.digest(sent.code) != sent.code
        messages = await rows(engine, HelpMessage.__table__)
        assert [(m["author"], m["number"], m["body"]) for m in messages] == [
            ("student", 1, "I would like to talk about something at home.")
        ]
        # The code as shown (groups of four), in lower case with spaces, opens it.
        typed = help.display(sent.code).lower().replace("-", " ")
        thread = await help.follow(engine, desk, typed)
        assert thread is not None
        assert (thread.kind, thread.status, thread.school_name) == ("talk", "new", "North High")
        assert thread.sent_on == TODAY
        assert [m.body for m in thread.messages] == [
            "I would like to talk about something at home."
        ]

    on_database(settings, scenario)


def test_after_the_reading_time_a_request_is_due_the_next_school_day(
    settings: Settings, desk: Desk
) -> None:
    friday_evening = dt.datetime(2026, 12, 11, 16, 0, tzinfo=dt.UTC)

    async def scenario(engine: AsyncEngine) -> None:
        await help.send(engine, desk, new(), friday_evening)
        (row,) = await rows(engine, HelpRequest.__table__)
        assert row["sent_on"] == dt.date(2026, 12, 11)
        assert row["due_on"] == dt.date(2026, 12, 14)

    on_database(settings, scenario)


def test_a_wrong_or_malformed_code_opens_nothing(settings: Settings, desk: Desk) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        sent = await help.send(engine, desk, new(), NOW)
        assert sent.code is not None
        other = help.new_code()
        assert other != sent.code
        for code in (other, "", "ABC", sent.code + "A", sent.code[:-1] + "0", "🙂" * 12):
            assert await help.follow(engine, desk, code) is None, code
            assert await help.answer(engine, desk, code, "hello?", NOW) is None, code
        # The same code under another service key opens nothing either.
        stranger = Desk.of(desk.config, "another-secret-key-of-forty-characters!!")
        assert await help.follow(engine, stranger, sent.code) is None

    on_database(settings, scenario)


def test_a_form_sent_twice_makes_one_request(settings: Settings, desk: Desk) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        form = new(key="form-key-1")
        first = await help.send(engine, desk, form, NOW)
        again = await help.send(engine, desk, dataclasses.replace(form, text="again"), NOW)
        assert first.code is not None
        assert again.code is None
        assert again.school_name == "North High"
        assert len(await rows(engine, HelpRequest.__table__)) == 1
        assert len(await rows(engine, HelpMessage.__table__)) == 1
        # Another form is another request.
        assert (await help.send(engine, desk, new(key="form-key-2"), NOW)).code is not None
        assert len(await rows(engine, HelpRequest.__table__)) == 2

    on_database(settings, scenario)


def test_a_request_that_cannot_be_taken_says_which_field(settings: Settings, desk: Desk) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        faults = [
            (new(kind="gossip"), {"kind": help.NO_KIND}),
            (new(urgency="never"), {"urgency": help.NO_URGENCY}),
            (new(""), {"school": help.NO_SCHOOL}),
            (new("Z9"), {"school": help.NOT_TAKEN}),
            (new(text="x" * 2001), {"text": help.TOO_LONG}),
            (new(contact="x" * 201), {"contact": help.TOO_LONG}),
        ]
        for form, expected in faults:
            with pytest.raises(HelpFormError) as caught:
                await help.send(engine, desk, form, NOW)
            assert caught.value.fields == expected
        assert await rows(engine, HelpRequest.__table__) == []
        # Off (no help file): nothing is taken, no school is offered.
        off = Desk.of(None, SECRET)
        assert await help.schools_taking(engine, off) == []
        with pytest.raises(HelpFormError):
            await help.send(engine, off, new(), NOW)
        assert await help.follow(engine, off, "ACDEFGHJKMNP") is None

    on_database(settings, scenario)


def test_readers_see_only_their_schools(settings: Settings, desk: Desk) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        for school in ("N1", "N1", "S1", "E1"):
            await help.send(engine, desk, new(school), NOW)

        async def schools(principal: Principal) -> list[str]:
            return sorted(q.school_id for q in await triage.queue(engine, desk, principal, NOW))

        assert await schools(NORTH) == ["N1", "N1"]
        assert await schools(SOUTH) == ["S1"]
        assert await schools(DISTRICT) == ["E1", "N1", "N1", "S1"]
        for nobody in (TEACHER, VIEWING, TOKEN):
            assert await schools(nobody) == []
            assert not await triage.reads_any(engine, desk, nobody)
            assert await triage.count_open(engine, desk, nobody) == 0
        assert await schools(MOVED) == []
        assert await triage.count_open(engine, desk, NORTH) == 2
        assert await triage.count_open(engine, desk, DISTRICT) == 4
        assert await triage.reads_any(engine, desk, SOUTH)

        north = next(
            q for q in await triage.queue(engine, desk, DISTRICT, NOW) if q.school_id == "N1"
        )
        for stranger in (SOUTH, TEACHER, VIEWING, TOKEN, MOVED):
            with pytest.raises(NotReadable):
                await triage.case(engine, desk, stranger, north.id, NOW)
            with pytest.raises(NotReadable):
                await triage.reply(engine, desk, stranger, north.id, "hello", NOW)
            with pytest.raises(NotReadable):
                await triage.set_status(engine, desk, stranger, north.id, "closed", NOW)
            with pytest.raises(NotReadable):
                await triage.save_note(engine, desk, stranger, north.id, "note", NOW)
        # A request that does not exist, or an id that cannot be one, is refused alike.
        for missing in (uuid.uuid4().hex, "not-an-id", ""):
            with pytest.raises(NotReadable):
                await triage.case(engine, desk, DISTRICT, missing, NOW)
        # Nothing the strangers tried changed the request or left an audit entry.
        (row,) = [r for r in await rows(engine, HelpRequest.__table__) if r["id"].hex == north.id]
        assert (row["status"], row["note"], row["closed_on"]) == ("new", "", None)
        assert await rows(engine, AuditEvent.__table__) == []

    on_database(settings, scenario)


def test_a_conversation_from_new_to_closed(settings: Settings, desk: Desk) -> None:
    later = NOW + dt.timedelta(days=1)

    async def scenario(engine: AsyncEngine) -> None:
        sent = await help.send(engine, desk, new(contact="Ana, 7B"), NOW)
        assert sent.code is not None
        (row,) = await triage.queue(engine, desk, NORTH, NOW)
        assert (row.status, row.messages, row.student_wrote_last) == ("new", 1, True)
        assert row.contact_given
        assert not row.overdue

        seen = await triage.case(engine, desk, NORTH, row.id, NOW)
        assert seen.status == "seen"
        assert seen.contact == "Ana, 7B"
        assert seen.locale == "es"
        assert [m.body for m in seen.messages] == ["I would like to talk about something at home."]

        await triage.reply(engine, desk, NORTH, row.id, "  Come to room 4 at noon.  ", later)
        (row,) = await triage.queue(engine, desk, NORTH, later)
        assert (row.status, row.messages, row.student_wrote_last) == ("in_progress", 2, False)
        with pytest.raises(HelpFormError):
            await triage.reply(engine, desk, NORTH, row.id, "   ", later)

        thread = await help.follow(engine, desk, sent.code)
        assert thread is not None
        assert [(m.author, m.body, m.sent_on) for m in thread.messages] == [
            ("student", "I would like to talk about something at home.", TODAY),
            ("staff", "Come to room 4 at noon.", later.date()),
        ]
        # Reading the reply marks it read.
        (stored,) = await rows(engine, HelpRequest.__table__)
        assert stored["unread_reply"] is False

        answered = await help.answer(engine, desk, sent.code, "OK, thank you.", later)
        assert answered is not None
        assert [m.author for m in answered.messages] == ["student", "staff", "student"]
        with pytest.raises(HelpFormError):
            await help.answer(engine, desk, sent.code, "  ", later)

        await triage.save_note(engine, desk, NORTH, row.id, "Met on Tuesday; follow up.", later)
        assert (await triage.case(engine, desk, NORTH, row.id, later)).note == (
            "Met on Tuesday; follow up."
        )
        # The student never sees the note.
        thread = await help.follow(engine, desk, sent.code)
        assert thread is not None
        assert "follow up" not in repr(thread)

        await triage.set_status(engine, desk, NORTH, row.id, "closed", later)
        assert await triage.queue(engine, desk, NORTH, later) == []
        (closed,) = await triage.queue(engine, desk, NORTH, later, show="closed")
        assert closed.status == "closed"
        assert (await triage.case(engine, desk, NORTH, row.id, later)).closed_on == later.date()
        assert await triage.count_open(engine, desk, NORTH) == 0
        # A closed request takes no answer and no reply, and says why.
        with pytest.raises(HelpFormError) as caught:
            await help.answer(engine, desk, sent.code, "one more thing", later)
        assert caught.value.fields == {"text": help.CLOSED}
        with pytest.raises(HelpFormError):
            await triage.reply(engine, desk, NORTH, row.id, "one more", later)
        thread = await help.follow(engine, desk, sent.code)
        assert thread is not None
        assert thread.status == "closed"
        assert len(thread.messages) == 3
        with pytest.raises(HelpFormError):
            await triage.set_status(engine, desk, NORTH, row.id, "new", later)

        # Opened again: no closing day, answers taken again.
        await triage.set_status(engine, desk, NORTH, row.id, "in_progress", later)
        case = await triage.case(engine, desk, NORTH, row.id, later)
        assert (case.status, case.closed_on) == ("in_progress", None)
        assert await help.answer(engine, desk, sent.code, "one more thing", later) is not None

    on_database(settings, scenario)


def test_staff_actions_are_audited_without_the_requests_words(
    settings: Settings, desk: Desk
) -> None:
    words = "My friend said she wants to hurt herself"
    contact = "Sam in 9C"
    note = "Called the family; see the file"

    async def scenario(engine: AsyncEngine) -> None:
        sent = await help.send(engine, desk, new(kind="worry", text=words, contact=contact), NOW)
        assert sent.code is not None
        # Sending writes nothing to the audit log: it is the student's, not staff's.
        assert await rows(engine, AuditEvent.__table__) == []
        (row,) = await triage.queue(engine, desk, DISTRICT, NOW)
        await triage.case(engine, desk, DISTRICT, row.id, NOW)
        await triage.reply(engine, desk, DISTRICT, row.id, "We are on it, thank you.", NOW)
        await triage.save_note(engine, desk, DISTRICT, row.id, note, NOW)
        await triage.set_status(engine, desk, DISTRICT, row.id, "closed", NOW)
        events = await rows(engine, AuditEvent.__table__)
        assert [e["action"] for e in sorted(events, key=lambda e: e["id"])] == [
            "help_viewed",
            "help_replied",
            "help_noted",
            "help_status_changed",
        ]
        for event in events:
            assert event["actor"] == LEAD
            assert event["target"] == row.id
            assert event["school_id"] == "N1"
            seen = repr(dict(event))
            for secret in (words, contact, note, "We are on it", sent.code, "worry"):
                assert secret not in seen, secret
        changed = next(e for e in events if e["action"] == "help_status_changed")
        assert changed["detail"] == {"from": "in_progress", "to": "closed"}

    on_database(settings, scenario)


def test_the_queue_puts_overdue_and_urgent_first(settings: Settings, desk: Desk) -> None:
    sunday = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
    afternoon = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)

    async def scenario(engine: AsyncEngine) -> None:
        await help.send(engine, desk, new(text="week", urgency="week"), NOW)
        await help.send(engine, desk, new(text="today", urgency="today"), NOW)
        await help.send(engine, desk, new(text="sunday", urgency="week"), sunday)
        # At 16:00 Monday the requests due Monday by 15:00 are overdue, all three of them.
        found = await triage.queue(engine, desk, NORTH, afternoon)
        assert [q.overdue for q in found] == [True, True, True]
        assert found[0].urgency == "today"
        assert found[1].sent_on == sunday.date()
        # Seen requests are no longer overdue.
        await triage.case(engine, desk, NORTH, found[0].id, afternoon)
        again = await triage.queue(engine, desk, NORTH, afternoon)
        assert [q.overdue for q in again] == [True, True, False]

    on_database(settings, scenario)
