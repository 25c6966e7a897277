"""Run Alembic migrations from code (``tsbkart db upgrade``), so no alembic.ini is needed at run time."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("tsbkart.db") / "migrations"))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema at ``engine`` to ``revision`` (default: the newest).

    On SQLite, foreign keys are off while the migrations run and checked before they commit (SQLite's own
    procedure for altering tables): a batch migration copies a table and drops the old one, which with
    foreign keys on would fail for any table other rows refer to.
    """
    _migrate(engine, revision, "upgrade")


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (tests use it to build a database as an older version left it)."""
    _migrate(engine, revision, "downgrade")


def _migrate(engine: Engine, revision: str, direction: str) -> None:
    config = alembic_config(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:  # outside any transaction, where the pragma takes effect
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                getattr(command, direction)(config, revision)
                if sqlite:
                    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if violations:
                        raise RuntimeError(f"migration left foreign keys broken: {violations[:5]}")
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
