"""Administrations: list and create them, and take each one's next step behind a confirmation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate import administrations as admins
from climate.administrations.windows import waits_for_contacts
from climate.controllers.staff.forms import read_form, text, values
from climate.i18n import Catalogs, LocaleStatus, language_name
from climate.pages import Pages
from climate.security.principals import Principal
from climate.settings import Settings

MAX_FORM = 16 * 1024


def _(message: str) -> str:
    """Mark a message for the catalogs; the page translates it."""
    return message


# The form's fields, in page order: a problem is said at its field and linked from the summary.
FIELDS = (
    "name",
    "instrument",
    "school_year",
    "term",
    "grades",
    "locales",
    "opens_on",
    "closes_on",
    "access_mode",
    "consent_mode",
    "schools",
    "reason",
    "accept_unreviewed",
)


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong, and the field it is about ("" when it is about no one field)."""

    field: str
    message: str


def _problem(error: Exception) -> Problem:
    """The field named before the colon of a domain error, and the rest of its message."""
    field, sep, rest = str(error).partition(": ")
    if sep and field in FIELDS:
        return Problem(field, rest[:1].upper() + rest[1:])
    return Problem("", str(error))


def school_years(today: dt.date) -> tuple[int, ...]:
    """Spring years offered: last year, this one and the next two (the current one first)."""
    current = today.year + 1 if today.month >= 7 else today.year
    return (current, current + 1, current + 2, current - 1)


def _languages(settings: Settings) -> list[tuple[str, str, LocaleStatus]]:
    """Each accepted language: its code, its own name and its review state."""
    statuses = Catalogs().status()
    return [
        (code, language_name(code), statuses.get(code, LocaleStatus()))
        for code in settings.accepted_locales
    ]


def _defaults(settings: Settings) -> dict[str, list[str]]:
    """What a fresh form holds: reviewed languages ticked, machine drafts left for a person."""
    reviewed = [c for c, _n, state in _languages(settings) if not state.unreviewed]
    return {"locales": reviewed, "access_mode": ["class-code"], "consent_mode": ["passive"]}


async def _listing(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    settings: Settings,
    problem: Problem | None,
    typed: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Template:
    found = await admins.overview(engine, settings, principal)
    return pages.render(
        request,
        "staff/administrations.html",
        status_code=status,
        principal=principal,
        administrations=found.administrations,
        schools=found.schools,
        instruments=found.instruments,
        titles={i.id: i.title for i in found.instruments},
        languages=_languages(settings),
        years=school_years(dt.date.today()),
        typed=_defaults(settings) if typed is None else typed,
        problem=problem,
    )


@get("/administrations")
async def administrations_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
) -> Template:
    """Every administration the caller may see, and (for admins) the form to create one."""
    return await _listing(request, principal, pages, engine, settings, None)


def _date(form: dict[str, list[str]], field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text(form, field))
    except ValueError:
        raise admins.AdministrationError(
            f"{field}: {_('give a date, such as 2027-03-01')}"
        ) from None


def _new(form: dict[str, list[str]]) -> admins.NewAdministration:
    try:
        year = int(text(form, "school_year"))
    except ValueError:
        raise admins.AdministrationError(f"school_year: {_('choose a school year')}") from None
    try:
        grades = tuple(sorted({int(g) for g in values(form, "grades")}))
    except ValueError:
        raise admins.AdministrationError(f"grades: {_('choose grades from the list')}") from None
    return admins.NewAdministration(
        instrument=text(form, "instrument"),
        name=text(form, "name") or None,
        school_year=year,
        term=text(form, "term") or "spring",
        # None: every grade the instrument was written for.
        grades=grades or None,
        locales=tuple(values(form, "locales")),
        opens_on=_date(form, "opens_on"),
        closes_on=_date(form, "closes_on"),
        access_mode=text(form, "access_mode"),
        sensitive_module=text(form, "sensitive_module") == "on",
        consent_mode=text(form, "consent_mode"),
        schools=tuple(values(form, "schools")),
    )


