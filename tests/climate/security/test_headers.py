"""Nothing is kept in a browser's cache but static files: every route, answers and errors alike."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from climate.app import create_app
from climate.settings import Settings
from tests.climate.security.conftest import District_, sign_in

Client = TestClient[Litestar]

# Files that exist under each static mount, so the walk reaches a cached answer there.
STATIC_FILES = {"/static/": "survey.css", "/schema/assets/": "swagger-ui.css"}
# Answers that no route of the app gives on its own: unknown pages, methods and files.
ERRORS = [
    ("GET", "/no-such-page"),
    ("GET", "/api/v1/no-such-thing"),
    ("DELETE", "/api/v1/responses"),
    ("GET", "/static/no-such-file.css"),
    ("GET", "/schema/assets/no-such-file.js"),
]


def _requests(app: Litestar, district: District_) -> Iterator[tuple[str, str]]:
    """Every method of every route, with path parameters that reach the handler."""
    values = {"administration_id": str(district.mine), "account_id": "1", "school_id": "S1"}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path = route.path_format
        for name in route.path_parameters:
            if name == "file_path":
                value = next(f for p, f in STATIC_FILES.items() if path.startswith(p))
            elif name == "path":
                value = "openapi.yaml"
            else:
                # An access code no one was given: the student routes answer 404.
                value = values.get(name, "XXXXX-XXXXX")
            path = path.replace(f"{{{name}}}", value)
        for method in sorted(route.methods):
            yield method, path


def _walk(client: Client, district: District_) -> list[tuple[str, str, httpx.Response]]:
    requests = [*_requests(client.app, district), *ERRORS]
    return [(m, p, client.request(m, p, follow_redirects=False)) for m, p in requests]


def _is_static_file(path: str, answer: httpx.Response) -> bool:
    # A file that was found, whatever the method; a missing one is an error like any other.
    return path.startswith(tuple(STATIC_FILES)) and answer.status_code < 400


def _check(answers: list[tuple[str, str, httpx.Response]]) -> None:
    for method, path, answer in answers:
        cache = answer.headers.get("cache-control", "")
        if _is_static_file(path, answer):
            assert "max-age" in cache, (method, path, cache)
            assert "no-store" not in cache, (method, path, cache)
        else:
            assert cache == "no-store", (method, path, answer.status_code, cache)


def test_nothing_but_static_files_is_cached_when_signed_out(
    web: Client,
    district: District_,
) -> None:
    answers = _walk(web, district)
    _check(answers)
    statuses = {a.status_code for _m, _p, a in answers}
    # The walk reached real pages, redirects, refusals and errors, not one kind of answer.
    assert {200, 303, 401, 403, 404, 405} <= statuses
    # GET, HEAD and OPTIONS on each of the two mounts.
    assert sum(_is_static_file(p, a) for _m, p, a in answers) == 6
    assert ("GET", "/healthz") in {(m, p) for m, p, _a in answers}


def test_nothing_but_static_files_is_cached_when_signed_in(
    web: Client,
    district: District_,
) -> None:
    sign_in(web, "district_admin")
    answers = _walk(web, district)
    _check(answers)
    reached = {p for m, p, a in answers if m == "GET" and a.status_code == 200}
    assert {"/staff", "/staff/audit", "/staff/audit.csv", "/staff/accounts"} <= reached


HSTS = "max-age=31536000; includeSubDomains"


def _hsts(settings: Settings, base: str, headers: dict[str, str]) -> str | None:
    with TestClient(create_app(settings), base_url=base) as client:
        found: str | None = client.get("/healthz", headers=headers).headers.get(
            "strict-transport-security"
        )
        return found


def test_hsts_is_sent_over_tls_or_from_a_trusted_proxy_only(
    settings: Settings, district: District_
) -> None:
    https, http = "https://testserver.local", "http://testserver.local"
    proxied = {"x-forwarded-proto": "https"}
    assert _hsts(settings, https, {}) == HSTS
    assert _hsts(settings, http, {}) is None
    # Anyone can send the header: it counts only from a proxy the district named.
    assert _hsts(settings, http, proxied) is None
    behind = dataclasses.replace(settings, trusted_proxies=("testclient",))
    assert _hsts(behind, http, proxied) == HSTS
    assert _hsts(behind, http, {"x-forwarded-proto": "http"}) is None
    assert _hsts(behind, http, {"x-forwarded-proto": "https, http"}) == HSTS
    assert _hsts(behind, http, {}) is None
