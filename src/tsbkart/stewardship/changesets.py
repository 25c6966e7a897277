"""Change sets: a steward's edits, saved as a draft, submitted, and approved into one revision or rejected.

The state machine (nothing happens to a change set after it is approved, rejected or withdrawn)::

    draft --submit--> submitted --approve--> approved      (one registry revision: actor = the author,
      |                  |                                  approved_by = the reviewer)
      |                  +------reject(reason)--> rejected
      +--withdraw--> withdrawn <--withdraw--+

The API the steward's pages, the review pages and the write API share (``engine`` a migrated database,
``registry`` its ``tsbkart.registry.store.Registry``, ``author`` an ``Actor``, ``reviewer`` a ``Principal``)::

    cs = create_draft(engine, author, "org-a", [Upsert(edited_unit, based_on=snap.version("unit", "u"))])
        # audited: changeset_drafted
    cs = update_draft(engine, cs.id, author, changes, note=None)  # a draft's changes replaced (author only);
        # audited: changeset_edited
    cs = submit(engine, cs.id, author)      # audited: changeset_submitted; Conflict when already stale
    cs = withdraw(engine, cs.id, author)                           # draft or submitted; changeset_withdrawn
    cs = approve(engine, registry, cs.id, reviewer, allow_admin_self_approval=settings.admin_self_approval)
        # one revision; raises Conflict (409) when a based_on is stale, SelfApprovalRefused (403, audited)
        # for the author's own change set unless the setting allows an administrator (audited: self_approval),
        # NotAllowed (403, audited) outside the reviewer's area; audited: changeset_approved
    cs = reject(engine, cs.id, reviewer, "reason the steward sees", snapshot=snap)  # changeset_rejected;
        # SelfRejectionRefused (403, audited) for the author's own change set: the author withdraws instead
    cs = rebase(engine, snap, cs.id, author)   # based on the current versions, the steward's values kept;
        # cs.rebased lists the fields someone else changed meanwhile (MeanwhileChange); changeset_rebased
    conflicts(cs, snap)        # [StaleRecord(kind, id, based_on, current)] records changed since based_on
    diff(cs, snap, engine=None)  # [FieldDiff(kind, record_id, op, field, label, published, proposed, part,
                                 #   changed_meanwhile)]; with engine, stale records' rows say what others changed
    overlapping(engine, cs)    # other open change sets touching the same records
    get(engine, id)            # ChangeSet, or ChangeSetNotFound (404)
    for_organisations(engine, ["org-a"], statuses=("draft", "submitted"))   # newest first
    queue_for(engine, principal, snap)   # submitted change sets in the reviewer's area (administrator: all)
    may_review(principal, cs, snap)      # every record of cs lies (before or after) in the principal's area
    may_view(principal, cs, snap)        # the author, the organisation's stewards, its reviewers, administrators
    split_by_review(changes, snap)       # (publish directly, needs review), from review.yaml
    publish_direct(registry, author, changes)   # revision id; refuses changes that need review
    propose(engine, registry, author, "org-a", changes)
        # Proposal(revision_id, change_set): the direct part published, the rest a draft based on it

Every step is audited with the change set as target and ``{"organisation", "changes"}`` as detail (never the
records' values or the note); every function raising a ``UserError`` (``InvalidTransition`` 409, ``NotAuthor``/``NotAllowed`` 403,
``ReasonRequired`` 422) writes nothing. Which fields need review is data: ``stewardship/review.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, cast, get_args

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tsbkart.db.models import ChangeRow
from tsbkart.db.stewardship import ChangeSetRow
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Provenance
from tsbkart.domain.errors import NotFound, UserError
from tsbkart.domain.schema import FIELD_PROVENANCE, schema_of
from tsbkart.registry.changes import ABSENT, Change, Delete, Upsert
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.records import diff as record_diff
from tsbkart.registry.records import from_json, to_json
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.store import Registry, as_utc, fetch_current
from tsbkart.registry.versions import Conflict, StaleRecord
from tsbkart.stewardship import policy
from tsbkart.stewardship.audit import AuditEvent, append, record
from tsbkart.stewardship.places import resource_of
from tsbkart.stewardship.review import ReviewRules, load_review
from tsbkart.stewardship.roles import Principal

__all__ = [
    "ChangeSet",
    "ChangeSetNotFound",
    "Conflict",
    "EmptyChangeSet",
    "FieldDiff",
    "InvalidTransition",
    "MeanwhileChange",
    "NotAllowed",
    "NotAuthor",
    "Proposal",
    "ReasonRequired",
    "SelfApprovalRefused",
    "SelfRejectionRefused",
    "approve",
    "conflicts",
    "create_draft",
    "diff",
    "for_organisations",
    "get",
    "may_review",
    "may_view",
    "overlapping",
    "propose",
    "publish_direct",
    "queue_for",
    "rebase",
    "reject",
    "split_by_review",
    "submit",
    "update_draft",
    "withdraw",
]

Status = Literal["draft", "submitted", "approved", "rejected", "withdrawn"]
STATUSES: tuple[Status, ...] = get_args(Status)
Action = Literal["edit", "submit", "approve", "reject", "withdraw", "rebase"]
# Which status each action may start from; the action's result is fixed (edit and rebase keep the status).
ALLOWED_FROM: Mapping[Action, frozenset[Status]] = {
    "edit": frozenset({"draft"}),
    "submit": frozenset({"draft"}),
    "approve": frozenset({"submitted"}),
    "reject": frozenset({"submitted"}),
    "withdraw": frozenset({"draft", "submitted"}),
    "rebase": frozenset({"draft", "submitted"}),
}
RESULT: Mapping[Action, Status | None] = {
    "edit": None,
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "withdraw": "withdrawn",
    "rebase": None,
}
MAX_REASON = 2000
MAX_NOTE = 2000


# --- errors ------------------------------------------------------------------------------------------------


class ChangeSetNotFound(NotFound):
    def __init__(self, change_set_id: int) -> None:
        self.change_set_id = change_set_id
        super().__init__("No change set has this number.")


class InvalidTransition(UserError):
    """The action is not possible in the change set's status (e.g. approving a draft, editing after a decision)."""

    status = 409

    def __init__(self, action: Action, current: Status) -> None:
        self.action, self.current = action, current
        super().__init__(f"a change set that is {current} cannot be {action}ed")


