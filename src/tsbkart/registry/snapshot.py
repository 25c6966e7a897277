"""The in-memory read model of the registry, the one thing readers (finder, analysis, web) depend on.

A snapshot is immutable: a new revision produces a new snapshot. Build one from the database with
``tsbkart.registry.store.load_snapshot`` or, for any past moment, with ``tsbkart.registry.history.as_of``;
tests build them directly::

    snap = RegistrySnapshot.build(geography, organisations=[...], units=[...], offers=[...], teams=[...])
    snap.offers_of("ous-rusakutt")   # -> tuple[ServiceOffer, ...]
    snap.records("offer")            # -> Mapping[str, RegistryRecord], for any kind in tsbkart.registry.kinds
    snap.version("unit", "ous-rusakutt")   # -> 12: the revision that last wrote it (0: not in the snapshot)
    draft = snap.with_changes([Upsert(edited_unit), Delete("offer", "x/akutt")])   # preview a draft

The registry keeps its snapshot current with ``with_changes`` too: it applies the changes committed since the
snapshot's revision instead of reading every record again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import chain
from operator import attrgetter
from types import MappingProxyType
from typing import Any, TypeVar, cast

from tsbkart.domain.entities import (
    AreaUnit,
    AssessmentTeam,
    CatchmentArea,
    Organisation,
    Region,
    RegistryRecord,
    ServiceOffer,
    Unit,
)
from tsbkart.registry.changes import ABSENT, Change, Upsert
from tsbkart.registry.kinds import KINDS

T = TypeVar("T")
_MISSING = object()
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Geography:
    """Regions, catchment areas and the area units (kommune, Oslo bydel) valid at the snapshot's date."""

    regions: Mapping[str, Region]
    catchments: Mapping[str, CatchmentArea]
    area_units: Mapping[str, AreaUnit]

    @classmethod
    def build(
        cls, regions: Iterable[Region], catchments: Iterable[CatchmentArea], area_units: Iterable[AreaUnit]
    ) -> Geography:
        return cls(
            regions=MappingProxyType({r.code: r for r in regions}),
            catchments=MappingProxyType({c.code: c for c in catchments}),
            area_units=MappingProxyType({a.code: a for a in area_units}),
        )

    def catchment_of(self, area_code: str) -> CatchmentArea | None:
        """Catchment area of a kommune or bydel code (Oslo 0301 itself spans several and returns None)."""
        unit = self.area_units.get(area_code)
        if unit is None or unit.catchment_code is None:
            return None
        return self.catchments.get(unit.catchment_code)


