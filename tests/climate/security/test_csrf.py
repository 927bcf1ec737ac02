"""CSRF tokens are bound to the session, and sign-in starts a new session id."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from tests.climate.security.conftest import EMAILS, PASSWORD, District_, csrf, sign_in

Client = TestClient[Litestar]
SESSION = "climate_session"


def _sign_out(client: Client, token: str) -> int:
    answer = client.post("/staff/sign-out", data={"_csrf_token": token}, follow_redirects=False)
    return answer.status_code


def _as(client: Client, session: str) -> None:
    """Make the client the browser that holds ``session`` (and nothing else)."""
    client.cookies.clear()
    # The domain the server's own cookie has, so a later sign-in replaces this one.
    client.cookies.set(SESSION, session, domain="testserver.local")


def test_a_token_works_only_with_its_own_session(web: Client, district: District_) -> None:
    sign_in(web, "district_admin")
    admin, admin_token = web.cookies[SESSION], csrf(web)
    web.cookies.clear()
    sign_in(web, "district_viewer")
    viewer, viewer_token = web.cookies[SESSION], csrf(web)
    assert viewer_token != admin_token
    # One session's token, sent with another session's cookie, is refused ...
    assert _sign_out(web, admin_token) == 403
    assert web.get("/staff", follow_redirects=False).status_code == 200
    # ... and each session's own token works.
    assert _sign_out(web, viewer_token) == 303
    _as(web, admin)
    assert _sign_out(web, viewer_token) == 403
    assert _sign_out(web, admin_token) == 303
    _as(web, viewer)
    assert web.get("/staff", follow_redirects=False).status_code == 303


def test_a_token_from_before_sign_in_does_not_work_after_it(
    web: Client, district: District_
) -> None:
    before = csrf(web)
    signed = web.post(
        "/staff/sign-in",
        data={"email": EMAILS["district_admin"], "password": PASSWORD, "_csrf_token": before},
        follow_redirects=False,
    )
    # The sign-in form works with no session, on the token of its signed-out browser ...
    assert signed.status_code == 303
    # ... which is then dropped, and its token is worth nothing with the new session.
    dropped = [c for c in signed.headers.get_list("set-cookie") if c.startswith("climate_csrf=")]
    assert len(dropped) == 1
    assert "Max-Age=0" in dropped[0]
    assert _sign_out(web, before) == 403
    assert _sign_out(web, csrf(web)) == 303


def test_a_post_without_a_cookie_or_with_a_made_up_token_is_refused(
    web: Client, district: District_
) -> None:
    form = {"email": EMAILS["district_admin"], "password": PASSWORD, "_csrf_token": "x" * 64}
    assert web.post("/staff/sign-in", data=form).status_code == 403
    sign_in(web, "district_admin")
    assert _sign_out(web, "0" * 64) == 403
    assert _sign_out(web, "") == 403
    headers = {"x-csrftoken": csrf(web)}
    assert web.post("/staff/sign-out", headers=headers, follow_redirects=False).status_code == 303


def test_signing_in_ends_the_session_the_browser_held(web: Client, district: District_) -> None:
    sign_in(web, "district_viewer")
    old = web.cookies[SESSION]
    sign_in(web, "district_admin")
    new = web.cookies[SESSION]
    assert new != old
    assert web.get("/staff/accounts", follow_redirects=False).status_code == 200
    # The old id no longer opens anything: it is sent to sign in.
    _as(web, old)
    answer = web.get("/staff", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/staff/sign-in")
    _as(web, new)
    assert web.get("/staff/accounts", follow_redirects=False).status_code == 200


def test_a_planted_session_id_never_becomes_a_signed_in_session(
    web: Client, district: District_
) -> None:
    # A session id set in the browser by someone else (fixation) is not what sign-in keeps.
    planted = "planted-session-id-chosen-by-someone-else-0000000"
    _as(web, planted)
    sign_in(web, "district_admin")
    assert web.cookies[SESSION] != planted
    _as(web, planted)
    assert web.get("/staff", follow_redirects=False).status_code == 303
