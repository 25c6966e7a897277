"""Is this database whole? The checks a restore runs on the backup before it is used and on the result.

Each check returns its problems (empty: passed)::

    result = verify(engine)
    result.ok                    # True
    [c.name for c in result.checks]   # ["integrity", "schema", "history", "audit"]

- **integrity**: SQLite's ``PRAGMA integrity_check`` and ``foreign_key_check``; on PostgreSQL every table is
  read through (the server keeps its own constraints).
- **schema**: the schema is at the newest migration.
- **history**: replaying the revision log gives exactly the records in the tables (``registry.history``).
- **audit**: stewardship's hash-chained audit log is unbroken (``stewardship.audit.verify``), where the
  database has one.

``CHECKS`` is the list a restore runs: a capability that adds state with its own invariant (a new chain, a
derived table) adds its check there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from tsbkart.db.migrate import alembic_config
from tsbkart.db.models import Base
from tsbkart.db.stewardship import AuditEventRow
from tsbkart.domain.messages import Message
from tsbkart.registry.history import replay
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.records import from_json, to_json
from tsbkart.registry.store import Registry
from tsbkart.stewardship.audit import verify as verify_chain

CheckFunction = Callable[[Engine], list[Message]]


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    problems: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class Verification:
    checks: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return all(not c.problems for c in self.checks)

    @property
    def problems(self) -> tuple[Message, ...]:
        return tuple(p for c in self.checks for p in c.problems)


def integrity(engine: Engine) -> list[Message]:
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            answer = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            orphans = list(connection.exec_driver_sql("PRAGMA foreign_key_check"))
        found = [Message("SQLite integrity check: {detail}", detail=a) for a in answer if a != "ok"]
        return found + [
            Message(
                "row {row} of table {table} refers to a missing {parent}", row=o[1], table=o[0], parent=o[2]
            )
            for o in orphans
        ]
    problems: list[Message] = []
    present = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in present:
                connection.execute(select(func.count()).select_from(table)).scalar_one()
            else:
                problems.append(Message("table {table} is missing", table=table.name))
    return problems


def _at_newest_migration(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    if not inspect(engine).has_table("alembic_version"):
        return False
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def schema(engine: Engine) -> list[Message]:
    return (
        []
        if _at_newest_migration(engine)
        else [Message("the schema is not at the newest migration (tsbkart db upgrade)")]
    )


def history(engine: Engine) -> list[Message]:
    """The revision log replays to the records in the tables (both read through the domain classes)."""
    with Session(engine) as session:
        state = replay(session).state
    snapshot = Registry(engine).snapshot()
    problems: list[Message] = []
    for kind in KINDS.names():
        replayed = {i: to_json(from_json(kind, data)) for i, data in state[kind].items()}
        stored = {i: to_json(record) for i, record in snapshot.records(kind).items()}
        differing = sorted(i for i in replayed.keys() | stored.keys() if replayed.get(i) != stored.get(i))
        if differing:
            problems.append(
                Message(
                    "{count} {kind} record(s) differ from what the revision log replays to, e.g. {example}",
                    count=len(differing),
                    kind=kind,
                    example=differing[0],
                )
            )
    return problems


def audit(engine: Engine) -> list[Message]:
    if not inspect(engine).has_table(AuditEventRow.__tablename__):
        return []  # a database from before stewardship
    return [Message("audit chain: {problem}", problem=p) for p in verify_chain(engine).problems]


CHECKS: tuple[tuple[str, CheckFunction], ...] = (
    ("integrity", integrity),
    ("schema", schema),
    ("history", history),
    ("audit", audit),
)


def verify(engine: Engine) -> Verification:
    """Every check of ``CHECKS``; the later ones are skipped when the database cannot be read at all."""
    results: list[CheckResult] = []
    for name, check in CHECKS:
        results.append(CheckResult(name, tuple(check(engine))))
        if name == "integrity" and results[-1].problems:
            break
    return Verification(tuple(results))
