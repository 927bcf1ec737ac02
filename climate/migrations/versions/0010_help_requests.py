"""students' help requests and their conversations, in tables of their own

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 19:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # WITHOUT ROWID on SQLite: rows lie in the order of their random keys, not of arrival.
    op.create_table(
        "help_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("form_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("unread_reply", sa.Boolean(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('talk', 'worry')", name=op.f("ck_help_request_kind")),
        sa.CheckConstraint("urgency IN ('today', 'week')", name=op.f("ck_help_request_urgency")),
        sa.CheckConstraint(
            "status IN ('new', 'seen', 'in_progress', 'closed')",
            name=op.f("ck_help_request_status"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_help_request_school_id_school"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_request")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_help_request_code_hash")),
        sa.UniqueConstraint("form_hash", name=op.f("uq_help_request_form_hash")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_help_request_school_id"), "help_request", ["school_id"], unique=False)
    op.create_table(
        "help_message",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.CheckConstraint("author IN ('student', 'staff')", name=op.f("ck_help_message_author")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_request.id"],
            name=op.f("fk_help_message_request_id_help_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "number", name=op.f("pk_help_message")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("help_message")
    op.drop_index(op.f("ix_help_request_school_id"), table_name="help_request")
    op.drop_table("help_request")
