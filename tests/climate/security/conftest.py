"""A small district with one account and one API token per role, on each database."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from climate import administrations as admins
from climate import db
from climate.app import create_app
from climate.models import District, School
from climate.security.accounts import create_account
from climate.security.tokens import create_token
from climate.settings import Settings

PASSWORD = "correct horse battery staple"
EMAILS = {
    "district_admin": "admin@district.example",
    "district_viewer": "viewer@district.example",
    "school_staff": "counselor@district.example",
}
# Cookies are Secure, so the client must speak https.
BASE = "https://testserver.local"


@dataclass(frozen=True)
class District_:
    """What the fixture made."""

    tokens: dict[str, str]
    mine: int  # an administration at the counselor's school S1
    other: int  # an administration only at S2


def _build(settings: Settings) -> District_:
    async def run() -> District_:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(insert(District).values(id=1, name="Test District"))
                for sid, name in (("S1", "North High"), ("S2", "South High")):
                    await conn.execute(
                        insert(School).values(
                            id=sid,
                            district_id=1,
                            name=name,
                            level="high",
                            grade_low=9,
                            grade_high=12,
                        )
                    )
                for role, email in EMAILS.items():
                    mine = ["S1"] if role == "school_staff" else []
                    await create_account(conn, email, role, PASSWORD, mine)
                tokens = {}
                for role in EMAILS:
                    mine = ["S1"] if role == "school_staff" else []
                    tokens[role] = (await create_token(conn, f"{role} script", role, mine))[1]
            ids = []
            async with AsyncSession(engine, expire_on_commit=False) as session:
                for name, schools in (("Mine", ("S1", "S2")), ("Other", ("S2",))):
                    new = admins.NewAdministration(
                        instrument="secondary",
                        name=name,
                        school_year=2027,
                        term="fall",
                        grades=(9, 10),
                        locales=("en", "es"),
                        opens_on=dt.date(2026, 9, 1),
                        closes_on=dt.date(2026, 12, 1),
                        access_mode="class-code",
                        sensitive_module=False,
                        consent_mode="passive",
                        schools=schools,
                    )
                    ids.append(await admins.create_administration(session, settings, new))
                await session.commit()
            async with engine.begin() as conn:
                for school in ("S1", "S2"):
                    await admins.add_codes(conn, ids[0], school, "class", 1)
                await admins.add_codes(conn, ids[1], "S2", "ticket", 3)
            return District_(tokens, ids[0], ids[1])
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
def district(settings: Settings) -> District_:
    """Two schools, three accounts, three tokens, two administrations with codes."""
    return _build(settings)


@pytest.fixture
def web(settings: Settings, district: District_) -> Iterator[TestClient[Litestar]]:
    """The app over https on the district's database."""
    with TestClient(create_app(settings), base_url=BASE) as client:
        yield client


def csrf(client: TestClient[Litestar]) -> str:
    """The CSRF token of the client's session (or of its signed-out browser), from a form."""
    signed_in = "climate_session" in client.cookies
    page = client.get("/staff/password" if signed_in else "/staff/sign-in")
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def sign_in(client: TestClient[Litestar], role: str) -> None:
    """Sign the client in as the account of ``role``."""
    response = client.post(
        "/staff/sign-in",
        data={"email": EMAILS[role], "password": PASSWORD, "_csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