class NotAuthor(UserError):
    """Only the author edits, submits, withdraws or rebases their change set."""

    status = 403


class NotAllowed(UserError):
    """The reviewer's area does not cover every record of the change set."""

    status = 403


class SelfApprovalRefused(NotAllowed):
    """Nobody approves their own change set (administrators only when the setting allows it)."""


class SelfRejectionRefused(NotAllowed):
    """Nobody rejects their own change set, administrators included: its author withdraws it instead."""


class ReasonRequired(UserError):
    status = 422


class EmptyChangeSet(UserError):
    status = 422


# --- values ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeanwhileChange:
    """A field someone else changed between the version a change was based on and the current one.

    ``kept`` is ``"steward"`` when the steward had changed it too (their value stays in the change set),
    ``"current"`` when the steward had not (the other change is carried over, nothing is lost)."""

    kind: str
    record_id: str
    field: str
    label: str
    based_on: Any
    current: Any
    proposed: Any
    kept: Literal["steward", "current"]


@dataclass(frozen=True)
class ChangeSet:
    id: int
    organisation_id: str
    author: Actor
    status: Status
    changes: tuple[Change, ...]  # Upsert/Delete, each with based_on (the version it was edited from)
    note: str
    created_at: datetime
    submitted_at: datetime | None
    decided_by: Actor | None
    decided_at: datetime | None
    reason: str | None  # why it was rejected (the steward sees it)
    revision_id: int | None  # the revision its approval committed
    updated_at: datetime | None = None
    rebased: tuple[MeanwhileChange, ...] = ()  # what the last rebase found changed meanwhile

    @property
    def target(self) -> str:
        return f"changeset:{self.id}"


@dataclass(frozen=True, slots=True)
class FieldDiff:
    """One field of one record: the published value and the proposed one (JSON values; None = empty).

    ``field`` is the flat JSON key; ``part`` is ``"source"`` for a field's own source (``field`` is then the
    field it describes), ``label`` the English message id of the field's label (the catalogues translate it)."""

    kind: str
    record_id: str
    op: Literal["create", "update", "delete"]
    field: str
    label: str
    published: Any
    proposed: Any
    part: Literal["value", "source"] = "value"
    changed_meanwhile: bool = False  # someone else changed it since the version the edit was based on


@dataclass(frozen=True, slots=True)
class Proposal:
    revision_id: int | None  # what was published directly (None: nothing)
    change_set: ChangeSet | None  # the draft of what needs review (None: nothing)


# --- storage -----------------------------------------------------------------------------------------------


def _utcnow() -> datetime:
    return datetime.now(UTC)


def change_to_json(change: Change) -> dict[str, Any]:
    if change.based_on is None:
        raise ValueError("a change in a change set must state the version it was based on (based_on)")
    if isinstance(change, Upsert):
        kind = KINDS.of(change.record).name
        return {"op": "upsert", "kind": kind, "record": to_json(change.record), "based_on": change.based_on}
    return {"op": "delete", "kind": change.kind, "id": change.id, "based_on": change.based_on}


