"""E-mail through a real SMTP server: a request waits, or was not read in time; never its words.

Each test runs an SMTP server on 127.0.0.1 (``tests/climate/help/smtp.py``) and sends through
the service's own mailer, over a real socket, as it would to the district's relay.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.app import create_app
from climate.commands import on_database
from climate.help import requests as help
from climate.help import triage
from climate.help.duty import Duty
from climate.help.mail import Mailer
from climate.help.requests import NewRequest, Sent
from climate.models import AuditEvent, HelpRequest
from climate.security.principals import Principal
from climate.settings import Settings
from tests.climate.help.smtp import Inbox, Received, free_port, smtp_server
from tests.climate.help_district import (
    ESCALATE_DISTRICT,
    ESCALATE_NORTH,
    NOTIFY_DISTRICT,
    NOTIFY_NORTH,
    SOUTH_READER,
    help_file,
    make_help_district,
)

# Monday morning, UTC (the help file's clock): requests are due today by 15:00.
MORNING = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
BEFORE = dt.datetime(2026, 12, 7, 14, 59, tzinfo=dt.UTC)
AFTER = dt.datetime(2026, 12, 7, 15, 1, tzinfo=dt.UTC)
SENDER = "climate@district.example"
WORDS = {
    "N1": "My friend Jo told me he sleeps in the park",
    "S1": "I keep thinking about the fight on the bus",
    "E1": "Someone at recess takes my lunch every day",
}
CONTACTS = {"N1": "Ari from room 12", "S1": "", "E1": "Mia, grade 4"}
KINDS = {"N1": "worry", "S1": "talk", "E1": "talk"}


def with_mail(settings: Settings, tmp_path: Path, port: int) -> Settings:
    """The help district's settings, mailing through 127.0.0.1:``port`` without TLS."""
    make_help_district(settings)
    return dataclasses.replace(
        settings,
        help_requests=help_file(tmp_path),
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_from=SENDER,
    )


def form(school: str) -> NewRequest:
    """The request a student of ``school`` sends (its own words, contact and kind)."""
    return NewRequest(
        school, KINDS[school], "today", WORDS[school], CONTACTS[school], "en", f"form-{school}"
    )


def assert_holds_no_request(received: Received, sent: list[Sent]) -> None:
    """Nothing of any request is in the message: no words, contact, kind or code."""
    raw = received.raw.decode("utf-8", "replace").lower()
    secrets = [*WORDS.values(), *(c for c in CONTACTS.values() if c), "worry", "talk to"]
    secrets += ["jo told", "sleeps", "bus", "lunch"]
    for done in sent:
        assert done.code is not None
        secrets += [done.code, help.display(done.code)]
    for secret in secrets:
        assert secret.lower() not in raw, secret


SYMBOL = "[ACDEFGHJKMNPQRTWXY34679]{4}"
CODE = re.compile(rf"\b({SYMBOL}-{SYMBOL}-{SYMBOL})\b")
FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')


def _only(inbox: Inbox, address: str) -> Received:
    found = inbox.to(address)
    assert len(found) == 1, [r.to for r in inbox.received]
    return found[0]


def test_notices_reach_the_schools_duty_and_hold_nothing_of_the_request(
    settings: Settings, tmp_path: Path
) -> None:
    with smtp_server() as inbox:
        mailing = with_mail(settings, tmp_path, inbox.port)

        async def scenario(engine: AsyncEngine) -> list[Sent]:
            duty = Duty.of(engine, mailing)
            sent = []
            for school in ("N1", "E1"):
                done = await help.send(engine, duty.desk, form(school), MORNING)
                duty.notify(school, done)
                sent.append(done)
            # The same form again makes no request and tells no one again.
            again = await help.send(engine, duty.desk, form("N1"), MORNING)
            assert again.code is None
            duty.notify("N1", again)
            await duty.stop()  # lets the notices being sent finish
            return sent

        sent = on_database(mailing, scenario)

    assert len(inbox.received) == 2
    north = _only(inbox, NOTIFY_NORTH)
    # East Elementary has no list of its own: the district's duty is told.
    east = _only(inbox, NOTIFY_DISTRICT)
    assert north.sender == SENDER
    assert "North High" in north.subject
    assert "East Elementary" in east.subject
    assert str(north.message["To"]) == NOTIFY_NORTH
    for received in (north, east):
        assert "https://climate.district.example/staff/help" in received.body
        assert "does not contain the request" in received.body
        assert_holds_no_request(received, sent)


