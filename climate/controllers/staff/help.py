"""The help-request triage queue: the requests of the schools one reads, one request, answers.

Every read and change goes through ``climate.help.requests``, which answers only for the
schools the caller is named to read and writes each action to the audit log. A request of
another school and one that does not exist answer the same staff 404, so a page never tells
that a request exists. Forms post back here and redirect to the request with a confirmation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date, format_time
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from climate.help import requests as help
from climate.help import triage
from climate.help.duty import Duty, now_utc
from climate.i18n import language_name
from climate.pages import Pages
from climate.reports.formatting import babel_locale
from climate.security.guards import STATE_KEY
from climate.security.principals import Principal

# A reply or note of MAX_HELP_TEXT characters, each up to 12 bytes once form-encoded.
MAX_FORM = 32 * 1024
NAV_KEY = "help_nav"
DONE = ("reply", "note", "status")


@dataclass(frozen=True, slots=True)
class HelpNav:
    """What the staff navigation shows of the queue: the requests not yet closed."""

    open: int


@dataclass(frozen=True, slots=True)
class Promise:
    """What students of one school are promised, and who is told."""

    school_name: str
    reading_time: str
    notify: tuple[str, ...]
    escalate: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QueueView:
    """The queue page: off, read by no one here, or the rows of the schools one reads."""

    enabled: bool
    reads: bool
    show: triage.Show
    rows: tuple[triage.QueueRow, ...]
    promises: tuple[Promise, ...]
    mail: bool


async def help_nav(request: Request[Any, Any, Any]) -> None:
    """Count the open requests of a signed-in reader for the navigation (staff pages only)."""
    principal = request.state.get(STATE_KEY)
    if not isinstance(principal, Principal):
        return
    # A hook takes no dependencies; the duty is the one the handlers receive as ``duty``.
    duty: Duty = request.app.state["duty"]
    if await triage.reads_any(duty.engine, duty.desk, principal):
        request.state[NAV_KEY] = HelpNav(await triage.count_open(duty.engine, duty.desk, principal))


async def queue_view(duty: Duty, principal: Principal, show: triage.Show, locale: str) -> QueueView:
    """The queue page of ``principal``, reading times written in ``locale``."""
    desk, config = duty.desk, duty.desk.config
    if config is None:
        return QueueView(False, False, show, (), (), duty.mailer.configured)
    schools = [
        s for s in await help.schools_taking(duty.engine, desk) if desk.may_read(principal, s.id)
    ]
    rows = await triage.queue(duty.engine, desk, principal, now_utc(), show) if schools else []
    promises = tuple(
        Promise(
            s.name,
            format_time(config.reading(s.id), format="short", locale=babel_locale(locale)),
            config.notify(s.id),
            config.escalate(s.id),
        )
        for s in schools
    )
    return QueueView(True, bool(schools), show, tuple(rows), promises, duty.mailer.configured)


def _day(locale: str) -> Callable[[dt.date], str]:
    """A date as the staff tables write it in ``locale``."""
    where = babel_locale(locale)
    return lambda value: format_date(value, format="medium", locale=where)


@get("/help")
async def help_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    duty: NamedDependency[Duty],
    show: FromQuery[str] = "open",
) -> Template:
    """The queue of the schools the caller reads, most pressing first."""
    locale = pages.locale(request)
    shown: triage.Show = "closed" if show == "closed" else "open"
    view = await queue_view(duty, principal, shown, locale)
    return pages.render(
        request, "staff/help.html", principal=principal, view=view, day=_day(locale)
    )


async def _request_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    duty: Duty,
    request_id: str,
    *,
    problem: help.HelpFormError | None = None,
    typed: dict[str, str] | None = None,
) -> Template:
    if not duty.desk.enabled:
        raise NotFoundException()
    try:
        found = await triage.case(
            duty.engine, duty.desk, principal, request_id, now_utc(), viewed=problem is None
        )
    except triage.NotReadable:
        raise NotFoundException() from None
    done = request.query_params.get("done")
    return pages.render(
        request,
        "staff/help_request.html",
        status_code=422 if problem else 200,
        principal=principal,
        case=found,
        day=_day(pages.locale(request)),
        written_in=language_name(found.locale) if found.locale else "",
        problem=problem.fields if problem else {},
        typed=typed or {},
        done=done if done in DONE and not problem else None,
    )


@get("/help/{request_id:str}")
async def help_request_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    duty: NamedDependency[Duty],
    request_id: FromPath[str],
) -> Template:
    """One request; opening a new one marks it seen. Another school's is a 404, like none."""
    return await _request_page(request, principal, pages, duty, request_id)


async def _field(request: Request[Any, Any, Any], name: str) -> str:
    """One field of the form, whole: replies and notes are longer than other staff fields."""
    form = await request.form()
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _back(request: Request[Any, Any, Any], request_id: str, done: str) -> Response[Any]:
    lang = request.query_params.get("lang")
    query = {"done": done, **({"lang": lang} if lang else {})}
    return Redirect(f"/staff/help/{request_id}?{urlencode(query)}", status_code=303)


async def _change(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    duty: Duty,
    request_id: str,
    done: str,
) -> Response[Any]:
    """Make one change through the domain; redirect to the request, or show what to mend."""
    if not duty.desk.enabled:
        raise NotFoundException()
    typed = {done: await _field(request, done)}
    now: dt.datetime = now_utc()
    try:
        if done == "reply":
            await triage.reply(duty.engine, duty.desk, principal, request_id, typed[done], now)
        elif done == "note":
            await triage.save_note(duty.engine, duty.desk, principal, request_id, typed[done], now)
        else:
            await triage.set_status(duty.engine, duty.desk, principal, request_id, typed[done], now)
    except triage.NotReadable:
        raise NotFoundException() from None
    except help.HelpFormError as error:
        return await _request_page(
            request, principal, pages, duty, request_id, problem=error, typed=typed
        )
    return _back(request, request_id, done)


@post("/help/{request_id:str}/reply", request_max_body_size=MAX_FORM, status_code=303)
async def reply(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    duty: NamedDependency[Duty],
    request_id: FromPath[str],
) -> Response[Any]:
    """Send a reply the student reads with their request code."""
    return await _change(request, principal, pages, duty, request_id, "reply")


@post("/help/{request_id:str}/note", request_max_body_size=MAX_FORM, status_code=303)
async def note(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    duty: NamedDependency[Duty],
    request_id: FromPath[str],
) -> Response[Any]:
    """Keep the readers' note (never shown to the student)."""
    return await _change(request, principal, pages, duty, request_id, "note")


@post("/help/{request_id:str}/status", request_max_body_size=MAX_FORM, status_code=303)
async def status(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    duty: NamedDependency[Duty],
    request_id: FromPath[str],
) -> Response[Any]:
    """Move the request to seen, in progress or closed (or reopen it)."""
    return await _change(request, principal, pages, duty, request_id, "status")
