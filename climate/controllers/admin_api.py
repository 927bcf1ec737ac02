"""The staff JSON API: bearer tokens only (``Authorization: Bearer <token>``), in ``/schema``."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from climate import administrations as admins
from climate.errors import ApiError, error_responses
from climate.rosters.parsing import RosterError
from climate.rosters.store import import_files
from climate.security.principals import Principal
from climate.settings import Settings

MAX_UPLOAD = 20 * 1024 * 1024


class School(msgspec.Struct, frozen=True):
    """A school the token may see."""

    id: str
    name: str


class RosterFiles(msgspec.Struct):
    """The three roster CSV files, as multipart parts."""

    schools: UploadFile
    enrollment: UploadFile
    staffing: UploadFile


class RosterImport(msgspec.Struct, frozen=True):
    """How many rows of each roster were written."""

    schools: int
    enrollment: int
    staffing: int


AUTH_RESPONSES = error_responses(401, 403)


@get(
    "/api/v1/schools",
    summary="The schools this token may see",
    tags=["staff"],
    security=[{"bearer": []}],
    responses=AUTH_RESPONSES,
    cache=False,
)
async def list_schools(
    principal: NamedDependency[Principal], engine: NamedDependency[AsyncEngine]
) -> list[School]:
    """District tokens see every school; school tokens see only their own."""
    return [School(i, n) for i, n in await admins.school_choices(engine, principal)]


def _refused(_request: Request[Any, Any, Any], error: RosterError) -> Response[ApiError]:
    problems = [str(p) for p in error.problems[:200]]
    message = "the rosters have problems; nothing was imported"
    return Response(ApiError("invalid_rosters", message, problems=problems), status_code=422)


def _conflict(_request: Request[Any, Any, Any], _error: IntegrityError) -> Response[ApiError]:
    body = ApiError("conflict", "the rosters conflict with the database; nothing was imported")
    return Response(body, status_code=409)


@post(
    "/api/v1/admin/rosters",
    summary="Import the school, enrollment and staffing rosters",
    description=(
        "Multipart with three CSV files: `schools`, `enrollment`, `staffing`. All three are "
        "checked together (rows may also name schools already stored); any problem imports "
        "nothing and answers 422 with every problem as `file:line: column: message`. "
        "District administrators only."
    ),
    tags=["staff"],
    security=[{"bearer": []}],
    responses={
        **AUTH_RESPONSES,
        409: ResponseSpec(ApiError, description="the rosters conflict with the database"),
        422: ResponseSpec(
            ApiError, description="the rosters have problems, each as `file:line: column: message`"
        ),
    },
    exception_handlers={RosterError: _refused, IntegrityError: _conflict},
    request_max_body_size=MAX_UPLOAD,
    status_code=201,
)
async def post_rosters(
    principal: NamedDependency[Principal],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    data: Annotated[RosterFiles, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> RosterImport:
    """Parse the three files and store them in one transaction."""
    files = (await data.schools.read(), await data.enrollment.read(), await data.staffing.read())
    summary = await import_files(engine, *files, settings.district_name, principal)
    return RosterImport(summary.schools, summary.enrollment, summary.staffing)


ROUTE_HANDLERS = [list_schools, post_rosters]
