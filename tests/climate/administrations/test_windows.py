"""Survey windows: made, opened and closed with their record, and seen only where allowed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate import administrations as admins
from climate.models import Administration, AdministrationSchool
from climate.security import audit
from climate.security.principals import Principal
from climate.settings import Settings
from tests.climate.administrations.conftest import District_, log, on

ADMIN = Principal("account", 1, "admin@district.example", "district_admin")
COUNSELOR = Principal("account", 3, "counselor@district.example", "school_staff", frozenset({"S1"}))


ASKED = admins.NewAdministration(
    instrument="secondary",
    name=" Spring check-in ",
    school_year=2027,
    term="spring",
    grades=(9, 10, 11),
    locales=("en",),
    opens_on=dt.date(2027, 3, 1),
    closes_on=dt.date(2027, 3, 31),
    access_mode="tickets",
    sensitive_module=False,
    consent_mode="passive",
    schools=("S2",),
)


def _asked(**changes: Any) -> admins.NewAdministration:
    return dataclasses.replace(ASKED, **changes)


def test_a_created_administration_is_recorded_with_it(
    settings: Settings, district: District_
) -> None:
    created = on(settings, lambda e: admins.add_administration(e, settings, ADMIN, _asked()))
    assert (created.name, created.status, created.access_mode) == (
        "Spring check-in",
        "draft",
        "tickets",
    )
    (event,) = log(settings)
    assert (event.actor, event.action, event.target) == (
        ADMIN.label,
        audit.ADMINISTRATION_CREATED,
        f"administration {created.id}",
    )
    # The name as it was asked for; the stored one is trimmed.
    assert event.detail == {"name": " Spring check-in ", "schools": 1}


def test_what_is_not_given_takes_the_defaults(settings: Settings, district: District_) -> None:
    asked = _asked(name=None, grades=None, locales=None, schools=None)
    created = on(settings, lambda e: admins.add_administration(e, settings, "cli", asked))
    # surveys/secondary.toml's title, and the 2026-27 school year written the usual way.
    assert created.name == "School Climate and Well-Being Survey 2026-27"
    assert created.locales == settings.accepted_locales

    async def stored(engine: AsyncEngine) -> tuple[list[int], list[str]]:
        async with engine.connect() as conn:
            grades = await conn.scalar(
                select(Administration.grades).where(Administration.id == created.id)
            )
            schools = await conn.scalars(
                select(AdministrationSchool.school_id).where(
                    AdministrationSchool.administration_id == created.id
                )
            )
            return list(grades or []), sorted(schools)

    grades, schools = on(settings, stored)
    assert grades == list(range(6, 13))  # surveys/secondary.toml: grade_band = [6, 12]
    assert schools == ["S1", "S2"]
    assert log(settings)[-1].detail == {"name": created.name, "schools": 2}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"instrument": "nope"}, "instrument: no instrument 'nope'; have elementary, secondary"),
        ({"grades": (3, 4)}, "grades: choose grades within 6-12"),
        ({"locales": ("de",)}, "locales: choose languages the district has accepted"),
        ({"schools": ("S2", "S9")}, "schools: choose at least one known school (unknown: S9)"),
        ({"school_year": 1999}, "school_year: give the spring year"),
    ],
)
def test_a_refused_administration_is_neither_stored_nor_recorded(
    settings: Settings,
    district: District_,
    changes: dict[str, object],
    problem: str,
) -> None:
    with pytest.raises(admins.AdministrationError, match=re.escape(problem)):
        on(settings, lambda e: admins.add_administration(e, settings, ADMIN, _asked(**changes)))
    assert log(settings) == []
    assert len(on(settings, admins.every_administration)) == 2


def test_opening_and_closing_are_recorded(settings: Settings, district: District_) -> None:
    assert on(settings, lambda e: admins.change_status(e, settings, ADMIN, district.mine, "open"))
    assert on(settings, lambda e: admins.change_status(e, settings, "cli", district.mine, "closed"))
    assert not on(settings, lambda e: admins.change_status(e, settings, ADMIN, 999, "open"))
    assert [(e.actor, e.action) for e in log(settings)] == [
        (ADMIN.label, audit.ADMINISTRATION_OPENED),
        ("cli", audit.ADMINISTRATION_CLOSED),
    ]
    (mine, _other) = on(settings, admins.every_administration)
    assert mine.status == "closed"


def test_a_counselor_sees_only_windows_at_their_schools(
    settings: Settings,
    district: District_,
) -> None:
    seen = on(settings, lambda e: admins.overview(e, settings, COUNSELOR))
    assert [a.id for a in seen.administrations] == [district.mine]
    assert seen.schools == (("S1", "North High"),)
    assert "secondary" in [i.id for i in seen.instruments]
    found = on(settings, lambda e: admins.detail(e, COUNSELOR, district.mine))
    assert found is not None
    assert found.schools == (("S1", "North High"),)
    assert on(settings, lambda e: admins.detail(e, COUNSELOR, district.other)) is None
    every = on(settings, lambda e: admins.detail(e, ADMIN, district.mine))
    assert every is not None
    assert [s for s, _ in every.schools] == ["S1", "S2"]
