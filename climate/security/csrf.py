"""CSRF protection for every state-changing staff form: a token bound to the session.

The token is an HMAC, under the secret key, of what the browser holds: the digest of its
session id once signed in, or before that an anonymous random value in its own cookie (for
the sign-in form). A token taken from one session, or from before sign-in, does not work with
another session's cookie; sign-in gives a new session id, so its tokens are new too, and the
anonymous cookie is dropped. The token is read from the ``_csrf_token`` form field or the
``X-CSRFToken`` header and put in the scope where pages find it, as Litestar's own was.

The JSON API is exempt: it accepts only bearer tokens, which a forged cross-site request
cannot carry. Student routes opt out themselves (``exclude_from_csrf``): they have no
session for a forged post to ride on.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from litestar.connection import Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from climate.security import sessions
from climate.settings import Settings

COOKIE = "climate_csrf"
FIELD = "_csrf_token"
HEADER = "x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORMS = frozenset({RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART})
# Paths that never carry a session: no CSRF cookie is set or checked there.
EXEMPT = re.compile(r"^/api/|^/schema|^/healthz")


def token_for(secret: str, session_id: str | None, anonymous: str | None) -> str | None:
    """The form token of a browser holding ``session_id`` (or only ``anonymous``), if any."""
    if session_id:
        bound = "session:" + sessions.digest(session_id)
    elif anonymous:
        bound = "anonymous:" + anonymous
    else:
        return None
    return hmac.new(secret.encode(), bound.encode(), hashlib.sha256).hexdigest()


def _cookie(value: str, max_age: int | None = None) -> str:
    made = Cookie(
        key=COOKIE,
        value=value,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
        max_age=max_age,
    )
    return made.to_header(header="")


class SessionCSRF(ASGIMiddleware):
    """Refuse a state-changing staff request whose token is not this session's (403)."""

    scopes = (ScopeType.HTTP,)
    exclude_opt_key = "exclude_from_csrf"

    def __init__(self, settings: Settings) -> None:
        self.secret = settings.effective_secret
        self.should_bypass_for_scope = lambda scope: EXEMPT.match(scope["path"]) is not None

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Check the token of a state-changing request; give every page its token."""
        request: Request[Any, Any, Any] = Request(scope, receive)
        session_id = request.cookies.get(sessions.COOKIE)
        anonymous = request.cookies.get(COOKIE)
        fresh = None
        if not session_id and not anonymous and request.method in SAFE_METHODS:
            anonymous = fresh = secrets.token_urlsafe(32)
        expected = token_for(self.secret, session_id, anonymous)
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(HEADER)
            if not sent and request.content_type[0] in FORMS:
                sent = (await request.form()).get(FIELD)
            if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
                raise PermissionDeniedException("CSRF token verification failed")
        if expected:
            ScopeState.from_scope(scope).csrf_token = expected
        await next_app(scope, receive, _cookies_sent(send, fresh, bool(anonymous)))


def _starts_session(set_cookie: str) -> bool:
    name, _eq, rest = set_cookie.partition("=")
    return name == sessions.COOKIE and rest.split(";", 1)[0].strip('"') != ""


def _cookies_sent(send: Send, fresh: str | None, had_anonymous: bool) -> Send:
    """``send`` that sets a new anonymous cookie, or drops it once a session starts."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableScopeHeaders.from_message(message)
            started = any(_starts_session(value) for value in headers.getall("set-cookie", []))
            if started and had_anonymous:
                headers.add("set-cookie", _cookie("", max_age=0))
            elif fresh and not started:
                headers.add("set-cookie", _cookie(fresh))
        await send(message)

    return wrapped
