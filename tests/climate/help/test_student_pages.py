"""The student's help pages: ask, get a code once, follow up with it; off without a help file."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from climate import db
from climate.app import create_app
from climate.help.requests import ALPHABET
from climate.models import HelpMessage, HelpRequest
from climate.settings import Settings
from tests.climate.districts import CLASS, make_district
from tests.climate.help_district import help_file, make_help_district

Client = TestClient[Litestar]
CODE_SHOWN = re.compile(r'id="request-code" dir="ltr">([^<]+)<')
FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')
ROUTES = [
    ("GET", "/help"),
    ("GET", "/help/new?kind=talk"),
    ("POST", "/help/new"),
    ("GET", "/help/follow"),
    ("POST", "/help/follow"),
    ("POST", "/help/reply"),
]


@pytest.fixture
def help_settings(settings: Settings, tmp_path: Path) -> Settings:
    """Settings whose district takes help requests, its schools and readers in the database."""
    changed = dataclasses.replace(settings, help_requests=help_file(tmp_path))
    make_help_district(changed)
    return changed


@pytest.fixture
def student(help_settings: Settings) -> Iterator[Client]:
    """The real app with help requests on."""
    with TestClient(create_app(help_settings)) as test_client:
        yield test_client


def counts(settings: Settings) -> tuple[int, int]:
    """How many requests and messages the database holds."""

    async def read() -> tuple[int, int]:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                requests = await conn.scalar(select(func.count()).select_from(HelpRequest))
                messages = await conn.scalar(select(func.count()).select_from(HelpMessage))
        finally:
            await engine.dispose()
        return int(requests or 0), int(messages or 0)

    return asyncio.run(read())


def form_key(client: Client, kind: str = "talk", lang: str = "en") -> str:
    """A fresh form's one-time key."""
    page = client.get(f"/help/new?kind={kind}&lang={lang}")
    assert page.status_code == 200
    found = FORM_KEY.search(page.text)
    assert found is not None
    return found.group(1)


def sent(client: Client, kind: str, text: str = "I feel sad at lunch", lang: str = "en") -> str:
    """Send a request and return the code its page shows."""
    data = {
        "kind": kind,
        "school": "N1",
        "urgency": "today",
        "text": text,
        "contact": "",
        "form_key": form_key(client, kind, lang),
    }
    page = client.post(f"/help/new?lang={lang}", data=data)
    assert page.status_code == 200, page.text
    found = CODE_SHOWN.search(page.text)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pages_render_in_the_students_language(student: Client, lang: str) -> None:
    for path in ("/help", "/help/new?kind=talk", "/help/new?kind=worry", "/help/follow"):
        sep = "&" if "?" in path else "?"
        page = student.get(f"{path}{sep}lang={lang}")
        assert page.status_code == 200, path
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"' in page.text
        assert page.headers["cache-control"] == "no-store"


def test_help_page_puts_emergencies_before_the_choices(student: Client) -> None:
    text = student.get("/help").text
    emergency, talk = text.index('id="emergency"'), text.index('id="choose-talk"')
    assert emergency < talk < text.index('id="choose-worry"') < text.index('id="choose-follow"')
    assert "911" in text[emergency:talk]
    assert "988" in text[emergency:talk]
    assert 'href="/help/new?kind=talk&amp;lang=en"' in text
    assert 'href="/help/new?kind=worry&amp;lang=en"' in text


def test_form_offers_the_schools_that_take_requests_and_the_promise(student: Client) -> None:
    page = student.get("/help/new?kind=talk").text
    for sid, name in {"N1": "North High", "S1": "South High", "E1": "East Elementary"}.items():
        assert f'<option value="{sid}">{name}</option>' in page
    assert 'maxlength="2000"' in page
    assert 'maxlength="200"' in page
    assert "A counselor reads these on school days by 3:00\u202fPM" in page
    assert "If you or someone else is in danger now, call <strong>911</strong>" in page
    contact = page[
        page.index('id="contact-fieldset"') : page.index(
            "</fieldset>", page.index('id="contact-fieldset"')
        )
    ]
    assert "Without this, your request is anonymous." in contact
    assert 'name="contact"' in contact
    # A new one-time key on every view of the form.
    assert form_key(student) != form_key(student)


