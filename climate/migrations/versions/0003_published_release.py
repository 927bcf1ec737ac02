"""published releases: the disclosure ledger and the cache of protected releases

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_release",
        sa.Column("release_id", sa.String(length=160), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("instrument_version", sa.String(length=32), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("policy_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger", sa.LargeBinary(), nullable=False),
        sa.Column("report", sa.LargeBinary(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("release_id", name=op.f("pk_published_release")),
    )
    with op.batch_alter_table("published_release", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_published_release_instrument_id_year"),
            ["instrument_id", "year"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("published_release", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_published_release_instrument_id_year"))
    op.drop_table("published_release")
