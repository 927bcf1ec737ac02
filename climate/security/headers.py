"""Security headers on every response, including errors and files (an app ``before_send`` hook).

Pages load only this site's scripts and styles: no inline script or style, no framing,
no referrer (access codes travel in URLs and must not leak to other sites). Headers a
handler set itself are kept. The API viewer under ``/schema`` runs an inline bootstrap
script with its assets served from this site; it shows no data, so only there is that allowed.

Nothing is kept in a browser's cache (``Cache-Control: no-store``) unless it opts out: only
static files, which carry their own caching headers, do. A shared Chromebook must not show
the last student's answers, and staff pages, API answers and exports hold school data.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

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


async def security_headers(message: Message, scope: Scope) -> None:
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
    # A static file keeps the caching it was served with; its errors are not cached.
    if not (path.startswith(CACHED_PREFIXES) and "cache-control" in headers):
        headers["cache-control"] = "no-store"
