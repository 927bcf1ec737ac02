"""A sensitive administration cannot open until the district has local crisis contacts.

A student who answers "Yes" to a self-harm item must find a counselor, a room and hours, not
only 988 and 911; so the domain, the CLI and the staff page all refuse to open one before
``CLIMATE_CRISIS_CONTACTS`` is set, and a refusal changes and records nothing.
"""

from __future__ import annotations

import dataclasses

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from climate import administrations as admins
from climate.app import create_app
from climate.cli import main
from climate.models import Administration
from climate.security import audit
from climate.settings import CrisisContact, Settings
from tests.climate.administrations.conftest import District_, log, on
from tests.climate.administrations.test_windows import ASKED
from tests.climate.security.conftest import BASE, csrf, sign_in

CONTACTS = (CrisisContact("Counseling office, room 12, 8:00-15:30", "555-0100"),)

# The windows tests' administration, with the sensitive module, at the counselor's school.
SENSITIVE = dataclasses.replace(ASKED, sensitive_module=True, locales=("en",), schools=("S1",))


def _create(settings: Settings, sensitive: bool = True) -> int:
    asked = dataclasses.replace(SENSITIVE, sensitive_module=sensitive)
    made = on(settings, lambda e: admins.add_administration(e, settings, "tests", asked))
    return made.id


def _status(settings: Settings, administration_id: int) -> str:
    async def read(engine: AsyncEngine) -> str:
        async with engine.connect() as conn:
            query = select(Administration.status).where(Administration.id == administration_id)
            return str(await conn.scalar(query))

    return on(settings, read)


def _open(settings: Settings, administration_id: int) -> bool:
    return on(
        settings, lambda e: admins.change_status(e, settings, "tests", administration_id, "open")
    )


def test_a_sensitive_administration_waits_for_contacts(
    settings: Settings, district: District_
) -> None:
    made = _create(settings)
    before = log(settings)
    with pytest.raises(admins.AdministrationError, match="CLIMATE_CRISIS_CONTACTS"):
        _open(settings, made)
    assert _status(settings, made) == "draft"
    assert log(settings) == before
    with_contacts = dataclasses.replace(settings, crisis_contacts=CONTACTS)
    assert _open(with_contacts, made)
    assert _status(settings, made) == "open"
    assert log(settings)[-1].action == audit.ADMINISTRATION_OPENED


def test_without_the_sensitive_module_no_contacts_are_needed(
    settings: Settings, district: District_
) -> None:
    made = _create(settings, sensitive=False)
    assert _open(settings, made)
    assert _status(settings, made) == "open"


def test_an_unknown_administration_is_still_not_found(
    settings: Settings, district: District_
) -> None:
    assert not _open(settings, 9999)


def test_the_cli_says_what_to_set_and_exits_1(
    settings: Settings,
    district: District_,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    made = _create(settings)
    monkeypatch.setenv("CLIMATE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLIMATE_MODE", "demo")
    monkeypatch.delenv("CLIMATE_CRISIS_CONTACTS", raising=False)
    before = log(settings)
    assert main(["administrations", "open", str(made)]) == 1
    err = capsys.readouterr().err
    assert "sensitive module cannot open" in err
    assert "CLIMATE_CRISIS_CONTACTS" in err
    assert _status(settings, made) == "draft"
    assert log(settings) == before
    monkeypatch.setenv("CLIMATE_CRISIS_CONTACTS", "Counseling office, room 12: 555-0100")
    assert main(["administrations", "open", str(made)]) == 0
    assert _status(settings, made) == "open"


NOTE = "so it cannot open until the district's local crisis contacts"


def test_the_staff_page_says_so_before_the_open_button(
    settings: Settings, district: District_
) -> None:
    made = _create(settings)
    with TestClient(create_app(settings), base_url=BASE) as web:
        sign_in(web, "district_admin")
        page = web.get(f"/staff/administrations/{made}")
        assert page.status_code == 200
        assert NOTE in page.text
        assert "confirm=open" not in page.text
        assert "next-step" not in page.text
        # The note comes before where the Open button would be.
        assert page.text.index(NOTE) < page.text.index('class="actions"')
        before = log(settings)
        forced = web.post(
            f"/staff/administrations/{made}/status",
            data={"action": "open", "_csrf_token": csrf(web)},
            follow_redirects=False,
        )
        assert forced.status_code == 409
        assert "The survey could not be opened. Nothing was changed." in forced.text
        assert NOTE in forced.text
    assert _status(settings, made) == "draft"
    assert log(settings) == before


def test_with_contacts_the_staff_page_offers_open(settings: Settings, district: District_) -> None:
    made = _create(settings)
    with_contacts = dataclasses.replace(settings, crisis_contacts=CONTACTS)
    with TestClient(create_app(with_contacts), base_url=BASE) as web:
        sign_in(web, "district_admin")
        page = web.get(f"/staff/administrations/{made}")
        assert NOTE not in page.text
        assert "confirm=open" in page.text
        opened = web.post(
            f"/staff/administrations/{made}/status",
            data={"action": "open", "_csrf_token": csrf(web)},
            follow_redirects=False,
        )
        assert opened.status_code == 303
    assert _status(settings, made) == "open"
