"""Student pages: code entry, notice, the one-form survey without script, thank-you, errors."""

from __future__ import annotations

import re
import uuid

from litestar import Litestar
from litestar.testing import TestClient

from climate.settings import Settings
from tests.climate.districts import CLASS, CLOSED, TICKET

Client = TestClient[Litestar]
DISPLAY = f"{CLASS[:5]}-{CLASS[5:]}"


def entered(client: Client, code: str = CLASS) -> Client:
    """The client after opening ``code``'s survey with a printed link (the code in a cookie)."""
    assert client.get(f"/s/{code}").status_code == 200
    return client


def guessed(client: Client, code: str) -> Client:
    """The client with ``code`` put in its code cookie by hand, as a guesser would."""
    client.cookies.set("climate_code", code)
    return client


def test_landing_has_one_labelled_code_field(student: Client) -> None:
    page = student.get("/")
    assert page.status_code == 200
    assert '<label for="code">' in page.text
    assert 'id="code"' in page.text


def test_typed_codes_are_forgiving(student: Client) -> None:
    typed = {"code": f"{CLASS.lower()[:4]} {CLASS[4:]}", "lang": "es"}
    answer = student.post("/enter", data=typed, follow_redirects=False)
    assert answer.status_code == 303
    # The code goes on in a cookie for the survey's pages only, never in the address.
    assert answer.headers["location"] == "/survey/start?lang=es"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"climate_code={CLASS};")
    assert "Path=/survey" in cookie
    assert "HttpOnly" in cookie
    assert "Max-Age" not in cookie  # gone when the browser closes


def test_a_malformed_code_stays_on_the_landing_page(student: Client) -> None:
    page = student.post("/enter", data={"code": "0O1IL"})
    assert page.status_code == 404
    assert 'aria-invalid="true"' in page.text
    assert student.get("/enter", follow_redirects=False).headers["location"] == "/"


def test_no_address_in_a_whole_visit_holds_the_code_or_the_receipt(student: Client) -> None:
    visited = []
    answer = student.post("/enter", data={"code": CLASS}, follow_redirects=False)
    visited.append(answer.headers["location"])
    page = student.get(visited[-1])
    visited += re.findall(r'(?:href|action)="(/[^"]*)"', page.text)
    form = {"idempotency_key": str(uuid.uuid4()), "answers.conn_belong": "3"}
    sent = student.post("/survey", data=form, follow_redirects=False)
    visited.append(sent.headers["location"])
    receipt = sent.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    thanks = student.get(visited[-1])
    assert receipt in thanks.text
    for url in visited:
        assert CLASS not in url.upper().replace("-", ""), url
        assert receipt not in url, url
    # The receipt is shown once; the thanks page forgets it and the code.
    assert receipt not in student.get("/survey/thanks").text
    assert student.get("/survey", follow_redirects=False).headers["location"] == "/"


def test_direct_link_opens_the_notice(student: Client) -> None:
    page = student.get(f"/s/{DISPLAY}")
    assert page.status_code == 200
    assert 'href="/survey?lang=en"' in page.text
    assert 'id="decline"' in page.text
    # The class code's administration enables the sensitive module; the ticket's does not.
    assert 'id="sensitive-notice"' in page.text
    assert 'id="sensitive-notice"' not in student.get(f"/s/{TICKET}").text


def test_survey_is_one_form_with_a_fieldset_per_question(student: Client) -> None:
    page = entered(student).get("/survey")
    assert page.status_code == 200
    text = page.text
    assert text.count("<fieldset") == text.count("<legend>")
    radios = re.findall(r'<input type="radio" id="([^"]+)"', text)
    labels = set(re.findall(r'<label for="([^"]+)"', text))
    assert radios
    assert set(radios) <= labels
    # Demographic questions come last.
    assert text.index('id="q-grade"') > text.index('id="q-sh_talked"')
    assert 'data-show-if="bully_any"' in text


def test_every_student_page_shows_crisis_help(student: Client) -> None:
    for path in ("/", f"/s/{CLASS}", "/survey", f"/s/{CLOSED}", "/s/XXXXXXXXXX"):
        assert 'id="crisis"' in student.get(path).text, path
        assert "988" in student.get(path).text, path


def test_district_contacts_are_shown(settings: Settings, seeded: object) -> None:
    from dataclasses import replace

    from climate.app import create_app
    from climate.settings import CrisisContact

    changed = replace(settings, crisis_contacts=(CrisisContact("Counselor office", "555-0100"),))
    with TestClient(create_app(changed)) as client:
        assert "555-0100" in entered(client).get("/survey").text


