"""The JSON API for students' devices: the localized survey and the submission endpoint."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from climate.errors import error_responses
from climate.pages import choose_locale
from climate.students.services import Services
from climate.students.submissions import Receipted, Submission
from climate.students.views import SurveyView

MAX_BODY = 32 * 1024


def address(request: Request[Any, Any, Any]) -> str | None:
    """The client's address, only ever used as a rate-limit key (hashed, never kept)."""
    return request.client.host if request.client else None


@get(
    "/api/v1/surveys/{code:str}",
    summary="The survey that an access code opens, in one language",
    tags=["survey"],
    responses=error_responses(400, 404, 410, 429),
    cache=False,
)
async def get_survey(
    request: Request[Any, Any, Any],
    services: NamedDependency[Services],
    code: FromPath[str],
    # Named here so that /schema documents it; the one locale choice reads it from the query.
    lang: FromQuery[str | None] = None,
) -> SurveyView:
    """Return the localized instrument: sections, questions, answer options, skip rules."""
    access = await services.open(code, address(request))
    locale = choose_locale(request, services.locales(access), services.settings.default_locale)
    return services.survey(access, locale)


@post(
    "/api/v1/responses",
    summary="Submit a completed survey",
    description=(
        "Answers 201 with a receipt once the response is committed. Sending the same "
        "idempotency_key again returns the same receipt with 200 and stores nothing. "
        "A body that does not fit the survey gets 422 with one message per field path "
        "(for example `answers.conn_belong`). A code that opens no survey gets 404, "
        "and so does a ticket that was already used."
    ),
    tags=["survey"],
    request_max_body_size=MAX_BODY,
    responses={
        200: ResponseSpec(Receipted, description="the same key was stored before: its receipt"),
        **error_responses(400, 404, 410, 413, 422, 429, 503),
    },
    status_code=201,
)
async def post_response(
    request: Request[Any, Any, Any],
    data: JSONBody[Submission],
    services: NamedDependency[Services],
) -> Response[Receipted]:
    """Validate a submission, store it durably, and return its receipt."""
    stored = await services.store(data, address(request))
    return Response(Receipted(stored.receipt), status_code=201 if stored.created else 200)
