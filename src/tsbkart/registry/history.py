"""History: replay the revision log, rebuild the registry at any moment, and show a record's revisions.

The change log is the source of truth; the record tables are its materialised end state. ``replay`` with no
date must therefore reproduce the record tables exactly (a test checks it)::

    state, versions, last = replay(session)       # {"unit": {"ous-rusakutt": {...flat json...}}, ...},
                                                  # {"unit": {"ous-rusakutt": 12}, ...}, 40
    snap = as_of(engine, date(2026, 1, 1))        # RegistrySnapshot as it was at the end of that day (UTC)
    snaps = series(engine, [date(2025, 1, 1), date(2026, 1, 1)])   # the same, at many dates, in one pass
    for entry in record_history(engine, "unit", "ous-rusakutt"): print(entry.revision_id, entry.changed)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Engine, Text, cast, select
from sqlalchemy.orm import Session

from tsbkart.db.models import AreaUnitRow, ChangeRow, RevisionRow
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Provenance
from tsbkart.registry.changes import Change, Delete, Upsert
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.records import ProvenanceKey, diff, from_json
from tsbkart.registry.snapshot import Geography, RegistrySnapshot
from tsbkart.registry.store import as_utc, load_geography

State = dict[str, dict[str, dict[str, Any]]]
Versions = dict[str, dict[str, int]]


class Replayed(NamedTuple):
    state: State  # kind -> id -> flat JSON
    versions: Versions  # kind -> id -> the revision that last wrote it
    revision: int  # the last revision applied; 0 = none


def moment(when: date | datetime) -> datetime:
    """A date means the end of that day (UTC): ``as_of(2026-01-01)`` includes that day's revisions."""
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime.combine(when + timedelta(days=1), time.min, tzinfo=UTC) - timedelta(microseconds=1)


def replay(session: Session, until: datetime | None = None) -> Replayed:
    """Apply every change up to ``until`` (inclusive) in revision order."""
    state: State = {kind: {} for kind in KINDS.names()}
    versions: Versions = {kind: {} for kind in KINDS.names()}
    query = (
        select(ChangeRow.kind, ChangeRow.entity_id, ChangeRow.after, RevisionRow.id)
        .join(RevisionRow, RevisionRow.id == ChangeRow.revision_id)
        .order_by(RevisionRow.id, ChangeRow.id)
    )
    if until is not None:
        query = query.where(RevisionRow.created_at <= until)
    last = 0
    for kind, entity_id, after, revision_id in session.execute(query):
        if after is None:
            state[kind].pop(entity_id, None)
            versions[kind].pop(entity_id, None)
        else:
            state[kind][entity_id] = after
            versions[kind][entity_id] = revision_id
        last = revision_id
    return Replayed(state, versions, last)


def snapshot_from_state(replayed: Replayed, session: Session, taken_at: datetime) -> RegistrySnapshot:
    state = replayed.state
    return RegistrySnapshot.build(
        load_geography(session, taken_at.date()),
        records=[from_json(kind, row) for kind, by_id in state.items() for row in by_id.values()],
        versions=replayed.versions,
        revision=replayed.revision,
        taken_at=taken_at,
    )


def as_of(engine: Engine, when: date | datetime) -> RegistrySnapshot:
    """The registry as it was at ``when`` (a date: at the end of that day, UTC)."""
    until = moment(when)
    with Session(engine) as session:
        return snapshot_from_state(replay(session, until), session, until)


def series(engine: Engine, dates: Sequence[date | datetime]) -> list[RegistrySnapshot]:
    """``[as_of(engine, d) for d in dates]``, in the order given, from one pass over the revision log.

    The log is read once, oldest first. Between two checkpoints (sorted) only the last write of each record
    is parsed and decoded, and the next snapshot is the previous one ``with_changes``: no full replay per date. The
    geography is loaded again only when an area unit's validity starts or ends between two checkpoints.

    ``as_of`` includes every revision whose ``created_at`` is at or before the moment; revisions are written
    in id order under one lock, so their times rise with their ids. Should a clock ever have stepped back,
    the single pass would not cover the same revisions, so ``series`` then falls back to one replay per date
    rather than give a different answer.
    """
    moments = [moment(d) for d in dates]
    out: dict[int, RegistrySnapshot] = {}
    with Session(engine) as session:
        query = (
            # ``after`` as its JSON text: only the last write of a record before a checkpoint is parsed.
            select(
                ChangeRow.kind,
                ChangeRow.entity_id,
                cast(ChangeRow.after, Text).label("after"),
                RevisionRow.id,
                RevisionRow.created_at,
            )
            .join(RevisionRow, RevisionRow.id == ChangeRow.revision_id)
            .order_by(RevisionRow.id, ChangeRow.id)
        )
        rows = iter(session.execute(query).yield_per(2000))
        pending = next(rows, None)
        naive = pending is not None and pending.created_at.tzinfo is None
        previous = datetime.min if naive else datetime.min.replace(tzinfo=UTC)
        boundaries = _geography_boundaries(session)
        current: RegistrySnapshot | None = None
        geography: Geography | None = None
        last, day = 0, None
        shared: dict[ProvenanceKey, Provenance] = {}  # one Provenance per distinct source, as an import does
        for index in sorted(range(len(moments)), key=moments.__getitem__):
            until = moments[index]
            latest: dict[tuple[str, str], tuple[str | None, int]] = {}
            # Compared as the database returns them (SQLite: naive UTC), not converted row by row.
            bound = until.replace(tzinfo=None) if naive else until
            while pending is not None and (written := pending.created_at) <= bound:
                if written < previous:  # a clock stepped back: see above
                    return [snapshot_from_state(replay(session, m), session, m) for m in moments]
                previous = written
                latest[(pending.kind, pending.entity_id)] = (pending.after, pending.id)
                last = pending.id
                pending = next(rows, None)
            if geography is None or day is None or any(day < b <= until.date() for b in boundaries):
                geography = load_geography(session, until.date())
            day = until.date()
            changes = [_change(kind, key, after, shared) for (kind, key), (after, _) in latest.items()]
            versions = {key: revision for key, (_, revision) in latest.items()}
            current = (
                _built(changes, versions, geography, last, until)
                if current is None
                else current.with_changes(
                    changes, versions=versions, geography=geography, revision=last, taken_at=until
                )
            )
            out[index] = current
        if pending is not None and moments and _written_back(session, pending.id, max(moments)):
            return [snapshot_from_state(replay(session, m), session, m) for m in moments]
    return [out[i] for i in range(len(moments))]


