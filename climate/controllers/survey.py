"""Student pages: code entry, the notice, the survey form (works without script), thank-you.

Every refusal says what the student can do next, in the page's language, and takes nothing
the student typed or chose away: a code that opens nothing stays in its field, and a form
sent after its window closed comes back with its answers still chosen.

No address a browser keeps in its history holds an access code or a receipt. The code is
posted from the start page and kept in a cookie scoped to ``/survey`` (gone when the browser
closes, and cleared at the thanks and decline pages); the receipt reaches the thanks page in
a cookie that page reads once. A link ``/s/<code>`` still works for printed sheets: it only
sets the cookie and moves on.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from climate.controllers.api import address
from climate.errors import (
    AccessError,
    BadRequest,
    ClimateError,
    ClosedWindow,
    InvalidSubmission,
    RateLimited,
    Unavailable,
    UnknownCode,
    headers_of,
    said,
)
from climate.i18n import negotiate
from climate.pages import Pages, language_cookies, pages_of
from climate.students import codes
from climate.students.access import Access
from climate.students.services import Services
from climate.students.submissions import Submission

MAX_FORM = 32 * 1024
# Student pages take no CSRF token: there is no session or login for a forged post to ride
# on, and the access code in the form already grants everything a forged post could do.
STUDENT = {"exclude_from_csrf": True}
# Slots in a cached blank survey page: lower case, so no code or translation can contain them.
CODE_SLOT = "climate-code-slot"
KEY_SLOT = "climate-key-slot"
SLOTS = re.compile(f"({CODE_SLOT}|{KEY_SLOT})")
SURVEY = "/survey"
CODE_COOKIE = "climate_code"
RECEIPT_COOKIE = "climate_receipt"
# Long enough to reach the thanks page; short so a student who leaves first leaves nothing.
RECEIPT_SECONDS = 120
# What the start page gives back of a typed code: more than the field takes (40), no more.
TYPED_KEPT = 64


def error_page(request: Request[Any, Any, Any], exc: ClimateError) -> Response[Any]:
    """The localized page for a failure on a student route."""
    return pages_of(request).render(
        request,
        "error.html",
        remember=True,
        status_code=exc.status_code,
        headers=headers_of(exc),
        error=exc,
    )


@get("/", include_in_schema=False, opt=STUDENT)
async def landing(request: Request[Any, Any, Any], pages: NamedDependency[Pages]) -> Template:
    """The page with one large field for the access code."""
    return pages.render(request, "landing.html", remember=True)


def _cookie(
    request: Request[Any, Any, Any], key: str, value: str, max_age: int | None = None
) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        path=SURVEY,
        max_age=max_age,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )


def _forget(request: Request[Any, Any, Any]) -> list[Cookie]:
    """Cookies that make the browser drop the code and the receipt."""
    return [_cookie(request, name, "", 0) for name in (CODE_COOKIE, RECEIPT_COOKIE)]


def _lang(services: Services, chosen: object) -> str:
    return f"?lang={chosen}" if chosen in services.settings.accepted_locales else ""


@post("/enter", include_in_schema=False, opt=STUDENT, request_max_body_size=MAX_FORM)
async def enter(
    request: Request[Any, Any, Any],
    pages: NamedDependency[Pages],
    services: NamedDependency[Services],
) -> Response[Any]:
    """Open a typed code's survey, or show the start page again with the code and a message."""
    form = await request.form()
    typed = str(form.get("code") or "")[:TYPED_KEPT]
    canonical = codes.canonical(typed)
    try:
        if canonical is None:
            # Text that cannot be a code is no guess: only a closed address is refused.
            services.limits.admit(address(request))
            return _entry(request, pages, typed, None)
        await services.open(canonical, address(request))
    except (AccessError, RateLimited) as error:
        return _entry(request, pages, typed, error)
    suffix = _lang(services, form.get("lang"))
    response: Response[Any] = Redirect(f"{SURVEY}/start{suffix}", status_code=303)
    response.set_cookie(_cookie(request, CODE_COOKIE, canonical))
    return response


def _entry(
    request: Request[Any, Any, Any], pages: Pages, typed: str, error: ClimateError | None
) -> Template:
    """The start page again, with what was typed and why it opened nothing (None: not a code)."""
    return pages.render(
        request,
        "landing.html",
        remember=True,
        status_code=UnknownCode.status_code if error is None else error.status_code,
        headers=headers_of(error) if error is not None else None,
        typed=typed,
        error=error,
        code_error=error is None or isinstance(error, AccessError),
    )


