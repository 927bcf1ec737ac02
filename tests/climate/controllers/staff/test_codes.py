"""Class codes and tickets from the staff pages: only the kind the access mode uses, every
refusal said beside its field with what was typed kept, printable slips with the survey's
address, and class codes kept from district viewers."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from climate import administrations as admins
from climate import db
from climate.app import create_app
from climate.models import AccessCode, Administration
from climate.settings import Settings
from tests.climate.security.conftest import BASE, District_, _build, csrf, sign_in

Client = TestClient[Litestar]


def tickets_administration(settings: Settings) -> int:
    """A survey at both schools whose students come in with single-use tickets."""

    async def run() -> int:
        engine = db.create_engine(settings.database_url)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                new = admins.NewAdministration(
                    instrument="secondary",
                    name="Ticketed",
                    school_year=2027,
                    term="spring",
                    grades=(9, 10),
                    locales=("en", "es"),
                    opens_on=dt.date(2027, 3, 1),
                    closes_on=dt.date(2027, 4, 1),
                    access_mode="tickets",
                    sensitive_module=False,
                    consent_mode="passive",
                    schools=("S1", "S2"),
                )
                made = await admins.create_administration(session, settings, new)
                await session.commit()
                return made
        finally:
            await engine.dispose()

    return asyncio.run(run())


def code_count(settings: Settings, administration_id: int) -> dict[str, int]:
    """How many codes of each kind the administration holds."""

    async def run() -> dict[str, int]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    select(AccessCode.kind, func.count())
                    .where(AccessCode.administration_id == administration_id)
                    .group_by(AccessCode.kind)
                )
                return dict(rows.tuples().all())
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
def built(settings: Settings) -> District_:
    return _build(settings)


@pytest.fixture
def admin(settings: Settings, built: District_) -> Iterator[Client]:
    """A district admin signed in on a district of two schools."""
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, "district_admin")
        yield client


def test_a_tickets_survey_refuses_class_codes_and_says_why(
    admin: Client, settings: Settings
) -> None:
    ticketed = tickets_administration(settings)
    page = admin.get(f"/staff/administrations/{ticketed}/codes").text
    assert '<input type="hidden" name="kind" value="ticket">' in page
    assert 'value="class"' not in page
    response = admin.post(
        f"/staff/administrations/{ticketed}/codes",
        data={"school": "S2", "kind": "class", "count": "7", "_csrf_token": csrf(admin)},
    )
    assert response.status_code == 400
    assert '<a href="#kind">This survey uses single-use tickets' in response.text
    assert 'value="7"' in response.text
    assert '<option value="S2" selected>' in response.text
    assert code_count(settings, ticketed) == {}
    # The kind it does use goes through, and the slips carry the survey's address.
    issued = admin.post(
        f"/staff/administrations/{ticketed}/codes",
        data={"school": "S2", "kind": "ticket", "count": "3", "_csrf_token": csrf(admin)},
    )
    assert issued.status_code == 200
    assert code_count(settings, ticketed) == {"ticket": 3}
    assert issued.text.count('<div class="slip">') == 3
    assert f'<span class="slip-address" dir="ltr">{BASE}/</span>' in issued.text


@pytest.mark.parametrize(
    ("count", "status"),
    [("", 400), ("lots", 400), ("0", 400), ("2001", 400), ("-3", 400), ("2", 200)],
)
def test_a_bad_count_is_said_beside_the_field(
    admin: Client, settings: Settings, built: District_, count: str, status: int
) -> None:
    before = code_count(settings, built.mine)
    response = admin.post(
        f"/staff/administrations/{built.mine}/codes",
        data={"school": "S1", "kind": "class", "count": count, "_csrf_token": csrf(admin)},
    )
    assert response.status_code == status
    if status == 400:
        assert "?problem" not in str(response.url)
        assert re.search(
            r'id="count"[^>]*value="' + re.escape(count) + r'" aria-invalid="true" '
            r'aria-describedby="count-error"',
            response.text,
        )
        assert '<a href="#count">Give a whole number from 1 to 2000.</a>' in response.text
        assert code_count(settings, built.mine) == before
    else:
        assert code_count(settings, built.mine) == {"class": before["class"] + 2}


def test_a_school_outside_the_survey_is_refused(admin: Client, built: District_) -> None:
    # "Other" runs only at S2.
    response = admin.post(
        f"/staff/administrations/{built.other}/codes",
        data={"school": "S1", "kind": "class", "count": "1", "_csrf_token": csrf(admin)},
    )
    assert response.status_code == 400
    assert re.search(r'id="school"[^>]*aria-invalid="true"', response.text)


def test_class_codes_are_kept_from_district_viewers(settings: Settings, built: District_) -> None:
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, "district_viewer")
        assert client.get(f"/staff/administrations/{built.mine}/codes").status_code == 403


def test_school_staff_see_their_own_school_codes_only(settings: Settings, built: District_) -> None:
    with TestClient(create_app(settings), base_url=BASE) as client:
        sign_in(client, "school_staff")
        page = client.get(f"/staff/administrations/{built.mine}/codes")
        assert page.status_code == 200
        assert "North High" in page.text
        assert "South High" not in page.text
        assert 'action="/staff/administrations' not in page.text.split("<main")[1].split(
            'class="slips"'
        )[0].replace('action="/staff/sign-out"', "")
        assert client.get(f"/staff/administrations/{built.mine}/codes?school=S2").status_code == 404


def test_a_refusal_and_a_success_keep_the_page_language(admin: Client, built: District_) -> None:
    page = admin.get(f"/staff/administrations/{built.mine}/codes?lang=ar").text
    assert f'action="/staff/administrations/{built.mine}/codes?lang=ar"' in page
    refused = admin.post(
        f"/staff/administrations/{built.mine}/codes?lang=ar",
        data={"school": "S1", "kind": "class", "count": "x", "_csrf_token": csrf(admin)},
    )
    assert refused.status_code == 400
    assert '<html lang="ar" dir="rtl">' in refused.text
    issued = admin.post(
        f"/staff/administrations/{built.mine}/codes?lang=ar",
        data={"school": "S1", "kind": "class", "count": "1", "_csrf_token": csrf(admin)},
        follow_redirects=False,
    )
    assert issued.headers["location"] == (
        f"/staff/administrations/{built.mine}/codes?school=S1&lang=ar"
    )


def test_each_unused_code_gets_a_slip_with_a_script_for_the_teacher(
    admin: Client, built: District_
) -> None:
    page = admin.get(f"/staff/administrations/{built.mine}/codes?school=S1").text
    codes = re.findall(r'<code class="code" dir="ltr">([A-Z0-9-]+)</code>', page)
    slips = re.findall(r'<p class="slip-code" dir="ltr">([A-Z0-9-]+)</p>', page)
    assert codes
    assert slips == codes
    assert "Write this code on the board for your class." in page
    assert "It is anonymous" in page
    assert "you may skip any question" in page
    assert "slips.css" in page


def _close(settings: Settings, administration_id: int) -> None:
    async def run() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    update(Administration)
                    .where(Administration.id == administration_id)
                    .values(status="closed")
                )
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_a_closed_window_takes_no_new_codes(
    admin: Client, settings: Settings, built: District_
) -> None:
    _close(settings, built.mine)
    before = code_count(settings, built.mine)
    page = admin.get(f"/staff/administrations/{built.mine}/codes").text
    assert "This survey window is closed, so a new code would open nothing." in page
    assert 'name="count"' not in page
    refused = admin.post(
        f"/staff/administrations/{built.mine}/codes",
        data={"school": "S1", "kind": "class", "count": "2", "_csrf_token": csrf(admin)},
    )
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    assert code_count(settings, built.mine) == before

    async def from_the_shell() -> None:
        engine = db.create_engine(settings.database_url)
        try:
            with pytest.raises(admins.AdministrationError, match="is closed"):
                await admins.issue_for_schools(engine, "cli", built.mine, "class", 1)
        finally:
            await engine.dispose()

    asyncio.run(from_the_shell())
    assert code_count(settings, built.mine) == before
