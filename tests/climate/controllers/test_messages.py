"""Every refusal a student meets: in the page's language, with a next step, nothing lost.

Messages that the catalogs already translate are checked against their Spanish and Arabic
text (and that it differs from the English). Messages new to the catalogs are checked to be
the catalog's string for the page's language, so they change with the catalog.
"""

from __future__ import annotations

import asyncio
import html
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from climate import db
from climate.app import create_app
from climate.errors import (
    UNSENT,
    BadRequest,
    ClosedWindow,
    Outage,
    RateLimited,
    UnknownCode,
)
from climate.i18n import Catalogs, direction
from climate.models import Administration
from climate.settings import Settings
from tests.climate.districts import CLASS, CLOSED, TICKET, Seeded, close_open_windows
from tests.conftest import SECRET

Client = TestClient[Litestar]
CATALOGS = Catalogs()
LOCALES = ("es", "ar")
MALFORMED = "That code does not look right. Check it and try again."
NEVER_ISSUED = "ACDEFACDEF"


def said(locale: str, *messages: str) -> str:
    """The messages as a page in ``locale`` says them, one after the other."""
    return " ".join(CATALOGS.gettext(locale, message) for message in messages)


def translated(locale: str, message: str) -> str:
    """A message the catalogs already translate, in ``locale``."""
    text = CATALOGS.gettext(locale, message)
    assert text != message, f"{message!r} has no {locale} translation"
    return text


