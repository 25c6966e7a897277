"""The registry's write path and its current read model.

Every write goes through ``Registry.commit`` (or ``Registry.writing`` for a writer that must first read the
current records, like the importer): one transaction holding the database's write lock, one revision (actor,
time, reason) and one change row per record touched, holding the full record before and after. Nothing is
overwritten without a trace, a batch that fails validation writes nothing, and a change based on a version
that is no longer current is refused with a ``Conflict`` naming the record::

    registry = Registry(engine)
    snap = registry.snapshot()        # cached; brought up to date by applying the changes committed since
    rev = registry.commit(
        [Upsert(unit, based_on=snap.version("unit", unit.id)), Delete("offer", "x/akutt", based_on=7)],
        actor=Actor.cli("steward@ous"), reason="new ward",
    )
    with registry.writing() as tx:    # read inside the write lock, then commit what was merged
        current = tx.current("unit", ["ous-rusakutt"])      # {"ous-rusakutt": {...flat json...}}
        written = tx.commit([Upsert(merged)], actor=actor, reason=reason)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import attrgetter, itemgetter
from threading import Lock
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Engine,
    Table,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from tsbkart.db.engine import read_transaction, write_transaction
from tsbkart.db.models import (
    AreaUnitRow,
    CatchmentRow,
    ChangeRow,
    RegionRow,
    RevisionRow,
)
from tsbkart.domain.actors import WRITER_KINDS, Actor
from tsbkart.domain.calendar import today as norway_today
from tsbkart.domain.entities import AreaUnit, CatchmentArea, Region, RegistryRecord
from tsbkart.registry.changes import ABSENT, Change, Delete, Upsert
from tsbkart.registry.follower import CHANNEL, latest_revision
from tsbkart.registry.kinds import GEOGRAPHY, KINDS
from tsbkart.registry.records import from_json, json_to_row, row_to_json, to_json
from tsbkart.registry.snapshot import Geography, RegistrySnapshot
from tsbkart.registry.validation import KnownIds, Problem, ValidationFailed, validate_records
from tsbkart.registry.versions import Conflict, StaleRecord

__all__ = ["ABSENT", "Change", "Delete", "Registry", "Upsert", "WriteTransaction", "Written"]

# Keep IN (...) lists well under SQLite's and PostgreSQL's parameter limits.
IN_CHUNK = 900


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything tsbkart stores is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _change_rows(kind: str, entries: Sequence[PlanEntry]) -> list[dict[str, Any]]:
    """The change log's rows of one kind's plan (without their revision), each naming the record's parent."""
    parent = KINDS[kind].parent
    return [
        {
            "kind": kind,
            "entity_id": entity_id,
            "parent_id": (new or old or {}).get(parent) if parent else None,
            "op": op,
            "before": old,
            "after": new,
        }
        for op, entity_id, old, new in entries
    ]


def record_table(kind: str) -> Table:
    return KINDS[kind].table


