"""Logs never carry student data, at any level: a real server at DEBUG, grepped after use."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

import httpx

from climate import db
from climate.settings import Settings
from climate.students import codes
from tests.climate.districts import CLASS, TICKET, TICKET_2, make_district
from tests.climate.security.server import SECRET, running

# A documentation address (RFC 5737), sent as the district proxy would forward it.
ADDRESS = "203.0.113.77"
ANSWERS = {"conn_belong": 4, "conn_part": 3, "bully_any": 1, "bully_told": 0}
DEMOGRAPHICS = {"grade": 9, "gender": 2}


def _secrets_of(key: str) -> list[str]:
    return [key, hashlib.sha256(key.encode()).hexdigest()]


def _receipt_of(answer: httpx.Response) -> str:
    if answer.headers.get("content-type", "").startswith("application/json"):
        return str(answer.json()["receipt"])
    # The page form's receipt travels to the thanks page in a cookie, never in an address.
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("climate_receipt=")
    return cookie.split(";")[0].split("=", 1)[1]


def _submit(client: httpx.Client, code: str, secrets: list[str]) -> None:
    """One submission through the page form and one through the API, for ``code``."""
    key = str(uuid.uuid4())
    secrets.extend(_secrets_of(key))
    form = {f"answers.{item}": str(value) for item, value in ANSWERS.items()}
    form |= {f"demographics.{item}": str(value) for item, value in DEMOGRAPHICS.items()}
    assert client.post("/enter", data={"code": codes.display(code)}).status_code == 303
    page = client.post("/survey", data={**form, "idempotency_key": key})
    assert page.status_code == 303, page.text[:300]
    secrets.append(_receipt_of(page))


def _submit_api(client: httpx.Client, code: str, secrets: list[str]) -> None:
    key = str(uuid.uuid4())
    secrets.extend(_secrets_of(key))
    assert client.get(f"/api/v1/surveys/{code}").status_code == 200
    body = {
        "code": code,
        "locale": "en",
        "idempotency_key": key,
        "answers": ANSWERS,
        "demographics": DEMOGRAPHICS,
    }
    answer = client.post("/api/v1/responses", json=body)
    assert answer.status_code == 201, answer.text
    secrets.append(_receipt_of(answer))
    # A replay and a refused body go down other paths; neither may log what it carried.
    assert client.post("/api/v1/responses", json=body).status_code == 200
    wrong = {**body, "idempotency_key": str(uuid.uuid4()), "answers": {"conn_belong": 99}}
    # A used ticket answers as one never issued (404); a fresh one refuses the answer (422).
    assert client.post("/api/v1/responses", json=wrong).status_code in (404, 422)


def test_a_debug_log_holds_no_code_ticket_receipt_key_answer_or_address(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'climate.db'}"
    db.upgrade(url)
    make_district(Settings(database_url=url, secret_key=SECRET))
    secrets = [CLASS, codes.display(CLASS), TICKET, codes.display(TICKET), ADDRESS]
    secrets += [TICKET_2, codes.display(TICKET_2)]
    with running(tmp_path, url, {"CLIMATE_LOG_LEVEL": "DEBUG"}) as server:
        headers = {"x-forwarded-for": ADDRESS}
        with httpx.Client(base_url=server.base, headers=headers, timeout=30) as client:
            _submit(client, CLASS, secrets)
            _submit_api(client, CLASS, secrets)
            _submit(client, TICKET, secrets)
            _submit_api(client, TICKET_2, secrets)
            # Failures log too: an unknown code, a used ticket, a bad form.
            assert client.get("/s/XXXXX-XXXXX").status_code == 404
            assert client.get(f"/s/{TICKET}").status_code == 404
            assert client.post("/enter", data={"code": CLASS}).status_code == 303
            bad = client.post("/survey", data={"answers.conn_belong": "nine"})
            assert bad.status_code in (400, 422)
        log = server.output()
    assert len(secrets) == 7 + 4 * 3
    found = [secret for secret in secrets if secret.lower() in log.lower()]
    assert not found, f"{found} in the log:\n{log}"
    # Answers: no item or demographic name, no "name": value or name=value pair.
    for name in [*ANSWERS, *DEMOGRAPHICS]:
        assert not re.search(rf"\b{name}\b", log), f"{name} in the log:\n{log}"
    assert not re.search(r"answers\.|demographics\.|idempotency", log), log
    # Nothing from the database driver, the statement or its parameters.
    assert not re.search(r"INSERT|SELECT|UPDATE|parameters", log), log
