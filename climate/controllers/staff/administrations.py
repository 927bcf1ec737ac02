"""Administrations: list, create, open and close; class codes and ticket sheets to print."""

from __future__ import annotations

import datetime as dt
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
from climate.pages import Pages
from climate.security.principals import Principal
from climate.security.scoping import require_school
from climate.settings import Settings

MAX_FORM = 16 * 1024


def _(message: str) -> str:
    """Mark a message for the catalogs; the page translates it."""
    return message


async def _listing(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    settings: Settings,
    problem: str | None,
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
        locales=settings.accepted_locales,
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


def _new(form: dict[str, list[str]]) -> admins.NewAdministration:
    try:
        year = int(text(form, "school_year"))
        grades = tuple(sorted({int(g) for g in values(form, "grades")}))
        opens = dt.date.fromisoformat(text(form, "opens_on"))
        closes = dt.date.fromisoformat(text(form, "closes_on"))
    except ValueError:
        raise admins.AdministrationError(
            "school_year, grades and dates: give whole numbers and dates as YYYY-MM-DD"
        ) from None
    return admins.NewAdministration(
        instrument=text(form, "instrument"),
        name=text(form, "name"),
        school_year=year,
        term=text(form, "term") or "spring",
        grades=grades,
        locales=tuple(values(form, "locales")),
        opens_on=opens,
        closes_on=closes,
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
    """Create a draft administration (district admins)."""
    form = await read_form(request)
    try:
        created = await admins.add_administration(engine, settings, principal, _new(form))
    except admins.AdministrationError as error:
        return await _listing(request, principal, pages, engine, settings, str(error), 400)
    return Redirect(f"/staff/administrations/{created.id}", status_code=303)


@get("/administrations/{administration_id:int}")
async def administration_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    administration_id: FromPath[int],
) -> Template:
    """One administration: its window, languages, modules and (visible) schools."""
    return await _detail(request, principal, pages, engine, settings, administration_id, None)


async def _detail(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    settings: Settings,
    administration_id: int,
    problem: str | None,
) -> Template:
    found = await admins.detail(engine, principal, administration_id)
    if found is None:
        raise NotFoundException()
    shown = found.administration
    return pages.render(
        request,
        "staff/administration.html",
        status_code=409 if problem else 200,
        principal=principal,
        administration=shown,
        schools=found.schools,
        # Said before the Open button, which the page then leaves out.
        waits_for_contacts=waits_for_contacts(shown.sensitive_module, settings.crisis_contacts),
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
    """Open or close an administration (district admins)."""
    form = await read_form(request)
    status = {"open": "open", "close": "closed"}.get(text(form, "action"))
    if status is None:
        raise NotFoundException()
    try:
        changed = await admins.change_status(engine, settings, principal, administration_id, status)
    except admins.AdministrationError as error:
        if status == "open":
            problem = _("The survey could not be opened. Nothing was changed.")
            return await _detail(
                request, principal, pages, engine, settings, administration_id, problem
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


@get("/administrations/{administration_id:int}/codes")
async def codes_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    administration_id: FromPath[int],
    school: FromQuery[str | None] = None,
) -> Template:
    """Class codes and ticket slips to print, only for schools the caller may see."""
    return await _codes(request, principal, pages, engine, administration_id, school, None)


async def _codes(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    administration_id: int,
    school: str | None,
    problem: str | None,
) -> Template:
    if school is not None:
        require_school(principal, school)
    sheet = await admins.code_sheet(engine, principal, administration_id, school)
    if sheet is None:
        raise NotFoundException()
    return pages.render(
        request,
        "staff/codes.html",
        status_code=400 if problem else 200,
        principal=principal,
        administration=sheet.administration,
        codes=sheet.printed,
        schools=sheet.schools,
        school=school,
        # The page offers only the kind of code the administration's access mode uses.
        kind=admins.kind_for(sheet.administration.access_mode),
        problem=problem,
    )


@post(
    "/administrations/{administration_id:int}/codes",
    request_max_body_size=MAX_FORM,
    status_code=303,
)
async def issue_codes(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    administration_id: FromPath[int],
) -> Response[Any]:
    """Issue class codes or tickets for one school (district admins)."""
    form = await read_form(request)
    school = text(form, "school")
    kind = text(form, "kind")
    try:
        count = int(text(form, "count") or "1")
        await admins.issue_codes(engine, principal, administration_id, school, kind, count)
    except ValueError as error:
        # Said on the page, beside the form: which field, and what it takes.
        problem = str(error) if isinstance(error, admins.AdministrationError) else None
        problem = problem or "count: give a whole number"
        return await _codes(request, principal, pages, engine, administration_id, None, problem)
    return Redirect(
        f"/staff/administrations/{administration_id}/codes?school={school}", status_code=303
    )