def _chunks(items: Sequence[str], size: int = IN_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_geography(session: Session, on: date | None = None) -> Geography:
    """Regions, catchment areas and the area units valid on ``on`` (default: today)."""
    day = on or norway_today()
    units = session.scalars(
        select(AreaUnitRow).where(
            AreaUnitRow.valid_from <= day, (AreaUnitRow.valid_to.is_(None)) | (AreaUnitRow.valid_to > day)
        )
    )
    return Geography.build(
        regions=[Region(r.code, r.name) for r in session.scalars(select(RegionRow))],
        catchments=[
            CatchmentArea(c.code, c.name, c.short_name, c.region_code)
            for c in session.scalars(select(CatchmentRow))
        ],
        area_units=[
            AreaUnit(
                code=u.code,
                name=u.name,
                kind=u.kind,
                county=u.county,
                catchment_code=u.catchment_code,
                lat=u.lat,
                lon=u.lon,
                valid_from=u.valid_from,
                valid_to=u.valid_to,
                parent_code=u.parent_code,
                point_source=u.point_source,
            )
            for u in units
        ],
    )


@dataclass(frozen=True, slots=True)
class Current:
    """Current rows of one kind: the flat JSON records and their versions, by id."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)


def fetch_current(session: Session, kind: str, ids: Sequence[str] | None = None) -> Current:
    """Current rows of one kind: all of them, or only ``ids``; the version is split off the record's JSON.

    For many ids (a large import) the ids that exist are looked up first, so a batch of new records costs one
    query rather than one per chunk of ``IN (...)``.
    """
    table = record_table(kind)
    if ids is not None and len(ids) > 4 * IN_CHUNK:
        wanted = set(ids)
        ids = [i for i in session.scalars(select(table.c.id)) if i in wanted]
    out = Current()
    batches: Iterable[Sequence[str] | None] = [None] if ids is None else _chunks(list(ids))
    for batch in batches:
        query = select(table)
        if batch is not None:
            query = query.where(table.c.id.in_(batch))
        for row in session.execute(query).mappings():
            data = row_to_json(kind, dict(row))
            out.versions[row["id"]] = data.pop("version")
            out.records[row["id"]] = data
    return out


def revision_in(session: Session) -> int:
    """The latest revision id as ``session`` sees it (inside a read or write transaction)."""
    return int(session.scalar(select(func.coalesce(func.max(RevisionRow.id), 0))) or 0)


@dataclass(frozen=True, slots=True)
class Written:
    """What one commit wrote: its revision (None when nothing changed) and how many records per kind and op."""

    revision: int | None
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # kind -> op -> n

    def count(self, kind: str, op: str) -> int:
        return self.counts.get(kind, {}).get(op, 0)


class WriteTransaction:
    """One registry write inside the database's write lock: read with ``current``, then ``commit`` once.

    Nobody else can write between the reads and the commit, so a merge made from ``current`` never loses a
    concurrent edit, and the change log's ``before`` is the real prior state.
    """

    def __init__(self, session: Session, clock: Callable[[], datetime]) -> None:
        self.session = session
        self._clock = clock
        self._records: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KINDS.names()}
        self._versions: dict[str, dict[str, int]] = {kind: {} for kind in KINDS.names()}
        self._read: dict[str, set[str]] = {kind: set() for kind in KINDS.names()}
        self.written: Written | None = None

    def current(self, kind: str, ids: Iterable[str]) -> Mapping[str, dict[str, Any]]:
        """The current flat JSON of the records ``ids`` of ``kind`` that exist (and of any read before)."""
        missing = [i for i in dict.fromkeys(ids) if i not in self._read[kind]]
        if missing:
            found = fetch_current(self.session, kind, missing)
            self._records[kind].update(found.records)
            self._versions[kind].update(found.versions)
            self._read[kind].update(missing)
        return self._records[kind]

    def version(self, kind: str, entity_id: str) -> int:
        """The current version of a record ``current`` has read (ABSENT when it does not exist)."""
        return self._versions[kind].get(entity_id, ABSENT)

    def commit(
        self, changes: Iterable[Change], *, actor: Actor, reason: str, approved_by: Actor | None = None
    ) -> Written:
        """Apply ``changes`` as one revision (see ``Registry.commit``); a transaction commits once."""
        if self.written is not None:
            raise RuntimeError("this write transaction has already committed")
        _check_signature(actor, reason, approved_by)
        upserts: dict[str, dict[str, RegistryRecord]] = {kind: {} for kind in KINDS.names()}
        deletes: dict[str, set[str]] = {kind: set() for kind in KINDS.names()}
        based_on: dict[tuple[str, str], int] = {}
        for change in changes:
            if isinstance(change, Upsert):
                kind, entity_id = KINDS.of(change.record).name, change.record.id
                upserts[kind][entity_id] = change.record
            else:
                kind, entity_id = change.kind, change.id
                deletes[kind].add(entity_id)
            if change.based_on is not None:
                based_on[(kind, entity_id)] = change.based_on
        self.written = self._write(upserts, deletes, based_on, actor, reason, approved_by)
        return self.written

    def _write(
        self,
        upserts: dict[str, dict[str, RegistryRecord]],
        deletes: dict[str, set[str]],
        based_on: dict[tuple[str, str], int],
        actor: Actor,
        reason: str,
        approved_by: Actor | None,
    ) -> Written:
        before = {kind: self.current(kind, [*upserts[kind], *deletes[kind]]) for kind in KINDS.names()}
        stale = [
            StaleRecord(kind, entity_id, expected, self.version(kind, entity_id))
            for (kind, entity_id), expected in sorted(based_on.items())
            if self.version(kind, entity_id) != expected
        ]
        if stale:
            raise Conflict(stale)
        _validate(self.session, upserts, deletes, before)
        plan = _plan(upserts, deletes, before)
        if not any(plan.values()):
            return Written(None)
        revision = RevisionRow(
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_name=actor.name,
            approved_by_kind=approved_by.kind if approved_by else None,
            approved_by_id=approved_by.id if approved_by else None,
            approved_by_name=approved_by.name if approved_by else None,
            created_at=self._clock(),
            reason=reason,
            change_count=0,
        )
        self.session.add(revision)
        self.session.flush()
        change_rows = [row for kind in KINDS.names() for row in _change_rows(kind, plan[kind])]
        _apply_plan(self.session, plan, revision.id)
        # Core insert, not the ORM bulk path: same rows, ~20% less CPU for a 100,000-row import.
        change_table = ChangeRow.__table__
        assert isinstance(change_table, Table)
        bulk_insert(self.session, change_table, change_rows, {"revision_id": revision.id})
        revision.change_count = len(change_rows)
        if self.session.get_bind().dialect.name == "postgresql":
            # Delivered at commit (never for a rolled-back write): other processes refresh their snapshots.
            self.session.execute(
                text("SELECT pg_notify(:channel, :revision)"),
                {"channel": CHANNEL, "revision": str(revision.id)},
            )
        counts = {kind: dict(Counter(entry[0] for entry in plan[kind])) for kind in KINDS.names()}
        return Written(revision.id, counts)


def _check_signature(actor: Actor, reason: str, approved_by: Actor | None) -> None:
    if not isinstance(actor, Actor) or not (approved_by is None or isinstance(approved_by, Actor)):
        raise TypeError("a revision's actor (and approved_by) must be an Actor, e.g. Actor.cli(name)")
    if any(a is not None and a.kind not in WRITER_KINDS for a in (actor, approved_by)):
        raise ValueError("a revision needs an identified actor (cli, user, token or system), not anonymous")
    if not reason.strip():
        raise ValueError("a revision needs a reason")


class Registry:
    """Reads and writes the registry in one database; safe for many threads and processes at once."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self._lock = Lock()
        self._snapshot: RegistrySnapshot | None = None
        self._listeners: list[Callable[[RegistrySnapshot], None]] = []

    # --- reads -------------------------------------------------------------------------------------------

    def latest_revision(self) -> int:
        return latest_revision(self.engine)

    def snapshot(self) -> RegistrySnapshot:
        """The current state: the cached snapshot with the changes committed since (by anyone) applied."""
        with self._lock:
            if self._snapshot is None:
                self._snapshot = self.load_snapshot()
            else:
                self._snapshot = self._refresh(self._snapshot)
            return self._snapshot

    def geography(self, on: date | None = None) -> Geography:
        with Session(self.engine) as session:
            return load_geography(session, on)

    def load_snapshot(self) -> RegistrySnapshot:
        """The whole registry read from its tables (``snapshot()`` does this once, then applies changes)."""
        with read_transaction(self.engine) as session:
            revision = revision_in(session)
            current = {kind: fetch_current(session, kind) for kind in KINDS.names()}
            geography = load_geography(session)
        return RegistrySnapshot.build(
            geography,
            records=[from_json(kind, row) for kind, rows in current.items() for row in rows.records.values()],
            versions={kind: current[kind].versions for kind in KINDS.names()},
            revision=revision,
            taken_at=self.clock(),
        )

    def _refresh(self, snapshot: RegistrySnapshot) -> RegistrySnapshot:
        """``snapshot`` with every change committed after its revision applied (itself when there is none).

        Writers hold the write lock from before their revision id is handed out until they commit, so revisions
        become visible in id order and "every change after revision N" misses nothing.
        """
        with read_transaction(self.engine) as session:
            latest = revision_in(session)
            if latest == snapshot.revision:
                return snapshot
            last: dict[tuple[str, str], tuple[dict[str, Any] | None, int]] = {}
            query = (
                select(ChangeRow.kind, ChangeRow.entity_id, ChangeRow.after, ChangeRow.revision_id)
                .where(ChangeRow.revision_id > snapshot.revision, ChangeRow.revision_id <= latest)
                .order_by(ChangeRow.revision_id, ChangeRow.id)
            )
            for kind, entity_id, after, revision_id in session.execute(query):
                last[(kind, entity_id)] = (after, revision_id)
            geography = load_geography(session)
        changes: list[Change] = [
            Delete(kind, entity_id) if after is None else Upsert(from_json(kind, after))
            for (kind, entity_id), (after, _) in last.items()
        ]
        versions = {key: revision_id for key, (after, revision_id) in last.items() if after is not None}
        return snapshot.with_changes(
            changes, versions=versions, geography=geography, revision=latest, taken_at=self.clock()
        )

    def on_commit(self, listener: Callable[[RegistrySnapshot], None]) -> None:
        """Call ``listener`` with the new snapshot after every commit made through this instance."""
        self._listeners.append(listener)

    # --- writes ------------------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[WriteTransaction]:
        """A write transaction: it waits for any other writer (in any process), commits when the block ends
        without an error, and then tells the listeners about the new snapshot."""
        with write_transaction(self.engine) as session:
            transaction = WriteTransaction(session, self.clock)
            yield transaction
        if transaction.written is not None and transaction.written.revision is not None:
            self._notify()

    def commit(
        self, changes: Iterable[Change], *, actor: Actor, reason: str, approved_by: Actor | None = None
    ) -> int | None:
        """Apply ``changes`` as one revision; returns its id, or None when nothing actually changed.

        Raises ``Conflict`` (naming every stale record) when a change's ``based_on`` is not the record's
        current version, and ValidationFailed (with every problem) when any record is invalid; either way
        nothing is written.
        """
        with self.writing() as transaction:
            written = transaction.commit(changes, actor=actor, reason=reason, approved_by=approved_by)
        return written.revision

    def _notify(self) -> None:
        if not self._listeners:
            return
        snapshot = self.snapshot()
        for listener in self._listeners:
            listener(snapshot)


def _validate(
    session: Session,
    upserts: dict[str, dict[str, RegistryRecord]],
    deletes: dict[str, set[str]],
    before: Mapping[str, Mapping[str, dict[str, Any]]],
) -> None:
    refs = _referenced_ids(upserts)
    ids: dict[str, set[str] | None] = {
        kind: (set(_fetch_ids(session, kind, wanted)) | set(upserts[kind])) - deletes[kind]
        for kind, wanted in refs.items()
    }
    ids |= geography_ids(load_geography(session))
    records = [r for kind in KINDS.names() for r in upserts[kind].values()]
    problems = validate_records(records, KnownIds(ids))
    for kind in KINDS.names():
        for entity_id in sorted(deletes[kind] - set(before[kind])):
            problems.append(Problem(kind, entity_id, "id", f"cannot delete: no {kind} {entity_id!r}"))
    if problems:
        raise ValidationFailed(problems)


PlanEntry = tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]


