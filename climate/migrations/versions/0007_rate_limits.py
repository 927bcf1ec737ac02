"""rate limits are counted in the database, so every worker and host shares them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # On PostgreSQL the counters skip the write-ahead log: each attempt is then one cheap
    # write, and a crash only empties the table, which gives everyone a fresh window.
    unlogged = ["UNLOGGED"] if op.get_context().dialect.name == "postgresql" else []
    op.create_table(
        "rate_limit",
        sa.Column("key", sa.LargeBinary(length=16), nullable=False),
        sa.Column("window_start", sa.Double(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit")),
        prefixes=unlogged,
    )
    op.create_index(op.f("ix_rate_limit_window_start"), "rate_limit", ["window_start"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_limit_window_start"), table_name="rate_limit")
    op.drop_table("rate_limit")
