"""Student help pages: ask to talk to someone or tell of a worry, then follow up with a code.

Apart from the survey: these routes read no survey cookie, set none but the language cookie,
and log nothing about a request. The request code is shown once, in the page that answers the
send, and travels only in posted forms, never in an address, so no history, log or referrer
holds it. Every page here is ``no-store``. A code that opens nothing, well formed or not, gets
one refusal that does not say whether such a request exists; well-formed misses are counted
against the address as the survey's code guesses are. Off (404) without the district's help
file.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from babel.dates import format_time
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.controllers.api import address
from climate.controllers.survey import STUDENT
from climate.errors import BadRequest, RateLimited, headers_of
from climate.help.duty import Duty, now_utc
from climate.help.requests import (
    MAX_FORM_KEY,
    TOO_MANY,
    Desk,
    HelpFormError,
    NewRequest,
    Thread,
    answer,
    canonical,
    display,
    follow,
    schools_taking,
    send,
)
from climate.models.help import HELP_KINDS, HELP_URGENCIES, MAX_HELP_CONTACT, MAX_HELP_TEXT
from climate.pages import Pages
from climate.reports.formatting import Formatter, babel_locale
from climate.students.services import Services

HELP = "/help"
# Room for the longest text and contact in any script, percent-encoded.
MAX_FORM = 64 * 1024
# What a refused code field gives back of what was typed: more than the field takes, no more.
TYPED_KEPT = 40
NO_STORE = {"Cache-Control": "no-store"}
MIN_FORM_KEY = 16


def _(message: str) -> str:
    """Mark a message for the catalogs; it is translated where it is shown."""
    return message


# A request's status, in words a young student understands.
STATUS_WORDS = {
    "new": _("Sent. No one has read it yet."),
    "seen": _("School staff have read it."),
    "in_progress": _("School staff are working on it."),
    "closed": _("Closed."),
}
KIND_WORDS = {
    "talk": _("You asked to talk to someone."),
    "worry": _("You told us about a worry."),
}
NOT_FOUND = _("This code did not open a request. Check the code and try again.")


@dataclass(frozen=True, slots=True)
class Shown:
    """One message as the conversation page lays it out."""

    mine: bool
    body: str
    date: str


@dataclass(frozen=True, slots=True)
class Conversation:
    """What the conversation page shows of a thread, in the page's language."""

    kind: str
    status: str
    closed: bool
    school_name: str
    sent_on: str
    promise: str
    messages: tuple[Shown, ...]


def reading_time(value: dt.time, locale: str) -> str:
    """A time of day as the page's language writes it ("3:00 PM", "15:00")."""
    return format_time(value, format="short", locale=babel_locale(locale))


def conversation(thread: Thread, locale: str, gettext: Callable[[str], str]) -> Conversation:
    """The conversation page's view of ``thread`` in ``locale``."""
    fmt = Formatter.for_language(locale)
    return Conversation(
        kind=gettext(KIND_WORDS.get(thread.kind, KIND_WORDS["talk"])),
        status=gettext(STATUS_WORDS.get(thread.status, STATUS_WORDS["new"])),
        closed=thread.closed,
        school_name=thread.school_name,
        sent_on=fmt.date(thread.sent_on),
        promise=reading_time(thread.reading_time, locale),
        messages=tuple(
            Shown(m.author == "student", m.body, fmt.date(m.sent_on)) for m in thread.messages
        ),
    )


def _desk(duty: Duty) -> Desk:
    """The desk, or the student's 404 page when the district has not turned help on."""
    if not duty.desk.enabled:
        raise NotFoundException()
    return duty.desk


