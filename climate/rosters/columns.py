"""What a table's columns can hold, checked before writing, so both databases refuse alike.

PostgreSQL raises on a string longer than its ``VARCHAR`` or an integer beyond its type,
while SQLite stores either silently. Reading the limits from the model's own columns keeps
one source for them: a new column, or a longer one, is checked without a change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import BigInteger, Integer, SmallInteger, String
from sqlalchemy.orm import DeclarativeBase

__all__ = ["misfits"]

# Signed ranges of the integer types on PostgreSQL (SQLite stores 64 bits).
_RANGES: tuple[tuple[type[Integer], int], ...] = (
    (SmallInteger, 2**15),
    (BigInteger, 2**63),
    (Integer, 2**31),
)


def _limit(kind: Any, value: object) -> str | None:
    length = getattr(kind, "length", None) if isinstance(kind, String) else None
    if isinstance(value, str) and length is not None and len(value) > length:
        return f"at most {length} characters, got {len(value)}"
    if isinstance(kind, Integer) and isinstance(value, int):
        bound = next(size for integer, size in _RANGES if isinstance(kind, integer))
        if not -bound <= value < bound:
            return f"at most {bound - 1}, got {value}"
    return None


def misfits(
    model: type[DeclarativeBase], row: Mapping[str, object], names: Mapping[str, str]
) -> list[tuple[str, str]]:
    """Each (field, problem) of ``row`` that its column cannot hold.

    ``names`` maps a field of ``row`` to its column where the two names differ.
    """
    columns = model.__table__.columns
    found = []
    for field, value in row.items():
        column = columns.get(names.get(field, field))
        problem = None if column is None else _limit(column.type, value)
        if problem is not None:
            found.append((field, problem))
    return found
