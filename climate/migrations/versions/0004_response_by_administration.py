"""response keyed by administration and school: one administration's rows read in one run

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On SQLite the table is WITHOUT ROWID, so its primary key orders the rows on disk: keyed by
# (administration_id, school_id, id), a release reads its administration as one range in
# school order instead of looking up each random id; the key's prefix replaces the index.


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_administration_id_school_id"))
        batch_op.drop_constraint(batch_op.f("pk_response"), type_="primary")
        batch_op.create_primary_key(
            batch_op.f("pk_response"), ["administration_id", "school_id", "id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("pk_response"), type_="primary")
        batch_op.create_primary_key(batch_op.f("pk_response"), ["id"])
        batch_op.create_index(
            batch_op.f("ix_response_administration_id_school_id"),
            ["administration_id", "school_id"],
            unique=False,
        )
