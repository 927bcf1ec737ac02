"""support staff from the Civil Rights Data Collection, and where each staffing value came from

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 16:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("counselor", "psychologist", "social_worker", "sworn_officers")


def upgrade() -> None:
    # Empty for every existing row: what is there came from the district's own roster.
    with op.batch_alter_table("staffing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=40), nullable=True))
    op.create_table(
        "crdc_staffing",
        sa.Column("school_id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        *(sa.Column(column, sa.Float(), nullable=True) for column in COLUMNS),
        *(
            sa.CheckConstraint(f"{column} >= 0", name=op.f(f"ck_crdc_staffing_{column}"))
            for column in COLUMNS
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_crdc_staffing_school_id_school")
        ),
        sa.PrimaryKeyConstraint("school_id", "year", name=op.f("pk_crdc_staffing")),
    )


def downgrade() -> None:
    op.drop_table("crdc_staffing")
    with op.batch_alter_table("staffing", schema=None) as batch_op:
        batch_op.drop_column("source")
