"""Roster upload: any of the three CSV files, checked together and stored in one transaction."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.pages import Pages
from climate.rosters.parsing import FILES, RosterError
from climate.rosters.store import import_files
from climate.security.principals import Principal
from climate.settings import Settings

MAX_UPLOAD = 20 * 1024 * 1024
NAMES = tuple(f.key for f in FILES)


class UploadError(ValueError):
    """The upload itself is unusable (no file attached)."""


async def read_upload(request: Request[Any, Any, Any]) -> dict[str, bytes]:
    """The roster files a multipart request carries, by name (a file left unchosen is absent)."""
    form = await request.form()
    found = {}
    for name in NAMES:
        part = form.get(name)
        # A browser sends a file input left empty as a part with no file name and no data.
        if isinstance(part, UploadFile) and part.filename:
            found[name] = await part.read()
    if not found:
        raise UploadError("attach at least one of schools.csv, enrollment.csv, staffing.csv")
    return found


def _page(
    request: Request[Any, Any, Any],
    pages: Pages,
    principal: Principal,
    *,
    problems: list[str],
    summary: object = None,
    status_code: int = 200,
) -> Template:
    return pages.render(
        request,
        "staff/rosters.html",
        status_code=status_code,
        principal=principal,
        problems=problems,
        summary=summary,
        files=FILES,
    )


@get("/rosters")
async def rosters_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
) -> Template:
    """The upload form, with each file's columns and the values they allow."""
    return _page(request, pages, principal, problems=[])


@get("/rosters/{name:str}")
async def roster_template(name: FromPath[str]) -> Response[str]:
    """An empty roster file with its header row, to fill in a spreadsheet."""
    found = next((f for f in FILES if f.filename == name), None)
    if found is None:
        raise NotFoundException()
    header = ",".join(c.name for c in found.columns)
    return Response(
        header + "\r\n",
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


@post("/rosters", request_max_body_size=MAX_UPLOAD, status_code=200)
async def upload_rosters(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
) -> Response[Any]:
    """Import the uploaded rosters; every problem is listed with file, line and column."""
    try:
        files = await read_upload(request)
        summary = await import_files(
            engine,
            files.get("schools"),
            files.get("enrollment"),
            files.get("staffing"),
            settings.district_name,
            principal,
        )
    except UploadError as error:
        problems = [str(error)]
    except RosterError as error:
        problems = [str(p) for p in error.problems[:200]]
    except IntegrityError:
        problems = ["the rosters conflict with the database; nothing was imported"]
    else:
        return _page(request, pages, principal, problems=[], summary=summary)
    return _page(request, pages, principal, problems=problems, status_code=400)
