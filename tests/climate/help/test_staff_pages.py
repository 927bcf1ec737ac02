"""The staff triage queue over HTTP: who sees which requests, and what each form changes.

Each test signs in through the real sign-in form on the district of ``help_district``: North's
reader, South's reader, a North teacher who is not a reader, the district lead (reads every
school) and a district viewer (reads none). Requests are sent with the domain, as a student's
form sends them, and every change is checked in the database and in the audit log.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from climate import db
from climate.app import create_app
from climate.help.config import load
from climate.help.requests import Desk, NewRequest, send
from climate.models import AuditEvent, HelpMessage, HelpRequest
from climate.security.tokens import create_token
from climate.settings import Settings
from tests.climate.help_district import (
    LEAD,
    NORTH_READER,
    NORTH_TEACHER,
    NOTIFY_NORTH,
    PASSWORD,
    SOUTH_READER,
    VIEWER,
    help_file,
    make_help_district,
)

Client = TestClient[Litestar]
# Cookies are Secure, so the client must speak https.
BASE = "https://testserver.local"
# A Monday morning before every school's reading time: nothing is overdue yet.
MONDAY = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
NORTH_WORDS = "I would like to talk to someone about my friend."


@pytest.fixture
def helped(settings: Settings, tmp_path: Path) -> Settings:
    """Settings with the district's help file, on a database holding the district."""
    on = dataclasses.replace(settings, help_requests=help_file(tmp_path))
    make_help_district(on)
    return on


@pytest.fixture
def web(helped: Settings) -> Iterator[Client]:
    """The app over https, help requests on."""
    with TestClient(create_app(helped), base_url=BASE) as client:
        yield client


def _run(settings: Settings, work: Any) -> Any:
    async def run() -> Any:
        engine = db.create_engine(settings.database_url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _send(
    settings: Settings, school: str, text: str = "", contact: str = "", kind: str = "talk"
) -> str:
    """Send a request as a student's form does; its id (hex)."""
    assert settings.help_requests is not None
    desk = Desk.of(load(settings.help_requests), settings.effective_secret)
    new = NewRequest(school, kind, "today", text, contact, "es", uuid.uuid4().hex)

    async def work(engine: Any) -> str:
        sent = await send(engine, desk, new, MONDAY)
        assert sent.code is not None
        async with engine.connect() as conn:
            found = await conn.scalar(
                select(HelpRequest.id).where(HelpRequest.code_hash == desk.digest(sent.code))
            )
        return str(found.hex)

    result: str = _run(settings, work)
    return result


def _request(settings: Settings, request_id: str) -> dict[str, Any]:
    """The stored request and the bodies of its messages."""

    async def work(engine: Any) -> dict[str, Any]:
        ident = uuid.UUID(hex=request_id)
        async with engine.connect() as conn:
            row = (
                await conn.execute(select(HelpRequest.__table__).where(HelpRequest.id == ident))
            ).one()
            bodies = list(
                await conn.scalars(
                    select(HelpMessage.body)
                    .where(HelpMessage.request_id == ident)
                    .order_by(HelpMessage.number)
                )
            )
        return {**row._asdict(), "messages": bodies}

    found: dict[str, Any] = _run(settings, work)
    return found


def _audits(settings: Settings, action: str, target: str) -> int:
    async def work(engine: Any) -> int:
        async with engine.connect() as conn:
            return int(
                await conn.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.action == action, AuditEvent.target == target)
                )
                or 0
            )

    count: int = _run(settings, work)
    return count


