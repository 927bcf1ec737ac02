"""Submissions: checked against the instrument, then written durably, once per key.

The write path is a per-process ``Writer``: concurrent submissions queue up and are written
together in one transaction (one commit, one fsync for many students) with Core inserts.
Each request is answered only after the commit that holds its row. The receipt table keeps
a SHA-256 of the client's idempotency key and the receipt given, so a retry with the same
key finds its receipt and writes nothing. The row itself is sealed until the administration
closes (``climate.students.sealing``): the receipt and the used ticket share its transaction,
and only its encryption keeps them from pointing at its answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec
import numpy as np
from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.errors import InvalidSubmission, Unavailable, UsedTicket
from climate.models import AccessCode, Administration, Receipt, sealed_response
from climate.responses.layout import GRADE
from climate.responses.scoring import MISSING, score_columns
from climate.students.access import Access, Form
from climate.students.sealing import Sealer

log = logging.getLogger(__name__)

MAX_BATCH = 500
RECEIPT_ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
RECEIPT_LENGTH = 12

Key = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


def _(message: str) -> str:
    """Mark a message for the catalogs; it is translated where it is shown."""
    return message


NOT_IN_SURVEY = _("This question is not in this survey.")
NOT_AN_OPTION = _("This is not one of the answers to this question.")
NOT_SHOWN = _("This question was not shown, so it cannot be answered.")
NOT_ENABLED = _("This question is not part of this survey.")
# No longer shown (a grade not offered is stored as not reported); kept until the catalogs
# drop it.
WRONG_GRADE = _("This grade does not take this survey.")
WRONG_LANGUAGE = _("This language is not offered for this survey.")


class Submission(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A completed survey as a client sends it; every answer may be left out."""

    code: Annotated[str, msgspec.Meta(max_length=32, description="access code as typed")]
    locale: Annotated[str, msgspec.Meta(max_length=16, description="language the survey used")]
    idempotency_key: Annotated[
        str,
        msgspec.Meta(
            min_length=16,
            max_length=64,
            description="a random UUID made by the client for this attempt; resend it on retry",
        ),
    ]
    answers: Annotated[
        dict[Key, int], msgspec.Meta(max_length=200, description="item id -> option value")
    ] = {}
    demographics: Annotated[
        dict[Key, int], msgspec.Meta(max_length=50, description="question id -> option value")
    ] = {}


class Receipted(msgspec.Struct, frozen=True):
    """The answer to a stored submission: a receipt that links to nothing."""

    receipt: str


@dataclass(frozen=True, slots=True)
class Clean:
    """A submission that fits its instrument: only shown, valid answers remain."""

    locale: str
    answers: dict[str, int]
    demographics: dict[str, int]
    grade: int | None


def shown_items(form: Form, answers: Mapping[str, int], sensitive_module: bool) -> set[str]:
    """Items a student sees given earlier answers (skip rules, sensitive module)."""
    rules: dict[str, list[tuple[str, frozenset[int]]]] = {}
    for rule in form.instrument.skip_rules:
        rules.setdefault(rule.item, []).append((rule.show_if, frozenset(rule.values)))
    memo: dict[str, bool] = {}

    def shown(item_id: str, depth: int = 0) -> bool:
        if item_id in memo:
            return memo[item_id]
        visible = sensitive_module or item_id not in form.sensitive_items
        for show_if, values in rules.get(item_id, ()):
            hidden_parent = depth > len(rules) or not shown(show_if, depth + 1)
            if hidden_parent or answers.get(show_if) not in values:
                visible = False
        memo[item_id] = visible
        return visible

    return {item.id for item in form.instrument.items if shown(item.id)}


