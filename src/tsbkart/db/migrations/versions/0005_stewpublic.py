"""stewpublic: error reports from the public, API tokens, the TOTP replay guard

Revision ID: 0005_stewpublic
Revises: 0004
Create Date: 2026-12-01 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_stewpublic"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "error_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("record_kind", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("record_name", sa.String(length=300), nullable=False),
        sa.Column("organisation_id", sa.String(length=200), nullable=True),
        sa.Column("region_code", sa.String(length=120), nullable=True),
        sa.Column("catchment_code", sa.String(length=120), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=320), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("change_set_id", sa.Integer(), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_kind", sa.String(length=20), nullable=True),
        sa.Column("handled_by_id", sa.String(length=200), nullable=True),
        sa.Column("handled_by_name", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'dismissed')", name=op.f("ck_error_reports_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_error_reports")),
        sa.UniqueConstraint("reference", name=op.f("uq_error_reports_reference")),
    )
    with op.batch_alter_table("error_reports") as batch_op:
        batch_op.create_index("ix_error_reports_status_filed", ["status", "filed_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_error_reports_organisation_id"), ["organisation_id"], unique=False
        )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_organisation_id"), ["organisation_id"], unique=False)
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("totp_last_step")
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_organisation_id"))
    op.drop_table("api_tokens")
    with op.batch_alter_table("error_reports") as batch_op:
        batch_op.drop_index(batch_op.f("ix_error_reports_organisation_id"))
        batch_op.drop_index("ix_error_reports_status_filed")
    op.drop_table("error_reports")
