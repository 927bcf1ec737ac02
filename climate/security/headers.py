"""Security headers on every response, including errors and files (an app ``before_send`` hook).

Pages load only this site's scripts and styles: no inline script or style, no framing,
no referrer (access codes travel in URLs and must not leak to other sites). Headers a
handler set itself are kept. The API viewer under ``/schema`` runs an inline bootstrap
script with its assets served from this site; it shows no data, so only there is that allowed.
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
# Staff pages and API answers hold school data: never keep them in a shared browser's cache.
PRIVATE_PREFIXES = ("/staff", "/api/v1/admin", "/api/v1/schools")
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
    if path.startswith(PRIVATE_PREFIXES):
        headers["cache-control"] = "no-store"
