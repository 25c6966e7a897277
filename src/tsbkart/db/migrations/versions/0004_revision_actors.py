"""revision actors: a typed reference (kind, id, display name) instead of free text, and room for approved_by

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 08:30:01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "'cli', 'user', 'token', 'system'"
# Until now every revision came from `tsbkart import --actor NAME` (a CLI actor) or the reference loader.
REFERENCE_LOADER = "tsbkart reference loader"


def upgrade() -> None:
    with op.batch_alter_table("revisions") as batch_op:
        for name, width in (("kind", 20), ("id", 200), ("name", 200)):
            batch_op.add_column(sa.Column(f"actor_{name}", sa.String(length=width), nullable=True))
            batch_op.add_column(sa.Column(f"approved_by_{name}", sa.String(length=width), nullable=True))
    op.execute(
        "UPDATE revisions SET"
        f" actor_kind = CASE WHEN actor = '{REFERENCE_LOADER}' THEN 'system' ELSE 'cli' END,"
        f" actor_id = CASE WHEN actor = '{REFERENCE_LOADER}' THEN 'reference-loader' ELSE actor END,"
        " actor_name = actor"
    )
    with op.batch_alter_table("revisions") as batch_op:
        for name in ("kind", "id", "name"):
            batch_op.alter_column(f"actor_{name}", nullable=False)
        batch_op.drop_column("actor")
        batch_op.create_check_constraint(op.f("ck_revisions_actor_kind"), f"actor_kind IN ({KINDS})")
        batch_op.create_check_constraint(
            op.f("ck_revisions_approved_by_kind"),
            f"approved_by_kind IS NULL OR approved_by_kind IN ({KINDS})",
        )
        batch_op.create_check_constraint(
            op.f("ck_revisions_approved_by"),
            "(approved_by_kind IS NULL) = (approved_by_id IS NULL)"
            " AND (approved_by_id IS NULL) = (approved_by_name IS NULL)",
        )


def downgrade() -> None:
    with op.batch_alter_table("revisions") as batch_op:
        batch_op.add_column(sa.Column("actor", sa.String(length=200), nullable=True))
    op.execute("UPDATE revisions SET actor = actor_name")
    with op.batch_alter_table("revisions") as batch_op:
        batch_op.alter_column("actor", nullable=False)
        for constraint in ("approved_by", "approved_by_kind", "actor_kind"):
            batch_op.drop_constraint(op.f(f"ck_revisions_{constraint}"), type_="check")
        for name in ("kind", "id", "name"):
            batch_op.drop_column(f"actor_{name}")
            batch_op.drop_column(f"approved_by_{name}")
