"""Export downloads for staff: the protected release as CSV, XLSX or JSON, scoped and audited.

``/staff/exports`` serves signed-in staff (links on the report pages); ``/api/v1/exports``
serves scripts with an API token. School staff must name one of their own schools (another
school's id answers 404, as if it did not exist) and receive that school's results beside
the district's; district roles may export everything. A download says ``no-store`` itself, not
only through the app's header hook: school results must not stay in a browser or a proxy.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.controllers.staff.errors import EXCEPTION_HANDLERS
from climate.errors import ApiError, error_responses
from climate.exports.files import MEDIA_TYPES, ExportError, export_year
from climate.security.principals import Principal
from climate.security.scoping import require_school
from climate.settings import Settings

Format = Literal["csv", "xlsx", "json"]
# School years are named by their spring year; anything else is a bad request, not a query.
Year = Annotated[int, QueryParameter(ge=1900, le=2200)]


async def _download(
    engine: AsyncEngine,
    settings: Settings,
    principal: Principal,
    year: int,
    fmt: Format,
    school: str | None,
) -> Response[bytes]:
    if school is None and not principal.sees_district:
        raise PermissionDeniedException(
            "school staff export one of their own schools: add ?school="
        )
    if school is not None:
        require_school(principal, school)
    with tempfile.TemporaryDirectory() as folder:
        # The school id is the caller's text: keep it out of the file name and header.
        out = Path(folder) / f"climate-{year}{'-school' if school else ''}.{fmt}"
        try:
            await export_year(
                engine,
                settings,
                year=year,
                fmt=fmt,
                out=out,
                actor=principal,
                school=school,
            )
        except ExportError as error:
            raise NotFoundException(str(error)) from None
        content = out.read_bytes()
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "content-disposition": f'attachment; filename="{out.name}"',
            "cache-control": "no-store",
        },
    )


@get(
    "/staff/exports",
    include_in_schema=False,
    cache=False,
    # Like every staff page: signed out goes to sign-in and comes back here.
    exception_handlers=EXCEPTION_HANDLERS,
)
async def staff_export(
    principal: NamedDependency[Principal],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    year: Year,
    format: FromQuery[Format],
    school: FromQuery[str | None] = None,
) -> Response[bytes]:
    """Download a year's protected results (staff pages)."""
    return await _download(engine, settings, principal, year, format, school)


@get(
    "/api/v1/exports",
    summary="A year's protected results as CSV, XLSX or JSON",
    description=(
        "One row per published statistic (`release_id,year,org_type,org_id,org_name,dimension,"
        "group,indicator,statistic,value,ci_low,ci_high,n_band`); hidden values are `*`. "
        "School tokens must name one of their schools. Every export is recorded in the audit log."
    ),
    tags=["staff"],
    security=[{"bearer": []}],
    responses={
        **error_responses(400, 401, 403),
        404: ResponseSpec(ApiError, description="no survey that year, or an unknown school"),
        503: ResponseSpec(
            ApiError,
            description="the year's results cannot be published until an administrator acts; "
            "the message says why and what to do, the detail gives the release ids",
        ),
    },
    cache=False,
    media_type="application/octet-stream",
)
async def api_export(
    principal: NamedDependency[Principal],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    year: Year,
    format: FromQuery[Format],
    school: FromQuery[str | None] = None,
) -> Response[bytes]:
    """Download a year's protected results (API token)."""
    return await _download(engine, settings, principal, year, format, school)


ROUTE_HANDLERS = [staff_export, api_export]
