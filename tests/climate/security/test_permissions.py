"""Every registered route, for every role and for anonymous callers: allowed or refused."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from climate.app import create_app
from climate.security.permissions import PRINCIPALS, RULES, allowed, rule_for
from climate.settings import Settings
from tests.climate.security.conftest import BASE, District_, csrf, sign_in


def _routes(settings: Settings) -> list[tuple[str, str, str]]:
    """(template, concrete path, method) for every method of every registered route."""
    found = []
    for route in create_app(settings).routes:
        template = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        # A school in the URL is the counselor's own: another school's is refused by scoping
        # (tests/climate/controllers/staff/test_navigation.py), not by the role.
        concrete = re.sub(r"\{school_id(:\w+)?\}", "S1", route.path)
        concrete = re.sub(
            r"\{(\w+)(:\w+)?\}", lambda m: "1" if m.group(2) == ":int" else "x", concrete
        )
        for method in sorted(getattr(route, "methods", ())):
            if method != "OPTIONS":
                found.append((template, concrete, method))
    return found


def test_every_route_has_a_rule(settings: Settings) -> None:
    missing = [(t, m) for t, _c, m in _routes(settings) if rule_for(t, m) is None]
    assert missing == []


def test_no_rule_names_a_route_that_does_not_exist(settings: Settings) -> None:
    served = {(t, "GET" if m == "HEAD" else m) for t, _c, m in _routes(settings)}
    assert sorted(set(RULES) - served) == []


def test_a_route_without_a_rule_is_refused() -> None:
    assert rule_for("/staff/new-page", "GET") is None
    assert not allowed("/staff/new-page", "GET", "district_admin")


def _denied(status: int, location: str) -> bool:
    return status in (401, 403) or (status == 303 and location.startswith("/staff/sign-in"))


@pytest.mark.parametrize("who", PRINCIPALS)
def test_walk_every_route(settings: Settings, district: District_, who: str) -> None:
    with TestClient(create_app(settings), base_url=BASE) as client:
        token = csrf(client)
        if who != "anonymous":
            sign_in(client, who)
            token = csrf(client)
        for template, path, method in _routes(settings):
            headers = {"x-csrftoken": token}
            if path.startswith("/api/") and who != "anonymous":
                headers["authorization"] = f"Bearer {district.tokens[who]}"
            if path == "/staff/sign-out":
                continue  # would end the walk's own session; covered in test_sign_in
            if template == "/staff/tokens/{token_id}/revoke" and method == "POST":
                # Token 1 is the walk's own: revoking it would refuse every API call after.
                path = "/staff/tokens/999999/revoke"
            response = client.request(method, path, headers=headers, follow_redirects=False)
            denied = _denied(response.status_code, response.headers.get("location", ""))
            expected = not allowed(template, method, who)
            assert denied == expected, (who, method, path, response.status_code)
            assert response.status_code < 500, (who, method, path, response.text)


def test_api_ignores_session_cookies(web: TestClient[Litestar]) -> None:
    sign_in(web, "district_admin")
    assert web.get("/api/v1/schools").status_code == 401
    assert web.get("/api/v1/schools").headers["www-authenticate"].startswith("Bearer")


def test_pages_send_anonymous_callers_to_sign_in(web: TestClient[Litestar]) -> None:
    response = web.get("/staff/audit?action=exported", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/sign-in?next=/staff/audit%3Faction%3Dexported"


def test_pages_refuse_a_role_with_403(web: TestClient[Litestar]) -> None:
    sign_in(web, "district_viewer")
    response = web.get("/staff/accounts")
    assert response.status_code == 403
    assert 'data-status="403"' in response.text
