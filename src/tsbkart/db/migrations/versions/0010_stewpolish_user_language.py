"""the language an account last signed in with (e-mail to it is written in that language)

Revision ID: 0010_stewpolish_user_language
Revises: 0009_filters_referrer_fields
Create Date: 2026-12-01 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_stewpolish_user_language"
down_revision: str | None = "0009_filters_referrer_fields"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Unknown (NULL) until the account signs in: e-mail to it is then in TSBKART_DEFAULT_LANGUAGE.
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("language")
