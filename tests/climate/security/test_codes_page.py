"""The staff codes page offers only the kind of code the administration's access mode uses."""

from __future__ import annotations

import asyncio

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select, update

from climate import db
from climate.models import AccessCode, Administration
from climate.settings import Settings
from tests.climate.security.conftest import District_, csrf, sign_in

Client = TestClient[Litestar]


def _run_sql(settings: Settings, statement: object) -> int:
    async def run() -> int:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(statement)  # type: ignore[call-overload]
                return int(result.scalar_one()) if result.returns_rows else 0
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _codes(settings: Settings, administration: int, kind: str) -> int:
    query = select(func.count()).where(
        AccessCode.administration_id == administration, AccessCode.kind == kind
    )
    return _run_sql(settings, query)


def _issue(web: Client, administration: int, kind: str) -> tuple[int, str]:
    answer = web.post(
        f"/staff/administrations/{administration}/codes",
        data={"school": "S2", "kind": kind, "count": "2", "_csrf_token": csrf(web)},
        follow_redirects=False,
    )
    return answer.status_code, answer.text


def test_the_page_offers_only_the_access_modes_kind(
    web: Client, district: District_, settings: Settings
) -> None:
    tickets = update(Administration).where(Administration.id == district.other)
    _run_sql(settings, tickets.values(access_mode="tickets"))
    sign_in(web, "district_admin")
    class_page = web.get(f"/staff/administrations/{district.mine}/codes").text
    assert 'name="kind" value="class"' in class_page
    assert 'value="ticket"' not in class_page
    ticket_page = web.get(f"/staff/administrations/{district.other}/codes").text
    assert 'name="kind" value="ticket"' in ticket_page
    assert 'value="class"' not in ticket_page


def test_the_other_kind_is_refused_with_a_message_and_nothing_issued(
    web: Client, district: District_, settings: Settings
) -> None:
    sign_in(web, "district_admin")
    before = _codes(settings, district.mine, "ticket")
    status, page = _issue(web, district.mine, "ticket")
    assert status == 400
    assert 'id="problem"' in page
    assert "This survey uses class codes, so it has no tickets." in page
    assert _codes(settings, district.mine, "ticket") == before
    classes = _codes(settings, district.mine, "class")
    assert _issue(web, district.mine, "class")[0] == 303
    assert _codes(settings, district.mine, "class") == classes + 2
    # A kind that is no kind at all is refused the same way, and issues nothing.
    status, page = _issue(web, district.mine, "many")
    assert status == 400
    assert "This survey uses class codes, so it has no tickets." in page
    assert _codes(settings, district.mine, "class") == classes + 2