def geography_ids(geography: Geography) -> dict[str, set[str] | None]:
    """The codes references to geography may take, by ``GEOGRAPHY`` target; None (unchecked) when not loaded."""
    codes = {
        "catchment": geography.catchments,
        "region": geography.regions,
        "area_unit": geography.area_units,
    }
    assert codes.keys() == GEOGRAPHY.keys()
    return {target: set(found) or None for target, found in codes.items()}


def _referenced_ids(upserts: dict[str, dict[str, RegistryRecord]]) -> dict[str, list[str]]:
    """The ids the upserted records refer to, by referenced kind."""
    refs: dict[str, set[str]] = {kind: set() for kind in KINDS.names()}
    for kind in KINDS:
        records = upserts[kind.name].values()
        for name, target in kind.record_references().items():
            refs[target].update(filter(None, map(attrgetter(name), records)))
    return {kind: sorted(ids) for kind, ids in refs.items()}


def _fetch_ids(session: Session, kind: str, ids: Sequence[str]) -> list[str]:
    table = record_table(kind)
    found: list[str] = []
    for batch in _chunks(list(ids)):
        found.extend(session.scalars(select(table.c.id).where(table.c.id.in_(batch))))
    return found


_NOT_DATES = frozenset({str, type(None)})


def _sqlite_column(column_type: Any, values: Sequence[Any]) -> Sequence[Any]:
    """One column's values as SQLite stores them through SQLAlchemy: JSON as text, dates as ISO text,
    booleans as 1/0."""
    if isinstance(column_type, JSON):
        return [None if v is None else orjson.dumps(v).decode() for v in values]
    if isinstance(column_type, Date | DateTime):
        if set(map(type, values)) <= _NOT_DATES:  # flat JSON holds ISO text already
            return values
        return [v.isoformat() if isinstance(v, date) else v for v in values]
    if isinstance(column_type, Boolean):
        # Stored as 1/0 either way; a bool, unlike an int, goes through the driver's slow adapter lookup.
        return [int(v) if type(v) is bool else v for v in values]
    return values


