"""valid time: opened_on and closed_on on units and service offers, as the source states them (#13)

Revision ID: 0008_trends
Revises: 0007_filters_target_groups
Create Date: 2026-12-01 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_trends"
down_revision: str | None = "0007_filters_target_groups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("units", "service_offers")
COLUMNS = ("opened_on", "closed_on")


def upgrade() -> None:
    # Nullable, no default: an existing record's dates were never stated, so they stay unknown.
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            for column in COLUMNS:
                batch_op.add_column(sa.Column(column, sa.Date(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            for column in COLUMNS:
                batch_op.drop_column(column)