def test_promise_time_is_written_the_locales_way(student: Client) -> None:
    # Babel's short time: 24-hour clock in Russian.
    assert "15:00" in student.get("/help/new?kind=talk&lang=ru").text


@pytest.mark.parametrize("kind", ["talk", "worry"])
def test_each_kind_sends_and_shows_a_code_once(
    student: Client, help_settings: Settings, kind: str
) -> None:
    code = sent(student, kind)
    assert re.fullmatch(f"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", code)
    assert counts(help_settings) == (1, 1)


def test_code_page_says_write_it_down_and_is_not_kept(student: Client) -> None:
    data = {"kind": "worry", "school": "S1", "urgency": "week", "text": "", "contact": ""}
    data["form_key"] = form_key(student, "worry")
    page = student.post("/help/new", data=data)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "We cannot show it again." in page.text
    assert "South High" in page.text
    assert 'href="/help/follow?lang=en"' in page.text


def test_a_form_sent_twice_makes_one_request(student: Client, help_settings: Settings) -> None:
    data = {"kind": "talk", "school": "N1", "urgency": "today", "text": "hi", "contact": ""}
    data["form_key"] = form_key(student)
    first = student.post("/help/new", data=data)
    again = student.post("/help/new", data=data)
    assert CODE_SHOWN.search(first.text)
    assert again.status_code == 200
    assert CODE_SHOWN.search(again.text) is None
    assert 'id="already-sent"' in again.text
    assert counts(help_settings) == (1, 1)


def test_invalid_form_keeps_values_and_stores_nothing(
    student: Client, help_settings: Settings
) -> None:
    data = {
        "kind": "talk",
        "school": "",
        "urgency": "",
        "text": "my words stay",
        "contact": "Room 12",
        "form_key": form_key(student),
    }
    page = student.post("/help/new?lang=es", data=data)
    assert page.status_code == 422
    assert 'id="error-summary" tabindex="-1" autofocus' in page.text
    assert "my words stay</textarea>" in page.text
    assert 'value="Room 12"' in page.text
    assert f'value="{data["form_key"]}"' in page.text
    assert 'id="school-error"' in page.text
    assert 'id="urgency-error"' in page.text
    assert '<html lang="es"' in page.text
    assert counts(help_settings) == (0, 0)


def test_the_code_opens_the_conversation_and_takes_a_reply(
    student: Client, help_settings: Settings
) -> None:
    code = sent(student, "talk", text="first words")
    page = student.post("/help/follow", data={"code": code.lower().replace("-", " ")})
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "first words" in page.text
    assert "Sent. No one has read it yet." in page.text
    assert f'name="code" value="{code}"' in page.text
    replied = student.post("/help/reply", data={"code": code, "text": "more words"})
    assert replied.status_code == 200
    assert replied.text.index("first words") < replied.text.index("more words")
    assert counts(help_settings) == (1, 2)
    empty = student.post("/help/reply", data={"code": code, "text": "  "})
    assert empty.status_code == 422
    assert 'id="reply-error"' in empty.text
    assert counts(help_settings) == (1, 2)


def test_a_wrong_code_gets_the_same_refusal_as_a_malformed_one(student: Client) -> None:
    sent(student, "talk")
    wrong, malformed = "ACDE-ACDE-ACDE", "not a code"
    refused = [student.post("/help/follow", data={"code": c}) for c in (wrong, malformed)]
    assert [r.status_code for r in refused] == [404, 404]
    assert refused[0].text.replace(wrong, "") == refused[1].text.replace(malformed, "")
    reply = student.post("/help/reply", data={"code": wrong, "text": "hello"})
    assert reply.status_code == 404
    assert reply.text.replace(wrong, "") == refused[1].text.replace(malformed, "")