def test_arabic_is_right_to_left(student: Client) -> None:
    page = entered(student).get("/survey?lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.text


def test_language_picker_names_each_language_in_itself(student: Client) -> None:
    page = student.get(f"/s/{CLASS}")
    for name in ("English", "Español", "العربية"):
        assert name in page.text


def test_language_negotiation_uses_accept_language(student: Client) -> None:
    page = student.get(f"/s/{CLASS}", headers={"accept-language": "ar-EG,ar;q=0.9,en;q=0.5"})
    assert '<html lang="ar"' in page.text


def test_only_the_language_cookie_is_set(student: Client) -> None:
    assert "set-cookie" not in entered(student).get("/survey").headers
    chosen = student.get("/survey?lang=es")
    assert chosen.headers["set-cookie"].startswith("lang=es;")


def test_student_pages_carry_security_headers(student: Client) -> None:
    headers = entered(student).get("/survey").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"


def test_pages_have_no_inline_script_or_style(student: Client) -> None:
    for path in ("/", f"/s/{CLASS}", "/survey"):
        text = student.get(path).text
        assert "style=" not in text
        assert "<style" not in text
        assert re.search(r"<script(?![^>]*\bsrc=)", text) is None


def test_first_load_is_under_100_kb(student: Client) -> None:
    page = entered(student).get("/survey?lang=ar")
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert len(assets) == 2
    total = len(page.content) + sum(len(student.get(a).content) for a in assets)
    assert total < 100_000


def test_static_files_are_cacheable_and_versioned(student: Client) -> None:
    page = student.get("/")
    (css,) = re.findall(r'href="(/static/survey.css\?v=[0-9a-f]+)"', page.text)
    assert "max-age=31536000" in student.get(css).headers["cache-control"]


def test_no_script_form_stores_and_thanks(student: Client) -> None:
    form = {
        "idempotency_key": str(uuid.uuid4()),
        "answers.conn_belong": "4",
        # Without script the page could not hide this question: the server drops it.
        "answers.bully_told": "1",
        "demographics.grade": "10",
    }
    answer = entered(student).post("/survey", data=form, follow_redirects=False)
    assert answer.status_code == 303
    thanks = student.get(answer.headers["location"])
    assert 'id="thanks"' in thanks.text
    assert "988" in thanks.text
    again = entered(student).post("/survey", data=form, follow_redirects=False)
    assert again.headers["location"] == answer.headers["location"]
    # The same key gives the same receipt, and no second row.
    assert again.headers["set-cookie"] == answer.headers["set-cookie"]


def test_no_script_language_switch_keeps_answers(student: Client) -> None:
    form = {
        "idempotency_key": str(uuid.uuid4()),
        "answers.conn_belong": "2",
        "demographics.gender": "1",
        "switch_lang": "ar",
    }
    page = entered(student).post("/survey", data=form)
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert re.search(
        r'id="a-conn_belong-2" name="answers.conn_belong" value="2" checked', page.text
    )
    assert re.search(r'id="d-gender-1" name="demographics.gender" value="1" checked', page.text)
    assert form["idempotency_key"] in page.text


def test_no_script_form_shows_field_errors(student: Client) -> None:
    form = {"idempotency_key": str(uuid.uuid4()), "answers.conn_belong": "9"}
    page = entered(student).post("/survey", data=form)
    assert page.status_code == 422
    assert 'id="e-conn_belong"' in page.text


def test_closed_unknown_and_used_codes_get_clear_pages(student: Client) -> None:
    closed = student.get(f"/s/{CLOSED}")
    assert (closed.status_code, 'data-error="closed"' in closed.text) == (410, True)
    unknown = student.get("/s/XXXXXXXXXX?lang=es")
    assert unknown.status_code == 404
    assert '<html lang="es"' in unknown.text
    form = {"idempotency_key": str(uuid.uuid4())}
    entered(student, TICKET).post("/survey", data=form)
    # A used ticket answers as one never issued: nobody learns which tickets were used.
    used = student.get(f"/s/{TICKET}?lang=es")
    assert (used.status_code, used.text) == (404, student.get("/s/XXXXXXXXXX?lang=es").text)


def test_code_entry_is_rate_limited_per_code_held(student: Client) -> None:
    services = student.app.state["services"]
    services.limits.class_codes.limit = 35
    services.limits.misses.limit = 3
    # A class of 35 behind one school address gets in, a few of whom mistype first: text
    # that cannot be a code is no guess, and nothing a student does with a real code
    # counts against the school's address ...
    typos = [student.post("/enter", data={"code": "DKRP"}).status_code for _ in range(10)]
    assert typos == [404] * 10
    entry = {"code": CLASS}
    assert all(
        student.post("/enter", data=entry, follow_redirects=False).status_code == 303
        for _ in range(35)
    )
    # ... and the 36th look-up of that code within the minute is turned away, with a
    # localized page.
    limited = student.post("/enter?lang=es", data=entry)
    assert limited.status_code == 429
    assert 'data-error="rate_limited"' in limited.text
    assert '<html lang="es"' in limited.text


def test_code_guessing_is_limited_on_every_page_that_takes_a_code(student: Client) -> None:
    services = student.app.state["services"]
    services.limits.misses.limit = 4
    misses = [
        student.post("/enter", data={"code": "XXXXXXXXXX"}).status_code,
        student.post("/enter", data={"code": "XXXXXXXXXA"}).status_code,
        student.get("/s/XXXXXXXXXX").status_code,
        guessed(student, "XXXXXXXXXX").get("/survey").status_code,
    ]
    assert misses == [404] * 4
    # The address has missed too often: every page that takes a code turns it away now,
    # a real code's too, so a guesser who happens on one cannot tell.
    refused = [
        student.post("/enter", data={"code": "0O1IL"}).status_code,
        student.get(f"/s/{CLASS}").status_code,
        guessed(student, CLASS).get("/survey").status_code,
    ]
    assert refused == [429] * 3
    form = student.post("/survey", data={"idempotency_key": str(uuid.uuid4())})
    assert (form.status_code, 'data-error="rate_limited"' in form.text) == (429, True)
