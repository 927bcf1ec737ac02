"""Roster upload: the three CSV files, checked together and stored in one transaction."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.pages import Pages
from climate.rosters.parsing import RosterError, parse_rosters
from climate.rosters.store import import_rosters
from climate.security.principals import Principal
from climate.settings import Settings

MAX_UPLOAD = 20 * 1024 * 1024
FILES = ("schools", "enrollment", "staffing")


class UploadError(ValueError):
    """The upload itself is unusable (a file is missing)."""


async def read_upload(request: Request[Any, Any, Any]) -> tuple[bytes, bytes, bytes]:
    """The three roster files of a multipart request, in order."""
    form = await request.form()
    data = []
    for name in FILES:
        part = form.get(name)
        if not isinstance(part, UploadFile):
            raise UploadError(f"{name}: attach {name}.csv")
        data.append(await part.read())
    return data[0], data[1], data[2]


@get("/rosters")
async def rosters_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
) -> Template:
    """The upload form."""
    return pages.render(
        request, "staff/rosters.html", principal=principal, problems=[], summary=None
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
        # Checking a large upload takes seconds: the event loop serves others meanwhile.
        rosters = await anyio.to_thread.run_sync(lambda: parse_rosters(*files))
        summary = await import_rosters(engine, rosters, settings.district_name, principal)
    except UploadError as error:
        problems = [str(error)]
    except RosterError as error:
        problems = [str(p) for p in error.problems[:200]]
    except IntegrityError:
        problems = ["the rosters conflict with the database; nothing was imported"]
    else:
        return pages.render(
            request, "staff/rosters.html", principal=principal, problems=[], summary=summary
        )
    return pages.render(
        request,
        "staff/rosters.html",
        status_code=400,
        principal=principal,
        problems=problems,
        summary=None,
    )