def validate(access: Access, submission: Submission, locales: tuple[str, ...]) -> Clean:
    """Check every answer against the instrument; InvalidSubmission names each bad field."""
    form = access.form
    problems: dict[str, str] = {}
    if submission.locale not in locales:
        problems["locale"] = WRONG_LANGUAGE
    for item_id, value in submission.answers.items():
        path = f"answers.{item_id}"
        if item_id not in form.options:
            problems[path] = NOT_IN_SURVEY
        elif value not in form.options[item_id]:
            problems[path] = NOT_AN_OPTION
    shown = shown_items(form, submission.answers, access.sensitive_module)
    for item_id in submission.answers:
        path = f"answers.{item_id}"
        if path in problems or item_id in shown:
            continue
        if item_id in form.sensitive_items and not access.sensitive_module:
            problems[path] = NOT_ENABLED
        else:
            problems[path] = NOT_SHOWN
    for question, value in submission.demographics.items():
        path = f"demographics.{question}"
        if question not in form.demographic_options:
            problems[path] = NOT_IN_SURVEY
        elif value not in form.demographic_options[question]:
            problems[path] = NOT_AN_OPTION
    if problems:
        raise InvalidSubmission(problems)
    # A grade the form did not offer (outside the administration or the school's span) is
    # stored as not reported rather than costing the student the rest of the response.
    grade = submission.demographics.get(GRADE)
    if grade is not None and grade not in access.offered_grades:
        grade = None
    demographics = {k: v for k, v in submission.demographics.items() if k != GRADE}
    return Clean(submission.locale, dict(submission.answers), demographics, grade)


def key_hash(idempotency_key: str) -> str:
    """The only trace of an idempotency key that is stored."""
    return hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()


def new_receipt() -> str:
    """A random receipt a student may note down; it links to no response."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


async def find_receipt(conn: AsyncConnection, hashed: str) -> str | None:
    """The receipt already given for a key, if any."""
    found: str | None = await conn.scalar(select(Receipt.receipt).where(Receipt.key_hash == hashed))
    return found


@dataclass(frozen=True, slots=True)
class Stored:
    """What happened to one submission: its receipt, and whether this attempt wrote it."""

    receipt: str
    created: bool


@dataclass(slots=True)
class _Pending:
    hashed: str
    access: Access
    clean: Clean
    future: asyncio.Future[Stored]


@dataclass(slots=True)
class Writer:
    """A per-process queue that writes concurrent submissions in shared transactions."""

    engine: AsyncEngine
    sealer: Sealer
    max_batch: int = MAX_BATCH
    _queue: asyncio.Queue[_Pending] | None = None
    _task: asyncio.Task[None] | None = None
    _used: list[str] = field(default_factory=list)

    async def start(self) -> None:
        """Start the writing task on the running loop."""
        self._queue = asyncio.Queue()
        self._task = asyncio.create_task(self._run(), name="climate-submission-writer")

    async def stop(self) -> None:
        """Write what is queued, then stop."""
        if self._task is None or self._queue is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def submit(self, access: Access, clean: Clean, idempotency_key: str) -> Stored:
        """Queue a checked submission; return once it is committed (or found already stored)."""
        if self._queue is None:
            raise Unavailable()
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending(key_hash(idempotency_key), access, clean, future))
        return await future

    async def decline(self, administration_id: int) -> None:
        """Count one student declining; the count is all that is stored."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(Administration)
                .where(Administration.id == administration_id)
                .values(declines=Administration.declines + 1)
            )

    def used_tickets(self) -> list[str]:
        """Tickets this process has used since the last call (to drop them from caches)."""
        used, self._used = self._used, []
        return used

    async def _run(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            batch = [await queue.get()]
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                await self._write_or_split(batch)
            finally:
                for _item in batch:
                    queue.task_done()

    async def _write_or_split(self, batch: list[_Pending]) -> None:
        try:
            results = await self._write(batch)
        except Exception as exc:
            if len(batch) > 1:
                # One bad row must not fail its neighbours: write them one by one.
                for pending in batch:
                    await self._write_or_split([pending])
                return
            # The type only: database errors quote the row, and answers must not reach logs.
            log.error("a submission could not be stored: %s", type(exc).__name__)
            _settle(batch[0].future, Unavailable())
            return
        for pending, result in zip(batch, results, strict=True):
            _settle(pending.future, result)

    async def _write(self, batch: list[_Pending]) -> list[Stored | Exception]:
        firsts: dict[str, _Pending] = {}
        for pending in batch:
            firsts.setdefault(pending.hashed, pending)
        receipts = {hashed: new_receipt() for hashed in firsts}
        outcome: dict[str, Stored | Exception] = {}
        async with self.engine.begin() as conn:
            inserted = await _insert_receipts(
                conn,
                [
                    {
                        "key_hash": h,
                        "receipt": receipts[h],
                        "administration_id": p.access.administration_id,
                    }
                    for h, p in firsts.items()
                ],
            )
            replays = [h for h in firsts if h not in inserted]
            if replays:
                rows = await conn.execute(
                    select(Receipt.key_hash, Receipt.receipt).where(Receipt.key_hash.in_(replays))
                )
                for hashed, receipt in rows:
                    outcome[hashed] = Stored(receipt, created=False)
            refused = []
            for hashed in inserted:
                access = firsts[hashed].access
                if access.is_ticket:
                    marked = await conn.execute(
                        update(AccessCode)
                        .where(AccessCode.code == access.code, AccessCode.used.is_(False))
                        .values(used=True)
                    )
                    self._used.append(access.code)
                    if marked.rowcount != 1:
                        refused.append(hashed)
                        outcome[hashed] = UsedTicket()
            if refused:
                await conn.execute(delete(Receipt).where(Receipt.key_hash.in_(refused)))
            accepted = [firsts[h] for h in inserted if h not in outcome]
            await _insert_sealed(conn, self.sealer, accepted)
            for pending in accepted:
                outcome[pending.hashed] = Stored(receipts[pending.hashed], created=True)
        results: list[Stored | Exception] = []
        seen: set[str] = set()
        for pending in batch:
            result = outcome.get(pending.hashed, Unavailable())
            if pending.hashed in seen and isinstance(result, Stored):
                result = Stored(result.receipt, created=False)
            seen.add(pending.hashed)
            results.append(result)
        return results


def _settle(future: asyncio.Future[Stored], result: Stored | Exception) -> None:
    if future.done():
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)


