"""referrer fields: unit opening hours (HSDS schedule shape) and physical accessibility, offer delivery methods

Revision ID: 0009_filters_referrer_fields
Revises: 0008_trends
Create Date: 2026-12-01 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_filters_referrer_fields"
down_revision: str | None = "0008_trends"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each is unknown (an empty list) until a source or a steward states it.
COLUMNS = {"units": ("opening_hours", "accessibility"), "service_offers": ("delivery_methods",)}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(column, sa.JSON(), nullable=False, server_default="[]"))
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.drop_column(column)
