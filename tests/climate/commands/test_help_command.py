"""``climate help check``, ``round`` and ``purge`` against a real database and SMTP server."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.cli import main
from climate.commands import on_database
from climate.help import requests as help
from climate.help import triage
from climate.help.config import load
from climate.help.requests import Desk, NewRequest
from climate.models import AuditEvent, HelpRequest
from climate.security.principals import Principal
from climate.settings import Settings
from tests.climate.help.smtp import smtp_server
from tests.climate.help_district import (
    ESCALATE_NORTH,
    LEAD,
    NORTH_READER,
    help_file,
    make_help_district,
)

SECRET = "test-secret-key-that-is-long-enough-000"
# Long enough ago that a request sent then is overdue and, once closed, past 90 days' retention.
LONG_AGO = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)
READER = Principal("account", 4, LEAD, "district_admin")


def test_check_says_what_the_file_means(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = help_file(tmp_path, timezone="America/Chicago", reading_time="14:30")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[schools.S1]", '[schools.S1]\nreading_time = "09:00"'), "utf-8")
    assert main(["help", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}: help requests are on" in out
    assert "time zone: America/Chicago" in out
    assert "by 14:30" in out
    assert "kept 90 days" in out
    north = out.split("school N1:")[1].split("school S1:")[0]
    assert f"readers: {LEAD}, {NORTH_READER}" in north
    assert f"not read in time: {ESCALATE_NORTH}" in north
    assert "reading time: 14:30" in north
    assert "reading time: 09:00" in out.split("school S1:")[1]


def test_check_refuses_a_bad_file_naming_it_and_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = help_file(tmp_path)
    path.write_text(path.read_text().replace('"15:00"', '"3 pm"'), encoding="utf-8")
    assert main(["help", "check", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(path) in captured.err
    assert "`$.reading_time`" in captured.err


def test_check_reads_the_configured_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    monkeypatch.delenv("CLIMATE_HELP_REQUESTS", raising=False)
    assert main(["help", "check"]) == 2
    assert "help requests are off" in capsys.readouterr().err
    path = help_file(tmp_path)
    monkeypatch.setenv("CLIMATE_HELP_REQUESTS", str(path))
    assert main(["help", "check"]) == 0
    assert f"{path}: help requests are on" in capsys.readouterr().out


@pytest.fixture
def env(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    """The help district with one overdue request and one closed long ago; its desk."""
    make_help_district(settings)
    path = help_file(tmp_path)
    desk = Desk.of(load(path), SECRET)

    async def seed(engine: AsyncEngine) -> None:
        for text in ("still waiting", "long closed"):
            form = NewRequest("N1", "talk", "week", text, "", "en", str(uuid.uuid4()))
            await help.send(engine, desk, form, LONG_AGO)
        waiting = await triage.queue(engine, desk, READER, LONG_AGO)
        await triage.set_status(engine, desk, READER, waiting[1].id, "closed", LONG_AGO)

    on_database(settings, seed)
    monkeypatch.setenv("CLIMATE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLIMATE_SECRET_KEY", SECRET)
    monkeypatch.setenv("CLIMATE_HELP_REQUESTS", str(path))
    monkeypatch.delenv("CLIMATE_SMTP_HOST", raising=False)
    return desk


def _count(settings: Settings, query: object) -> int:
    async def run(engine: AsyncEngine) -> int:
        async with engine.connect() as conn:
            return int(await conn.scalar(query) or 0)  # type: ignore[call-overload]

    return on_database(settings, run)


REQUESTS = select(func.count()).select_from(HelpRequest)
ESCALATED = select(func.count()).select_from(HelpRequest).where(HelpRequest.escalated)


def test_round_escalates_by_mail_and_purges_once(
    settings: Settings,
    env: Desk,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with smtp_server() as inbox:
        monkeypatch.setenv("CLIMATE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CLIMATE_SMTP_PORT", str(inbox.port))
        monkeypatch.setenv("CLIMATE_SMTP_SECURITY", "none")
        assert main(["help", "round"]) == 0
        out = capsys.readouterr().out
        assert "escalation e-mails sent: 1" in out
        assert "closed requests purged: 1" in out
        assert main(["help", "round"]) == 0
        out = capsys.readouterr().out
        assert "escalation e-mails sent: 0" in out
        assert "closed requests purged: 0" in out
    assert [r.to for r in inbox.received] == [(ESCALATE_NORTH,)]
    assert _count(settings, REQUESTS) == 1
    assert _count(settings, ESCALATED) == 1


def test_round_without_mail_says_so(
    settings: Settings, env: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["help", "round"]) == 0
    out = capsys.readouterr().out
    assert "escalation e-mails sent: 0" in out
    assert "CLIMATE_SMTP_HOST is not set" in out
    assert "closed requests purged: 1" in out


def test_purge_deletes_closed_requests_once_and_audits_the_shell(
    settings: Settings, env: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["help", "purge"]) == 0
    assert "closed requests purged: 1" in capsys.readouterr().out
    assert main(["help", "purge"]) == 0
    assert "closed requests purged: 0" in capsys.readouterr().out
    # The open request stays, not escalated: purge only purges.
    assert _count(settings, REQUESTS) == 1
    assert _count(settings, ESCALATED) == 0
    purged = select(AuditEvent.actor).where(AuditEvent.action == "help_purged")

    async def actors(engine: AsyncEngine) -> list[str]:
        async with engine.connect() as conn:
            return list(await conn.scalars(purged))

    assert on_database(settings, actors) == ["cli"]


@pytest.mark.parametrize("action", ["round", "purge"])
def test_round_and_purge_refuse_without_a_usable_help_file(
    settings: Settings,
    env: Desk,
    tmp_path: Path,
    action: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CLIMATE_HELP_REQUESTS")
    assert main(["help", action]) == 2
    assert "help requests are off" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("retention_days = 0\n[district]\nreaders = ['a@b.example']\n", "utf-8")
    monkeypatch.setenv("CLIMATE_HELP_REQUESTS", str(bad))
    assert main(["help", action]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err
    assert "retention_days" in err
    # Nothing was done.
    assert _count(settings, REQUESTS) == 2