def text_of(page: str) -> str:
    """The page's text with tags dropped, entities decoded and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def in_language(page: str, locale: str) -> bool:
    return f'<html lang="{locale}" dir="{direction(locale)}">' in page


def typed_value(page: str) -> str:
    found = re.search(r'<input id="code"[^>]*\svalue="([^"]*)"', page)
    assert found is not None
    return html.unescape(found.group(1))


def declines(settings: Settings, administration: int) -> int:
    async def read() -> int:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                query = select(Administration.declines).where(Administration.id == administration)
                return int((await conn.execute(query)).scalar_one())
        finally:
            await engine.dispose()

    return asyncio.run(read())


# 1. A code that opens nothing stays in its field, with what to do next.


def test_a_mistyped_code_stays_in_the_field_marked_and_described(student: Client) -> None:
    page = student.post("/enter", data={"code": "acdef-acd0"})
    assert page.status_code == 404
    assert typed_value(page.text) == "acdef-acd0"
    field = re.search(r'<input id="code"[^>]*>', page.text)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="code-error code-hint"' in field.group(0)
    assert 'id="code-error"' in page.text
    # Focus goes back to the field, which reads out its message.
    assert "autofocus" in field.group(0)


def test_what_was_typed_comes_back_escaped(student: Client) -> None:
    typed = '"><script>alert(1)</script>'
    page = student.post("/enter", data={"code": typed})
    assert "<script>alert" not in page.text
    assert typed_value(page.text) == typed


@pytest.mark.parametrize("locale", LOCALES)
def test_a_malformed_code_is_refused_in_the_pages_language(student: Client, locale: str) -> None:
    page = student.post(f"/enter?lang={locale}", data={"code": "0O1IL", "lang": locale})
    assert in_language(page.text, locale)
    assert translated(locale, MALFORMED) in text_of(page.text)


@pytest.mark.parametrize("locale", LOCALES)
def test_an_unknown_code_stays_with_what_to_do(student: Client, locale: str) -> None:
    page = student.post(f"/enter?lang={locale}", data={"code": NEVER_ISSUED, "lang": locale})
    assert page.status_code == 404
    assert in_language(page.text, locale)
    assert typed_value(page.text) == NEVER_ISSUED
    # "Check the code and try again": already in every catalog.
    assert translated(locale, UnknownCode.message) in text_of(page.text)
    assert 'data-error="unknown_code"' in page.text


@pytest.mark.parametrize("locale", LOCALES)
def test_a_closed_code_stays_with_what_to_do(student: Client, locale: str) -> None:
    page = student.post(f"/enter?lang={locale}", data={"code": CLOSED, "lang": locale})
    assert page.status_code == 410
    assert in_language(page.text, locale)
    assert typed_value(page.text) == CLOSED
    translated(locale, ClosedWindow.message)
    assert said(locale, ClosedWindow.message, ClosedWindow.next_step) in text_of(page.text)


def test_a_used_ticket_is_refused_as_a_code_never_issued(student: Client) -> None:
    sent = {"idempotency_key": str(uuid.uuid4())}
    student.get(f"/s/{TICKET}")
    assert student.post("/survey", data=sent, follow_redirects=False).status_code == 303
    student.cookies.clear()
    used = student.post("/enter?lang=es", data={"code": TICKET})
    unknown = student.post("/enter?lang=es", data={"code": NEVER_ISSUED})
    assert used.status_code == unknown.status_code == 404
    assert typed_value(used.text) == TICKET
    # Nothing but the typed code tells the two apart.
    assert used.text.replace(TICKET, "") == unknown.text.replace(NEVER_ISSUED, "")


def test_a_refused_code_keeps_its_field_when_rate_limited(student: Client) -> None:
    student.app.state["services"].limits.misses.limit = 1
    student.post("/enter", data={"code": NEVER_ISSUED})
    page = student.post("/enter?lang=ar", data={"code": CLASS})
    assert page.status_code == 429
    assert "retry-after" in page.headers
    assert typed_value(page.text) == CLASS
    assert in_language(page.text, "ar")
    assert translated("ar", RateLimited.message) in text_of(page.text)
    assert 'data-error="rate_limited"' in page.text


# 2. Every page a student route can answer with is in the page's language, with a next step.


@pytest.mark.parametrize("locale", LOCALES)
def test_the_closed_window_page_says_what_to_do_next(student: Client, locale: str) -> None:
    page = student.get(f"/s/{CLOSED}?lang={locale}")
    assert page.status_code == 410
    assert in_language(page.text, locale)
    text = text_of(page.text)
    assert translated(locale, ClosedWindow.message) in text
    assert CATALOGS.gettext(locale, ClosedWindow.next_step) in text
    assert 'id="next-step"' in page.text
    # The same words for every closed code: nothing about this window's dates.
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("path", "status"), [("/s/ACDEF-ACDEF", 404), ("/survey/nothing-here", 404)]
)
def test_not_found_pages_speak_the_pages_language(
    student: Client, locale: str, path: str, status: int
) -> None:
    page = student.get(f"{path}?lang={locale}")
    assert page.status_code == status
    assert in_language(page.text, locale)
    assert translated(locale, UnknownCode.message) in text_of(page.text)


@pytest.mark.parametrize("locale", LOCALES)
def test_an_unreadable_form_says_what_to_do(student: Client, locale: str) -> None:
    student.get(f"/s/{CLASS}")
    page = student.post(f"/survey?lang={locale}", data={"idempotency_key": "short"})
    assert page.status_code == 400
    assert in_language(page.text, locale)
    text = text_of(page.text)
    assert translated(locale, BadRequest.message) in text
    assert CATALOGS.gettext(locale, BadRequest.next_step) in text


@pytest.mark.parametrize("locale", LOCALES)
def test_a_form_too_large_is_refused_in_the_pages_language(student: Client, locale: str) -> None:
    student.get(f"/s/{CLASS}")
    page = student.post(f"/survey?lang={locale}", data={"answers.x": "1" * 40_000})
    assert in_language(page.text, locale)
    assert said(locale, BadRequest.message, BadRequest.next_step) in text_of(page.text)


@pytest.mark.parametrize("locale", LOCALES)
def test_rate_limited_pages_speak_the_pages_language(student: Client, locale: str) -> None:
    student.app.state["services"].limits.misses.limit = 1
    student.get(f"/s/{NEVER_ISSUED}")
    page = student.get(f"/s/{CLASS}?lang={locale}")
    assert page.status_code == 429
    assert in_language(page.text, locale)
    assert translated(locale, RateLimited.message) in text_of(page.text)


@pytest.fixture
def unreachable(tmp_path: Path) -> Iterator[Client]:
    """The app on a database it cannot open (the path is a directory)."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}", secret_key=SECRET)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("locale", LOCALES)
