"""Administrations: list, create, open and close; class codes and ticket sheets to print."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from climate import administrations as admins
from climate.controllers.staff.forms import read_form, text, values
from climate.pages import Pages
from climate.security import audit
from climate.security.principals import Principal
from climate.security.scoping import require_school
from climate.settings import Settings
from climate.students import codes

MAX_FORM = 16 * 1024


@get("/administrations")
async def administrations_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
) -> Template:
    """Every administration the caller may see, and (for admins) the form to create one."""
    async with engine.connect() as conn:
        rows = await admins.visible_administrations(conn, principal)
        schools = await admins.all_schools(conn, principal)
    return pages.render(
        request,
        "staff/administrations.html",
        principal=principal,
        administrations=rows,
        schools=schools,
        instruments=admins.instrument_names(settings),
        locales=settings.accepted_locales,
        problem=None,
    )


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
        new = _new(form)
        async with AsyncSession(engine, expire_on_commit=False) as session:
            administration_id = await admins.create_administration(session, settings, new)
            conn = await session.connection()
            await audit.record(
                conn,
                principal,
                audit.ADMINISTRATION_CREATED,
                f"administration {administration_id}",
                detail={"name": new.name, "schools": len(new.schools)},
            )
            await session.commit()
    except admins.AdministrationError as error:
        async with engine.connect() as conn:
            rows = await admins.visible_administrations(conn, principal)
            schools = await admins.all_schools(conn, principal)
        return pages.render(
            request,
            "staff/administrations.html",
            status_code=400,
            principal=principal,
            administrations=rows,
            schools=schools,
            instruments=admins.instrument_names(settings),
            locales=settings.accepted_locales,
            problem=str(error),
        )
    return Redirect(f"/staff/administrations/{administration_id}", status_code=303)


@get("/administrations/{administration_id:int}")
async def administration_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    administration_id: FromPath[int],
) -> Template:
    """One administration: its window, languages, modules and (visible) schools."""
    async with engine.connect() as conn:
        found = await admins.visible_administration(conn, principal, administration_id)
        if found is None:
            raise NotFoundException()
        schools = await admins.visible_schools(conn, principal, administration_id)
    return pages.render(
        request,
        "staff/administration.html",
        principal=principal,
        administration=found,
        schools=schools,
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
    administration_id: FromPath[int],
) -> Response[Any]:
    """Open or close an administration (district admins)."""
    form = await read_form(request)
    status = {"open": "open", "close": "closed"}.get(text(form, "action"))
    if status is None:
        raise NotFoundException()
    async with engine.begin() as conn:
        if not await admins.set_status(conn, administration_id, status):
            raise NotFoundException()
        action = audit.ADMINISTRATION_OPENED if status == "open" else audit.ADMINISTRATION_CLOSED
        await audit.record(conn, principal, action, f"administration {administration_id}")
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
    if school is not None:
        require_school(principal, school)
    async with engine.begin() as conn:
        found = await admins.visible_administration(conn, principal, administration_id)
        if found is None:
            raise NotFoundException()
        listed = await admins.visible_codes(conn, principal, administration_id, school)
        schools = await admins.visible_schools(conn, principal, administration_id)
        if school is not None and school not in {s for s, _ in schools}:
            raise NotFoundException()
        await audit.record(
            conn,
            principal,
            audit.CODES_VIEWED,
            f"administration {administration_id}",
            school_id=school,
            detail={"codes": len(listed)},
        )
    return pages.render(
        request,
        "staff/codes.html",
        principal=principal,
        administration=found,
        codes=[(c, codes.display(c.code)) for c in listed],
        schools=schools,
        school=school,
        problem=None,
    )


@post(
    "/administrations/{administration_id:int}/codes",
    request_max_body_size=MAX_FORM,
    status_code=303,
)
async def issue_codes(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    engine: NamedDependency[AsyncEngine],
    administration_id: FromPath[int],
) -> Response[Any]:
    """Issue class codes or tickets for one school (district admins)."""
    form = await read_form(request)
    school = text(form, "school")
    kind = text(form, "kind")
    try:
        count = int(text(form, "count") or "1")
        async with engine.begin() as conn:
            if await admins.visible_administration(conn, principal, administration_id) is None:
                raise NotFoundException()
            made = await admins.add_codes(conn, administration_id, school, kind, count)
            await audit.record(
                conn,
                principal,
                audit.CODES_CREATED,
                f"administration {administration_id}",
                school_id=school,
                detail={"kind": kind, "count": made},
            )
    except (ValueError, admins.AdministrationError):
        return Redirect(
            f"/staff/administrations/{administration_id}/codes?problem=1", status_code=303
        )
    return Redirect(
        f"/staff/administrations/{administration_id}/codes?school={school}", status_code=303
    )
