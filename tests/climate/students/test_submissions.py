"""Checking submissions against the instrument, and the batching durable writer."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from climate import db
from climate.errors import InvalidSubmission, Unavailable, UsedTicket
from climate.models import Receipt, sealed_response
from climate.settings import Settings
from climate.students.access import Access, Directory
from climate.students.sealing import Sealer
from climate.students.submissions import Submission, Writer, shown_items, validate
from tests.climate.districts import CLASS, TICKET, make_district

LOCALES = ("en", "es", "ar")
SEALER = Sealer.of("a secret key for the tests of the submission writer")


def submission(**changes: Any) -> Submission:
    values: dict[str, Any] = {
        "code": CLASS,
        "locale": "en",
        "idempotency_key": str(uuid.uuid4()),
        "answers": {},
        "demographics": {},
    }
    values.update(changes)
    return Submission(**values)


async def _with_access(settings: Settings, work: Any, code: str = CLASS) -> Any:
    engine = db.create_engine(settings.database_url)
    try:
        access = await Directory(engine).lookup(code)
        return await work(engine, access)
    finally:
        await engine.dispose()


@pytest.fixture
def access(settings: Settings) -> Access:
    make_district(settings)

    async def keep(_engine: Any, found: Access) -> Access:
        return found

    result: Access = asyncio.run(_with_access(settings, keep))
    return result


def test_skip_rules_chain(access: Access) -> None:
    form = access.form
    # secondary.toml: bully_told shows if bully_any = 1; bully_better if bully_told = 1.
    assert "bully_told" not in shown_items(form, {}, True)
    assert "bully_better" not in shown_items(form, {"bully_told": 1}, True)
    assert {"bully_told", "bully_better"} <= shown_items(
        form, {"bully_any": 1, "bully_told": 1}, True
    )
    assert "bully_better" not in shown_items(form, {"bully_any": 1, "bully_told": 0}, True)


def test_sensitive_items_show_only_with_the_module(access: Access) -> None:
    assert "sh_hurt" in shown_items(access.form, {}, True)
    assert "sh_hurt" not in shown_items(access.form, {}, False)


def test_valid_submission_is_cleaned(access: Access) -> None:
    clean = validate(
        access,
        submission(answers={"conn_belong": 1}, demographics={"grade": 8, "gender": 1}),
        LOCALES,
    )
    assert clean.answers == {"conn_belong": 1}
    assert clean.grade == 8
    assert clean.demographics == {"gender": 1}


def test_prefer_not_to_say_grade_is_stored_as_no_grade(access: Access) -> None:
    prefer = next(
        o.value
        for d in access.form.instrument.demographics
        if d.id == "grade"
        for o in d.options
        if o.prefer_not_to_say
    )
    clean = validate(access, submission(demographics={"grade": prefer}), LOCALES)
    assert clean.grade is None


def test_every_bad_field_is_reported_at_once(access: Access) -> None:
    with pytest.raises(InvalidSubmission) as raised:
        validate(
            access,
            submission(answers={"conn_belong": 0, "zzz": 1}, demographics={"pets": 1}),
            LOCALES,
        )
    assert set(raised.value.fields) == {"answers.conn_belong", "answers.zzz", "demographics.pets"}


def test_empty_submission_is_valid(access: Access) -> None:
    assert validate(access, submission(), LOCALES).answers == {}


def _count(engine: Any, table: Any) -> Any:
    async def run() -> int:
        async with engine.connect() as conn:
            value: int = await conn.scalar(select(func.count()).select_from(table))
            return value

    return run()


def test_concurrent_submissions_are_all_stored_once(settings: Settings) -> None:
    make_district(settings)

    async def work(engine: Any, access: Access) -> None:
        writer = Writer(engine, SEALER)
        await writer.start()
        try:
            clean = validate(access, submission(answers={"conn_belong": 2}), LOCALES)
            keys = [str(uuid.uuid4()) for _ in range(150)]
            # Every key twice at once: each is written once and both callers get its receipt.
            stored = await asyncio.gather(*(writer.submit(access, clean, k) for k in keys + keys))
        finally:
            await writer.stop()
        first, second = stored[:150], stored[150:]
        assert [s.receipt for s in first] == [s.receipt for s in second]
        assert sum(s.created for s in stored) == 150
        assert len({s.receipt for s in first}) == 150
        assert await _count(engine, sealed_response) == 150
        assert await _count(engine, Receipt) == 150

    asyncio.run(_with_access(settings, work))


def test_one_bad_row_does_not_fail_its_batch(settings: Settings) -> None:
    make_district(settings)

    async def work(engine: Any, access: Access) -> None:
        writer = Writer(engine, SEALER)
        await writer.start()
        broken = dataclasses.replace(access, administration_id=999_999, school_id="NOPE")
        clean = validate(access, submission(), LOCALES)
        try:
            results = await asyncio.gather(
                writer.submit(access, clean, str(uuid.uuid4())),
                writer.submit(broken, clean, str(uuid.uuid4())),
                writer.submit(access, clean, str(uuid.uuid4())),
                return_exceptions=True,
            )
        finally:
            await writer.stop()
        assert isinstance(results[1], Unavailable)
        assert [type(r).__name__ for r in (results[0], results[2])] == ["Stored", "Stored"]
        assert await _count(engine, sealed_response) == 2
        assert await _count(engine, Receipt) == 2

    asyncio.run(_with_access(settings, work))


def test_a_ticket_is_used_once_even_within_one_batch(settings: Settings) -> None:
    make_district(settings)

    async def work(engine: Any, access: Access) -> None:
        writer = Writer(engine, SEALER)
        await writer.start()
        clean = validate(access, submission(code=TICKET), LOCALES)
        try:
            results = await asyncio.gather(
                *(writer.submit(access, clean, str(uuid.uuid4())) for _ in range(3)),
                return_exceptions=True,
            )
        finally:
            await writer.stop()
        assert sum(isinstance(r, UsedTicket) for r in results) == 2
        assert await _count(engine, sealed_response) == 1
        assert await _count(engine, Receipt) == 1
        assert writer.used_tickets()

    asyncio.run(_with_access(settings, work, TICKET))
