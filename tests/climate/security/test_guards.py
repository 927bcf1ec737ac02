"""Sign-in, CSRF, rate limits, session expiry, token revocation, headers and school scoping."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from climate import db
from climate.models.staff import StaffSession
from climate.security import audit
from climate.settings import Settings
from tests.climate.security.conftest import EMAILS, PASSWORD, District_, csrf, sign_in

Client = TestClient[Litestar]


T = TypeVar("T")


def _run(settings: Settings, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                return await work(conn)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _actions(settings: Settings) -> list[str]:
    async def work(conn: AsyncConnection) -> list[str]:
        return [e.action for e in await audit.events(conn, limit=None)]

    return _run(settings, work)


def test_session_cookie_is_secure_httponly_lax(web: Client) -> None:
    response = web.post(
        "/staff/sign-in",
        data={"email": EMAILS["district_admin"], "password": PASSWORD, "_csrf_token": csrf(web)},
        follow_redirects=False,
    )
    cookie = next(c for c in response.headers.get_list("set-cookie") if "climate_session" in c)
    lowered = cookie.lower()
    assert "secure" in lowered
    assert "httponly" in lowered
    assert "samesite=lax" in lowered


def test_wrong_password_is_refused_and_recorded(web: Client, settings: Settings) -> None:
    response = web.post(
        "/staff/sign-in",
        data={
            "email": EMAILS["district_admin"],
            "password": "not the password",
            "_csrf_token": csrf(web),
        },
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "do not match" in response.text
    assert "climate_session" not in web.cookies
    assert _actions(settings)[0] == audit.SIGN_IN_FAILED


def test_post_without_csrf_token_is_refused(web: Client) -> None:
    sign_in(web, "district_admin")
    response = web.post("/staff/accounts/1/disable", follow_redirects=False)
    assert response.status_code == 403
    forged = web.post(
        "/staff/accounts/1/disable", data={"_csrf_token": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 403


def test_sign_in_is_rate_limited_with_a_clear_message(web: Client) -> None:
    token = csrf(web)
    statuses = [
        web.post(
            "/staff/sign-in",
            data={
                "email": EMAILS["district_viewer"],
                "password": "wrong guess",
                "_csrf_token": token,
            },
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    limited = web.post(
        "/staff/sign-in",
        data={"email": EMAILS["district_viewer"], "password": PASSWORD, "_csrf_token": token},
    )
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "Too many sign-in attempts" in limited.text


def test_idle_session_expires(web: Client, settings: Settings) -> None:
    sign_in(web, "district_admin")
    assert web.get("/staff/accounts").status_code == 200
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)

    async def age(conn: AsyncConnection) -> None:
        await conn.execute(update(StaffSession).values(last_seen_at=old))

    _run(settings, age)
    response = web.get("/staff/accounts", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/sign-in")


def test_absolute_session_lifetime(web: Client, settings: Settings) -> None:
    sign_in(web, "district_admin")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=13)

    async def age(conn: AsyncConnection) -> None:
        await conn.execute(update(StaffSession).values(created_at=old))

    _run(settings, age)
    assert web.get("/staff/accounts", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session(web: Client, settings: Settings) -> None:
    sign_in(web, "district_admin")
    web.post("/staff/sign-out", headers={"x-csrftoken": csrf(web)}, follow_redirects=False)

    async def count(conn: AsyncConnection) -> list[Any]:
        return list((await conn.execute(select(StaffSession.id_hash))).all())

    assert _run(settings, count) == []
    assert audit.SIGNED_OUT in _actions(settings)


def test_session_ids_are_stored_only_as_digests(web: Client, settings: Settings) -> None:
    sign_in(web, "district_admin")
    raw = web.cookies["climate_session"]

    async def stored(conn: AsyncConnection) -> list[str]:
        rows = (await conn.execute(text("SELECT id_hash FROM staff_session"))).all()
        return [str(r[0]) for r in rows]

    assert raw not in _run(settings, stored)


def test_revoked_token_is_refused(web: Client, district: District_, settings: Settings) -> None:
    headers = {"authorization": f"Bearer {district.tokens['district_viewer']}"}
    assert web.get("/api/v1/schools", headers=headers).status_code == 200

    async def revoke(conn: AsyncConnection) -> bool:
        from climate.security.tokens import list_tokens, revoke_token

        token = next(t for t in await list_tokens(conn) if t.role == "district_viewer")
        return await revoke_token(conn, token.id)

    assert _run(settings, revoke)
    assert web.get("/api/v1/schools", headers=headers).status_code == 401


@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/staff/sign-in", "/no-such-page", "/api/v1/schools"]
)
def test_security_headers_on_every_response(web: Client, path: str) -> None:
    headers = web.get(path).headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert "script-src 'self'" in policy
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"


def test_staff_pages_are_not_cached(web: Client) -> None:
    sign_in(web, "district_admin")
    assert web.get("/staff/audit").headers["cache-control"] == "no-store"


def test_staff_pages_have_no_inline_script_or_style(web: Client, district: District_) -> None:
    sign_in(web, "district_admin")
    for path in (
        "/staff",
        "/staff/administrations",
        f"/staff/administrations/{district.mine}",
        f"/staff/administrations/{district.mine}/codes",
        "/staff/rosters",
        "/staff/accounts",
        "/staff/audit",
        "/staff/password",
    ):
        page = web.get(path)
        assert page.status_code == 200, path
        assert "<script>" not in page.text, path
        assert "style=" not in page.text, path


def test_school_staff_sees_only_their_school(web: Client, district: District_) -> None:
    sign_in(web, "school_staff")
    listing = web.get("/staff/administrations").text
    assert "Mine" in listing
    assert "Other" not in listing
    # Guessing the other administration's id reveals nothing.
    assert web.get(f"/staff/administrations/{district.other}").status_code == 404
    assert web.get(f"/staff/administrations/{district.other}/codes").status_code == 404
    assert web.get(f"/staff/administrations/{district.mine}/codes?school=S2").status_code == 404
    assert web.get("/staff/administrations/999999").status_code == 404
    codes = web.get(f"/staff/administrations/{district.mine}/codes").text
    assert "North High" in codes
    assert "South High" not in codes
    detail = web.get(f"/staff/administrations/{district.mine}").text
    assert "S1" in detail
    assert "S2" not in detail


def test_school_token_lists_only_its_school(web: Client, district: District_) -> None:
    mine = web.get(
        "/api/v1/schools", headers={"authorization": f"Bearer {district.tokens['school_staff']}"}
    )
    assert [s["id"] for s in mine.json()] == ["S1"]
    every = web.get(
        "/api/v1/schools", headers={"authorization": f"Bearer {district.tokens['district_viewer']}"}
    )
    assert [s["id"] for s in every.json()] == ["S1", "S2"]


def test_audit_log_records_each_event(web: Client, district: District_, settings: Settings) -> None:
    sign_in(web, "district_admin")
    token = csrf(web)
    web.post(
        "/staff/accounts",
        data={
            "email": "new@district.example",
            "role": "district_viewer",
            "password": "a long enough password",
            "_csrf_token": token,
        },
    )
    web.post("/staff/accounts/2/disable", data={"_csrf_token": token})
    web.post("/staff/accounts/2/enable", data={"_csrf_token": token})
    web.post(
        f"/staff/administrations/{district.mine}/status",
        data={"action": "open", "_csrf_token": token},
    )
    # Codes are issued while the window is open: a closed one takes no new codes.
    web.post(
        f"/staff/administrations/{district.mine}/codes",
        data={"school": "S1", "kind": "class", "count": "2", "_csrf_token": token},
    )
    web.get(f"/staff/administrations/{district.mine}/codes")
    web.post(
        f"/staff/administrations/{district.mine}/status",
        data={"action": "close", "_csrf_token": token},
    )
    files = {
        "schools": (
            "schools.csv",
            b"school_id,name,level,grade_low,grade_high\nS3,West,high,9,12\n",
        ),
        "enrollment": ("enrollment.csv", b"school_id,year,grade,students\nS3,2027,9,100\n"),
        "staffing": ("staffing.csv", b"school_id,year,role,fte\nS3,2027,counselor,1\n"),
    }
    admin = {"authorization": f"Bearer {district.tokens['district_admin']}"}
    assert web.post("/api/v1/admin/rosters", files=files, headers=admin).status_code == 201
    export = web.get("/staff/audit.csv")
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    web.post(
        "/staff/password",
        data={
            "current": PASSWORD,
            "new": "another long password",
            "confirm": "another long password",
            "_csrf_token": token,
        },
    )
    recorded = set(_actions(settings))
    expected = {
        audit.SIGNED_IN,
        audit.ACCOUNT_CREATED,
        audit.ACCOUNT_DISABLED,
        audit.ACCOUNT_ENABLED,
        audit.ADMINISTRATION_OPENED,
        audit.ADMINISTRATION_CLOSED,
        audit.CODES_CREATED,
        audit.CODES_VIEWED,
        audit.ROSTER_IMPORTED,
        audit.EXPORTED,
        audit.PASSWORD_CHANGED,
    }
    assert expected <= recorded


def test_audit_log_refuses_changes(web: Client, settings: Settings) -> None:
    sign_in(web, "district_admin")

    async def tamper(conn: AsyncConnection) -> None:
        await conn.execute(text("DELETE FROM audit_event"))

    with pytest.raises(Exception, match="append-only"):
        _run(settings, tamper)


def test_roster_api_refuses_bad_rosters_with_every_problem(
    web: Client, district: District_
) -> None:
    files = {
        "schools": (
            "schools.csv",
            b"school_id,name,level,grade_low,grade_high\nS3,West,castle,9,12\n",
        ),
        "enrollment": ("enrollment.csv", b"school_id,year,grade,students\nS3,2027,9,-4\n"),
        "staffing": ("staffing.csv", b"school_id,year,role,fte\n"),
    }
    admin = {"authorization": f"Bearer {district.tokens['district_admin']}"}
    response = web.post("/api/v1/admin/rosters", files=files, headers=admin)
    assert response.status_code == 422
    assert len(response.json()["problems"]) >= 2
    viewer = {"authorization": f"Bearer {district.tokens['district_viewer']}"}
    assert web.post("/api/v1/admin/rosters", files=files, headers=viewer).status_code == 403


def test_no_password_or_token_in_logs(
    web: Client, district: District_, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sign_in(web, "district_admin")
    web.get(
        "/api/v1/schools", headers={"authorization": f"Bearer {district.tokens['district_admin']}"}
    )
    logged = caplog.text
    assert PASSWORD not in logged
    assert district.tokens["district_admin"] not in logged
    assert web.cookies["climate_session"] not in logged