def _value_tuples(rows: list[dict[str, Any]], names: list[str]) -> list[tuple[Any, ...]]:
    """Each row's values in ``names`` order; a missing key is None. Rows from ``to_json`` have every key, so
    the common case is one C-level ``itemgetter`` call per row (measured: ~0.5 s less per 100,000 offers than
    a ``row.get`` per value)."""
    if len(names) > 1:  # itemgetter of one name returns the bare value, not a tuple
        try:
            return list(map(itemgetter(*names), rows))
        except KeyError:
            pass
    return [tuple(row.get(name) for name in names) for row in rows]


def _iso_parsed(row: dict[str, Any], dates: list[str]) -> dict[str, Any]:
    for name in dates:
        if isinstance(row[name], str):
            row[name] = date.fromisoformat(row[name])
    return row


def bulk_insert(
    session: Session, table: Table, rows: list[dict[str, Any]], constants: Mapping[str, Any] | None = None
) -> None:
    """Insert many rows; the columns are those of the first row, and a key missing from a later row is NULL.
    ``constants`` are columns every row gets the same value in (a revision id, a version), so the caller need
    not copy each row to add them::

        bulk_insert(session, table, [{"id": "a"}, {"id": "b"}], {"version": 7})

    On SQLite through the driver's executemany, with values converted column by column: SQLAlchemy's per-row
    parameter processing cost more than the insert itself for large imports (measured: ~5 s of ~8 s for 100,000
    offers), and so did converting value by value. Other databases use SQLAlchemy's executemany."""
    fixed = dict(constants or {})
    present = [c for c in table.columns if c.name in rows[0] and c.name not in fixed]
    shared = [c for c in table.columns if c.name in fixed]
    names = [c.name for c in present]
    if session.connection().dialect.name != "sqlite":
        dates = [c.name for c in (*present, *shared) if isinstance(c.type, Date)]
        session.execute(
            insert(table),
            [
                _iso_parsed(dict(zip(names, v, strict=True)) | fixed, dates)
                for v in _value_tuples(rows, names)
            ],
        )
        return
    columns = [
        *(
            _sqlite_column(c.type, column)
            for c, column in zip(present, zip(*_value_tuples(rows, names), strict=True), strict=True)
        ),
        *(_sqlite_column(c.type, [fixed[c.name]] * len(rows)) for c in shared),
    ]
    bound = _bound(session, table, [*present, *shared], columns)
    names = [name for name, _ in bound]
    statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    session.connection().exec_driver_sql(statement, list(zip(*(column for _, column in bound), strict=True)))


