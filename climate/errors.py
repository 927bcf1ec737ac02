"""What can go wrong for a student, and how each failure is answered over HTTP.

Exceptions::

    Exception
    └── ClimateError            a failure with a status, a stable name and a translatable message
        ├── AccessError         the code does not open a survey now
        │   ├── UnknownCode     404: no such code (or not a code at all)
        │   ├── ClosedWindow    410: the administration is not open today
        │   └── UsedTicket      409: a single-use ticket was already used
        ├── InvalidSubmission   422: answers that do not fit the instrument, one message per field
        ├── BadRequest          400: a body that cannot be read
        ├── RateLimited         429: too many attempts; try again shortly
        ├── Unavailable         503: the answers could not be stored; the client retries
        │   ├── Outage          503: the database cannot be reached just now
        │   └── Busy            503: more students at once than a worker serves; retry shortly
        └── ReleaseError        503: a year's results cannot be published until an admin acts

A ``ReleaseError`` is raised by the release pipeline (and is a ``ValueError`` too); staff
pages answer it with a page of their own, the JSON API with its advice and the pipeline's
detail, the command line with the detail. None of them answers 500.

The database going away is not a fault of the service: a dropped connection, a restart, a
refused or timed-out connect (``is_outage``) answers 503 with Retry-After, as an ``Outage``,
wherever it is raised; the pool's pre-ping then finds fresh connections by itself.

Messages are English source strings marked with ``_`` so that the catalogs pick them up;
they are translated when the page or JSON answer is rendered, in the student's language.
Every JSON error answer is an ``ApiError``, made by ``json_error`` (the roster upload adds
its ``problems``); pages get the renderer passed to ``handlers``, and an address under
``/staff`` that nothing serves gets the staff pages' own (never the student's "code" page).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy import exc as sql


def _(message: str) -> str:
    """Mark a message for the catalogs; it is translated where it is shown."""
    return message


class ClimateError(Exception):
    """A failure with an HTTP status, a stable name and a translatable message."""

    status_code = 500
    name = "error"
    message = _("Something went wrong. Please try again.")
    # What the student can do about it, said after the message ("" when the message says it).
    next_step = ""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class AccessError(ClimateError):
    """The code does not open a survey now."""


class UnknownCode(AccessError):
    """No survey has this code."""

    status_code = 404
    name = "unknown_code"
    message = _("We could not find a survey with this code. Check the code and try again.")


class ClosedWindow(AccessError):
    """The administration is not open today."""

    status_code = 410
    name = "closed"
    message = _("This survey is not open right now.")
    # Nothing about the window's dates: the same words for every closed code.
    next_step = _(
        "Ask your teacher when the survey opens, or check that you typed the code your "
        "teacher gave you."
    )


class UsedTicket(AccessError):
    """A single-use ticket was already used."""

    status_code = 409
    name = "used_ticket"
    message = _("This ticket has already been used. Ask your teacher for a new one.")


class InvalidSubmission(ClimateError):
    """Answers that do not fit the instrument; ``fields`` maps a field path to its problem."""

    status_code = 422
    name = "invalid"
    message = _("Some answers could not be accepted.")

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__()
        self.fields = dict(fields)


class BadRequest(ClimateError):
    """A body that cannot be read."""

    status_code = 400
    name = "bad_request"
    message = _("The request could not be read.")
    next_step = _("Go back and try again. If it happens again, ask your teacher for help.")


class RateLimited(ClimateError):
    """Too many attempts from one place or with one code."""

    status_code = 429
    name = "rate_limited"
    message = _("Too many tries in a short time. Please wait a minute and try again.")

    def __init__(self, retry_after: int = 60) -> None:
        super().__init__()
        self.retry_after = retry_after


class Unavailable(ClimateError):
    """The answers could not be stored just now; nothing was saved, so a retry is safe."""

    status_code = 503
    name = "unavailable"
    message = _("Your answers could not be saved just now. Please try again.")
    retry_after = 5


class Outage(Unavailable):
    """The database cannot be reached just now; nothing was done, so a retry is safe."""

    message = _("This service cannot be reached just now. Please try again in a minute.")
    retry_after = 10


class Busy(Unavailable):
    """More students at once than this worker can serve: nothing was done; retry shortly."""

    name = "busy"
    message = _("Many students are using the survey right now. Please wait a moment and try again.")
    retry_after = 2


# SQLSTATEs that mean the server went away or will not take a connection now (PostgreSQL):
# connection exceptions (class 08), shutdowns and start-ups (57P0x), too many connections.
_GONE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
# Failures of the connection itself, never of the statement or the data.
_LOST = (sql.OperationalError, sql.InterfaceError, sql.DisconnectionError, sql.TimeoutError)


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot be reached just now (not a fault of ours)."""
    if isinstance(exc, (*_LOST, OSError)):
        return True
    if isinstance(exc, sql.DBAPIError) and exc.connection_invalidated:
        return True
    seen: BaseException | None = exc
    for _depth in range(8):
        if seen is None:
            return False
        state = getattr(seen, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_GONE_STATES):
            return True
        seen = seen.__cause__ or getattr(seen, "orig", None)
    return False


