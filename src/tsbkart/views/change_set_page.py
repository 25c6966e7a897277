"""The review pages' data: the queue of submitted change sets and one change set's field-level diff.

Plain values the templates render (``web/templates/stewardship/review_queue.html``, ``change_set.html``)::

    page = build_change_set_page(change_set, snapshot, principal, allow_admin_self_approval=False)
    page.records[0]   # RecordDiff(kind="unit", kind_label="unit", record_id="unit-a", name="Enhet unit-a",
                      #            op="update", rows=(DiffRow(field="street_address", label="Street address",
                      #            part="value", published=None, proposed="Storgata 1", vocabulary=None), ...),
                      #            stale=StaleRecord(...) or None)
    page.can_decide, page.blocked     # True/False, None | "conflict" | "own" | "status"
    build_queue(change_sets, snapshot)  # [QueueRow(change_set, organisation_name, records, conflicted)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine

from tsbkart.domain.schema import schema_of
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.versions import StaleRecord
from tsbkart.stewardship.changesets import ChangeSet, FieldDiff, conflicts, diff, may_review, overlapping
from tsbkart.stewardship.roles import Principal

Blocked = Literal["conflict", "own", "status"]


@dataclass(frozen=True, slots=True)
class DiffRow:
    field: str
    label: str  # English message id of the field's label
    part: Literal["value", "source"]
    published: Any  # JSON value; None = empty
    proposed: Any
    vocabulary: str | None  # codes are shown by their label in this vocabulary
    changed_meanwhile: bool = False  # someone else changed it since the edit: approving would overwrite it


@dataclass(frozen=True, slots=True)
class RecordDiff:
    kind: str
    kind_label: str  # English message id ("unit")
    record_id: str
    name: str
    op: Literal["create", "update", "delete"]
    rows: tuple[DiffRow, ...]
    stale: StaleRecord | None


@dataclass(frozen=True, slots=True)
class ChangeSetPage:
    change_set: ChangeSet
    organisation_name: str
    records: tuple[RecordDiff, ...]
    conflicts: tuple[StaleRecord, ...]
    is_author: bool
    may_review: bool
    blocked: Blocked | None  # why approval is not possible now (None: it is, for a reviewer)
    can_rebase: bool
    can_withdraw: bool
    overlapping: tuple[ChangeSet, ...] = ()  # other open change sets touching the same records

    @property
    def can_decide(self) -> bool:
        return self.may_review and self.blocked is None

    @property
    def can_reject(self) -> bool:
        """Never one's own (the author withdraws it instead), even when self-approval is allowed."""
        return self.may_review and not self.is_author and self.blocked in (None, "conflict")


@dataclass(frozen=True, slots=True)
class QueueRow:
    change_set: ChangeSet
    organisation_name: str
    records: int
    conflicted: bool


def _vocabulary(kind: str, key: str) -> str | None:
    for spec in schema_of(KINDS[kind].cls).fields:
        if spec.key == key:
            return spec.vocabulary
    return None


def _name(snapshot: RegistrySnapshot, proposed: RegistrySnapshot, kind: str, record_id: str) -> str:
    """The record's name as proposed (or as published, for a delete); an offer has none: its id."""
    found = proposed.records(kind).get(record_id) or snapshot.records(kind).get(record_id)
    return str(getattr(found, "name", None) or record_id)


def _organisation_name(snapshot: RegistrySnapshot, organisation_id: str) -> str:
    found = snapshot.organisations.get(organisation_id)
    return found.name if found is not None else organisation_id


def _records(
    change_set: ChangeSet, snapshot: RegistrySnapshot, stale: Sequence[StaleRecord], engine: Engine | None
) -> tuple[RecordDiff, ...]:
    by_record: dict[tuple[str, str], list[FieldDiff]] = {}
    for row in diff(change_set, snapshot, engine):
        by_record.setdefault((row.kind, row.record_id), []).append(row)
    stale_of = {(s.kind, s.id): s for s in stale}
    proposed = snapshot.with_changes(change_set.changes)  # once: it copies every kind the changes touch
    out: list[RecordDiff] = []
    for (kind, record_id), rows in by_record.items():
        out.append(
            RecordDiff(
                kind,
                KINDS[kind].label,
                record_id,
                _name(snapshot, proposed, kind, record_id),
                rows[0].op,
                tuple(
                    DiffRow(
                        r.field,
                        r.label,
                        r.part,
                        r.published,
                        r.proposed,
                        _vocabulary(kind, r.field),
                        r.changed_meanwhile,
                    )
                    for r in rows
                ),
                stale_of.get((kind, record_id)),
            )
        )
    return tuple(out)


def build_change_set_page(
    change_set: ChangeSet,
    snapshot: RegistrySnapshot,
    principal: Principal,
    *,
    allow_admin_self_approval: bool = False,
    engine: Engine | None = None,
) -> ChangeSetPage:
    """With ``engine``, the page also marks what others changed meanwhile and lists overlapping change sets."""
    stale = tuple(conflicts(change_set, snapshot)) if change_set.status in ("draft", "submitted") else ()
    own = (change_set.author.kind, change_set.author.id) == (principal.actor.kind, principal.actor.id)
    self_ok = allow_admin_self_approval and principal.has_role("administrator")
    blocked: Blocked | None = None
    if change_set.status != "submitted":
        blocked = "status"
    elif own and not self_ok:
        blocked = "own"
    elif stale:
        blocked = "conflict"
    open_ = change_set.status in ("draft", "submitted")
    return ChangeSetPage(
        change_set=change_set,
        organisation_name=_organisation_name(snapshot, change_set.organisation_id),
        records=_records(change_set, snapshot, stale, engine),
        conflicts=stale,
        is_author=own,
        may_review=may_review(principal, change_set, snapshot),
        blocked=blocked,
        can_rebase=own and open_ and bool(stale),
        can_withdraw=own and open_,
        overlapping=tuple(overlapping(engine, change_set)) if engine is not None and open_ else (),
    )


def build_queue(change_sets: Sequence[ChangeSet], snapshot: RegistrySnapshot) -> list[QueueRow]:
    return [
        QueueRow(
            cs,
            _organisation_name(snapshot, cs.organisation_id),
            len(cs.changes),
            bool(conflicts(cs, snapshot)),
        )
        for cs in change_sets
    ]
