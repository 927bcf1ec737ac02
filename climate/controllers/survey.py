"""Student pages: code entry, the notice, the survey form (works without script), thank-you."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path
from typing import Any

from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from climate.controllers.api import Services, open_survey, services_of, store
from climate.errors import BadRequest, ClimateError, InvalidSubmission, headers_of
from climate.i18n import COOKIE, direction, html_lang, jinja_gettext, language_name, negotiate
from climate.students import codes
from climate.students.access import Access
from climate.students.submissions import Submission

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
MAX_FORM = 32 * 1024
# Student pages may load only this site's own files; nothing inline, nothing framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    # A shared Chromebook must not show the last student's answers from the cache.
    "Cache-Control": "no-store",
}
# Student pages take no CSRF token: there is no session or login for a forged post to ride
# on, and the access code in the form already grants everything a forged post could do.
STUDENT = {"exclude_from_csrf": True}
# Slots in a cached blank survey page: lower case, so no code or translation can contain them.
CODE_SLOT = "climate-code-slot"
KEY_SLOT = "climate-key-slot"
SLOTS = re.compile(f"({CODE_SLOT}|{KEY_SLOT})")


def _static_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.glob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


STATIC_VERSION = _static_version()


def static_url(name: str) -> str:
    """A static file's URL, versioned by content so it can be cached for a year."""
    return f"/static/{name}?v={STATIC_VERSION}"