def change_from_json(data: Mapping[str, Any]) -> Change:
    if data["op"] == "upsert":
        return Upsert(from_json(data["kind"], dict(data["record"])), based_on=int(data["based_on"]))
    return Delete(data["kind"], data["id"], based_on=int(data["based_on"]))


def kind_and_id(change: Change) -> tuple[str, str]:
    if isinstance(change, Upsert):
        return KINDS.of(change.record).name, change.record.id
    return change.kind, change.id


def _actor(kind: str | None, id: str | None, name: str | None) -> Actor | None:
    if kind is None or name is None:
        return None
    return Actor(cast("Any", kind), id, name)


def _from_row(row: ChangeSetRow) -> ChangeSet:
    author = _actor(row.author_kind, row.author_id, row.author_name)
    assert author is not None
    return ChangeSet(
        id=row.id,
        organisation_id=row.organisation_id,
        author=author,
        status=cast("Status", row.status),
        changes=tuple(change_from_json(c) for c in row.changes),
        note=row.note,
        created_at=as_utc(row.created_at),
        submitted_at=as_utc(row.submitted_at) if row.submitted_at else None,
        decided_by=_actor(row.decided_by_kind, row.decided_by_id, row.decided_by_name),
        decided_at=as_utc(row.decided_at) if row.decided_at else None,
        reason=row.reason,
        revision_id=row.revision_id,
        updated_at=as_utc(row.updated_at),
        rebased=tuple(MeanwhileChange(**m) for m in row.rebased or ()),
    )


