"""Retention: closed requests are deleted with their messages after the district's days."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.commands import on_database
from climate.help import requests as help
from climate.help import rounds, triage
from climate.help.config import load
from climate.help.duty import Duty
from climate.help.mail import Mailer
from climate.help.requests import Desk, NewRequest
from climate.models import AuditEvent, HelpMessage, HelpRequest
from climate.security.principals import Principal
from climate.settings import Settings
from tests.climate.help_district import LEAD, help_file, make_help_district

SECRET = "test-secret-key-that-is-long-enough-000"
TODAY = dt.date(2026, 12, 7)
NOW = dt.datetime.combine(TODAY, dt.time(10), tzinfo=dt.UTC)
READER = Principal("account", 4, LEAD, "district_admin")
LONG_AGO = dt.date(2026, 1, 5)
# The help file keeps closed requests 90 days.
RETENTION = 90


@pytest.fixture
def desk(settings: Settings, tmp_path: Path) -> Desk:
    """The help district (90 days' retention) on the test database, and its desk."""
    make_help_district(settings)
    config = load(help_file(tmp_path))
    assert config.retention_days == RETENTION
    return Desk.of(config, SECRET)


def moment(day: dt.date) -> dt.datetime:
    """Mid-morning of ``day``, UTC."""
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


async def request(
    engine: AsyncEngine, desk: Desk, text: str, sent: dt.date, status: str, closed: dt.date | None
) -> str:
    """A request sent on ``sent`` and left at ``status`` (closed on ``closed``); its id."""
    form = NewRequest("N1", "talk", "week", text, "", "en", str(uuid.uuid4()))
    done = await help.send(engine, desk, form, moment(sent))
    assert done.code is not None
    async with engine.connect() as conn:
        found = await conn.scalar(
            select(HelpRequest.id).where(HelpRequest.code_hash == desk.digest(done.code))
        )
    assert found is not None
    ident = found.hex
    if status == "new":
        return ident
    # A reply moves it on to in progress; then to the status asked for.
    await triage.reply(engine, desk, READER, ident, f"reply to {text}", moment(sent))
    if status != "in_progress":
        await triage.set_status(engine, desk, READER, ident, status, moment(closed or sent))
    return ident


async def remaining(engine: AsyncEngine) -> tuple[set[str], set[str]]:
    """The ids of the requests left, and the requests the remaining messages belong to."""
    async with engine.connect() as conn:
        requests = {i.hex for i in await conn.scalars(select(HelpRequest.id))}
        messages = {i.hex for i in await conn.scalars(select(HelpMessage.request_id))}
    return requests, messages


async def purges(engine: AsyncEngine) -> list[dict[str, object]]:
    """The audit entries of purges."""
    async with engine.connect() as conn:
        found = await conn.execute(
            select(AuditEvent.actor, AuditEvent.detail, AuditEvent.target).where(
                AuditEvent.action == "help_purged"
            )
        )
        return [dict(r._mapping) for r in found]


def test_closed_requests_past_retention_are_purged_with_their_messages(
    settings: Settings, desk: Desk
) -> None:
    def ago(days: int) -> dt.date:
        return TODAY - dt.timedelta(days=days)

    async def scenario(engine: AsyncEngine) -> None:
        gone = [
            await request(engine, desk, "closed long ago", LONG_AGO, "closed", LONG_AGO),
            await request(engine, desk, "closed 91 days ago", LONG_AGO, "closed", ago(91)),
            # After exactly the retention time a closed request goes.
            await request(engine, desk, "closed 90 days ago", LONG_AGO, "closed", ago(90)),
        ]
        kept = [
            # Open requests stay, however old.
            await request(engine, desk, "new and old", LONG_AGO, "new", None),
            await request(engine, desk, "seen and old", LONG_AGO, "seen", None),
            await request(engine, desk, "in progress and old", LONG_AGO, "in_progress", None),
            # Closed lately: kept until its own retention time is up.
            await request(engine, desk, "closed 89 days ago", LONG_AGO, "closed", ago(89)),
            await request(engine, desk, "closed today", LONG_AGO, "closed", TODAY),
        ]
        # Closed long ago and opened again: open, so kept.
        reopened = await request(engine, desk, "reopened", LONG_AGO, "closed", LONG_AGO)
        await triage.set_status(engine, desk, READER, reopened, "in_progress", moment(ago(10)))
        kept.append(reopened)
        requests, messages = await remaining(engine)
        assert requests == messages == set(gone) | set(kept)

        assert await rounds.purge(engine, desk, NOW) == 3
        requests, messages = await remaining(engine)
        assert requests == set(kept)
        # The messages of the purged requests went with them; the others' stayed.
        assert messages == set(kept)
        (entry,) = await purges(engine)
        assert entry["actor"] == "help desk"
        assert entry["detail"] == {"count": 3, "closed_on_or_before": ago(90).isoformat()}
        # The entry counts; it names no request.
        assert not [i for i in gone if i in repr(entry)]

        # A second purge finds nothing and writes nothing.
        assert await rounds.purge(engine, desk, NOW) == 0
        assert len(await purges(engine)) == 1
        assert (await remaining(engine))[0] == set(kept)

        # A day later the request closed 89 days ago is past retention too.
        assert await rounds.purge(engine, desk, NOW + dt.timedelta(days=1), actor="cli") == 1
        assert len((await remaining(engine))[0]) == len(kept) - 1
        assert [e["actor"] for e in await purges(engine)] == ["help desk", "cli"]

    on_database(settings, scenario)


def test_the_duty_round_purges(settings: Settings, desk: Desk) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        await request(engine, desk, "closed long ago", LONG_AGO, "closed", LONG_AGO)
        duty = Duty(engine, desk, Mailer(None, 25, "none", "", "", "", "Test District"))
        assert await duty.round(NOW) == (0, 1)
        assert await duty.round(NOW) == (0, 0)
        assert (await remaining(engine))[0] == set()

    on_database(settings, scenario)


def test_without_a_help_file_nothing_is_purged(settings: Settings, desk: Desk) -> None:
    async def scenario(engine: AsyncEngine) -> None:
        await request(engine, desk, "closed long ago", LONG_AGO, "closed", LONG_AGO)
        assert await rounds.purge(engine, Desk.of(None, SECRET), NOW) == 0
        assert len((await remaining(engine))[0]) == 1
        assert await purges(engine) == []

    on_database(settings, scenario)
