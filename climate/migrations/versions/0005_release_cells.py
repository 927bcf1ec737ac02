"""published releases keep the cell data they were made from, to audit a later release against

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Releases stored before this revision have no data (NULL). The data of one whose state
# is still the administration's are stored the next time the release is read; a release of
# a year whose responses changed since an older one was stored cannot be checked against it.


def upgrade() -> None:
    with op.batch_alter_table("published_release", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cells", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("published_release", schema=None) as batch_op:
        batch_op.drop_column("cells")