def _address(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


def choose_locale(
    request: Request[Any, Any, Any], services: Services, available: tuple[str, ...]
) -> str:
    """Explicit ``?lang=``, then the language cookie, then Accept-Language, then the default."""
    return negotiate(
        available,
        services.settings.default_locale,
        explicit=request.query_params.get("lang"),
        cookie=request.cookies.get(COOKIE),
        accept_language=request.headers.get("accept-language"),
    )


def page_context(
    services: Services, locale: str, available: tuple[str, ...], **context: Any
) -> dict[str, Any]:
    """What every student page's template needs: language, direction, picker, crisis help."""
    return {
        **jinja_gettext(services.catalogs.translations(locale)),
        "lang": locale,
        "html_lang": html_lang(locale),
        "dir": direction(locale),
        "languages": [(code, language_name(code)) for code in available],
        "crisis_contacts": services.settings.crisis_contacts,
        "district_name": services.settings.district_name,
        "static_url": static_url,
        **context,
    }


def language_cookies(request: Request[Any, Any, Any], locale: str) -> list[Cookie]:
    """The language cookie, when the student has just chosen a language."""
    explicit = request.query_params.get("lang")
    if explicit and explicit == locale and request.cookies.get(COOKIE) != locale:
        # A session cookie: the next student on a shared Chromebook starts afresh.
        return [Cookie(key=COOKIE, value=locale, path="/", samesite="lax", httponly=True)]
    return []


def render(
    request: Request[Any, Any, Any],
    services: Services,
    template: str,
    locale: str,
    available: tuple[str, ...],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """A student page in ``locale`` with crisis resources, the language picker and headers."""
    return Template(
        template_name=template,
        context=page_context(services, locale, available, **context),
        status_code=status_code,
        headers={**SECURITY_HEADERS, **(headers or {})},
        cookies=language_cookies(request, locale),
    )


def error_page(request: Request[Any, Any, Any], exc: ClimateError) -> Response[Any]:
    """The localized page for a failure on a student route."""
    services = services_of(request.app.state)
    accepted = services.settings.accepted_locales
    locale = choose_locale(request, services, accepted)
    return render(
        request,
        services,
        "error.html",
        locale,
        accepted,
        status_code=exc.status_code,
        headers=headers_of(exc),
        error=exc,
    )


@get("/", include_in_schema=False, opt=STUDENT)
async def landing(request: Request[Any, Any, State]) -> Template:
    """The page with one large field for the access code."""
    services = services_of(request.app.state)
    accepted = services.settings.accepted_locales
    return render(
        request, services, "landing.html", choose_locale(request, services, accepted), accepted
    )


@get("/enter", include_in_schema=False, opt=STUDENT)
async def enter(
    request: Request[Any, Any, State],
    code: FromQuery[str] = "",
) -> Response[Any]:
    """Take a typed code to its survey (or back to the landing page with a message)."""
    services = services_of(request.app.state)
    canonical = codes.canonical(code)
    lang = request.query_params.get("lang")
    suffix = f"?lang={lang}" if lang in services.settings.accepted_locales else ""
    if canonical is None:
        services.limits.code_entry.hit(_address(request) or "unknown")
        accepted = services.settings.accepted_locales
        return render(
            request,
            services,
            "landing.html",
            choose_locale(request, services, accepted),
            accepted,
            status_code=404,
            code_error=True,
        )
    return Redirect(f"/s/{codes.display(canonical)}{suffix}", status_code=303)


async def _open(
    request: Request[Any, Any, State], code: FromPath[str]
) -> tuple[Services, Access, str]:
    services = services_of(request.app.state)
    access = await open_survey(services, code, _address(request))
    locale = choose_locale(request, services, services.locales(access))
    return services, access, locale


@get("/s/{code:str}", include_in_schema=False, opt=STUDENT)
async def notice(request: Request[Any, Any, State], code: FromPath[str]) -> Template:
    """What the survey is, that it is anonymous and skippable; start or decline."""
    services, access, locale = await _open(request, code)
    return render(
        request,
        services,
        "notice.html",
        locale,
        services.locales(access),
        access=access,
        code=codes.display(access.code),
        survey=services.view(access, locale),
    )


@get("/s/{code:str}/survey", include_in_schema=False, opt=STUDENT)
async def survey_page(request: Request[Any, Any, State], code: FromPath[str]) -> Response[bytes]:
    """The whole instrument as one form."""
    services, access, locale = await _open(request, code)
    available = services.locales(access)
    slot = (access.form.version_id, access.sensitive_module, locale, available)
    page = services.pages.get(slot)
    if page is None:
        # Rendered once per survey version and language, with slots for the code and key.
        engine = request.app.template_engine
        assert engine is not None
        context = page_context(
            services,
            locale,
            available,
            code=CODE_SLOT,
            survey=services.view(access, locale),
            answers={},
            demographics={},
            idempotency_key=KEY_SLOT,
            problems={},
        )
        rendered = engine.get_template("survey.html").render(**context)
        # Kept encoded and cut at the slots, so each view is one join of bytes.
        page = tuple(part.encode() for part in SLOTS.split(rendered))
        services.pages[slot] = page
    fill = {
        CODE_SLOT.encode(): codes.display(access.code).encode(),
        KEY_SLOT.encode(): str(uuid.uuid4()).encode(),
    }
    return Response(
        b"".join(fill.get(part, part) for part in page),
        media_type=MediaType.HTML,
        headers=SECURITY_HEADERS,
        cookies=language_cookies(request, locale),
    )


def _form(
    request: Request[Any, Any, Any],
    services: Services,
    access: Access,
    locale: str,
    answers: dict[str, int],
    demographics: dict[str, int],
    key: str,
    *,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        services,
        "survey.html",
        locale,
        services.locales(access),
        status_code=status_code,
        code=codes.display(access.code),
        survey=services.view(access, locale),
        answers=answers,
        demographics=demographics,
        idempotency_key=key,
        problems=problems or {},
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


@post("/s/{code:str}/survey", include_in_schema=False, opt=STUDENT, request_max_body_size=MAX_FORM)
async def submit_form(request: Request[Any, Any, State], code: FromPath[str]) -> Response[Any]:
    """Store the form (no script), or show it again in another language with the answers kept."""
    services, access, locale = await _open(request, code)
    form = await request.form()
    answers, demographics = _read_form(form)
    key = str(form.get("idempotency_key") or "")
    switch = form.get("switch_lang")
    if switch:
        chosen = negotiate(services.locales(access), locale, explicit=str(switch))
        return _form(
            request, services, access, chosen, answers, demographics, key or str(uuid.uuid4())
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
        outcome = await store(services, submission, prune=True)
    except InvalidSubmission as exc:
        return _form(
            request,
            services,
            access,
            locale,
            answers,
            demographics,
            key,
            problems=exc.fields,
            status_code=422,
        )
    return Redirect(
        f"/s/{codes.display(access.code)}/thanks?receipt={outcome.receipt}&lang={locale}",
        status_code=303,
    )


@post("/s/{code:str}/decline", include_in_schema=False, opt=STUDENT, request_max_body_size=MAX_FORM)
async def decline(request: Request[Any, Any, State], code: FromPath[str]) -> Template:
    """Count a decline for the administration; nothing else is stored."""
    services, access, locale = await _open(request, code)
    await services.writer.decline(access.administration_id)
    return render(request, services, "declined.html", locale, services.locales(access))


@get("/s/{code:str}/thanks", include_in_schema=False, opt=STUDENT)
async def thanks(
    request: Request[Any, Any, State],
    code: FromPath[str],
    receipt: FromQuery[str] = "",
) -> Template:
    """Thank the student, show the receipt and repeat where to get help."""
    services = services_of(request.app.state)
    canonical = codes.canonical(code)
    if canonical is None:
        raise HTTPException(status_code=404)
    accepted = services.settings.accepted_locales
    shown = "".join(ch for ch in receipt.upper() if ch.isalnum())[:16]
    return render(
        request,
        services,
        "thanks.html",
        choose_locale(request, services, accepted),
        accepted,
        receipt=shown,
    )