def test_an_outage_page_speaks_the_pages_language(unreachable: Client, locale: str) -> None:
    page = unreachable.get(f"/s/{CLASS}?lang={locale}")
    assert page.status_code == 503
    assert in_language(page.text, locale)
    assert translated(locale, Outage.message) in text_of(page.text)
    answer = unreachable.get(f"/api/v1/surveys/{CLASS}?lang={locale}")
    assert answer.json()["message"] == translated(locale, Outage.message)


# JSON errors: the language from ?lang=, the language cookie, or Accept-Language.


def ask(locale: str, how: str) -> tuple[str, dict[str, str]]:
    """A query suffix and headers that ask for ``locale`` in one of the three ways."""
    if how == "query":
        return f"?lang={locale}", {}
    if how == "cookie":
        return "", {"cookie": f"lang={locale}"}
    return "", {"accept-language": f"{locale};q=0.9, en;q=0.1"}


HOW = ("query", "cookie", "header")


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("locale", LOCALES)
def test_json_survey_errors_say_what_to_do(student: Client, locale: str, how: str) -> None:
    suffix, headers = ask(locale, how)
    closed = student.get(f"/api/v1/surveys/{CLOSED}{suffix}", headers=headers)
    assert closed.status_code == 410
    translated(locale, ClosedWindow.message)
    assert closed.json()["message"] == said(locale, ClosedWindow.message, ClosedWindow.next_step)
    unknown = student.get(f"/api/v1/surveys/{NEVER_ISSUED}{suffix}", headers=headers)
    assert unknown.json()["message"] == translated(locale, UnknownCode.message)


def submission(code: str) -> dict[str, object]:
    return {"code": code, "locale": "en", "idempotency_key": str(uuid.uuid4()), "answers": {}}


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("locale", LOCALES)
def test_a_refused_send_says_the_answers_are_still_there(
    student: Client, locale: str, how: str
) -> None:
    suffix, headers = ask(locale, how)
    closed = student.post(f"/api/v1/responses{suffix}", json=submission(CLOSED), headers=headers)
    assert closed.status_code == 410
    translated(locale, ClosedWindow.message)
    # The page keeps the answers, so the message says so rather than "check the code".
    assert closed.json()["message"] == said(locale, ClosedWindow.message, UNSENT)
    unknown = student.post(
        f"/api/v1/responses{suffix}", json=submission(NEVER_ISSUED), headers=headers
    )
    assert unknown.status_code == 404
    assert unknown.json()["message"] == said(locale, UnknownCode.message, UNSENT)