# Why a year's results cannot be published (each answer explains its own).
REMOVED = "removed"  # responses were removed or changed after the year was published
UNKEPT = "unkept"  # an earlier release of the year was stored without its data
AUDIT = "audit"  # the disclosure audit cannot protect the release
SETUP = "setup"  # the year's administrations cannot make one release per instrument


class ReleaseError(ClimateError, ValueError):
    """A year's results cannot be published: nothing was, and an admin has to act first.

    ``reason`` says why (``advice`` is what to do, translatable); the message (``str``
    of the error, and ``detail``) is the pipeline's own, in English with release ids, for
    an admin at the command line or a script.
    """

    status_code = 503
    name = "release_unavailable"
    message = _("These results cannot be published right now, so nothing new was published.")

    def __init__(self, detail: str, reason: str = AUDIT) -> None:
        Exception.__init__(self, detail)
        self.detail = detail
        self.reason = reason
        self.advice = RELEASE_ADVICE.get(reason, RELEASE_ADVICE[AUDIT])


RELEASE_ADVICE = {
    REMOVED: _(
        "Responses were removed or changed after this year's results were published. "
        "Published results cannot be taken back. An administrator can restore the removed "
        "responses from a backup: responses can be added to a published year, never removed."
    ),
    UNKEPT: _(
        "This year's responses changed after an older version of the platform published it, "
        "and that version did not keep what is needed to check a new release. An administrator "
        "can restore the responses as they were, open this report once, and then import the "
        "new responses again."
    ),
    AUDIT: _(
        "The privacy check could not protect every small group in the new results. If the "
        "minimum group size was raised after this year was first published, an administrator "
        "can set it back."
    ),
    SETUP: _(
        "This year has more than one closed survey window for the same survey. An "
        "administrator can reopen or remove the extra one."
    ),
}
"""Why a year's results cannot be published, and what an admin can do, by pipeline reason."""


UNSENT = _(
    "Your answers were not sent, but they are still here. Tell your teacher, and keep this "
    "page open."
)
"""Said when a code stops opening the survey between the page and the send (answers kept)."""


API_PREFIX = "/api/"
STAFF_PREFIX = "/staff"


def is_api(path: str) -> bool:
    """Whether a path belongs to the JSON API (errors in JSON) rather than to a page."""
    return path.startswith(API_PREFIX)


def is_staff(path: str) -> bool:
    """Whether a path belongs to the staff pages (errors in the staff layout)."""
    return path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")


def headers_of(exc: ClimateError) -> dict[str, str]:
    """Headers an error answer carries (Retry-After when rate limited or unavailable)."""
    if isinstance(exc, RateLimited | Unavailable):
        return {"Retry-After": str(exc.retry_after)}
    return {}


class ApiError(msgspec.Struct, frozen=True, omit_defaults=True):
    """Every JSON error answer: a stable name, a message, and per-field messages if any."""

    error: str
    message: str
    detail: str | None = None
    fields: dict[str, str] | None = None
    # Problems that have no field path of their own, such as a roster file's line and column.
    problems: list[str] | None = None


