"""The in-memory read model of the registry, the one thing readers (finder, analysis, web) depend on.

A snapshot is immutable: a new revision produces a new snapshot. Build one from the database with
``tsbkart.registry.store.load_snapshot`` or, for any past moment, with ``tsbkart.registry.history.as_of``;
tests build them directly::

    snap = RegistrySnapshot.build(geography, organisations=[...], units=[...], offers=[...], teams=[...])
    snap.offers_of("ous-rusakutt")   # -> tuple[ServiceOffer, ...]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from tsbkart.domain.entities import (
    AreaUnit,
    AssessmentTeam,
    CatchmentArea,
    Organisation,
    Region,
    ServiceOffer,
    Unit,
)


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
    geography: Geography
    organisations: Mapping[str, Organisation]
    units: Mapping[str, Unit]
    offers: Mapping[str, ServiceOffer]
    teams: Mapping[str, AssessmentTeam]
    revision: int = 0  # id of the last revision included; 0 = none
    taken_at: datetime | None = None  # the moment the snapshot describes
    _offers_by_unit: Mapping[str, tuple[ServiceOffer, ...]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )

    @classmethod
    def build(
        cls,
        geography: Geography,
        *,
        organisations: Iterable[Organisation] = (),
        units: Iterable[Unit] = (),
        offers: Iterable[ServiceOffer] = (),
        teams: Iterable[AssessmentTeam] = (),
        revision: int = 0,
        taken_at: datetime | None = None,
    ) -> RegistrySnapshot:
        offer_map = {o.id: o for o in sorted(offers, key=lambda o: o.id)}
        by_unit: dict[str, list[ServiceOffer]] = defaultdict(list)
        for offer in offer_map.values():
            by_unit[offer.unit_id].append(offer)
        return cls(
            geography=geography,
            organisations=MappingProxyType({o.id: o for o in sorted(organisations, key=lambda o: o.id)}),
            units=MappingProxyType({u.id: u for u in sorted(units, key=lambda u: u.id)}),
            offers=MappingProxyType(offer_map),
            teams=MappingProxyType({t.id: t for t in sorted(teams, key=lambda t: t.id)}),
            revision=revision,
            taken_at=taken_at,
            _offers_by_unit=MappingProxyType({k: tuple(v) for k, v in by_unit.items()}),
        )

    def offers_of(self, unit_id: str) -> tuple[ServiceOffer, ...]:
        return self._offers_by_unit.get(unit_id, ())