def _page(
    request: Request[Any, Any, Any],
    pages: Pages,
    template: str,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> Template:
    return pages.render(
        request,
        template,
        remember=True,
        status_code=status_code,
        headers={**NO_STORE, **(headers or {})},
        **context,
    )


@get(HELP, include_in_schema=False, opt=STUDENT)
async def help_page(
    request: Request[Any, Any, Any], pages: NamedDependency[Pages], duty: NamedDependency[Duty]
) -> Template:
    """Emergencies first, then the two choices and the way back with a code."""
    _desk(duty)
    return _page(request, pages, "help/index.html")


async def _form(
    request: Request[Any, Any, Any],
    pages: Pages,
    engine: AsyncEngine,
    desk: Desk,
    values: Mapping[str, str],
    problems: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The request form, with what was typed and what to mend (messages as msgids)."""
    assert desk.config is not None
    locale = pages.locale(request)
    return _page(
        request,
        pages,
        "help/new.html",
        status_code=status_code,
        values=values,
        problems=dict(problems or {}),
        schools=await schools_taking(engine, desk),
        kinds=HELP_KINDS,
        urgencies=HELP_URGENCIES,
        max_text=MAX_HELP_TEXT,
        max_contact=MAX_HELP_CONTACT,
        promise=reading_time(desk.config.reading_time, locale),
    )


@get(f"{HELP}/new", include_in_schema=False, opt=STUDENT)
async def new_page(
    request: Request[Any, Any, Any],
    pages: NamedDependency[Pages],
    duty: NamedDependency[Duty],
    engine: NamedDependency[AsyncEngine],
) -> Template:
    """The short form, blank, with a fresh one-time key (it takes nothing from the survey)."""
    desk = _desk(duty)
    kind = request.query_params.get("kind", "")
    values = {"kind": kind if kind in HELP_KINDS else "", "form_key": secrets.token_urlsafe(24)}
    return await _form(request, pages, engine, desk, values)


@post(f"{HELP}/new", include_in_schema=False, opt=STUDENT, request_max_body_size=MAX_FORM)
async def new_send(
    request: Request[Any, Any, Any],
    pages: NamedDependency[Pages],
    duty: NamedDependency[Duty],
    engine: NamedDependency[AsyncEngine],
    services: NamedDependency[Services],
) -> Template:
    """Send the request and show its code once; or the form again with what to mend."""
    desk = _desk(duty)
    form = await request.form()
    fields = ("kind", "school", "urgency", "text", "contact", "form_key")
    values = {name: str(form.get(name) or "") for name in fields}
    if not MIN_FORM_KEY <= len(values["form_key"]) <= MAX_FORM_KEY:
        raise BadRequest()
    locale = pages.locale(request)
    new = NewRequest(
        school_id=values["school"],
        kind=values["kind"],
        urgency=values["urgency"],
        text=values["text"],
        contact=values["contact"],
        locale=locale,
        form_key=values["form_key"],
    )
    try:
        await services.limits.help_sent(address(request))
    except RateLimited:
        return await _form(request, pages, engine, desk, values, {"send": TOO_MANY}, 429)
    try:
        sent = await send(engine, desk, new, now_utc())
    except HelpFormError as error:
        return await _form(request, pages, engine, desk, values, error.fields, 422)
    duty.notify(new.school_id, sent)
    return _page(
        request,
        pages,
        "help/sent.html",
        code=display(sent.code) if sent.code is not None else None,
        school_name=sent.school_name,
        promise=reading_time(sent.reading_time, locale),
    )


@get(f"{HELP}/follow", include_in_schema=False, opt=STUDENT)
async def follow_page(
    request: Request[Any, Any, Any], pages: NamedDependency[Pages], duty: NamedDependency[Duty]
) -> Template:
    """One field for the request code."""
    _desk(duty)
    return _page(request, pages, "help/follow.html", typed="")


def _refusal(
    request: Request[Any, Any, Any], pages: Pages, typed: str, limited: RateLimited | None
) -> Template:
    """The one answer to a code that opens nothing (or to too many tries)."""
    return _page(
        request,
        pages,
        "help/follow.html",
        status_code=404 if limited is None else limited.status_code,
        headers=headers_of(limited) if limited is not None else None,
        typed=typed[:TYPED_KEPT],
        refused=NOT_FOUND if limited is None else limited.message,
    )


async def _guess(request: Request[Any, Any, Any], services: Services, typed: str) -> None:
    """Count a well-formed code that opened nothing (RateLimited when it was one too many)."""
    if canonical(typed) is not None:
        await services.limits.miss(address(request))


def _thread_page(
    request: Request[Any, Any, Any],
    pages: Pages,
    thread: Thread,
    code: str,
    *,
    typed: str = "",
    problems: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    locale = pages.locale(request)
    return _page(
        request,
        pages,
        "help/thread.html",
        status_code=status_code,
        thread=conversation(thread, locale, pages.gettext(locale)),
        code=display(code),
        typed=typed,
        problems=dict(problems or {}),
        max_text=MAX_HELP_TEXT,
    )


def _typed_code(form: Any) -> str:
    return str(form.get("code") or "")[: TYPED_KEPT * 2]


@post(f"{HELP}/follow", include_in_schema=False, opt=STUDENT, request_max_body_size=MAX_FORM)
async def follow_send(
    request: Request[Any, Any, Any],
    pages: NamedDependency[Pages],
    duty: NamedDependency[Duty],
    engine: NamedDependency[AsyncEngine],
    services: NamedDependency[Services],
) -> Template:
    """The conversation a code opens, or the one refusal."""
    desk = _desk(duty)
    typed = _typed_code(await request.form())
    try:
        services.limits.admit(address(request))
        thread = await follow(engine, desk, typed)
        if thread is None:
            await _guess(request, services, typed)
    except RateLimited as limited:
        return _refusal(request, pages, typed, limited)
    if thread is None:
        return _refusal(request, pages, typed, None)
    return _thread_page(request, pages, thread, canonical(typed) or "")


@post(f"{HELP}/reply", include_in_schema=False, opt=STUDENT, request_max_body_size=MAX_FORM)
async def reply_send(
    request: Request[Any, Any, Any],
    pages: NamedDependency[Pages],
    duty: NamedDependency[Duty],
    engine: NamedDependency[AsyncEngine],
    services: NamedDependency[Services],
) -> Template:
    """Add the student's answer and show the conversation again (or what to mend)."""
    desk = _desk(duty)
    form = await request.form()
    typed = _typed_code(form)
    text = str(form.get("text") or "")
    try:
        services.limits.admit(address(request))
        try:
            thread = await answer(engine, desk, typed, text, now_utc())
        except HelpFormError as error:
            shown = await follow(engine, desk, typed)
            if shown is None:
                thread = None
            else:
                return _thread_page(
                    request,
                    pages,
                    shown,
                    canonical(typed) or "",
                    typed=text,
                    problems=error.fields,
                    status_code=422,
                )
        if thread is None:
            await _guess(request, services, typed)
    except RateLimited as limited:
        return _refusal(request, pages, typed, limited)
    if thread is None:
        return _refusal(request, pages, typed, None)
    return _thread_page(request, pages, thread, canonical(typed) or "")


ROUTE_HANDLERS = [help_page, new_page, new_send, follow_page, follow_send, reply_send]