@get("/enter", include_in_schema=False, opt=STUDENT)
async def enter_page() -> Redirect:
    """The start page: a code is posted, never put in an address."""
    return Redirect("/", status_code=303)


@get("/s/{code:str}", include_in_schema=False, opt=STUDENT)
async def link(
    request: Request[Any, Any, Any], services: NamedDependency[Services], code: FromPath[str]
) -> Response[Any]:
    """A printed link with the code in it: keep the code in the cookie and go on."""
    access = await services.open(code, address(request))
    suffix = _lang(services, request.query_params.get("lang"))
    response: Response[Any] = Redirect(f"{SURVEY}/start{suffix}", status_code=303)
    response.set_cookie(_cookie(request, CODE_COOKIE, access.code))
    return response


async def _open(
    request: Request[Any, Any, Any], pages: Pages, services: Services
) -> tuple[Access, str]:
    code = request.cookies.get(CODE_COOKIE)
    if not code:
        raise NoCode()
    access = await services.open(code, address(request))
    return access, pages.locale(request, services.locales(access))


class NoCode(Exception):
    """A survey page reached without a code: the student starts at the code page."""


def no_code(request: Request[Any, Any, Any], _exc: NoCode) -> Response[Any]:
    """Back to the start page, in the student's language."""
    lang = request.query_params.get("lang")
    return Redirect(f"/?lang={lang}" if lang else "/", status_code=303)


@get(f"{SURVEY}/start", include_in_schema=False, opt=STUDENT, exception_handlers={NoCode: no_code})
async def notice(
    request: Request[Any, Any, Any],
    pages: NamedDependency[Pages],
    services: NamedDependency[Services],
) -> Template:
    """What the survey is, that it is anonymous and skippable; start or decline."""
    access, locale = await _open(request, pages, services)
    return pages.render(
        request,
        "notice.html",
        available=services.locales(access),
        locale=locale,
        remember=True,
        access=access,
        code=codes.display(access.code),
        survey=services.view(access, locale),
    )


@get(SURVEY, include_in_schema=False, opt=STUDENT, exception_handlers={NoCode: no_code})
async def survey_page(
    request: Request[Any, Any, Any],
    pages: NamedDependency[Pages],
    services: NamedDependency[Services],
) -> Response[bytes]:
    """The whole instrument as one form."""
    access, locale = await _open(request, pages, services)
    available = services.locales(access)

    def blank() -> tuple[bytes, ...]:
        context = pages.context(
            locale,
            available,
            code=CODE_SLOT,
            survey=services.view(access, locale),
            answers={},
            demographics={},
            idempotency_key=KEY_SLOT,
            problems={},
        )
        # Kept encoded and cut at the slots, so each view is one join of bytes.
        return tuple(
            part.encode() for part in SLOTS.split(pages.text(request, "survey.html", context))
        )

    # Rendered once per survey version, language and offered grades, with slots for the code
    # and key.
    key = (
        "survey",
        access.form.version_id,
        access.sensitive_module,
        locale,
        available,
        access.offered_grades,
    )
    page = pages.kept(key, blank)
    fill = {
        CODE_SLOT.encode(): codes.display(access.code).encode(),
        KEY_SLOT.encode(): str(uuid.uuid4()).encode(),
    }
    return Response(
        b"".join(fill.get(part, part) for part in page),
        media_type=MediaType.HTML,
        cookies=language_cookies(request, locale),
    )


def _form(
    request: Request[Any, Any, Any],
    pages: Pages,
    services: Services,
    access: Access,
    locale: str,
    answers: dict[str, int],
    demographics: dict[str, int],
    key: str,
    *,
    problems: dict[str, str] | None = None,
    refused: ClimateError | None = None,
    status_code: int = 200,
) -> Template:
    """The survey form with the student's answers chosen (and why a send was refused)."""
    context: dict[str, Any] = {}
    if refused is not None:
        kept = isinstance(refused, AccessError)
        context = {
            "refused": refused,
            "refusal": said(refused, pages.gettext(locale), answers_kept=kept),
        }
    return pages.render(
        request,
        "unsent.html" if refused is not None else "survey.html",
        available=services.locales(access),
        locale=locale,
        remember=True,
        status_code=status_code,
        headers=headers_of(refused) if refused is not None else None,
        code=codes.display(access.code),
        survey=services.view(access, locale),
        answers=answers,
        demographics=demographics,
        idempotency_key=key,
        problems=problems or {},
        **context,
    )