def _csrf(client: Client) -> str:
    signed_in = "climate_session" in client.cookies
    page = client.get("/staff/password" if signed_in else "/staff/sign-in")
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def _sign_in(client: Client, email: str) -> None:
    response = client.post(
        "/staff/sign-in",
        data={"email": email, "password": PASSWORD, "_csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def _post(client: Client, request_id: str, action: str, **fields: str) -> Any:
    return client.post(
        f"/staff/help/{request_id}/{action}",
        data={**fields, "_csrf_token": _csrf(client)},
        follow_redirects=False,
    )


def _rows(page: str) -> set[str]:
    return set(re.findall(r'data-request="([0-9a-f]{32})"', page))


def test_a_reader_sees_their_schools_requests_and_no_other(web: Client, helped: Settings) -> None:
    north = _send(helped, "N1", NORTH_WORDS, contact="Sam, room 12")
    south = _send(helped, "S1", "South's worry", kind="worry")
    _sign_in(web, NORTH_READER)
    page = web.get("/staff/help")
    assert page.status_code == 200
    assert _rows(page.text) == {north}
    assert "Talk to someone" in page.text
    assert "Gave contact details" in page.text
    assert "Student wrote last" in page.text
    assert "Help requests are not an emergency service." in page.text
    assert "call or text <strong>988</strong>" in page.text
    # The promise of North's own file: read by 3 PM, told North's duty address.
    assert "3:00\u202fPM" in page.text or "3:00 PM" in page.text
    assert NOTIFY_NORTH in page.text
    # The navigation counts the one open request.
    assert re.search(r'id="nav-help">Help requests <span class="nav-count"[^>]*>1<', page.text)
    opened = web.get(f"/staff/help/{north}")
    assert opened.status_code == 200
    assert NORTH_WORDS in opened.text
    assert "Sam, room 12" in opened.text
    assert "The student chose to give this." in opened.text
    assert web.get(f"/staff/help/{south}").status_code == 404


def test_another_schools_request_answers_like_one_that_does_not_exist(
    web: Client, helped: Settings
) -> None:
    north = _send(helped, "N1", NORTH_WORDS)
    _sign_in(web, SOUTH_READER)
    assert north not in _rows(web.get("/staff/help").text)
    answers = [
        web.get(f"/staff/help/{path}")
        for path in (north, uuid.uuid4().hex, "not-an-id", north + "0")
    ]
    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert all('id="error" data-status="404"' in a.text for a in answers)
    assert NORTH_WORDS not in answers[0].text
    # The forms refuse it the same way, and change nothing.
    before = _request(helped, north)
    assert _post(web, north, "reply", reply="Hello").status_code == 404
    assert _post(web, north, "note", note="mine").status_code == 404
    assert _post(web, north, "status", status="closed").status_code == 404
    assert _request(helped, north) == before
    assert before["status"] == "new"


@pytest.mark.parametrize("email", [NORTH_TEACHER, VIEWER])
def test_staff_not_named_readers_see_no_requests(web: Client, helped: Settings, email: str) -> None:
    north = _send(helped, "N1", NORTH_WORDS)
    _sign_in(web, email)
    page = web.get("/staff/help")
    assert page.status_code == 200
    assert 'id="help-none"' in page.text
    assert _rows(page.text) == set()
    assert 'id="nav-help"' not in page.text
    assert 'id="help-requests"' not in web.get("/staff").text
    assert web.get(f"/staff/help/{north}").status_code == 404
    assert _post(web, north, "reply", reply="Hello").status_code == 404
    assert _request(helped, north)["messages"] == [NORTH_WORDS]
    assert _audits(helped, "help_viewed", north) == 0


def test_the_district_lead_sees_every_school(web: Client, helped: Settings) -> None:
    sent = {_send(helped, school) for school in ("N1", "S1", "E1")}
    _sign_in(web, LEAD)
    assert _rows(web.get("/staff/help").text) == sent
    home = web.get("/staff").text
    assert "3 help requests are open." in home
    assert 'href="/staff/help"' in home


def test_an_api_token_does_not_open_the_queue(web: Client, helped: Settings) -> None:
    north = _send(helped, "N1", NORTH_WORDS)

    async def work(engine: Any) -> str:
        async with engine.begin() as conn:
            return str((await create_token(conn, "script", "district_admin", []))[1])

    token = _run(helped, work)
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/staff/help", f"/staff/help/{north}"):
        answer = web.get(path, headers=headers, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/staff/sign-in")
    assert _request(helped, north)["status"] == "new"


def test_opening_a_new_request_marks_it_seen_and_is_audited(web: Client, helped: Settings) -> None:
    north = _send(helped, "N1", NORTH_WORDS)
    _sign_in(web, NORTH_READER)
    page = web.get("/staff/help").text
    assert "New" in page
    web.get(f"/staff/help/{north}")
    assert _request(helped, north)["status"] == "seen"
    assert _audits(helped, "help_viewed", north) == 1


def test_reply_note_and_status_change_the_request_and_are_audited(
    web: Client, helped: Settings
) -> None:
    north = _send(helped, "N1", NORTH_WORDS)
    _sign_in(web, NORTH_READER)
    web.get(f"/staff/help/{north}")
    answer = _post(web, north, "reply", reply="  We can meet at lunch.  ")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/staff/help/{north}?done=reply"
    stored = _request(helped, north)
    assert stored["messages"] == [NORTH_WORDS, "We can meet at lunch."]
    assert stored["status"] == "in_progress"
    assert _audits(helped, "help_replied", north) == 1
    shown = web.get(answer.headers["location"]).text
    assert 'id="done"' in shown
    assert "Your reply was sent." in shown
    assert "We can meet at lunch." in shown

    assert _post(web, north, "note", note="Spoke with the nurse.").status_code == 303
    assert _request(helped, north)["note"] == "Spoke with the nurse."
    assert _audits(helped, "help_noted", north) == 1

    closed = _post(web, north, "status", status="closed")
    assert closed.status_code == 303
    stored = _request(helped, north)
    assert stored["status"] == "closed"
    assert stored["closed_on"] is not None
    assert _audits(helped, "help_status_changed", north) == 1
    assert _rows(web.get("/staff/help").text) == set()
    assert _rows(web.get("/staff/help?show=closed").text) == {north}
    page = web.get(f"/staff/help/{north}").text
    assert 'value="in_progress"' in page
    assert "Reopen" in page
    assert 'id="reply"' not in page
    assert _post(web, north, "status", status="in_progress").status_code == 303
    assert _request(helped, north)["status"] == "in_progress"
    assert _request(helped, north)["closed_on"] is None


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("reply", {"reply": "   "}, "Write a reply to send."),
        ("reply", {"reply": "x" * 2001}, "This is too long. Please shorten it."),
        ("note", {"note": "x" * 2001}, "This is too long. Please shorten it."),
        ("status", {"status": "new"}, "Choose a status."),
        ("status", {"status": "lost"}, "Choose a status."),
    ],
)
def test_a_refused_form_says_why_and_changes_nothing(
    web: Client, helped: Settings, action: str, fields: dict[str, str], message: str
) -> None:
    north = _send(helped, "N1", NORTH_WORDS)
    _sign_in(web, NORTH_READER)
    web.get(f"/staff/help/{north}")
    before = _request(helped, north)
    answer = _post(web, north, action, **fields)
    assert answer.status_code == 422
    assert 'id="problem"' in answer.text
    assert message in answer.text
    assert f'id="{action}-error"' in answer.text
    assert _request(helped, north) == before
    changed = {"reply": "help_replied", "note": "help_noted", "status": "help_status_changed"}
    assert _audits(helped, changed[action], north) == 0


def test_a_reply_to_a_closed_request_is_refused(web: Client, helped: Settings) -> None:
    north = _send(helped, "N1", NORTH_WORDS)
    _sign_in(web, NORTH_READER)
    assert _post(web, north, "status", status="closed").status_code == 303
    answer = _post(web, north, "reply", reply="Hello again")
    assert answer.status_code == 422
    assert "This request is closed." in answer.text
    assert _request(helped, north)["messages"] == [NORTH_WORDS]


def test_a_form_without_its_csrf_token_changes_nothing(web: Client, helped: Settings) -> None:
    north = _send(helped, "N1", NORTH_WORDS)
    _sign_in(web, NORTH_READER)
    answer = web.post(f"/staff/help/{north}/reply", data={"reply": "Hello"}, follow_redirects=False)
    assert answer.status_code == 403
    assert _request(helped, north)["messages"] == [NORTH_WORDS]


def test_pages_follow_the_language_and_the_audit_log_names_the_actions(
    web: Client, helped: Settings
) -> None:
    north = _send(helped, "N1", NORTH_WORDS)
    _sign_in(web, LEAD)
    assert 'dir="rtl"' in web.get("/staff/help?lang=ar").text
    assert 'dir="rtl"' in web.get(f"/staff/help/{north}?lang=ar").text
    assert _post(web, north, "note", note="A note").status_code == 303
    audit = web.get("/staff/audit").text
    assert "help_viewed" in audit
    assert "help_noted" in audit


@pytest.mark.parametrize(("email", "admin"), [(LEAD, True), (NORTH_READER, False)])
def test_when_help_is_off_the_page_says_so(settings: Settings, email: str, admin: bool) -> None:
    make_help_district(settings)
    with TestClient(create_app(settings), base_url=BASE) as client:
        _sign_in(client, email)
        page = client.get("/staff/help")
        assert page.status_code == 200
        assert 'id="help-off"' in page.text
        assert ("CLIMATE_HELP_REQUESTS" in page.text) is admin
        assert 'id="nav-help"' not in page.text
        assert client.get(f"/staff/help/{uuid.uuid4().hex}").status_code == 404
