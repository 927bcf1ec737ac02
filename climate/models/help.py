"""Tables for help requests: a student's request to talk to someone, or a worry about someone.

They share nothing with the survey's tables: no key, code, ticket, receipt or session, and no
time finer than a day. Ids are random and both tables are ``WITHOUT ROWID`` on SQLite, so the
rows lie in the order of their random keys, never in the order they arrived. A request is
found again only through the digest of its random request code.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from climate.models.base import Base

HELP_KINDS = ("talk", "worry")
HELP_URGENCIES = ("today", "week")
HELP_STATUSES = ("new", "seen", "in_progress", "closed")
HELP_AUTHORS = ("student", "staff")
MAX_HELP_TEXT = 2000
MAX_HELP_CONTACT = 200


class HelpRequest(Base):
    """One request, as the school's readers see it; its words are in ``help_message``."""

    __tablename__ = "help_request"
    __table_args__ = (
        CheckConstraint(f"kind IN {HELP_KINDS!r}", name="kind"),
        CheckConstraint(f"urgency IN {HELP_URGENCIES!r}", name="urgency"),
        CheckConstraint(f"status IN {HELP_STATUSES!r}", name="status"),
        {"sqlite_with_rowid": False},
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    school_id: Mapped[str] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    urgency: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="new")
    # The language the student wrote in, so a reply can be written in it.
    locale: Mapped[str] = mapped_column(String(16))
    # Only what the student chose to give: a name, or where to find them. Empty is anonymous.
    contact: Mapped[str] = mapped_column(String(MAX_HELP_CONTACT), default="")
    # HMAC-SHA256 of the request code; the code itself is shown once and never stored.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # HMAC-SHA256 of the form's one-time key: a form sent twice makes one request.
    form_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_on: Mapped[dt.date] = mapped_column(Date)
    # The school day by whose reading time the request must be seen, else it is escalated.
    due_on: Mapped[dt.date] = mapped_column(Date)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether a reply waits that the student has not read yet.
    unread_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # For the school's readers only; never shown to the student.
    note: Mapped[str] = mapped_column(Text, default="")


class HelpMessage(Base):
    """One message of a request's conversation, numbered within the request."""

    __tablename__ = "help_message"
    __table_args__ = (
        CheckConstraint(f"author IN {HELP_AUTHORS!r}", name="author"),
        {"sqlite_with_rowid": False},
    )
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("help_request.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    author: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    sent_on: Mapped[dt.date] = mapped_column(Date)