ERROR_DESCRIPTIONS = {
    400: "the body or a parameter cannot be read",
    401: "no valid API token",
    403: "the token's role does not allow this",
    404: "no such code or resource",
    409: "a single-use ticket was already used",
    410: "the survey window is not open",
    413: "the body is too large",
    422: "answers that do not fit the survey, one message per field path",
    429: "too many attempts; retry after the Retry-After seconds",
    503: "the answer could not be stored now, or the database cannot be reached; retry after "
    "the Retry-After seconds (with the same key)",
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the JSON error answers a route can give."""
    return {c: ResponseSpec(ApiError, description=ERROR_DESCRIPTIONS[c]) for c in codes}


HTTP_NAMES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
HtmlRenderer = Callable[[Request[Any, Any, Any], ClimateError], Response[Any]]
StaffRenderer = Callable[[Request[Any, Any, Any], HTTPException], Response[Any]]
JsonTranslator = Callable[[Request[Any, Any, Any]], Callable[[str], str]]


def said(exc: ClimateError, translate: Callable[[str], str], *, answers_kept: bool = False) -> str:
    """What went wrong and what to do next, in the student's language.

    ``answers_kept``: the error refused a send from a page that still holds the answers.
    """
    after = UNSENT if answers_kept else exc.next_step
    return " ".join(translate(text) for text in (exc.message, after) if text)


def json_error(
    exc: ClimateError | HTTPException,
    translate: Callable[[str], str],
    *,
    answers_kept: bool = False,
) -> Response[ApiError]:
    """The JSON answer to an error, whatever raised it: its body, status and headers."""
    if isinstance(exc, ClimateError):
        fields = None
        if isinstance(exc, InvalidSubmission):
            fields = {path: translate(text) for path, text in exc.fields.items()}
        message = said(exc, translate, answers_kept=answers_kept)
        detail = None
        if isinstance(exc, ReleaseError):
            message, detail = f"{message} {translate(exc.advice)}", exc.detail
        body = ApiError(exc.name, message, detail=detail, fields=fields)
        return Response(body, status_code=exc.status_code, headers=headers_of(exc))
    if isinstance(exc, ValidationException):
        # Litestar's messages name the field and the type it expected; they stay in English.
        found: dict[str, str] = {}
        for entry in exc.extra if isinstance(exc.extra, list) else []:
            if isinstance(entry, dict):
                found[str(entry.get("key") or "body")] = str(entry.get("message", ""))
        body = ApiError(
            BadRequest.name,
            said(BadRequest(), translate),
            detail=exc.detail,
            fields=found or None,
        )
        return Response(body, status_code=BadRequest.status_code)
    name = HTTP_NAMES.get(exc.status_code, "http_error")
    if exc.status_code in (400, 413):
        # A body too large or unreadable: the student's words, Litestar's in the detail.
        body = ApiError(name, said(BadRequest(), translate), detail=exc.detail)
    else:
        body = ApiError(name, exc.detail)
    return Response(body, status_code=exc.status_code, headers=exc.headers)


def handlers(
    html: HtmlRenderer, translator: JsonTranslator, staff: StaffRenderer | None = None
) -> dict[int | type[Exception], Callable[[Request[Any, Any, Any], Any], Response[Any]]]:
    """Exception handlers for the app: JSON under ``/api/``, a localized page elsewhere.

    ``staff`` answers an HTTP error under ``/staff`` that no staff route caught (an address
    nothing serves, a method it does not take): staff see a staff page, students never do.
    """

    def climate_error(request: Request[Any, Any, Any], exc: ClimateError) -> Response[Any]:
        if not is_api(request.url.path):
            return html(request, exc)
        # A send refused for its code leaves the answers on the student's page: say so.
        kept = isinstance(exc, AccessError) and request.method == "POST"
        return json_error(exc, translator(request), answers_kept=kept)

    def validation_error(
        request: Request[Any, Any, Any], exc: ValidationException
    ) -> Response[Any]:
        if not is_api(request.url.path):
            return html(request, BadRequest())
        return json_error(exc, translator(request))

    def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        if staff is not None and is_staff(request.url.path):
            return staff(request, exc)
        if not is_api(request.url.path) and exc.status_code == 404:
            return html(request, UnknownCode())
        if not is_api(request.url.path) and exc.status_code == 413:
            return html(request, BadRequest())
        return json_error(exc, translator(request))

    def database_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        # Anything else that reaches here is a fault: answered as one (logged where raised).
        return climate_error(request, Outage() if is_outage(exc) else ClimateError())

    return {
        ClimateError: climate_error,
        ValidationException: validation_error,
        HTTPException: http_error,
        **dict.fromkeys(OUTAGE_TYPES, database_error),
    }


# What a lost database can raise: SQLAlchemy's errors, and socket errors from a connect.
OUTAGE_TYPES: tuple[type[Exception], ...] = (sql.DBAPIError, *_LOST, OSError)