async def _insert_receipts(conn: AsyncConnection, rows: list[dict[str, Any]]) -> set[str]:
    """Insert receipts, skipping keys already stored; return the keys this call inserted."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Receipt.__table__)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["key_hash"])
        .returning(Receipt.__table__.c.key_hash)
    )
    return set((await conn.execute(statement)).scalars())


async def _insert_sealed(conn: AsyncConnection, sealer: Sealer, accepted: list[_Pending]) -> None:
    """Insert sealed response rows, with scale scores, one executemany per instrument version."""
    groups: dict[int, list[_Pending]] = {}
    for pending in accepted:
        groups.setdefault(pending.access.form.version_id, []).append(pending)
    for group in groups.values():
        form = group[0].access.form
        items = {
            item.id: np.array([p.clean.answers.get(item.id, MISSING) for p in group])
            for item in form.instrument.items
        }
        scores = score_columns(form.instrument, items)
        rows = []
        for index, pending in enumerate(group):
            row: dict[str, Any] = {"grade": pending.clean.grade, "locale": pending.clean.locale}
            for question, column in form.layout.demographics.items():
                row[column] = pending.clean.demographics.get(question)
            for item_id, column in form.layout.items.items():
                row[column] = pending.clean.answers.get(item_id)
            for scale_id, column in form.layout.scales.items():
                value = float(scores[scale_id][index])
                row[column] = None if np.isnan(value) else value
            access = pending.access
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "administration_id": access.administration_id,
                    "school_id": access.school_id,
                    "sealed": sealer.seal(access.administration_id, access.school_id, row),
                }
            )
        await conn.execute(insert(sealed_response), rows)
