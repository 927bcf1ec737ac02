"""submissions of an open administration are sealed until it closes; receipts keep no day

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 04:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Receipts made before this revision cannot be tied to their administration: they are
# dropped. A retry of a submission made before the upgrade is then stored again only if its
# ticket is unused, so a ticket still cannot store twice.


def upgrade() -> None:
    op.create_table(
        "sealed_response",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("administration_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.String(length=32), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["administration_id"],
            ["administration.id"],
            name=op.f("fk_sealed_response_administration_id_administration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_sealed_response_school_id_school")
        ),
        sa.PrimaryKeyConstraint(
            "administration_id", "school_id", "id", name=op.f("pk_sealed_response")
        ),
        sqlite_with_rowid=False,
    )
    # Made anew rather than altered: SQLite keeps it WITHOUT ROWID only if it is created so.
    op.drop_table("receipt")
    op.create_table(
        "receipt",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("receipt", sa.String(length=32), nullable=False),
        sa.Column("administration_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["administration_id"],
            ["administration.id"],
            name=op.f("fk_receipt_administration_id_administration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_receipt")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        op.f("ix_receipt_administration_id"), "receipt", ["administration_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_receipt_administration_id"), table_name="receipt")
    op.drop_table("receipt")
    op.create_table(
        "receipt",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("receipt", sa.String(length=32), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_receipt")),
        sqlite_with_rowid=False,
    )
    op.drop_table("sealed_response")
