"""Class codes and tickets of an administration: list them, issue more, and print slips.

Codes are secrets: anyone holding a class code can answer as a student of that school. So the
page is for district admins and for school staff of their own schools (the permission table
keeps district viewers out), and it offers only the kind of code the administration's access
mode uses, by the same rule the ``climate codes`` and ``climate tickets`` commands follow.
Every refusal comes back on the page beside the field at fault, with what was typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate import administrations as admins
from climate.controllers.staff.forms import read_form, text
from climate.pages import Pages
from climate.security.principals import Principal
from climate.security.scoping import require_school

MAX_FORM = 16 * 1024


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an issue was refused: the field at fault, a code the page words, and the detail."""

    field: str
    code: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Typed:
    """What the form held, sent back with a refusal."""

    school: str = ""
    count: str = ""


def _survey_address(request: Request[Any, Any, Any]) -> str:
    """Where students type a code: the survey's home page on the host staff reached."""
    return str(request.base_url).rstrip("/") + "/"


async def _codes(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    administration_id: int,
    school: str | None,
    problem: Problem | None = None,
    typed: Typed | None = None,
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
        slips=[(c, shown) for c, shown in sheet.printed if not c.used],
        schools=sheet.schools,
        school=school,
        # One rule for page and commands: the kind of code the access mode hands out.
        kind=admins.kind_for(sheet.administration.access_mode),
        address=_survey_address(request),
        problem=problem,
        typed=typed or Typed(school=school or ""),
        max_count=admins.MAX_TICKETS,
    )


@get("/administrations/{administration_id:int}/codes")
async def codes_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    administration_id: FromPath[int],
    school: FromQuery[str | None] = None,
) -> Template:
    """Codes of the schools the caller may see, and slips to print; 404 for another school's."""
    return await _codes(request, principal, pages, engine, administration_id, school)


def _checked(form: dict[str, list[str]], kind: str) -> tuple[Typed, int | Problem]:
    """The count asked for, or the field the page must mark; the kind must be the mode's one."""
    typed = Typed(school=text(form, "school"), count=text(form, "count"))
    if not typed.school:
        return typed, Problem("school", "school")
    asked = text(form, "kind") or kind
    if asked != kind:
        return typed, Problem("kind", "kind_" + kind)
    try:
        count = int(typed.count)
    except ValueError:
        return typed, Problem("count", "count")
    if not 1 <= count <= admins.MAX_TICKETS:
        return typed, Problem("count", "count")
    return typed, count


def _field_of(error: admins.AdministrationError) -> Problem:
    """A refusal from the domain, marked on the field its message names."""
    message = str(error)
    field = message.split(":", 1)[0] if ":" in message else "school"
    if field not in ("school", "kind", "count"):
        field = "school"
    return Problem(field, "other", message)


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
    """Issue class codes or tickets for one school (district admins), or say why not."""
    form = await read_form(request)
    async with engine.connect() as conn:
        found = await admins.visible_administration(conn, principal, administration_id)
        schools = await admins.visible_schools(conn, principal, administration_id)
    if found is None:
        raise NotFoundException()
    kind = admins.kind_for(found.access_mode)
    typed, checked = _checked(form, kind)
    if found.status == "closed":
        checked = Problem("", "closed")
    if isinstance(checked, int) and typed.school not in {s for s, _ in schools}:
        checked = Problem("school", "school")
    if isinstance(checked, int):
        try:
            await admins.issue_codes(
                engine,
                principal,
                administration_id,
                typed.school,
                kind,
                checked,
            )
        except admins.AdministrationError as error:
            checked = _field_of(error)
    if isinstance(checked, Problem):
        return await _codes(
            request, principal, pages, engine, administration_id, None, checked, typed
        )
    lang = request.query_params.get("lang")
    back = f"/staff/administrations/{administration_id}/codes"
    query = {"school": typed.school, **({"lang": lang} if lang else {})}
    return Redirect(f"{back}?{urlencode(query)}", status_code=303)