def _read_form(form: Any) -> tuple[dict[str, int], dict[str, int]]:
    answers: dict[str, int] = {}
    demographics: dict[str, int] = {}
    problems: dict[str, str] = {}
    for name, value in form.multi_items():
        kind, _dot, field = str(name).partition(".")
        if kind not in ("answers", "demographics") or not field or value in ("", None):
            continue
        try:
            number = int(str(value))
        except ValueError:
            problems[str(name)] = "This is not one of the answers to this question."
            continue
        (answers if kind == "answers" else demographics)[field[:64]] = number
    if problems:
        raise InvalidSubmission(problems)
    return answers, demographics


async def _closed(
    request: Request[Any, Any, Any], pages: Pages, services: Services
) -> tuple[Access, str]:
    """A code whose window has closed, for showing its form again with the answers.

    Only a closed window: a used ticket must look like a code never issued, which has no form.
    """
    access = await services.directory.lookup(request.cookies.get(CODE_COOKIE) or "")
    return access, pages.locale(request, services.locales(access))


@post(
    SURVEY,
    include_in_schema=False,
    opt=STUDENT,
    request_max_body_size=MAX_FORM,
    exception_handlers={NoCode: no_code},
)
async def submit_form(
    request: Request[Any, Any, Any],
    pages: NamedDependency[Pages],
    services: NamedDependency[Services],
) -> Response[Any]:
    """Store the form (no script), or show it again in another language with the answers kept.

    A send that cannot be stored (the window closed, the service is busy) shows the form
    again with the answers still chosen and a message at the top saying what to do.
    """
    form = await request.form()
    answers, demographics = _read_form(form)
    key = str(form.get("idempotency_key") or "")
    refused: ClimateError | None = None
    try:
        access, locale = await _open(request, pages, services)
    except ClosedWindow as closed:
        access, locale = await _closed(request, pages, services)
        refused = closed
    switch = form.get("switch_lang")
    if switch or refused is not None:
        chosen = negotiate(services.locales(access), locale, explicit=str(switch or locale))
        return _form(
            request,
            pages,
            services,
            access,
            chosen,
            answers,
            demographics,
            key or str(uuid.uuid4()),
            refused=refused,
            status_code=refused.status_code if refused is not None else 200,
        )
    if not 16 <= len(key) <= 64:
        raise BadRequest()
    submission = Submission(
        code=access.code,
        locale=locale,
        idempotency_key=key,
        answers=answers,
        demographics=demographics,
    )
    try:
        outcome = await services.store(submission, prune=True)
    except (InvalidSubmission, ClosedWindow, RateLimited, Unavailable) as exc:
        # Not stored: the form again, its answers chosen, with what to fix or what to do.
        invalid = isinstance(exc, InvalidSubmission)
        return _form(
            request,
            pages,
            services,
            access,
            locale,
            answers,
            demographics,
            key,
            problems=exc.fields if isinstance(exc, InvalidSubmission) else None,
            refused=None if invalid else exc,
            status_code=exc.status_code,
        )
    response: Response[Any] = Redirect(f"{SURVEY}/thanks?lang={locale}", status_code=303)
    response.set_cookie(_cookie(request, RECEIPT_COOKIE, outcome.receipt, RECEIPT_SECONDS))
    return response


@post(
    f"{SURVEY}/decline",
    include_in_schema=False,
    opt=STUDENT,
    request_max_body_size=MAX_FORM,
    exception_handlers={NoCode: no_code},
)
async def decline(
    request: Request[Any, Any, Any],
    pages: NamedDependency[Pages],
    services: NamedDependency[Services],
) -> Redirect:
    """Count a decline for the administration; nothing else is stored, and the code is dropped.

    The answer is a redirect, so reloading the page that follows never counts again.
    """
    access, locale = await _open(request, pages, services)
    await services.decline(access)
    response = Redirect(f"{SURVEY}/declined?lang={locale}", status_code=303)
    for cookie in _forget(request):
        response.set_cookie(cookie)
    return response


@get(f"{SURVEY}/declined", include_in_schema=False, opt=STUDENT)
async def declined(request: Request[Any, Any, Any], pages: NamedDependency[Pages]) -> Template:
    """Say that declining is fine and that nothing was saved."""
    return pages.render(request, "declined.html", remember=True)


@get(f"{SURVEY}/thanks", include_in_schema=False, opt=STUDENT)
async def thanks(request: Request[Any, Any, Any], pages: NamedDependency[Pages]) -> Template:
    """Thank the student, show the receipt once, repeat where to get help; forget the code."""
    receipt = request.cookies.get(RECEIPT_COOKIE, "")
    shown = "".join(ch for ch in receipt.upper() if ch.isalnum())[:16]
    page = pages.render(request, "thanks.html", remember=True, receipt=shown)
    for cookie in _forget(request):
        page.set_cookie(cookie)
    return page