@dataclass(frozen=True, slots=True)
class RegistrySnapshot:
    """Every record by kind and id (ids sorted), and the geography. ``records(kind)`` serves any declared kind;
    the four named properties are the same mappings, typed."""

    geography: Geography
    by_kind: Mapping[str, Mapping[str, RegistryRecord]]
    revision: int = 0  # id of the last revision included; 0 = none
    taken_at: datetime | None = None  # the moment the snapshot describes
    versions: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: _EMPTY)  # kind -> id -> version
    _offers_by_unit: Mapping[str, tuple[ServiceOffer, ...]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )
    # Values derived from this snapshot alone (indexes, indicator tables), freed with it: see ``derived``.
    _derived: dict[Hashable, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        geography: Geography,
        *,
        organisations: Iterable[Organisation] = (),
        units: Iterable[Unit] = (),
        offers: Iterable[ServiceOffer] = (),
        teams: Iterable[AssessmentTeam] = (),
        records: Iterable[RegistryRecord] = (),
        versions: Mapping[str, Mapping[str, int]] | None = None,
        revision: int = 0,
        taken_at: datetime | None = None,
    ) -> RegistrySnapshot:
        """A snapshot of the given records; ``records`` may hold any declared kind, mixed."""
        grouped: dict[str, list[RegistryRecord]] = {kind.name: [] for kind in KINDS}
        given: list[Iterable[RegistryRecord]] = [organisations, units, offers, teams, records]
        for record in chain.from_iterable(given):
            grouped[KINDS.of(record).name].append(record)
        by_kind = {
            kind: MappingProxyType({r.id: r for r in sorted(found, key=attrgetter("id"))})
            for kind, found in grouped.items()
        }
        by_unit: dict[str, list[ServiceOffer]] = defaultdict(list)
        for offer in by_kind["offer"].values():
            assert isinstance(offer, ServiceOffer)
            by_unit[offer.unit_id].append(offer)
        return cls(
            geography=geography,
            by_kind=MappingProxyType(by_kind),
            revision=revision,
            taken_at=taken_at,
            versions=_frozen_versions(versions or {}),
            _offers_by_unit=MappingProxyType({k: tuple(v) for k, v in by_unit.items()}),
        )

    def records(self, kind: str) -> Mapping[str, RegistryRecord]:
        """The records of ``kind`` by id; KeyError for a kind that is not declared."""
        return self.by_kind[kind]

    @property
    def organisations(self) -> Mapping[str, Organisation]:
        return cast("Mapping[str, Organisation]", self.by_kind["organisation"])

    @property
    def units(self) -> Mapping[str, Unit]:
        return cast("Mapping[str, Unit]", self.by_kind["unit"])

    @property
    def offers(self) -> Mapping[str, ServiceOffer]:
        return cast("Mapping[str, ServiceOffer]", self.by_kind["offer"])

    @property
    def teams(self) -> Mapping[str, AssessmentTeam]:
        return cast("Mapping[str, AssessmentTeam]", self.by_kind["team"])

    def offers_of(self, unit_id: str) -> tuple[ServiceOffer, ...]:
        return self._offers_by_unit.get(unit_id, ())

    def derived(self, key: Hashable, build: Callable[[RegistrySnapshot], T]) -> T:
        """``build(self)``, computed once per snapshot and ``key``, e.g.
        ``snapshot.derived("query.unit_index", build_index)``.

        A snapshot is immutable, so a value computed from it alone stays right for as long as the snapshot
        lives, and is freed with it: no cache keyed by ``id()`` that outlives its snapshot or grows without
        bound. Two threads may both build a missing value; the first stored wins, both get the same one.
        """
        found = self._derived.get(key, _MISSING)
        if found is _MISSING:
            found = self._derived.setdefault(key, build(self))
        return cast("T", found)

    def version(self, kind: str, entity_id: str) -> int:
        """The version of a record (the revision that last wrote it); ABSENT (0) when unknown or not here."""
        versions = self.versions.get(kind)
        return ABSENT if versions is None else versions.get(entity_id, ABSENT)

    def with_changes(
        self,
        changes: Iterable[Change],
        *,
        versions: Mapping[tuple[str, str], int] | None = None,
        geography: Geography | None = None,
        revision: int | None = None,
        taken_at: datetime | None = None,
    ) -> RegistrySnapshot:
        """A new snapshot: this one with ``changes`` applied in order (this one is unchanged).

        Only the kinds and units touched are rebuilt. ``versions`` gives the new version of (kind, id) for
        committed changes; a draft preview leaves them out, so an edited record keeps the version it was based
        on and a new one has none. The result equals a snapshot built from scratch with the same records.
        """
        records: dict[str, dict[str, Any]] = {}
        new_versions: dict[str, dict[str, int]] = {}
        created: set[str] = set()
        touched_offers: dict[str, ServiceOffer | None] = {}
        for change in changes:
            if isinstance(change, Upsert):
                kind, entity_id, record = KINDS.of(change.record).name, change.record.id, change.record
            else:
                kind, entity_id, record = change.kind, change.id, None
            table = records.get(kind)
            if table is None:
                table = records[kind] = dict(self.by_kind[kind])
                new_versions[kind] = dict(self.versions.get(kind, _EMPTY))
            if record is None:
                table.pop(entity_id, None)
                new_versions[kind].pop(entity_id, None)
            else:
                if entity_id not in table:
                    created.add(kind)
                table[entity_id] = record
                if versions is not None and (kind, entity_id) in versions:
                    new_versions[kind][entity_id] = versions[(kind, entity_id)]
            if kind == "offer":
                touched_offers.setdefault(entity_id, self.offers.get(entity_id))
        by_kind = {
            kind: MappingProxyType(dict(sorted(table.items())) if kind in created else table)
            for kind, table in records.items()
        }
        updates: dict[str, Any] = (
            {"by_kind": MappingProxyType({**self.by_kind, **by_kind})} if by_kind else {}
        )
        if touched_offers:
            updates["_offers_by_unit"] = self._regroup_offers(by_kind["offer"], touched_offers)
        if new_versions:
            frozen = {kind: MappingProxyType(ids) for kind, ids in new_versions.items()}
            updates["versions"] = MappingProxyType({**self.versions, **frozen})
        return replace(
            self,
            **updates,
            geography=geography or self.geography,
            revision=self.revision if revision is None else revision,
            taken_at=taken_at or self.taken_at,
        )

    def _regroup_offers(
        self, offers: Mapping[str, ServiceOffer], touched: Mapping[str, ServiceOffer | None]
    ) -> Mapping[str, tuple[ServiceOffer, ...]]:
        """``offers_of`` after the offers ``touched`` (id -> the offer before) changed: only their units'."""
        # Grouped by unit first: a refresh or a history step may touch thousands of offers at once.
        now_at: dict[str, list[ServiceOffer]] = defaultdict(list)
        for offer_id in touched:
            if offer_id in offers:
                now_at[offers[offer_id].unit_id].append(offers[offer_id])
        units = {o.unit_id for o in touched.values() if o is not None} | set(now_at)
        by_unit = dict(self._offers_by_unit)
        for unit_id in units:
            kept = [o for o in by_unit.pop(unit_id, ()) if o.id not in touched] + now_at.get(unit_id, [])
            if kept:
                by_unit[unit_id] = tuple(sorted(kept, key=lambda o: o.id))
        return MappingProxyType(by_unit)


def _frozen_versions(versions: Mapping[str, Mapping[str, int]]) -> Mapping[str, Mapping[str, int]]:
    return MappingProxyType({kind: MappingProxyType(dict(ids)) for kind, ids in versions.items()})
