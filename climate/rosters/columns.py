"""What a table's columns can hold, checked before writing, so both databases refuse alike.

PostgreSQL raises on a string longer than its ``VARCHAR`` or an integer beyond its type,
while SQLite stores either silently. Reading the limits from the model's own columns keeps
one source for them: a new column, or a longer one, is checked without a change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import BigInteger, Integer, SmallInteger, String
from sqlalchemy.orm import DeclarativeBase

__all__ = ["Columns"]

# Signed ranges of the integer types on PostgreSQL (SQLite stores 64 bits).
_RANGES: tuple[tuple[type[Integer], int], ...] = (
    (SmallInteger, 2**15),
    (BigInteger, 2**63),
    (Integer, 2**31),
)


def _bounds(kind: Any) -> tuple[int | None, int | None]:
    """The longest string and the integer bound (exclusive) a column type holds."""
    length = kind.length if isinstance(kind, String) else None
    bound = next((size for integer, size in _RANGES if isinstance(kind, integer)), None)
    return length, bound


class Columns:
    """The limits of a model's columns, for the fields of one kind of parsed row."""

    def __init__(
        self,
        model: type[DeclarativeBase],
        fields: Iterable[str],
        names: Mapping[str, str] | None = None,
    ) -> None:
        """``names`` maps a field to its column where the two names differ."""
        columns = model.__table__.columns
        names = names or {}
        self.checks: list[tuple[str, int | None, int | None]] = []
        for field in fields:
            length, bound = _bounds(columns[names.get(field, field)].type)
            if length is not None or bound is not None:
                self.checks.append((field, length, bound))

    def misfits(self, row: object) -> list[tuple[str, str]]:
        """Each (field, problem) of ``row`` whose value its column cannot hold."""
        found = []
        for field, length, bound in self.checks:
            value = getattr(row, field)
            if length is not None and isinstance(value, str) and len(value) > length:
                found.append((field, f"at most {length} characters, got {len(value)}"))
            elif bound is not None and isinstance(value, int) and not -bound <= value < bound:
                found.append((field, f"at most {bound - 1}, got {value}"))
        return found
