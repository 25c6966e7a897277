"""Engine, and the write transaction every registry write runs in (SQLite by default, PostgreSQL supported).

Writers are serialised across threads and processes by the database itself, so a writer that reads the current
records inside ``write_transaction`` knows nobody changes them before it commits::

    with write_transaction(engine) as session:   # SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock
        ...read current rows, check versions, write...

Readers never wait for the lock (SQLite in WAL mode, PostgreSQL's MVCC).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

# How long a SQLite writer waits for another writer's transaction (a 100,000-row import holds it ~5 s).
SQLITE_BUSY_SECONDS = 60.0
# Key of the PostgreSQL transaction-level advisory lock every registry write holds ("tsbkart" in ASCII).
WRITE_LOCK_KEY = 0x747362_6B617274
_WRITER = "tsbkart_writer"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the driver, begins transactions (see _sqlite_begin), so a writer can BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    # Foreign keys are off by default in SQLite; WAL lets the web server read while a writer commits.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the database's write lock at BEGIN: a writer's reads then see the latest commit and no
    # other writer can commit before it (a deferred BEGIN would fail with "database is locked" on upgrade).
    immediate = connection.get_execution_options().get(_WRITER, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for a SQLite file, its folder is created first."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Session]:
    """A session in a transaction holding the registry's write lock until it commits (or rolls back on error).

    SQLite (an engine from ``make_engine``): ``BEGIN IMMEDIATE``. PostgreSQL: ``pg_advisory_xact_lock``, taken
    before anything is read, so revision ids are also handed out in commit order.
    """
    writer = engine.execution_options(**{_WRITER: True})
    with Session(writer) as session, session.begin():
        if _is_postgres(engine):
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
        yield session


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Session]:
    """A session whose reads all see one committed state (for building a snapshot from several queries).

    SQLite: one deferred transaction reads one WAL snapshot. PostgreSQL: REPEATABLE READ (its default, READ
    COMMITTED, lets each statement see commits made since the previous one).
    """
    reader = engine.execution_options(isolation_level="REPEATABLE READ") if _is_postgres(engine) else engine
    with Session(reader) as session, session.begin():
        yield session


def _is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