@pytest.mark.parametrize("locale", LOCALES)
def test_json_bodies_that_cannot_be_read_are_refused_in_the_language(
    student: Client, locale: str
) -> None:
    expected = said(locale, BadRequest.message, BadRequest.next_step)
    translated(locale, BadRequest.message)
    broken = student.post(
        f"/api/v1/responses?lang={locale}",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert (broken.status_code, broken.json()["message"]) == (400, expected)
    large = student.post(
        f"/api/v1/responses?lang={locale}",
        content=b'{"code": "' + b"A" * 40_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert large.status_code == 413
    assert (large.json()["error"], large.json()["message"]) == ("too_large", expected)


@pytest.mark.parametrize("locale", LOCALES)
def test_json_rate_limits_speak_the_language(student: Client, locale: str) -> None:
    student.app.state["services"].limits.misses.limit = 1
    student.get(f"/api/v1/surveys/{NEVER_ISSUED}")
    limited = student.get(f"/api/v1/surveys/{CLASS}?lang={locale}")
    assert limited.status_code == 429
    assert limited.json()["message"] == translated(locale, RateLimited.message)


# 3. A send after the window closed comes back with its answers, and says what to do.


def answers_checked(page: str) -> bool:
    return bool(
        re.search(r'id="a-conn_belong-2" name="answers.conn_belong" value="2" checked', page)
        and re.search(r'id="d-gender-1" name="demographics.gender" value="1" checked', page)
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_a_form_sent_after_the_window_closed_keeps_its_answers(
    student: Client, settings: Settings, locale: str
) -> None:
    # Closing shows at once (no look-up kept from before the close).
    student.app.state["services"].directory.ttl = 0
    student.get(f"/s/{CLASS}")
    form = student.get(f"/survey?lang={locale}")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text)
    assert key is not None
    close_open_windows(settings)
    sent = {
        "idempotency_key": key.group(1),
        "answers.conn_belong": "2",
        "demographics.gender": "1",
    }
    page = student.post(f"/survey?lang={locale}", data=sent)
    assert page.status_code == 410
    assert in_language(page.text, locale)
    assert answers_checked(page.text)
    assert key.group(1) in page.text
    translated(locale, ClosedWindow.message)
    refused = re.search(
        r'<div class="refused" id="refused" role="alert"[^>]*>(.*?)</div>', page.text, re.S
    )
    assert refused is not None
    assert text_of(refused.group(1)) == "⚠ " + said(locale, ClosedWindow.message, UNSENT)
    # It is the first thing on the page.
    assert page.text.index('id="refused"') < page.text.index("<h1")


def test_a_closed_form_can_still_change_language(student: Client) -> None:
    student.cookies.set("climate_code", CLOSED)
    sent = {
        "idempotency_key": str(uuid.uuid4()),
        "answers.conn_belong": "2",
        "demographics.gender": "1",
        "switch_lang": "ar",
    }
    page = student.post("/survey?lang=es", data=sent)
    assert page.status_code == 410
    assert in_language(page.text, "ar")
    assert answers_checked(page.text)
    assert 'id="refused"' in page.text


def test_a_used_ticket_form_tells_nothing_about_the_ticket(student: Client) -> None:
    # A used ticket must look like a code never issued, which has no form to show again.
    student.get(f"/s/{TICKET}")
    first = {"idempotency_key": str(uuid.uuid4())}
    assert student.post("/survey", data=first, follow_redirects=False).status_code == 303
    sent = {"idempotency_key": str(uuid.uuid4()), "answers.conn_belong": "2"}
    student.cookies.set("climate_code", TICKET)
    used = student.post("/survey?lang=es", data=sent)
    student.cookies.set("climate_code", NEVER_ISSUED)
    unknown = student.post("/survey?lang=es", data=sent)
    assert used.status_code == unknown.status_code == 404
    assert used.text == unknown.text


# 4. Declining is posted once, then the page that says so is a plain GET.


def test_decline_redirects_and_a_reload_counts_nothing(
    student: Client, settings: Settings, seeded: Seeded
) -> None:
    student.get(f"/s/{CLASS}")
    answer = student.post("/survey/decline?lang=ar", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/survey/declined?lang=ar"
    forgotten = [c for c in answer.headers.get_list("set-cookie") if "climate_code=" in c]
    assert forgotten
    assert all("Max-Age=0" in c for c in forgotten)
    for _reload in range(2):
        page = student.get(answer.headers["location"])
        assert page.status_code == 200
        assert in_language(page.text, "ar")
        assert 'id="declined"' in page.text
        assert translated("ar", "That is fine. You do not have to take the survey.") in page.text
    assert declines(settings, seeded.secondary) == 1