def _bound(
    session: Session, table: Table, present: Sequence[Any], columns: list[Sequence[Any]]
) -> list[tuple[str, Sequence[Any]]]:
    """The (name, values) to bind on SQLite: a column NULL in every row is left out when the table has no
    default for it, so it is NULL all the same. The driver binds each NULL through a failed adapter lookup that
    costs about ten times a text value (measured: ~8 % of a 10,000-offer import, whose optional columns were
    mostly empty)."""
    named = [(c.name, column) for c, column in zip(present, columns, strict=True)]
    nulls = {name for name, column in named if _all_null(column)}
    if not nulls:
        return named
    info = session.connection().exec_driver_sql(f'PRAGMA table_info("{table.name}")')
    nulls -= {row[1] for row in info if row[4] is not None}  # (cid, name, type, notnull, default, pk)
    return [(name, column) for name, column in named if name not in nulls] or named[:1]


def _all_null(values: Sequence[Any]) -> bool:
    return next(filter(None, values), None) is None and values.count(None) == len(values)


def _plan(
    upserts: dict[str, dict[str, RegistryRecord]],
    deletes: dict[str, set[str]],
    before: Mapping[str, Mapping[str, dict[str, Any]]],
) -> dict[str, list[PlanEntry]]:
    """Per kind: (op, id, before, after) for every record that really changes."""
    plan: dict[str, list[PlanEntry]] = {kind: [] for kind in KINDS.names()}
    for kind in KINDS.names():
        for entity_id, record in upserts[kind].items():
            new = to_json(record)
            old = before[kind].get(entity_id)
            if old is None:
                plan[kind].append(("create", entity_id, None, new))
            elif old != new:
                plan[kind].append(("update", entity_id, old, new))
        for entity_id in sorted(deletes[kind]):
            plan[kind].append(("delete", entity_id, before[kind][entity_id], None))
    return plan


def _apply_plan(session: Session, plan: dict[str, list[PlanEntry]], revision_id: int) -> None:
    """Write the plan to the record tables; every record written gets ``revision_id`` as its version."""
    for kind in reversed(KINDS.names()):
        ids = [entity_id for op, entity_id, _, _ in plan[kind] if op == "delete"]
        table = record_table(kind)
        for batch in _chunks(ids):
            session.execute(delete(table).where(table.c.id.in_(batch)))
    for kind in KINDS.names():
        table = record_table(kind)
        version = {"version": revision_id}
        creates = [new for op, _, _, new in plan[kind] if op == "create" and new is not None]
        updates = [json_to_row(kind, new | version) for op, _, _, new in plan[kind] if op == "update" and new]
        if creates:
            bulk_insert(session, table, creates, version)
        if updates:
            session.execute(update(KINDS[kind].row), updates)