@post("/administrations", request_max_body_size=MAX_FORM, status_code=303)
async def create_administration(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
) -> Response[Any]:
    """Create a draft administration (district admins); a refusal keeps what was typed."""
    form = await read_form(request)
    try:
        created = await admins.add_administration(engine, settings, principal, _new(form))
    except admins.AdministrationError as error:
        return await _listing(
            request, principal, pages, engine, settings, _problem(error), form, 400
        )
    return Redirect(f"/staff/administrations/{created.id}", status_code=303)


@get("/administrations/{administration_id:int}")
async def administration_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    administration_id: FromPath[int],
    confirm: FromQuery[str | None] = None,
) -> Template:
    """One administration: its window, languages, modules and (visible) schools.

    With ``?confirm=<step>`` (district admins), the page asking to confirm that step.
    """
    if confirm is not None and principal.is_admin:
        return await _confirm(
            request, principal, pages, engine, settings, administration_id, confirm, None
        )
    return await _detail(request, principal, pages, engine, settings, administration_id, None)


async def _found(
    engine: AsyncEngine, principal: Principal, administration_id: int
) -> tuple[admins.Detail, admins.Step]:
    found = await admins.detail(engine, principal, administration_id)
    if found is None:
        raise NotFoundException()
    async with engine.connect() as conn:
        step = await admins.step_for(conn, found.administration, Catalogs().status())
    return found, step


async def _detail(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    settings: Settings,
    administration_id: int,
    problem: str | None,
) -> Template:
    found, step = await _found(engine, principal, administration_id)
    shown = found.administration
    return pages.render(
        request,
        "staff/administration.html",
        status_code=409 if problem else 200,
        principal=principal,
        administration=shown,
        schools=found.schools,
        step=step,
        languages=_languages(settings),
        # Said before the Open button, which the page then leaves out.
        waits_for_contacts=waits_for_contacts(shown.sensitive_module, settings.crisis_contacts),
        problem=problem,
    )


async def _confirm(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    settings: Settings,
    administration_id: int,
    action: str,
    problem: Problem | None,
    reason: str = "",
) -> Template:
    found, step = await _found(engine, principal, administration_id)
    if action != step.action:
        # An old link or a second tab: show where the administration is now.
        return await _detail(request, principal, pages, engine, settings, administration_id, None)
    shown = found.administration
    return pages.render(
        request,
        "staff/administration_confirm.html",
        status_code=400 if problem else 200,
        principal=principal,
        administration=shown,
        step=step,
        names={code: name for code, name, _state in _languages(settings)},
        waits_for_contacts=waits_for_contacts(shown.sensitive_module, settings.crisis_contacts),
        reason=reason,
        problem=problem,
    )


@post(
    "/administrations/{administration_id:int}/status",
    request_max_body_size=MAX_FORM,
    status_code=303,
)
async def change_status(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    pages: NamedDependency[Pages],
    administration_id: FromPath[int],
) -> Response[Any]:
    """Take the administration's next step (district admins): open, close or re-open."""
    form = await read_form(request)
    action = text(form, "action")
    status = admins.TARGETS.get(action)
    if status is None:
        raise NotFoundException()
    reason = text(form, "reason")
    try:
        changed = await admins.change_status(
            engine,
            settings,
            principal,
            administration_id,
            status,
            reason=reason,
            accept_unreviewed=text(form, "accept_unreviewed") == "yes",
        )
    except admins.AdministrationError as error:
        problem = _problem(error)
        if problem.field in ("reason", "accept_unreviewed"):
            return await _confirm(
                request,
                principal,
                pages,
                engine,
                settings,
                administration_id,
                action,
                problem,
                reason,
            )
        if status == "open":
            problem_text = _("The survey could not be opened. Nothing was changed.")
            return await _detail(
                request, principal, pages, engine, settings, administration_id, problem_text
            )
        return pages.render(
            request,
            "staff/error.html",
            status_code=503,
            status=503,
            message=_("The survey could not be closed. Nothing was changed."),
            advice=str(error),
        )
    if not changed:
        raise NotFoundException()
    return Redirect(f"/staff/administrations/{administration_id}", status_code=303)
