"""Alembic environment: runs migrations on the connection or URL handed in by ``tsbkart.db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from tsbkart.db import stewardship  # noqa: F401  (registers the stewardship tables on Base.metadata)
from tsbkart.db.engine import make_engine
from tsbkart.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with make_engine(config.get_main_option("sqlalchemy.url") or "").connect() as conn:
        _run(conn)
        conn.commit()
