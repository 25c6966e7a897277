"""record versions: every registry record carries the id of the revision that last wrote it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Record tables and the kind their changes are logged under, as they were at this migration.
TABLES = {
    "organisations": "organisation",
    "assessment_teams": "team",
    "units": "unit",
    "service_offers": "offer",
}


def upgrade() -> None:
    for table, kind in TABLES.items():
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
        # The tables are the change log's end state, so every record has a change: its last one is its version.
        op.execute(
            f"UPDATE {table} SET version = COALESCE((SELECT MAX(changes.revision_id) FROM changes"
            f" WHERE changes.kind = '{kind}' AND changes.entity_id = {table}.id), 0)"
        )
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("version", server_default=None)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("version")