def test_code_guessing_is_limited(student: Client) -> None:
    services = student.app.state["services"]
    services.limits.misses.limit = 2
    code = sent(student, "talk")
    guesses = [student.post("/help/follow", data={"code": "ACDE-ACDE-ACD" + c}) for c in "EF"]
    assert [g.status_code for g in guesses] == [404, 404]
    # The address missed too often: even the real code is turned away now.
    refused = student.post("/help/follow?lang=es", data={"code": code})
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert '<html lang="es"' in refused.text


def test_sending_is_limited_per_address_and_keeps_the_words(
    student: Client, help_settings: Settings
) -> None:
    student.app.state["services"].limits.help_sends.limit = 2
    sent(student, "talk")
    sent(student, "worry")
    data = {
        "kind": "talk",
        "school": "N1",
        "urgency": "week",
        "text": "third one, kept",
        "contact": "",
        "form_key": form_key(student),
    }
    refused = student.post("/help/new?lang=en", data=data)
    assert refused.status_code == 429
    assert "Many requests were sent from this place just now" in refused.text
    assert "third one, kept" in refused.text
    assert CODE_SHOWN.search(refused.text) is None
    assert counts(help_settings) == (2, 2)


def test_no_cookie_but_language_and_no_code_in_any_address(student: Client) -> None:
    code = sent(student, "worry", lang="ar")
    visits = [
        student.get("/help?lang=ar"),
        student.post("/help/follow?lang=ar", data={"code": code}),
        student.post("/help/reply?lang=ar", data={"code": code, "text": "x"}),
    ]
    for response in visits:
        for header in response.headers.get_list("set-cookie"):
            assert header.startswith("climate_lang="), header
        assert code not in response.headers.get("location", "")
        assert code not in str(response.url)
    for link in re.findall(r'(?:href|action|formaction)="([^"]*)"', visits[1].text):
        assert code not in link
        assert code.replace("-", "") not in link


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_off_answers_404_and_shows_no_link(settings: Settings, method: str, path: str) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.request(method, path, data={"code": "ACDE-ACDE-ACDE"})
        assert response.status_code == 404
        assert 'id="error"' in response.text
        assert "/help" not in client.get("/").text


def test_every_student_page_links_to_help_when_on(student: Client) -> None:
    for path in ("/", "/survey/thanks", "/survey/declined"):
        page = student.get(path).text
        assert 'href="/help?lang=en" id="ask-help">' in page, path
        assert "Ask for help or tell us about a worry" in page


def test_survey_form_opens_help_in_a_new_tab(settings: Settings, tmp_path: Path) -> None:
    on = dataclasses.replace(settings, help_requests=help_file(tmp_path))
    make_district(on)
    with TestClient(create_app(on)) as client:
        assert client.get(f"/s/{CLASS}").status_code == 200
        form = client.get("/survey").text
        # The survey's answers stay in their own tab.
        assert 'id="ask-help" target="_blank" rel="noopener">' in form
        start = client.get("/survey/start").text
        assert 'id="ask-help">' in start


def test_the_form_takes_nothing_from_the_survey(student: Client) -> None:
    blank = FORM_KEY.sub("", student.get("/help/new?kind=talk").text)
    student.cookies.set("climate_code", CLASS)
    student.cookies.set("climate_receipt", "RECEIPT1234")
    assert FORM_KEY.sub("", student.get("/help/new?kind=talk").text) == blank


def test_nothing_about_a_request_is_logged(
    student: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        code = sent(student, "worry", text="a secret worry")
        student.post("/help/follow", data={"code": code})
        student.post("/help/reply", data={"code": code, "text": "another secret"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (code, code.replace("-", ""), "a secret worry", "another secret", "N1"):
        assert secret not in logged