def _locked(session: Session, change_set_id: int) -> ChangeSetRow:
    row = session.execute(
        select(ChangeSetRow).where(ChangeSetRow.id == change_set_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise ChangeSetNotFound(change_set_id)
    return row


def _stale_in(session: Session, changes: Sequence[Change]) -> list[StaleRecord]:
    """The changes' records whose version in the database is not their ``based_on``."""
    wanted: dict[str, list[str]] = {}
    for change in changes:
        kind, entity_id = kind_and_id(change)
        wanted.setdefault(kind, []).append(entity_id)
    versions = {kind: fetch_current(session, kind, ids).versions for kind, ids in wanted.items()}
    stale = []
    for change in changes:
        kind, entity_id = kind_and_id(change)
        current = versions[kind].get(entity_id, ABSENT)
        if change.based_on is not None and current != change.based_on:
            stale.append(StaleRecord(kind, entity_id, change.based_on, current))
    return stale


def _check(row: ChangeSetRow, action: Action) -> None:
    status = cast("Status", row.status)
    if status not in ALLOWED_FROM[action]:
        raise InvalidTransition(action, status)


def _check_author(row: ChangeSetRow, author: Actor) -> None:
    if (row.author_kind, row.author_id) != (author.kind, author.id):
        raise NotAuthor("only the steward who made this change set may do this")


@contextmanager
def _authors(
    engine: Engine, change_set_id: int, author: Actor, action: Action
) -> Iterator[tuple[Session, ChangeSetRow]]:
    """The change set, locked in one write transaction, once its author may take ``action`` on it
    (``NotAuthor``, ``InvalidTransition``); what the caller sets on the row commits when the block ends."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        row = _locked(session, change_set_id)
        _check_author(row, author)
        _check(row, action)
        yield session, row


def _same(a: Actor, b: Actor) -> bool:
    return (a.kind, a.id) == (b.kind, b.id)


def _event(
    action: str, actor: Actor, change_set: ChangeSetRow, source: str | None, **detail: str | int | None
) -> AuditEvent:
    return AuditEvent(
        action,
        actor,
        "ok",
        f"changeset:{change_set.id}",
        source,
        {"organisation": change_set.organisation_id, "changes": len(change_set.changes), **detail},
    )


def get(engine: Engine, change_set_id: int) -> ChangeSet:
    with Session(engine) as session:
        row = session.get(ChangeSetRow, change_set_id)
        if row is None:
            raise ChangeSetNotFound(change_set_id)
        return _from_row(row)


def for_organisations(
    engine: Engine, organisation_ids: Iterable[str], statuses: Iterable[Status] | None = None
) -> list[ChangeSet]:
    """The change sets of these organisations (all, or only those in ``statuses``), newest first."""
    query = select(ChangeSetRow).where(ChangeSetRow.organisation_id.in_(list(organisation_ids)))
    if statuses is not None:
        query = query.where(ChangeSetRow.status.in_(list(statuses)))
    with Session(engine) as session:
        return [_from_row(r) for r in session.scalars(query.order_by(ChangeSetRow.id.desc()))]


def _submitted(engine: Engine) -> list[ChangeSet]:
    query = select(ChangeSetRow).where(ChangeSetRow.status == "submitted").order_by(ChangeSetRow.submitted_at)
    with Session(engine) as session:
        return [_from_row(r) for r in session.scalars(query)]


# --- the steward's side ------------------------------------------------------------------------------------


def create_draft(
    engine: Engine,
    author: Actor,
    organisation_id: str,
    changes: Sequence[Change],
    note: str = "",
    *,
    source: str | None = None,
    now: datetime | None = None,
) -> ChangeSet:
    """A new draft (audited: ``changeset_drafted``). Each change must state ``based_on``; who may edit the
    organisation is the caller's check (``policy.allowed(principal, "record.edit", resource)``)."""
    moment = now or _utcnow()
    stored = [change_to_json(c) for c in changes]
    with Session(engine, expire_on_commit=False) as session, session.begin():
        row = ChangeSetRow(
            organisation_id=organisation_id,
            author_kind=author.kind,
            author_id=author.id,
            author_name=author.name,
            status="draft",
            changes=stored,
            note=note.strip()[:MAX_NOTE],
            created_at=moment,
            updated_at=moment,
            rebased=[],
        )
        session.add(row)
        session.flush()
        append(session, _event("changeset_drafted", author, row, source), moment)
        return _from_row(row)


def update_draft(
    engine: Engine,
    change_set_id: int,
    author: Actor,
    changes: Sequence[Change],
    *,
    note: str | None = None,
    source: str | None = None,
    now: datetime | None = None,
) -> ChangeSet:
    """Replace a draft's changes (and note, when given); audited: ``changeset_edited``."""
    stored = [change_to_json(c) for c in changes]
    moment = now or _utcnow()
    with _authors(engine, change_set_id, author, "edit") as (session, row):
        row.changes, row.rebased, row.updated_at = stored, [], moment
        if note is not None:
            row.note = note.strip()[:MAX_NOTE]
        append(session, _event("changeset_edited", author, row, source), moment)
    return _from_row(row)


def _submittable(session: Session, row: ChangeSetRow) -> None:
    if not row.changes:
        raise EmptyChangeSet("an empty change set cannot be submitted")
    stale = _stale_in(session, [change_from_json(c) for c in row.changes])
    if stale:
        raise Conflict(stale)


@dataclass(frozen=True, slots=True)
class AuthorStep:
    """A step the author takes (``submit``, ``withdraw``): ``check`` the change set, take it to ``status``,
    stamp ``stamp`` and audit ``event``; one write transaction."""

    action: Literal["submit", "withdraw"]
    status: Status
    stamp: Literal["submitted_at", "decided_at"]
    event: str
    summary: str
    check: Callable[[Session, ChangeSetRow], None] | None = None

    def __call__(
        self,
        engine: Engine,
        change_set_id: int,
        author: Actor,
        *,
        source: str | None = None,
        now: datetime | None = None,
    ) -> ChangeSet:
        moment = now or _utcnow()
        with _authors(engine, change_set_id, author, self.action) as (session, row):
            if self.check is not None:
                self.check(session, row)
            row.status, row.updated_at = self.status, moment
            setattr(row, self.stamp, moment)
            append(session, _event(self.event, author, row, source), moment)
        return _from_row(row)


submit = AuthorStep(
    "submit",
    "submitted",
    "submitted_at",
    "changeset_submitted",
    """Send a draft to review (audited: ``changeset_submitted``). An empty draft cannot be submitted, nor one
    based on versions that are no longer current (``Conflict``: rebase it first), so the second of two
    stewards editing one record sees the conflict when submitting, once the first edit is published.""",
    _submittable,
)
withdraw = AuthorStep(
    "withdraw",
    "withdrawn",
    "decided_at",
    "changeset_withdrawn",
    """The author takes back a draft or a submitted change set (audited: ``changeset_withdrawn``).""",
)


# --- versions: conflicts and rebase ------------------------------------------------------------------------


def conflicts(change_set: ChangeSet, snapshot: RegistrySnapshot) -> list[StaleRecord]:
    """The records whose current version is not the one the change set was based on."""
    stale: list[StaleRecord] = []
    for change in change_set.changes:
        kind, entity_id = kind_and_id(change)
        current = snapshot.version(kind, entity_id)
        if change.based_on is not None and current != change.based_on:
            stale.append(StaleRecord(kind, entity_id, change.based_on, current))
    return stale


def _version_json(session: Session, kind: str, entity_id: str, version: int) -> dict[str, Any] | None:
    """The record as the revision ``version`` left it (a record's version is the revision that wrote it)."""
    if version == ABSENT:
        return None
    after = session.scalar(
        select(ChangeRow.after).where(
            ChangeRow.revision_id == version, ChangeRow.kind == kind, ChangeRow.entity_id == entity_id
        )
    )
    return cast("dict[str, Any] | None", after)


def _labels(kind: str) -> dict[str, str]:
    """Flat JSON key -> English label of the kind's fields and of the record's provenance."""
    labels = {spec.key: spec.label for spec in schema_of(KINDS[kind].cls).fields}
    labels |= {spec.key: spec.label for spec in schema_of(Provenance).fields}
    return labels


def _rebased_upsert(
    kind: str, base: dict[str, Any] | None, current: dict[str, Any], proposed: dict[str, Any]
) -> tuple[dict[str, Any], list[MeanwhileChange]]:
    """``current`` with the fields the steward changed (from ``base`` to ``proposed``) taken from ``proposed``."""
    mine = record_diff(base, proposed) if base is not None else record_diff({}, proposed)
    theirs = record_diff(base, current) if base is not None else record_diff({}, current)
    merged = dict(current)
    for key in mine:
        merged[key] = proposed.get(key)
    labels = _labels(kind)
    notes = [
        MeanwhileChange(
            kind,
            str(current.get("id")),
            key,
            labels.get(key, key),
            (base or {}).get(key),
            current.get(key),
            merged.get(key),
            "steward" if key in mine else "current",
        )
        for key in theirs
        if key != "id"
    ]
    return merged, notes


def rebase(
    engine: Engine,
    snapshot: RegistrySnapshot,
    change_set_id: int,
    author: Actor,
    *,
    source: str | None = None,
    now: datetime | None = None,
) -> ChangeSet:
    """Base every stale change on the record's current version, keeping the fields the steward changed and
    taking every other field from the current record; ``rebased`` reports the fields changed meanwhile.

    A record deleted meanwhile is proposed as a new record (``based_on`` ABSENT), a delete of a record that is
    gone already is dropped; both are reported (field ``""``). Audited: ``changeset_rebased`` (with the number
    of fields changed meanwhile)."""
    change_set = get(engine, change_set_id)
    if not _same(change_set.author, author):
        raise NotAuthor("only the steward who made this change set may do this")
    if change_set.status not in ALLOWED_FROM["rebase"]:
        raise InvalidTransition("rebase", change_set.status)
    stale = {(s.kind, s.id): s for s in conflicts(change_set, snapshot)}
    new_changes: list[Change] = []
    notes: list[MeanwhileChange] = []
    with Session(engine) as session:
        for change in change_set.changes:
            kind, entity_id = kind_and_id(change)
            found = stale.get((kind, entity_id))
            if found is None:
                new_changes.append(change)
                continue
            current_record = snapshot.records(kind).get(entity_id)
            if isinstance(change, Delete):
                if current_record is not None:
                    new_changes.append(Delete(kind, entity_id, based_on=found.current))
                notes.append(MeanwhileChange(kind, entity_id, "", "", found.based_on, None, None, "current"))
                continue
            if current_record is None:
                new_changes.append(Upsert(change.record, based_on=ABSENT))
                notes.append(MeanwhileChange(kind, entity_id, "", "", found.based_on, None, None, "steward"))
                continue
            base = _version_json(session, kind, entity_id, found.based_on)
            merged, found_notes = _rebased_upsert(kind, base, to_json(current_record), to_json(change.record))
            new_changes.append(Upsert(from_json(kind, merged), based_on=found.current))
            notes.extend(found_notes)
    stored = [change_to_json(c) for c in new_changes]
    moment = now or _utcnow()
    with _authors(engine, change_set_id, author, "rebase") as (session, row):
        if [change_to_json(c) for c in change_set.changes] != row.changes:
            raise InvalidTransition("rebase", cast("Status", row.status))  # changed while we worked
        row.changes, row.updated_at = stored, moment
        row.rebased = [_meanwhile_json(n) for n in notes]
        append(session, _event("changeset_rebased", author, row, source, meanwhile=len(notes)), moment)
    return _from_row(row)


def _meanwhile_json(note: MeanwhileChange) -> dict[str, Any]:
    return {
        "kind": note.kind,
        "record_id": note.record_id,
        "field": note.field,
        "label": note.label,
        "based_on": note.based_on,
        "current": note.current,
        "proposed": note.proposed,
        "kept": note.kept,
    }


# --- diff --------------------------------------------------------------------------------------------------


def _record_json(snapshot: RegistrySnapshot, kind: str, entity_id: str) -> dict[str, Any] | None:
    found = snapshot.records(kind).get(entity_id)
    return to_json(found) if found is not None else None


def _field_diffs(
    kind: str,
    entity_id: str,
    published: dict[str, Any] | None,
    proposed: dict[str, Any] | None,
    base: dict[str, Any] | None = None,
) -> list[FieldDiff]:
    """``base``: the version the change was edited from, when it is stale; a row whose published value is not
    the base's was changed by someone else meanwhile (approving as it stands would overwrite it)."""
    op: Literal["create", "update", "delete"] = (
        "create" if published is None else "delete" if proposed is None else "update"
    )
    labels = _labels(kind)
    order = {key: i for i, key in enumerate(labels)}
    out: list[FieldDiff] = []
    changed = record_diff(published, proposed)
    base_sources = (base or {}).get(FIELD_PROVENANCE) or {}
    for key in sorted(changed, key=lambda k: order.get(k, len(order))):
        old, new = changed[key]
        if key == FIELD_PROVENANCE:
            old, new = old or {}, new or {}
            for name in sorted(set(old) | set(new), key=lambda k: order.get(k, len(order))):
                if old.get(name) != new.get(name):
                    meanwhile = base is not None and base_sources.get(name) != old.get(name)
                    label = labels.get(name, name)
                    out.append(
                        FieldDiff(
                            kind,
                            entity_id,
                            op,
                            name,
                            label,
                            old.get(name),
                            new.get(name),
                            "source",
                            meanwhile,
                        )
                    )
            continue
        if op != "update" and old in (None, [], {}) and new in (None, [], {}):
            continue
        meanwhile = base is not None and base.get(key) != old
        out.append(FieldDiff(kind, entity_id, op, key, labels.get(key, key), old, new, "value", meanwhile))
    return out


def diff(change_set: ChangeSet, snapshot: RegistrySnapshot, engine: Engine | None = None) -> list[FieldDiff]:
    """Field by field, every change against the published record (the snapshot), in schema order. With
    ``engine``, rows of a stale record say whether someone else changed that field meanwhile."""
    stale = {(s.kind, s.id): s.based_on for s in conflicts(change_set, snapshot)} if engine else {}
    out: list[FieldDiff] = []
    with Session(engine) if engine is not None else nullcontext() as session:
        for change in change_set.changes:
            kind, entity_id = kind_and_id(change)
            proposed = to_json(change.record) if isinstance(change, Upsert) else None
            based_on = stale.get((kind, entity_id))
            base = (
                _version_json(session, kind, entity_id, based_on)
                if session is not None and based_on is not None
                else None
            )
            published = _record_json(snapshot, kind, entity_id)
            out.extend(_field_diffs(kind, entity_id, published, proposed, base))
    return out


def overlapping(engine: Engine, change_set: ChangeSet) -> list[ChangeSet]:
    """The other open (draft or submitted) change sets of the organisation that touch one of its records:
    whichever is approved first makes the others conflict."""
    mine = {kind_and_id(c) for c in change_set.changes}
    others = for_organisations(engine, [change_set.organisation_id], ("draft", "submitted"))
    return [
        other
        for other in others
        if other.id != change_set.id and mine & {kind_and_id(c) for c in other.changes}
    ]


# --- review ------------------------------------------------------------------------------------------------


def _resources(change_set: ChangeSet, snapshot: RegistrySnapshot) -> list[list[policy.Resource]]:
    """Per record of the change set: where it lies now and where it would lie after the change."""
    proposed = snapshot.with_changes(change_set.changes)
    out: list[list[policy.Resource]] = []
    for change in change_set.changes:
        kind, entity_id = kind_and_id(change)
        places = []
        for state in (snapshot, proposed):
            found = state.records(kind).get(entity_id)
            if found is not None:
                places.append(resource_of(state, kind, found))
        out.append(places)
    return out


def may_review(principal: Principal, change_set: ChangeSet, snapshot: RegistrySnapshot) -> bool:
    """Does the principal's review area cover every record of the change set (as it is, or would be)?"""
    if not policy.allowed(principal, "changeset.review"):
        return False
    return all(
        any(policy.allowed(principal, "changeset.review", r) for r in places)
        for places in _resources(change_set, snapshot)
    )


def may_view(principal: Principal, change_set: ChangeSet, snapshot: RegistrySnapshot) -> bool:
    """The author, the organisation's stewards, the reviewers who may decide it, and administrators."""
    if _same(principal.actor, change_set.author):
        return True
    if policy.allowed(
        principal, "changeset.view", policy.Resource(organisation_id=change_set.organisation_id)
    ):
        return True
    return may_review(principal, change_set, snapshot)


def queue_for(engine: Engine, principal: Principal, snapshot: RegistrySnapshot) -> list[ChangeSet]:
    """The submitted change sets the principal may review, oldest submission first."""
    return [cs for cs in _submitted(engine) if may_review(principal, cs, snapshot)]


def _refuse(
    engine: Engine, action: str, reviewer: Principal, change_set: ChangeSet, source: str | None
) -> None:
    detail = {"reason": action, "organisation": change_set.organisation_id}
    event_action = "self_approval" if action == "self_approval" else "permission_refused"
    record(engine, AuditEvent(event_action, reviewer.actor, "refused", change_set.target, source, detail))


def _decidable(
    engine: Engine,
    change_set: ChangeSet,
    reviewer: Principal,
    snapshot: RegistrySnapshot,
    source: str | None,
) -> None:
    if not may_review(reviewer, change_set, snapshot):
        _refuse(engine, "changeset.review", reviewer, change_set, source)
        raise NotAllowed("this change set lies outside your review area")


def _reason(change_set: ChangeSet) -> str:
    note = f": {change_set.note}" if change_set.note else ""
    return f"change set {change_set.id}{note}"[:500]


def approve(
    engine: Engine,
    registry: Registry,
    change_set_id: int,
    reviewer: Principal,
    *,
    allow_admin_self_approval: bool = False,
    source: str | None = None,
    now: datetime | None = None,
) -> ChangeSet:
    """Commit the change set as one revision (actor: the author, approved_by: the reviewer) and mark it
    approved, in one transaction; the audit events are part of it."""
    change_set = get(engine, change_set_id)
    if change_set.status not in ALLOWED_FROM["approve"]:
        raise InvalidTransition("approve", change_set.status)
    own = _same(change_set.author, reviewer.actor)
    if own and not (allow_admin_self_approval and reviewer.has_role("administrator")):
        _refuse(engine, "self_approval", reviewer, change_set, source)
        raise SelfApprovalRefused("nobody may approve their own change set")
    _decidable(engine, change_set, reviewer, registry.snapshot(), source)
    moment = now or _utcnow()
    with registry.writing() as tx:
        row = _locked(tx.session, change_set_id)
        _check(row, "approve")
        changes = [change_from_json(c) for c in row.changes]
        written = tx.commit(
            changes, actor=change_set.author, reason=_reason(change_set), approved_by=reviewer.actor
        )
        row.status, row.decided_at, row.updated_at = "approved", moment, moment
        row.decided_by_kind, row.decided_by_id, row.decided_by_name = (
            reviewer.actor.kind,
            reviewer.actor.id,
            reviewer.actor.name,
        )
        row.revision_id = written.revision
        append(
            tx.session,
            _event("changeset_approved", reviewer.actor, row, source, revision=written.revision),
            moment,
        )
        if own:
            append(
                tx.session,
                _event("self_approval", reviewer.actor, row, source, revision=written.revision),
                moment,
            )
        tx.session.flush()
        result = _from_row(row)
    return result


def reject(
    engine: Engine,
    change_set_id: int,
    reviewer: Principal,
    reason: str,
    *,
    snapshot: RegistrySnapshot,
    source: str | None = None,
    now: datetime | None = None,
) -> ChangeSet:
    """Refuse the change set with a reason the steward sees (required); nothing is published."""
    text = reason.strip()
    if not text:
        raise ReasonRequired("a rejection needs a reason")
    change_set = get(engine, change_set_id)
    if change_set.status not in ALLOWED_FROM["reject"]:
        raise InvalidTransition("reject", change_set.status)
    if _same(change_set.author, reviewer.actor):
        _refuse(engine, "self_rejection", reviewer, change_set, source)
        raise SelfRejectionRefused("nobody may reject their own change set; withdraw it instead")
    _decidable(engine, change_set, reviewer, snapshot, source)
    moment = now or _utcnow()
    with Session(engine, expire_on_commit=False) as session, session.begin():
        row = _locked(session, change_set_id)
        _check(row, "reject")
        row.status, row.decided_at, row.updated_at, row.reason = "rejected", moment, moment, text[:MAX_REASON]
        row.decided_by_kind, row.decided_by_id, row.decided_by_name = (
            reviewer.actor.kind,
            reviewer.actor.id,
            reviewer.actor.name,
        )
        append(session, _event("changeset_rejected", reviewer.actor, row, source), moment)
        return _from_row(row)


# --- what needs review -------------------------------------------------------------------------------------


def _only_verified(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    if old is None or new is None:
        return False
    return {k: v for k, v in old.items() if k != "verified"} == {
        k: v for k, v in new.items() if k != "verified"
    }


def _classified(
    kind: str, current: dict[str, Any], proposed: dict[str, Any], rules: ReviewRules
) -> list[tuple[str, bool]]:
    """Every changed key (``field_provenance.<field>`` for a field's own source) and whether it is direct."""
    out: list[tuple[str, bool]] = []
    for key, (old, new) in record_diff(current, proposed).items():
        if key == FIELD_PROVENANCE:
            old, new = old or {}, new or {}
            for name in sorted(set(old) | set(new)):
                if old.get(name) != new.get(name):
                    reverified = rules.reverification_direct and _only_verified(old.get(name), new.get(name))
                    out.append((f"{FIELD_PROVENANCE}.{name}", rules.is_direct(kind, name) or reverified))
        elif key == "verified":
            out.append((key, rules.reverification_direct))
        else:
            out.append((key, rules.is_direct(kind, key)))
    return out


def _direct_part(current: dict[str, Any], proposed: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    merged = dict(current)
    sources = dict(current.get(FIELD_PROVENANCE) or {})
    wanted = dict(proposed.get(FIELD_PROVENANCE) or {})
    for key in keys:
        if key.startswith(FIELD_PROVENANCE + "."):
            name = key.split(".", 1)[1]
            if name in wanted:
                sources[name] = wanted[name]
            else:
                sources.pop(name, None)
        else:
            merged[key] = proposed.get(key)
    merged[FIELD_PROVENANCE] = dict(sorted(sources.items()))
    return merged


def split_by_review(
    changes: Sequence[Change], snapshot: RegistrySnapshot, rules: ReviewRules | None = None
) -> tuple[list[Change], list[Change]]:
    """(publish directly, needs review). Creates and deletes always need review; an edit of an existing record
    is split by field (``review.yaml``): its direct fields go into the first list (on the current record),
    and the whole edit into the second when any field needs review."""
    rules = rules or load_review()
    direct: list[Change] = []
    review: list[Change] = []
    for change in changes:
        kind, entity_id = kind_and_id(change)
        current = _record_json(snapshot, kind, entity_id)
        if isinstance(change, Delete) or current is None:
            review.append(change)
            continue
        proposed = to_json(change.record)
        keys = _classified(kind, current, proposed, rules)
        if not keys:
            continue  # nothing changes
        if all(is_direct for _, is_direct in keys):
            direct.append(change)
        elif not any(is_direct for _, is_direct in keys):
            review.append(change)
        else:
            part = _direct_part(current, proposed, [k for k, is_direct in keys if is_direct])
            direct.append(Upsert(from_json(kind, part), based_on=change.based_on))
            review.append(change)
    return direct, review


def publish_direct(
    registry: Registry,
    author: Actor,
    changes: Sequence[Change],
    *,
    reason: str = "published directly (no review needed)",
    source: str | None = None,
    now: datetime | None = None,
) -> int | None:
    """Commit changes that need no review as one revision of ``author``; audited (``changes_published``).

    Raises ValueError when any change needs review (``split_by_review``), Conflict when one is stale."""
    _, needs_review = split_by_review(changes, registry.snapshot())
    if needs_review:
        raise ValueError("these changes need review: save them as a change set")
    if not changes:
        return None
    with registry.writing() as tx:
        written = tx.commit(changes, actor=author, reason=reason)
        if written.revision is not None:
            detail = {"revision": written.revision, "changes": len(changes)}
            event = AuditEvent(
                "changes_published", author, "ok", f"revision:{written.revision}", source, detail
            )
            append(tx.session, event, now)
    return written.revision


def propose(
    engine: Engine,
    registry: Registry,
    author: Actor,
    organisation_id: str,
    changes: Sequence[Change],
    note: str = "",
    *,
    source: str | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Publish what needs no review and save the rest as a draft based on what was just published."""
    direct, review = split_by_review(changes, registry.snapshot())
    revision = publish_direct(registry, author, direct, source=source, now=now) if direct else None
    if revision is not None:
        touched = {kind_and_id(c) for c in direct}
        review = [
            Upsert(c.record, based_on=revision) if isinstance(c, Upsert) and kind_and_id(c) in touched else c
            for c in review
        ]
    draft = (
        create_draft(engine, author, organisation_id, review, note, source=source, now=now)
        if review
        else None
    )
    return Proposal(revision, draft)
