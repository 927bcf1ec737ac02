"""Export downloads for staff: the protected release as CSV, XLSX or JSON, scoped and audited.

``/staff/exports`` serves signed-in staff (links on the report pages); ``/api/v1/exports``
serves scripts with an API token. School staff must name one of their own schools (another
school's id answers 404, as if it did not exist) and receive that school's results beside
the district's; district roles may export everything. A download says ``no-store`` itself, not
only through the app's header hook: school results must not stay in a browser or a proxy.

``?year=`` names one school year, ``?years=`` every closed year of a range (``all``,
``2024-2026``) in one trend file; ``?indicators=scales`` keeps the scales only; ``?lang=``
labels the file in one of the district's languages (English unless asked).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.exceptions import (
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.controllers.staff.errors import EXCEPTION_HANDLERS
from climate.errors import ApiError, error_responses
from climate.exports.files import MEDIA_TYPES, ExportError, export_year
from climate.exports.reading import Reading
from climate.exports.selection import SelectionError, Years
from climate.i18n import Catalogs
from climate.reports.reading import export_reading
from climate.security.principals import Principal
from climate.security.scoping import require_school
from climate.settings import Settings

Format = Literal["csv", "xlsx", "json"]
Indicators = Literal["all", "scales"]
# School years are named by their spring year; anything else is a bad request, not a query.
Year = Annotated[int | None, QueryParameter(ge=1900, le=2200)]
YearRange = Annotated[
    str | None,
    QueryParameter(
        description="every closed year in a range, in one trend file: all, 2026 or 2024-2026",
        max_length=20,
    ),
]
Lang = Annotated[str, QueryParameter(description="language of labels", max_length=20)]


@dataclass(frozen=True, slots=True)
class Asked:
    """What a download asks for, as given in its query."""

    year: int | None
    years: str | None
    fmt: Format
    school: str | None
    indicators: Indicators
    lang: str


def _reading(catalogs: Catalogs, settings: Settings, lang: str) -> Reading:
    """The report pages' labels and reliability rule, in one of the district's languages."""
    if lang not in settings.accepted_locales:
        raise ValidationException(
            f"lang: {lang!r} is not one of {', '.join(settings.accepted_locales)}"
        )
    return export_reading(catalogs, lang)


async def _download(
    engine: AsyncEngine,
    settings: Settings,
    catalogs: Catalogs,
    principal: Principal,
    asked: Asked,
) -> Response[bytes]:
    school = asked.school
    if (asked.year is None) == (asked.years is None):
        raise ValidationException("name one school year (?year=) or a range (?years=)")
    try:
        years = Years.parse(asked.years) if asked.years is not None else None
    except SelectionError as error:
        raise ValidationException(str(error)) from None
    reading = _reading(catalogs, settings, asked.lang)
    if school is None and not principal.sees_district:
        raise PermissionDeniedException(
            "school staff export one of their own schools: add ?school="
        )
    if school is not None:
        require_school(principal, school)
    span = years.name() if years is not None else str(asked.year)
    scales = "-scales" if asked.indicators == "scales" else ""
    with tempfile.TemporaryDirectory() as folder:
        # The school id is the caller's text: keep it out of the file name and header.
        out = Path(folder) / f"climate-{span}{'-school' if school else ''}{scales}.{asked.fmt}"
        try:
            await export_year(
                engine,
                settings,
                year=asked.year,
                years=years,
                fmt=asked.fmt,
                out=out,
                actor=principal,
                school=school,
                indicators=asked.indicators,
                reading=reading,
            )
        except ExportError as error:
            raise NotFoundException(str(error)) from None
        content = out.read_bytes()
    return Response(
        content,
        media_type=MEDIA_TYPES[asked.fmt],
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
    catalogs: NamedDependency[Catalogs],
    format: FromQuery[Format],
    year: Year = None,
    years: YearRange = None,
    school: FromQuery[str | None] = None,
    indicators: FromQuery[Indicators] = "all",
    lang: Lang = "en",
) -> Response[bytes]:
    """Download protected results (staff pages)."""
    asked = Asked(year, years, format, school, indicators, lang)
    return await _download(engine, settings, catalogs, principal, asked)


@get(
    "/api/v1/exports",
    summary="Protected results as CSV, XLSX or JSON",
    description=(
        "One row per published statistic (`release_id,year,org_type,org_id,org_name,dimension,"
        "group,indicator,statistic,value,ci_low,ci_high,n_band`, then `value_flag,value_bound,"
        "reliability,dimension_label,group_label,indicator_label`); hidden values are `*`. "
        "Name one school year (`year`) or a range (`years`: `all`, `2024-2026`) for a trend "
        "file; `indicators=scales` leaves out the items; `lang` labels the file. "
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
    catalogs: NamedDependency[Catalogs],
    format: FromQuery[Format],
    year: Year = None,
    years: YearRange = None,
    school: FromQuery[str | None] = None,
    indicators: FromQuery[Indicators] = "all",
    lang: Lang = "en",
) -> Response[bytes]:
    """Download protected results (API token)."""
    asked = Asked(year, years, format, school, indicators, lang)
    return await _download(engine, settings, catalogs, principal, asked)


ROUTE_HANDLERS = [staff_export, api_export]