def test_a_request_sent_from_the_student_page_tells_the_schools_duty(
    settings: Settings, tmp_path: Path
) -> None:
    with smtp_server() as inbox:
        mailing = with_mail(settings, tmp_path, inbox.port)
        sent: list[Sent] = []
        with TestClient(create_app(mailing)) as student:
            for school in ("N1", "E1"):
                blank = student.get(f"/help/new?kind={KINDS[school]}")
                key = FORM_KEY.search(blank.text)
                assert key is not None
                data = {
                    "kind": KINDS[school],
                    "school": school,
                    "urgency": "today",
                    "text": WORDS[school],
                    "contact": CONTACTS[school],
                    "form_key": key.group(1),
                }
                page = student.post("/help/new", data=data)
                assert page.status_code == 200, page.text[:300]
                shown = CODE.search(page.text)
                assert shown is not None
                # It is the request's code: it opens the request.
                opened = student.post("/help/follow", data={"code": shown.group(1)})
                assert WORDS[school] in opened.text
                sent.append(Sent(shown.group(1).replace("-", ""), "", dt.time()))
        # The app has stopped, and with it waited for the notices being sent.

    assert sorted(r.to for r in inbox.received) == [(NOTIFY_DISTRICT,), (NOTIFY_NORTH,)]
    assert "North High" in _only(inbox, NOTIFY_NORTH).subject
    assert "East Elementary" in _only(inbox, NOTIFY_DISTRICT).subject
    for received in inbox.received:
        assert_holds_no_request(received, sent)


def test_a_request_not_read_in_time_is_escalated_once(settings: Settings, tmp_path: Path) -> None:
    with smtp_server() as inbox:
        mailing = with_mail(settings, tmp_path, inbox.port)

        async def scenario(engine: AsyncEngine) -> list[Sent]:
            duty = Duty.of(engine, mailing)
            sent = [await help.send(engine, duty.desk, form(s), MORNING) for s in WORDS]
            # South High's reader opens its request in time: it is not escalated.
            reader = Principal("account", 2, SOUTH_READER, "school_staff", frozenset({"S1"}))
            (waiting,) = await triage.queue(engine, duty.desk, reader, MORNING)
            await triage.case(engine, duty.desk, reader, waiting.id, MORNING)
            # Before the reading time nothing is sent.
            assert await duty.round(BEFORE) == (0, 0)
            assert inbox.received == []
            assert await duty.round(AFTER) == (2, 0)
            # The next round, and the next day's, tell no one again.
            assert await duty.round(AFTER + dt.timedelta(minutes=5)) == (0, 0)
            assert await duty.round(AFTER + dt.timedelta(days=1)) == (0, 0)
            async with engine.connect() as conn:
                found = await conn.execute(select(HelpRequest.school_id, HelpRequest.escalated))
                flags = {row.school_id: row.escalated for row in found}
                actions = list(
                    await conn.scalars(
                        select(AuditEvent.action).where(AuditEvent.action == "help_escalated")
                    )
                )
            assert flags == {"N1": True, "S1": False, "E1": True}
            assert len(actions) == 2
            return sent

        sent = on_database(mailing, scenario)

    assert len(inbox.received) == 2
    north = _only(inbox, ESCALATE_NORTH)
    east = _only(inbox, ESCALATE_DISTRICT)
    assert "Not read in time" in north.subject
    assert "North High" in north.subject
    assert "East Elementary" in east.subject
    for received in (north, east):
        assert_holds_no_request(received, sent)


def test_an_escalation_that_cannot_be_sent_is_tried_again(
    settings: Settings, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens here until the server below starts
    mailing = with_mail(settings, tmp_path, port)

    async def fail(engine: AsyncEngine) -> None:
        duty = Duty.of(engine, mailing)
        await help.send(engine, duty.desk, form("N1"), MORNING)
        assert await duty.round(AFTER) == (0, 0)
        async with engine.connect() as conn:
            escalated = await conn.scalar(select(HelpRequest.escalated))
        # Handed back: the next round tries again.
        assert escalated is False

    on_database(mailing, fail)

    with smtp_server(port) as inbox:

        async def retry(engine: AsyncEngine) -> None:
            duty = Duty.of(engine, mailing)
            assert await duty.round(AFTER + dt.timedelta(minutes=5)) == (1, 0)
            assert await duty.round(AFTER + dt.timedelta(minutes=10)) == (0, 0)

        on_database(mailing, retry)

    assert [r.to for r in inbox.received] == [(ESCALATE_NORTH,)]


@pytest.mark.parametrize("host", [None, ""])
def test_without_a_server_nothing_is_sent(
    settings: Settings, tmp_path: Path, host: str | None
) -> None:
    with smtp_server() as inbox:
        # The port is a listening server's: only the missing host keeps mail from it.
        mailing = dataclasses.replace(with_mail(settings, tmp_path, inbox.port), smtp_host=host)
        assert not Mailer.of(mailing).configured

        async def scenario(engine: AsyncEngine) -> None:
            duty = Duty.of(engine, mailing)
            sent = await help.send(engine, duty.desk, form("N1"), MORNING)
            duty.notify("N1", sent)  # nothing to send through: returns at once
            await duty.stop()
            assert await duty.round(AFTER) == (0, 0)
            assert not await duty.mailer.send([NOTIFY_NORTH], "subject", "body")

        on_database(mailing, scenario)
    assert inbox.received == []
