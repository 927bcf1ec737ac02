"""Sealed submissions: how a response stays unlinkable to its receipt, ticket and arrival.

A submission is acknowledged only once it is durable, and the rows written with it (its
receipt, its used ticket) share that transaction: on PostgreSQL any reader sees the same
``xmin`` on all of them, and rows lie in the heap in the order they came. So a submission
of an open administration is not written to ``response``. It is written to
``sealed_response``, encrypted (AES-256-GCM) with a key derived from the service's secret
key: a database reader can tie a receipt to a sealed row, but cannot read the row.

When the administration closes, every sealed row is opened and all of them are written to
``response`` in one transaction, in a random order, each with a new random id and the
window's closing day as its date; then the sealed rows, the receipts and the tickets are
deleted. From then on nothing links a response to anything: all of a school's responses
share one transaction, their order is a shuffle, and what could have pointed at them is
gone. The secret key must stay the same while a window is open; a close with another key
is refused and loses nothing.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.models import AccessCode, Administration, Receipt, response, sealed_response

NONCE = 12
PURPOSE = b"climate sealed responses v1"
# Rows opened and written per statement at close: bounds memory for a large district.
CHUNK = 2000

Row = dict[str, int | float | str | None]


class Unreadable(Exception):
    """A sealed row cannot be opened with this key (the secret key changed while open)."""


@dataclass(frozen=True, slots=True)
class Sealer:
    """Seals response rows with a key derived from the service's secret key."""

    key: bytes

    @classmethod
    def of(cls, secret: str) -> Sealer:
        """The sealer of a service whose secret key is ``secret``."""
        derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE)
        return cls(derive.derive(secret.encode("utf-8")))

    def seal(self, administration_id: int, school_id: str, row: Mapping[str, Any]) -> bytes:
        """A row's values, encrypted and bound to its administration and school."""
        nonce = secrets.token_bytes(NONCE)
        data = msgspec.msgpack.encode(dict(row))
        return nonce + AESGCM(self.key).encrypt(nonce, data, _bound(administration_id, school_id))

    def open(self, administration_id: int, school_id: str, blob: bytes) -> Row:
        """The row sealed in ``blob``, or Unreadable."""
        nonce, data = blob[:NONCE], blob[NONCE:]
        try:
            plain = AESGCM(self.key).decrypt(nonce, data, _bound(administration_id, school_id))
        except InvalidTag as error:
            raise Unreadable() from error
        return msgspec.msgpack.decode(plain, type=Row)


def _bound(administration_id: int, school_id: str) -> bytes:
    return f"{administration_id}/{school_id}".encode()


async def sealed_count(conn: AsyncConnection, administration_id: int) -> int:
    """How many sealed submissions an administration holds."""
    found = await conn.scalar(
        select(func.count())
        .select_from(sealed_response)
        .where(sealed_response.c.administration_id == administration_id)
    )
    return int(found or 0)


async def unseal(conn: AsyncConnection, administration_id: int, sealer: Sealer) -> int:
    """Move an administration's sealed submissions into ``response``, shuffled; forget links.

    Runs inside the caller's transaction (the one that closes the administration), so the
    close and the move commit together or not at all. Returns how many responses moved.
    """
    closes_on = await conn.scalar(
        select(Administration.closes_on).where(Administration.id == administration_id)
    )
    stored = (
        await conn.execute(
            select(sealed_response.c.school_id, sealed_response.c.sealed).where(
                sealed_response.c.administration_id == administration_id
            )
        )
    ).all()
    rows: list[dict[str, Any]] = []
    for school_id, blob in stored:
        row: dict[str, Any] = dict(sealer.open(administration_id, school_id, blob))
        row.update(
            id=uuid.uuid4(),
            administration_id=administration_id,
            school_id=school_id,
            submitted_on=closes_on,
        )
        rows.append(row)
    secrets.SystemRandom().shuffle(rows)
    for start in range(0, len(rows), CHUNK):
        await conn.execute(insert(response), rows[start : start + CHUNK])
    await conn.execute(
        delete(sealed_response).where(sealed_response.c.administration_id == administration_id)
    )
    await conn.execute(delete(Receipt).where(Receipt.administration_id == administration_id))
    await conn.execute(
        delete(AccessCode).where(
            AccessCode.administration_id == administration_id, AccessCode.kind == "ticket"
        )
    )
    return len(rows)


async def scrub(engine: AsyncEngine) -> None:
    """After a close, leave no copy of the deleted rows in SQLite's write-ahead log.

    Deleted rows are zeroed in the database file (``secure_delete``), but the log keeps the
    pages as they were until a checkpoint copies them back; this one also empties the log.
    PostgreSQL's dead rows are not readable with SQL and are reclaimed by autovacuum.
    """
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as conn:
        await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
