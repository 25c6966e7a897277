"""Plain-data views of registry records: the one place that decides what a unit, offer, ... looks like
to readers. The JSON API, CSV, GeoJSON and the map render these dicts; nothing else shapes them.

A unit summary (also the GeoJSON Feature properties) looks like::

    {"id": "ous-rusakutt", "name": "Rusakuttmottaket", "organisation_id": "ous", "organisation_name": "...",
     "owner_type": "hf", "catchment_code": "ous", "catchment_name": "Oslo universitetssykehus HF",
     "region_code": "helse-sor-ost", "municipality_code": "0301", "municipality_name": "Oslo",
     "location_precision": "address", "approximate": False, "service_types": ["akutt", "avrusning"],
     "open_24_7": True, "intake_status": ["open"], "beds": 12, "url": "/enhet/ous-rusakutt"}

``None`` is unknown everywhere: ``open_24_7`` is True when any offer is open around the clock, False only
when every offer is known not to be, and None otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tsbkart.domain.entities import (
    AreaUnit,
    AssessmentTeam,
    CatchmentArea,
    Organisation,
    Provenance,
    Region,
    RegistryRecord,
    ServiceOffer,
    Unit,
)
from tsbkart.domain.schema import schema_of
from tsbkart.registry.records import to_json
from tsbkart.registry.snapshot import RegistrySnapshot

Record = dict[str, Any]


def provenance_record(provenance: Provenance) -> Record:
    return {
        "source": provenance.source,
        "verified": provenance.verified.isoformat() if provenance.verified else None,
        "steward": provenance.steward,
        "note": provenance.note,
    }


def open_around_the_clock(offers: Iterable[ServiceOffer]) -> bool | None:
    flags = [o.open_24_7 for o in offers]
    if any(flag is True for flag in flags):
        return True
    if flags and all(flag is False for flag in flags):
        return False
    return None


def unit_summary(snapshot: RegistrySnapshot, unit: Unit) -> Record:
    """The unit as a list row and GeoJSON Feature properties (shape in the module docstring)."""
    organisation = snapshot.organisations.get(unit.organisation_id)
    catchment = snapshot.geography.catchments.get(unit.catchment_code or "")
    municipality = snapshot.geography.area_units.get(unit.municipality_code or "")
    offers = snapshot.offers_of(unit.id)
    return {
        "id": unit.id,
        "name": unit.name,
        "organisation_id": unit.organisation_id,
        "organisation_name": organisation.name if organisation else None,
        "owner_type": organisation.owner_type if organisation else None,
        "catchment_code": unit.catchment_code,
        "catchment_name": catchment.name if catchment else None,
        "region_code": unit.region_code,
        "municipality_code": unit.municipality_code,
        "municipality_name": municipality.name if municipality else None,
        "town": unit.town,
        "location_precision": unit.location_precision,
        "approximate": unit.is_approximate,
        "service_types": sorted({o.service_type for o in offers}),
        "open_24_7": open_around_the_clock(offers),
        "intake_status": sorted({o.intake_status for o in offers}),
        "beds": unit.beds,
        "url": f"/enhet/{unit.id}",
    }


def record_json(record: RegistryRecord) -> Record:
    """A record's own fields as JSON values, in declaration order (the field schema), then its provenance."""
    data = to_json(record)
    out = {spec.key: data[spec.key] for spec in schema_of(type(record)).fields}
    out["provenance"] = provenance_record(record.provenance)
    return out


def offer_record(offer: ServiceOffer) -> Record:
    return record_json(offer)


def unit_detail(snapshot: RegistrySnapshot, unit: Unit) -> Record:
    """A unit with every field, its offers and its provenance."""
    summary = unit_summary(snapshot, unit)
    return (
        summary
        | {k: v for k, v in record_json(unit).items() if k not in summary}
        | {
            "offers": [offer_record(o) for o in snapshot.offers_of(unit.id)],
        }
    )


def organisation_record(organisation: Organisation, unit_ids: Iterable[str] = ()) -> Record:
    fields = record_json(organisation)
    provenance = fields.pop("provenance")
    return fields | {"unit_ids": list(unit_ids), "provenance": provenance}


def team_record(team: AssessmentTeam) -> Record:
    return record_json(team)


def region_record(region: Region) -> Record:
    return _area("region", region.code, region.name, region_code=region.code)


def catchment_record(catchment: CatchmentArea) -> Record:
    return _area(
        "catchment",
        catchment.code,
        catchment.name,
        short_name=catchment.short_name,
        region_code=catchment.region_code,
        parent_code=catchment.region_code,
    )


def area_unit_record(area: AreaUnit, region_code: str | None) -> Record:
    return _area(
        area.kind,
        area.code,
        area.name,
        region_code=region_code,
        catchment_code=area.catchment_code,
        parent_code=area.parent_code,
        county=area.county,
        lat=area.lat,
        lon=area.lon,
    )


def _area(kind: str, code: str, name: str, **extra: Any) -> Record:
    record: Record = {
        "code": code,
        "kind": kind,
        "name": name,
        "short_name": None,
        "region_code": None,
        "catchment_code": None,
        "parent_code": None,
        "county": None,
        "lat": None,
        "lon": None,
    }
    record.update(extra)
    return record
