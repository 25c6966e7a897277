"""unit target groups: what a source states for the whole unit, kept apart from what it states per offer

Revision ID: 0007_filters_target_groups
Revises: 0006_changesets
Create Date: 2026-12-01 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_filters_target_groups"
down_revision: str | None = "0006_changesets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing units state no target group of their own until the reference loader or a steward says so.
    with op.batch_alter_table("units") as batch_op:
        batch_op.add_column(sa.Column("target_groups", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("units") as batch_op:
        batch_op.alter_column("target_groups", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("units") as batch_op:
        batch_op.drop_column("target_groups")
