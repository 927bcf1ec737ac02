"""The JSON API for students' devices: the localized survey and the submission endpoint."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from climate.errors import AccessError, error_responses
from climate.i18n import Catalogs, language_name, negotiate
from climate.security.ratelimit import Limits
from climate.settings import Settings
from climate.students.access import Access, Directory, Form
from climate.students.submissions import (
    Receipted,
    Submission,
    Writer,
    find_receipt,
    key_hash,
    shown_items,
    validate,
)

MAX_BODY = 32 * 1024


@dataclass(slots=True)
class Services:
    """What the student routes share within one process."""

    settings: Settings
    catalogs: Catalogs
    directory: Directory
    writer: Writer
    limits: Limits = field(default_factory=Limits)
    _views: dict[tuple[int, str, bool], SurveyView] = field(default_factory=dict)
    # Blank survey pages with slots for the code and key: rendering one takes milliseconds.
    pages: dict[tuple[object, ...], tuple[bytes, ...]] = field(default_factory=dict)

    def view(self, access: Access, locale: str) -> SurveyView:
        """The survey as a student sees it in ``locale`` (built once per version and language)."""
        key = (access.form.version_id, locale, access.sensitive_module)
        found = self._views.get(key)
        if found is None:
            found = localize(access.form, self.catalogs, locale, access.sensitive_module)
            self._views[key] = found
        return found

    def locales(self, access: Access) -> tuple[str, ...]:
        """Locales a code's survey can be taken in."""
        return access.enabled_locales(self.settings.accepted_locales)


def services_of(state: State) -> Services:
    """The per-process services kept in the app state."""
    found: Services = state["services"]
    return found


class Option(msgspec.Struct, frozen=True):
    """One answer a student can choose."""

    value: int
    label: str


class Question(msgspec.Struct, frozen=True):
    """One question; ``show_if`` names the earlier item and answers that make it appear."""

    id: str
    text: str
    options: list[Option]
    show_if: str | None = None
    show_values: list[int] = []


class Section(msgspec.Struct, frozen=True):
    """One page of the survey."""

    id: str
    title: str
    questions: list[Question]


class Language(msgspec.Struct, frozen=True):
    """A language the survey is offered in, named in itself."""

    code: str
    name: str


class SurveyView(msgspec.Struct, frozen=True):
    """The localized survey; demographic questions come last, in their own section."""

    instrument: str
    version: str
    title: str
    description: str
    locale: str
    sections: list[Section]
    demographics: list[Question]
    languages: list[Language] = []


def localize(form: Form, catalogs: Catalogs, locale: str, sensitive: bool) -> SurveyView:
    """Translate an instrument's wording and drop the sensitive module unless enabled."""
    text = catalogs.instrument_text(locale)
    instrument = form.instrument
    rules = {rule.item: rule for rule in instrument.skip_rules}
    items = {item.id: item for item in instrument.items}
    sections = []
    for section in instrument.sections:
        if section.module == "sensitive" and not sensitive:
            continue
        questions = []
        for item_id in section.items:
            item = items[item_id]
            rule = rules.get(item_id)
            options = instrument.response_sets[item.response_set].options
            questions.append(
                Question(
                    id=item.id,
                    text=text(item.text),
                    options=[Option(o.value, text(o.label)) for o in options],
                    show_if=rule.show_if if rule else None,
                    show_values=list(rule.values) if rule else [],
                )
            )
        sections.append(Section(section.id, text(section.title), questions))
    demographics = [
        Question(d.id, text(d.text), [Option(o.value, text(o.label)) for o in d.options])
        for d in instrument.demographics
    ]
    return SurveyView(
        instrument=instrument.id,
        version=instrument.version,
        title=text(instrument.title),
        description=text(instrument.description),
        locale=locale,
        sections=sections,
        demographics=demographics,
    )


async def open_survey(services: Services, code: str, address: str | None) -> Access:
    """Look up a code for a student, counting the attempt against the address's limit."""
    services.limits.code_entry.hit(address or "unknown")
    access = await services.directory.lookup(code)
    access.check(dt.date.today())
    return access


@get(
    "/api/v1/surveys/{code:str}",
    summary="The survey that an access code opens, in one language",
    tags=["survey"],
    responses=error_responses(400, 404, 409, 410, 429),
    cache=False,
)
async def get_survey(
    request: Request[object, object, State],
    code: FromPath[str],
    lang: FromQuery[str | None] = None,
) -> SurveyView:
    """Return the localized instrument: sections, questions, answer options, skip rules."""
    services = services_of(request.app.state)
    access = await open_survey(services, code, request.client.host if request.client else None)
    available = services.locales(access)
    locale = negotiate(
        available,
        services.settings.default_locale,
        explicit=lang,
        accept_language=request.headers.get("accept-language"),
    )
    view = services.view(access, locale)
    languages = [Language(c, language_name(c)) for c in available]
    return msgspec.structs.replace(view, languages=languages)


@post(
    "/api/v1/responses",
    summary="Submit a completed survey",
    description=(
        "Answers 201 with a receipt once the response is committed. Sending the same "
        "idempotency_key again returns the same receipt with 200 and stores nothing. "
        "A body that does not fit the survey gets 422 with one message per field path "
        "(for example `answers.conn_belong`)."
    ),
    tags=["survey"],
    request_max_body_size=MAX_BODY,
    responses={
        200: ResponseSpec(Receipted, description="the same key was stored before: its receipt"),
        **error_responses(400, 404, 409, 410, 413, 422, 429, 503),
    },
    status_code=201,
)
async def post_response(
    data: JSONBody[Submission], request: Request[object, object, State]
) -> Response[Receipted]:
    """Validate a submission, store it durably, and return its receipt."""
    services = services_of(request.app.state)
    stored = await store(services, data)
    return Response(Receipted(stored.receipt), status_code=201 if stored.created else 200)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A stored (or replayed) submission."""

    receipt: str
    created: bool


async def store(services: Services, data: Submission, *, prune: bool = False) -> Outcome:
    """Check and store one submission; a replayed key returns its first receipt."""
    try:
        access = await services.directory.lookup(data.code)
        services.limits.submissions.hit(access.code)
        access.check(dt.date.today())
    except AccessError:
        # A retry after the ticket was used or the window closed still gets its receipt.
        async with services.directory.engine.connect() as conn:
            earlier = await find_receipt(conn, key_hash(data.idempotency_key))
        if earlier is not None:
            return Outcome(earlier, created=False)
        raise
    if prune:
        data = pruned(access, data)
    clean = validate(access, data, services.locales(access))
    stored = await services.writer.submit(access, clean, data.idempotency_key)
    for ticket in services.writer.used_tickets():
        services.directory.forget(ticket)
    return Outcome(stored.receipt, stored.created)


def pruned(access: Access, data: Submission) -> Submission:
    """Drop answers to questions a page without script could not hide (skip rules)."""
    shown = shown_items(access.form, data.answers, access.sensitive_module)
    answers = {k: v for k, v in data.answers.items() if k in shown or k not in access.form.options}
    return msgspec.structs.replace(data, answers=answers)
