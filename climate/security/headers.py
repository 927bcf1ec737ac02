"""Security headers on every response, including errors and files (an app ``before_send`` hook).

Pages load only this site's scripts and styles: no inline script or style, no framing,
no referrer (access codes travel in URLs and must not leak to other sites). Headers a
handler set itself are kept. The API viewer under ``/schema`` runs an inline bootstrap
script with its assets served from this site; it shows no data, so only there is that allowed.

Over TLS, browsers are told to use nothing else for a year (HSTS): when the request came in
over https itself, or through a proxy the district trusts (``CLIMATE_TRUSTED_PROXIES``) that
says so with ``X-Forwarded-Proto: https``. Never on plain http, where anyone could set it.

Nothing is kept in a browser's cache (``Cache-Control: no-store``) unless it opts out: only
static files, which carry their own caching headers, do. A shared Chromebook must not show
the last student's answers, and staff pages, API answers and exports hold school data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.types import Message, Scope

from climate.settings import Settings

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
# Static files: the app's own (content-hashed URLs) and the API viewer's assets.
CACHED_PREFIXES = ("/static/", "/schema/assets/")
DOCS_PAGES = ("/schema", "/schema/swagger")
TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
Hook = Callable[[Message, Scope], Awaitable[None]]


def over_tls(scope: Scope, trusted_proxies: frozenset[str]) -> bool:
    """Whether the browser reached us over https, directly or through a trusted proxy."""
    if scope.get("scheme") == "https":
        return True
    client = scope.get("client")
    if not client or client[0] not in trusted_proxies:
        return False
    forwarded = Headers.from_scope(scope).get("x-forwarded-proto", "")
    # A chain of proxies lists the first hop (the browser's) first.
    return forwarded.split(",")[0].strip().lower() == "https"


def security_headers(settings: Settings) -> Hook:
    """The app's ``before_send`` hook, knowing which proxies to believe about https."""
    trusted = frozenset(settings.trusted_proxies)

    async def add_headers(message: Message, scope: Scope) -> None:
        """Add the security headers to the start of every HTTP response."""
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        path = scope.get("path", "")
        for name, value in HEADERS.items():
            if name == "content-security-policy" and path in DOCS_PAGES:
                value = DOCS_POLICY
            if name not in headers:
                headers[name] = value
        if over_tls(scope, trusted):
            headers["strict-transport-security"] = TRANSPORT_SECURITY
        # A static file keeps the caching it was served with; its errors are not cached.
        if not (path.startswith(CACHED_PREFIXES) and "cache-control" in headers):
            headers["cache-control"] = "no-store"

    return add_headers
