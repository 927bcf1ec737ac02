"""Database schema: SQLAlchemy 2 models. Alembic migrations are the only way it is created.

Responses are stored wide: one row per response with a fixed set of small-integer answer
slots (``a01``..``a80``), demographic slots (``d01``..``d10``) and scale-score slots
(``s01``..``s16``). An instrument version maps its items, demographics and scales to slots
in file order. This shape lets plain SQL on SQLite and PostgreSQL count answers per item and
option (``SUM(CASE WHEN a07 = 3 ...)``) and sum scale scores per group with one table scan,
without JSON functions that differ between the two databases.

The response table is ``WITHOUT ROWID`` on SQLite and keyed by administration, school and a
random UUID, so nothing in it reveals the order in which students submitted, and one
administration's rows lie together, school by school, for the release's ``GROUP BY``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from climate.models.base import Base, metadata

# The response table's slots, the one home of these limits: instruments are checked against them.
MAX_ITEMS = 80
MAX_DEMOGRAPHICS = 10  # besides grade, which has its own column
MAX_SCALES = 16
ACCESS_MODES = ("class-code", "tickets")
CONSENT_MODES = ("passive", "active")
STATUSES = ("draft", "open", "closed")


def answer_column(slot: int) -> str:
    """Column name of answer slot ``slot`` (1-based)."""
    return f"a{slot:02d}"


def demographic_column(slot: int) -> str:
    """Column name of demographic slot ``slot`` (1-based)."""
    return f"d{slot:02d}"


def score_column(slot: int) -> str:
    """Column name of scale-score slot ``slot`` (1-based)."""
    return f"s{slot:02d}"


class InstrumentVersion(Base):
    """One version of an instrument file, kept whole so old results stay reproducible."""

    __tablename__ = "instrument_version"
    __table_args__ = (UniqueConstraint("instrument_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[bytes] = mapped_column(LargeBinary)
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Administration(Base):
    """One survey window: an instrument version given to some schools and grades."""

    __tablename__ = "administration"
    __table_args__ = (
        CheckConstraint(f"access_mode IN {ACCESS_MODES!r}", name="access_mode"),
        CheckConstraint(f"consent_mode IN {CONSENT_MODES!r}", name="consent_mode"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint("opens_on <= closes_on", name="window"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"))
    name: Mapped[str] = mapped_column(String(200))
    school_year: Mapped[int] = mapped_column(SmallInteger)
    term: Mapped[str] = mapped_column(String(16))
    grades: Mapped[list[Any]] = mapped_column()
    locales: Mapped[list[Any]] = mapped_column()
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    access_mode: Mapped[str] = mapped_column(String(16))
    sensitive_module: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_mode: Mapped[str] = mapped_column(String(16), default="passive")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    declines: Mapped[int] = mapped_column(Integer, default=0)


class AdministrationSchool(Base):
    """A school taking part in an administration."""

    __tablename__ = "administration_school"
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administration.id", ondelete="CASCADE"), primary_key=True
    )
    school_id: Mapped[str] = mapped_column(ForeignKey("school.id"), primary_key=True)


class AccessCode(Base):
    """A class code or a single-use ticket. A used ticket keeps no link to its response."""

    __tablename__ = "access_code"
    __table_args__ = (CheckConstraint("kind IN ('class', 'ticket')", name="kind"),)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administration.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[str] = mapped_column(ForeignKey("school.id"))
    kind: Mapped[str] = mapped_column(String(8))
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class Receipt(Base):
    """Idempotency record: a hashed client key and the receipt it was given, nothing else.

    Kept only while its administration is open (a retry must find its receipt), and deleted
    when the administration closes. It holds no time: a day would narrow the responses it
    could belong to.
    """

    __tablename__ = "receipt"
    __table_args__ = ({"sqlite_with_rowid": False},)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    receipt: Mapped[str] = mapped_column(String(32))
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administration.id", ondelete="CASCADE"), index=True
    )


def _per_school(name: str, *columns: Column[Any]) -> Table:
    """A table of one administration's rows, school by school, under random ids.

    ``WITHOUT ROWID`` on SQLite, so the rows lie in key order and the key's random id hides
    the order they were written in.
    """
    return Table(
        name,
        metadata,
        Column("id", Uuid, nullable=False, default=uuid.uuid4),
        Column(
            "administration_id",
            Integer,
            ForeignKey("administration.id", ondelete="CASCADE"),
            nullable=False,
        ),
        Column("school_id", String(32), ForeignKey("school.id"), nullable=False),
        *columns,
        PrimaryKeyConstraint("administration_id", "school_id", "id"),
        sqlite_with_rowid=False,
    )


sealed_response = _per_school("sealed_response", Column("sealed", LargeBinary, nullable=False))
"""A submission of an open administration, encrypted with the service's key until it closes.

It is written in the same transaction as its receipt and its used ticket, so a database
reader can tie those to this row; what the row holds can be read only with the key. When
the administration closes, each school's rows are opened and written to ``response`` in
one transaction, in random order, and deleted (see ``climate.students.sealing``).
"""

response = _per_school(
    "response",
    Column("grade", SmallInteger),
    Column("locale", String(8), nullable=False),
    Column("submitted_on", Date, nullable=False),
    *(Column(demographic_column(i), SmallInteger) for i in range(1, MAX_DEMOGRAPHICS + 1)),
    *(Column(answer_column(i), SmallInteger) for i in range(1, MAX_ITEMS + 1)),
    *(Column(score_column(i), Float) for i in range(1, MAX_SCALES + 1)),
)
"""One submitted survey. Never an address, browser, code, ticket, time of day or sequence."""

RESPONSE_COLUMNS: tuple[str, ...] = tuple(c.name for c in response.columns)
