"""The steward's dashboard as plain data: the organisations a principal may edit, with their units (and each
unit's service offers) and assessment teams, each record's freshness, and the principal's change sets.

Which records: those ``policy.allowed(principal, "record.edit", resource)`` admits (a steward's organisations,
a reviewer's area, everything for an administrator). Freshness is judged at every verification point of
``quality.check.verification_points`` (the record, each field with its own source, each field with a cycle of
its own) by the cycles of ``quality/freshness.yaml``; a record shows its worst point and its next due date::

    board = build_dashboard(snapshot, principal, today=date(2026, 12, 1))
    board.organisations[0].units[0].status   # RecordStatus(kind="unit", record=Unit(...), badge=FreshnessBadge(
                                             #   status="red", ...), due=date(2026, 9, 1), overdue=True)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tsbkart.domain.entities import Organisation, RegistryRecord
from tsbkart.quality.check import verification_points
from tsbkart.quality.freshness import FreshnessBadge, due_date, freshness_of, load_freshness
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.stewardship import policy
from tsbkart.stewardship.places import resource_of
from tsbkart.stewardship.roles import Principal

# How bad a badge is: the worst point of a record is what its row shows.
SEVERITY = {"ok": 0, "amber": 1, "unknown": 2, "red": 3}


@dataclass(frozen=True, slots=True)
class RecordStatus:
    kind: str
    record: RegistryRecord
    badge: FreshnessBadge  # the worst verification point
    due: date | None  # the earliest date a point falls due; None: never verified (due now)

    @property
    def overdue(self) -> bool:
        return self.badge.status in ("red", "unknown")

    @property
    def name(self) -> str:
        return str(getattr(self.record, "name", None) or getattr(self.record, "service_type", self.record.id))


@dataclass(frozen=True, slots=True)
class UnitEntry:
    status: RecordStatus
    offers: tuple[RecordStatus, ...]


@dataclass(frozen=True, slots=True)
class OrganisationEntry:
    id: str
    organisation: Organisation | None  # None: the organisation record itself is not in the registry
    status: RecordStatus | None  # the organisation's own row, when the principal may edit it
    units: tuple[UnitEntry, ...]
    teams: tuple[RecordStatus, ...]

    @property
    def overdue(self) -> int:
        rows = [self.status] if self.status else []
        rows += [u.status for u in self.units] + [o for u in self.units for o in u.offers] + list(self.teams)
        return sum(1 for r in rows if r.overdue)


@dataclass(frozen=True, slots=True)
class Dashboard:
    organisations: tuple[OrganisationEntry, ...]

    @property
    def organisation_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.organisations)


def record_status(kind: str, record: RegistryRecord, today: date) -> RecordStatus:
    rules = load_freshness()
    worst: FreshnessBadge | None = None
    due: date | None = date.max
    for field, provenance in verification_points(kind, record, rules):
        cycle = rules.cycle(kind, field)
        badge = freshness_of(provenance.verified, today, cycle)
        if worst is None or SEVERITY[badge.status] > SEVERITY[worst.status]:
            worst = badge
        point_due = due_date(provenance.verified, cycle) if provenance.verified else None
        due = None if due is None or point_due is None else min(due, point_due)
    assert worst is not None  # every record has its own provenance
    return RecordStatus(kind, record, worst, due)


def _may_edit(principal: Principal, snapshot: RegistrySnapshot, kind: str, record: object) -> bool:
    return policy.allowed(principal, "record.edit", resource_of(snapshot, kind, record))


def build_dashboard(snapshot: RegistrySnapshot, principal: Principal, today: date) -> Dashboard:
    """The organisations with at least one record the principal may edit, by name."""
    units: dict[str, list[UnitEntry]] = {}
    for unit in snapshot.units.values():
        if _may_edit(principal, snapshot, "unit", unit):
            offers = tuple(record_status("offer", o, today) for o in snapshot.offers_of(unit.id))
            units.setdefault(unit.organisation_id, []).append(
                UnitEntry(record_status("unit", unit, today), offers)
            )
    teams: dict[str, list[RecordStatus]] = {}
    for team in snapshot.teams.values():
        if team.organisation_id and _may_edit(principal, snapshot, "team", team):
            teams.setdefault(team.organisation_id, []).append(record_status("team", team, today))
    own = {
        o.id: record_status("organisation", o, today)
        for o in snapshot.organisations.values()
        if _may_edit(principal, snapshot, "organisation", o)
    }
    entries = [
        OrganisationEntry(
            organisation_id,
            snapshot.organisations.get(organisation_id),
            own.get(organisation_id),
            tuple(sorted(units.get(organisation_id, ()), key=lambda u: u.status.name)),
            tuple(sorted(teams.get(organisation_id, ()), key=lambda t: t.name)),
        )
        for organisation_id in set(units) | set(teams) | set(own)
    ]
    names = {e.id: (e.organisation.name if e.organisation else e.id) for e in entries}
    return Dashboard(tuple(sorted(entries, key=lambda e: names[e.id].lower())))


def record_of(snapshot: RegistrySnapshot, kind: str, record_id: str) -> RegistryRecord | None:
    if kind not in KINDS:
        return None
    return snapshot.records(kind).get(record_id)
