"""Guard rails of the lifecycle: only the next step, a reason to re-open a published year, and
an explicit acceptance before students read unreviewed wording of the sensitive module.

Every refusal changes and records nothing; every step taken is recorded with what it touched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate import administrations as admins
from climate.administrations.lifecycle import unreviewed_locales
from climate.cli import main
from climate.i18n import Catalogs, LocaleStatus
from climate.models import Administration, Enrollment, PublishedRelease
from climate.security import audit
from climate.settings import CrisisContact, Settings
from tests.climate.administrations.conftest import District_, log, on
from tests.climate.administrations.test_windows import ADMIN, ASKED

COLUMNS = ("school_id", "year", "grade", "students")
CONTACTS = (CrisisContact("Counseling office, room 12", "555-0100"),)


def _status(settings: Settings, administration_id: int) -> str:
    async def read(engine: AsyncEngine) -> str:
        async with engine.connect() as conn:
            query = select(Administration.status).where(Administration.id == administration_id)
            return str(await conn.scalar(query))

    return on(settings, read)


def _change(
    settings: Settings,
    administration_id: int,
    status: str,
    reason: str = "",
    accept_unreviewed: bool = False,
) -> bool:
    return on(
        settings,
        lambda e: admins.change_status(
            e,
            settings,
            ADMIN,
            administration_id,
            status,
            reason=reason,
            accept_unreviewed=accept_unreviewed,
        ),
    )


def _publish(settings: Settings, year: int) -> None:
    """A stored release of the district's instrument and year, as ``climate protect`` leaves."""

    async def write(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await conn.execute(
                insert(PublishedRelease).values(
                    release_id=f"secondary-{year}-1",
                    instrument_id="secondary",
                    instrument_version="1",
                    year=year,
                    fingerprint="f",
                    policy_hash="p",
                    created_at=dt.datetime(year, 1, 5, tzinfo=dt.UTC),
                    ledger=b"",
                    report=b"",
                    payload=b"",
                )
            )

    on(settings, write)


def test_only_the_next_step_is_taken(settings: Settings, district: District_) -> None:
    before = log(settings)
    with pytest.raises(admins.AdministrationError, match="action: the next step is open"):
        _change(settings, district.mine, "closed")
    assert _status(settings, district.mine) == "draft"
    assert log(settings) == before
    assert _change(settings, district.mine, "open")
    with pytest.raises(admins.AdministrationError, match="the next step is close"):
        _change(settings, district.mine, "open")
    assert _change(settings, district.mine, "closed")
    assert _status(settings, district.mine) == "closed"


def test_a_step_counts_its_schools_and_enrolled_students(
    settings: Settings, district: District_
) -> None:
    rows = [
        ("S1", 2027, 9, 100),
        ("S1", 2027, 10, 90),
        ("S1", 2027, 11, 80),  # not one of the survey's grades (9, 10)
        ("S2", 2027, 9, 50),
        ("S1", 2026, 9, 999),  # another year
    ]

    async def work(engine: AsyncEngine) -> admins.Step:
        async with engine.begin() as conn:
            await conn.execute(
                insert(Enrollment),
                [
                    dict(zip(("school_id", "year", "grade", "students"), r, strict=True))
                    for r in rows
                ],
            )
        found = await admins.detail(engine, ADMIN, district.mine)
        assert found is not None
        async with engine.connect() as conn:
            return await admins.step_for(conn, found.administration, {})

    step = on(settings, work)
    assert (step.action, step.schools, step.students) == ("open", 2, 100 + 90 + 50)
    assert not step.published


def test_a_closed_unpublished_year_reopens_without_a_reason(
    settings: Settings, district: District_
) -> None:
    assert _change(settings, district.mine, "open")
    assert _change(settings, district.mine, "closed")
    assert _change(settings, district.mine, "open")
    assert log(settings)[-1].detail["reopened"] is True


def test_reopening_a_published_year_needs_a_typed_reason(
    settings: Settings, district: District_
) -> None:
    assert _change(settings, district.mine, "open")
    assert _change(settings, district.mine, "closed")
    _publish(settings, 2027)
    before = log(settings)
    with pytest.raises(admins.AdministrationError, match=r"^reason: "):
        _change(settings, district.mine, "open", reason="   ")
    assert _status(settings, district.mine) == "closed"
    assert log(settings) == before
    assert _change(settings, district.mine, "open", reason="Two schools were snowed out")
    event = log(settings)[-1]
    assert event.action == audit.ADMINISTRATION_OPENED
    assert event.detail["published"] is True
    assert event.detail["reason"] == "Two schools were snowed out"


def test_unreviewed_wording_of_the_sensitive_module_needs_acceptance(
    settings: Settings, district: District_
) -> None:
    ready = dataclasses.replace(settings, crisis_contacts=CONTACTS)
    asked = dataclasses.replace(ASKED, sensitive_module=True, locales=("en", "ar"))
    made = on(ready, lambda e: admins.add_administration(e, ready, "tests", asked)).id
    before = log(ready)
    with pytest.raises(admins.AdministrationError, match=r"^accept_unreviewed: .*\(ar\)"):
        _change(ready, made, "open")
    assert _status(ready, made) == "draft"
    assert log(ready) == before
    assert _change(ready, made, "open", accept_unreviewed=True)
    assert log(ready)[-1].detail["accepted_unreviewed"] == ["ar"]


def test_unreviewed_languages_matter_only_with_the_sensitive_module() -> None:
    states = {
        "en": LocaleStatus("source"),
        "es": LocaleStatus("reviewed", "A. Translator"),
        "ar": LocaleStatus("machine-draft"),
    }
    # so has no entry in the states: a language nobody has vouched for counts as unreviewed.
    assert unreviewed_locales(("en", "es", "ar", "so"), True, states) == ("ar", "so")
    assert unreviewed_locales(("en", "es", "ar", "so"), False, states) == ()


def test_locales_status_prints_each_language_and_its_reviewer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "status.toml").write_text(
        '[locales.en]\ninstruments = "source"\ninterface = "source"\n'
        '[locales.es]\ninstruments = "reviewed"\ninterface = "machine-draft"\n'
        'reviewed_by = "M. Ortega"\nreviewed_on = 2026-11-02\n'
        '[locales.ar]\ninstruments = "machine-draft"\ninterface = "machine-draft"\n',
        encoding="utf-8",
    )
    assert main(["locales", "status", "--directory", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "code",
        "language",
        "instruments",
        "interface",
        "reviewed",
        "by",
        "reviewed",
        "on",
    ]
    assert lines[2].split() == [
        "es",
        "Español",
        "reviewed",
        "machine-draft",
        "M.",
        "Ortega",
        "2026-11-02",
    ]
    assert lines[3].split()[:3] == ["ar", "العربية", "machine-draft"]
    assert lines[-1] == "machine drafts, not reviewed by a translator: ar"
    assert Catalogs(directory=tmp_path).status()["es"].reviewed_on == "2026-11-02"


def test_locales_status_says_when_nothing_is_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["locales", "status", "--directory", str(tmp_path)]) == 1
    assert "no review states" in capsys.readouterr().out