def _change(kind: str, entity_id: str, after: str | None, shared: dict[ProvenanceKey, Provenance]) -> Change:
    """A change from the log's JSON text of ``after`` (SQL NULL or JSON ``null``: the record was deleted)."""
    data = None if after is None else orjson.loads(after)
    return Delete(kind, entity_id) if data is None else Upsert(from_json(kind, data, shared))


def _written_back(session: Session, from_revision: int, until: datetime) -> bool:
    """Whether a change not read yet (revision ``from_revision`` on) is dated at or before ``until``."""
    query = (
        select(ChangeRow.id)
        .join(RevisionRow, RevisionRow.id == ChangeRow.revision_id)
        .where(RevisionRow.id >= from_revision, RevisionRow.created_at <= until)
        .limit(1)
    )
    return session.scalar(query) is not None


def _geography_boundaries(session: Session) -> set[date]:
    """The days on which the set of valid area units changes (a ``valid_from`` or a ``valid_to``)."""
    starts = session.scalars(select(AreaUnitRow.valid_from).distinct())
    ends = session.scalars(select(AreaUnitRow.valid_to).distinct().where(AreaUnitRow.valid_to.is_not(None)))
    return {*starts, *(end for end in ends if end is not None)}


def _built(
    changes: Iterable[Change],
    versions: dict[tuple[str, str], int],
    geography: Geography,
    revision: int,
    taken_at: datetime,
) -> RegistrySnapshot:
    """The first checkpoint's snapshot, built from scratch from the last writes up to it."""
    records = [change.record for change in changes if isinstance(change, Upsert)]
    by_kind: dict[str, dict[str, int]] = {kind: {} for kind in KINDS.names()}
    for record in records:
        kind = KINDS.of(record).name
        by_kind[kind][record.id] = versions[(kind, record.id)]
    return RegistrySnapshot.build(
        geography, records=records, versions=by_kind, revision=revision, taken_at=taken_at
    )


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    revision_id: int
    created_at: datetime
    actor: Actor
    reason: str
    kind: str
    entity_id: str
    op: str
    changed: dict[str, tuple[Any, Any]]
    approved_by: Actor | None = None


def record_history(
    engine: Engine, kind: str, entity_id: str, include_offers: bool = True
) -> list[HistoryEntry]:
    """Every revision of one record, oldest first, with the fields each changed.

    For a unit, ``include_offers`` adds the revisions of its service offers (matched on unit_id before or after).
    """
    with Session(engine) as session:
        query = (
            select(ChangeRow, RevisionRow)
            .join(RevisionRow, RevisionRow.id == ChangeRow.revision_id)
            .where(ChangeRow.kind == kind, ChangeRow.entity_id == entity_id)
        )
        rows = list(session.execute(query))
        if kind == "unit" and include_offers:
            offers = (
                select(ChangeRow, RevisionRow)
                .join(RevisionRow, RevisionRow.id == ChangeRow.revision_id)
                .where(ChangeRow.kind == "offer", ChangeRow.parent_id == entity_id)
            )
            rows += list(session.execute(offers))
        rows.sort(key=lambda r: (r[1].id, r[0].id))
        return [
            HistoryEntry(
                revision_id=rev.id,
                created_at=as_utc(rev.created_at),
                actor=revision_actor(rev),
                approved_by=revision_approver(rev),
                reason=rev.reason,
                kind=change.kind,
                entity_id=change.entity_id,
                op=change.op,
                changed=diff(change.before, change.after),
            )
            for change, rev in rows
        ]


def revision_actor(revision: RevisionRow) -> Actor:
    return Actor(revision.actor_kind, revision.actor_id, revision.actor_name)  # type: ignore[arg-type]


def revision_approver(revision: RevisionRow) -> Actor | None:
    if (
        revision.approved_by_kind is None
        or revision.approved_by_id is None
        or revision.approved_by_name is None
    ):
        return None
    return Actor(revision.approved_by_kind, revision.approved_by_id, revision.approved_by_name)  # type: ignore[arg-type]
