"""History: replay the revision log, rebuild the registry at any moment, and show a record's revisions.

The change log is the source of truth; the record tables are its materialised end state. ``replay`` with no
date must therefore reproduce the record tables exactly (a test checks it)::

    state, versions, last = replay(session)       # {"unit": {"ous-rusakutt": {...flat json...}}, ...},
                                                  # {"unit": {"ous-rusakutt": 12}, ...}, 40
    snap = as_of(engine, date(2026, 1, 1))        # RegistrySnapshot as it was at the end of that day (UTC)
    for entry in record_history(engine, "unit", "ous-rusakutt"): print(entry.revision_id, entry.changed)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tsbkart.db.models import ChangeRow, RevisionRow
from tsbkart.domain.actors import Actor
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.records import diff, from_json
from tsbkart.registry.snapshot import RegistrySnapshot
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
