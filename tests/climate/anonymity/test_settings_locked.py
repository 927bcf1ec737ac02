"""Once an administration has opened, its anonymity settings and schools cannot change.

Students were told how they would enter, who else takes the survey and what it asks before
they answered. The database refuses (migration 0008) any UPDATE of those settings once the
status is no longer draft, whatever client sends it; and no HTTP route changes them either.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from climate import administrations as admins
from climate import db
from climate.settings import Settings
from tests.climate.anonymity.reader import execute, read
from tests.climate.districts import Seeded, make_district
from tests.climate.security.conftest import District_, csrf, district, sign_in, web

__all__ = ["district", "web"]  # fixtures used here, made in the security tests' conftest

Client = TestClient[Litestar]
SETTINGS = ("access_mode", "grades", "locales", "sensitive_module", "consent_mode")
REFUSED = "cannot change once it has opened"
DRAFT = admins.NewAdministration(
    instrument="secondary",
    name="Draft",
    school_year=2027,
    term="spring",
    grades=(9, 10),
    locales=("en",),
    opens_on=dt.date(2027, 3, 1),
    closes_on=dt.date(2027, 3, 30),
    access_mode="class-code",
    sensitive_module=False,
    consent_mode="passive",
    schools=("S1",),
)


def _other_value(column: str) -> str:
    """An SQL expression whose value differs from what each test administration holds."""
    return {
        "access_mode": "CASE access_mode WHEN 'tickets' THEN 'class-code' ELSE 'tickets' END",
        "grades": "'[9]'",
        "locales": "'[\"es\"]'",
        "sensitive_module": "NOT sensitive_module",
        "consent_mode": "'active'",
    }[column]


def _update(settings: Settings, administration_id: int, assignments: str) -> None:
    execute(settings, f"UPDATE administration SET {assignments} WHERE id = {administration_id}")


def _settings_of(settings: Settings, administration_id: int) -> dict[str, Any]:
    [row] = read(
        settings,
        f"SELECT status, {', '.join(SETTINGS)} FROM administration WHERE id = {administration_id}",
    )
    for column in ("grades", "locales"):
        if isinstance(row[column], str):
            row[column] = json.loads(row[column])
    row["sensitive_module"] = bool(row["sensitive_module"])
    return row


def _schools_of(settings: Settings, administration_id: int) -> list[str]:
    rows = read(
        settings,
        "SELECT school_id FROM administration_school "
        f"WHERE administration_id = {administration_id} ORDER BY school_id",
    )
    return [r["school_id"] for r in rows]


def _add_draft(settings: Settings) -> int:
    async def run() -> int:
        engine = db.create_engine(settings.database_url)
        try:
            async with AsyncSession(engine) as session:
                made = await admins.create_administration(session, settings, DRAFT)
                await session.commit()
                return made
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.mark.parametrize("column", SETTINGS)
def test_an_update_of_an_opened_administrations_setting_is_refused(
    settings: Settings, column: str
) -> None:
    seeded: Seeded = make_district(settings)
    value = _other_value(column)
    for administration_id in (seeded.secondary, seeded.tickets, seeded.closed):
        before = _settings_of(settings, administration_id)
        assert before["status"] != "draft"
        with pytest.raises(Exception, match=REFUSED):
            _update(settings, administration_id, f"{column} = {value}")
        assert _settings_of(settings, administration_id) == before
    # The same statement goes through while the administration is a draft: the guard is
    # the status, not the column.
    draft = _add_draft(settings)
    before = _settings_of(settings, draft)
    _update(settings, draft, f"{column} = {value}")
    assert _settings_of(settings, draft)[column] != before[column]


def test_an_opened_administration_cannot_go_back_to_draft(settings: Settings) -> None:
    seeded = make_district(settings)
    for administration_id in (seeded.secondary, seeded.closed):
        with pytest.raises(Exception, match=REFUSED):
            _update(settings, administration_id, "status = 'draft'")
    assert _settings_of(settings, seeded.secondary)["status"] == "open"
    assert _settings_of(settings, seeded.closed)["status"] == "closed"


def test_what_an_opened_administration_may_still_change(settings: Settings) -> None:
    seeded = make_district(settings)
    # The same grades spelled otherwise are no change; the name and declines are not
    # anonymity settings; and a window still closes.
    grades = json.dumps(list(range(6, 13)), separators=(",", ":"))
    _update(settings, seeded.secondary, f"grades = '{grades}'")
    _update(settings, seeded.secondary, "name = 'Renamed', declines = declines + 1")
    _update(settings, seeded.secondary, "status = 'closed'")
    assert _settings_of(settings, seeded.secondary)["status"] == "closed"


def test_the_schools_of_an_opened_administration_cannot_leave_or_be_swapped(
    settings: Settings,
) -> None:
    seeded = make_district(settings)
    execute(
        settings,
        "INSERT INTO school (id, district_id, name, level, grade_low, grade_high) "
        "SELECT 'S2', district_id, 'Maple High', 'high', 9, 12 FROM school WHERE id = 'S1'",
    )
    for administration_id in (seeded.secondary, seeded.closed):
        with pytest.raises(Exception, match="schools of an administration cannot change"):
            execute(
                settings,
                f"DELETE FROM administration_school WHERE administration_id = {administration_id}",
            )
        with pytest.raises(Exception, match="schools of an administration cannot change"):
            execute(
                settings,
                "UPDATE administration_school SET school_id = 'S2' "
                f"WHERE administration_id = {administration_id}",
            )
        assert _schools_of(settings, administration_id) == ["S1"]
    # A draft's schools can be moved into an opened one's place? No: a row may not be moved
    # into an opened administration either.
    draft = _add_draft(settings)
    with pytest.raises(Exception, match="schools of an administration cannot change"):
        execute(
            settings,
            f"UPDATE administration_school SET administration_id = {seeded.secondary} "
            f"WHERE administration_id = {draft}",
        )
    # A draft's own schools can change, and a school can join an opened one (it widens the
    # crowd and takes cover from no one; history imports add schools to closed ones).
    execute(
        settings,
        f"UPDATE administration_school SET school_id = 'S2' WHERE administration_id = {draft}",
    )
    assert _schools_of(settings, draft) == ["S2"]
    execute(
        settings,
        "INSERT INTO administration_school (administration_id, school_id) "
        f"VALUES ({seeded.secondary}, 'S2')",
    )
    assert _schools_of(settings, seeded.secondary) == ["S1", "S2"]


def test_a_whole_administration_can_still_be_deleted(settings: Settings) -> None:
    # Its school rows go with it (ON DELETE CASCADE): they have no administration left to lock.
    seeded = make_district(settings)
    execute(settings, f"DELETE FROM administration WHERE id = {seeded.closed}")
    assert _schools_of(settings, seeded.closed) == []


# --- No HTTP route changes them -------------------------------------------------------------

# Every setting asked for otherwise, under the names the create form and the API use.
ASKED: dict[str, Any] = {
    "access_mode": "tickets",
    "grades": ["11", "12"],
    "locales": ["ar"],
    "sensitive_module": "on",
    "consent_mode": "active",
    "schools": ["S2"],
    "school": "S2",
    "action": "open",
    "status": "open",
    "kind": "ticket",
    "count": "1",
}


def _changing_requests(app: Litestar, administration_id: int) -> list[tuple[str, str]]:
    """Every route and method that may change something, aimed at ``administration_id``."""
    values = {"administration_id": str(administration_id), "account_id": "1", "school_id": "S1"}
    found: list[tuple[str, str]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path = route.path_format
        for name in route.path_parameters:
            path = path.replace(f"{{{name}}}", values.get(name, "XXXXX-XXXXX"))
        found += [(str(m), path) for m in sorted(route.methods - {"GET", "HEAD", "OPTIONS"})]
    return found


def test_no_route_changes_an_opened_administrations_settings_or_schools(
    web: Client, district: District_, settings: Settings
) -> None:
    async def open_it() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            await admins.change_status(engine, settings, "tests", district.mine, "open")
        finally:
            await engine.dispose()

    asyncio.run(open_it())
    before = _settings_of(settings, district.mine), _schools_of(settings, district.mine)
    requests = _changing_requests(web.app, district.mine)
    # The routes that could: staff pages (forms) and the admin API (JSON and a token).
    assert ("POST", f"/staff/administrations/{district.mine}/status") in requests
    assert ("POST", "/staff/administrations") in requests
    token = {"authorization": f"Bearer {district.tokens['district_admin']}"}
    for method, path in requests:
        if path.startswith("/staff/") and path != "/staff/sign-out":
            # Signed in again only when a route ended the session: sign-ins are rate limited.
            if web.get("/staff", follow_redirects=False).status_code != 200:
                sign_in(web, "district_admin")
            form = {**ASKED, "_csrf_token": csrf(web)}
            web.request(method, path, data=form, follow_redirects=False)
        web.request(method, path, json=ASKED, headers=token, follow_redirects=False)
        after = _settings_of(settings, district.mine), _schools_of(settings, district.mine)
        assert after == before, f"{method} {path}"
