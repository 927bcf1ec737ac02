"""Tables for staff access: accounts and their schools, sessions, API tokens and the audit log.

Secrets are never stored: sessions and tokens are kept as SHA-256 digests of random values,
passwords as argon2id hashes. The audit log has no foreign keys so that it outlives what it
describes, and database triggers (see the migration) refuse to update or delete its rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from climate.models.base import Base

ACCOUNT_ROLES = ("district_admin", "district_viewer", "school_staff")


class Account(Base):
    """A staff member who signs in with an email address and a password."""

    __tablename__ = "account"
    __table_args__ = (CheckConstraint(f"role IN {ACCOUNT_ROLES!r}", name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AccountSchool(Base):
    """A school whose data a ``school_staff`` account may see."""

    __tablename__ = "account_school"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    school_id: Mapped[str] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), primary_key=True
    )


class StaffSession(Base):
    """A signed-in browser, keyed by the digest of the random id in its cookie."""

    __tablename__ = "staff_session"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token for scripts, with its own role and schools; shown once, kept hashed."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint(f"role IN {ACCOUNT_ROLES!r}", name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ApiTokenSchool(Base):
    """A school whose data a ``school_staff`` token may see."""

    __tablename__ = "api_token_school"
    token_id: Mapped[int] = mapped_column(
        ForeignKey("api_token.id", ondelete="CASCADE"), primary_key=True
    )
    school_id: Mapped[str] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), primary_key=True
    )


class AuditEvent(Base):
    """One append-only record: who did what to which thing, and when."""

    __tablename__ = "audit_event"
    __table_args__ = (Index(None, "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str] = mapped_column(String(200), default="")
    school_id: Mapped[str | None] = mapped_column(String(32), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
