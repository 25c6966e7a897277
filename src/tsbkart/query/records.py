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
    ServiceOffer,
    Unit,
)
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


def offer_record(offer: ServiceOffer) -> Record:
    return {
        "id": offer.id,
        "unit_id": offer.unit_id,
        "service_type": offer.service_type,
        "target_groups": list(offer.target_groups),
        "legal_basis": list(offer.legal_basis),
        "age_min": offer.age_min,
        "age_max": offer.age_max,
        "beds": offer.beds,
        "places": offer.places,
        "waiting_weeks": offer.waiting_weeks,
        "waiting_as_of": offer.waiting_as_of.isoformat() if offer.waiting_as_of else None,
        "intake_status": offer.intake_status,
        "open_24_7": offer.open_24_7,
        "languages": list(offer.languages),
        "assessment_team_id": offer.assessment_team_id,
        "referral_note": offer.referral_note,
        "description": offer.description,
        "provenance": provenance_record(offer.provenance),
    }


def unit_detail(snapshot: RegistrySnapshot, unit: Unit) -> Record:
    """A unit with every field, its offers and its provenance."""
    return unit_summary(snapshot, unit) | {
        "street_address": unit.street_address,
        "postal_code": unit.postal_code,
        "lat": unit.lat,
        "lon": unit.lon,
        "phone": unit.phone,
        "website": unit.website,
        "her_id": unit.her_id,
        "resh_id": unit.resh_id,
        "description": unit.description,
        "confidence": unit.confidence,
        "provenance": provenance_record(unit.provenance),
        "offers": [offer_record(o) for o in snapshot.offers_of(unit.id)],
    }


def organisation_record(organisation: Organisation, unit_ids: Iterable[str] = ()) -> Record:
    return {
        "id": organisation.id,
        "name": organisation.name,
        "owner_type": organisation.owner_type,
        "region_code": organisation.region_code,
        "orgnr": organisation.orgnr,
        "resh_id": organisation.resh_id,
        "her_id": organisation.her_id,
        "website": organisation.website,
        "status_note": organisation.status_note,
        "unit_ids": list(unit_ids),
        "provenance": provenance_record(organisation.provenance),
    }


def team_record(team: AssessmentTeam) -> Record:
    return {
        "id": team.id,
        "name": team.name,
        "organisation_id": team.organisation_id,
        "catchment_code": team.catchment_code,
        "region_code": team.region_code,
        "municipality_code": team.municipality_code,
        "town": team.town,
        "scope": team.scope,
        "scope_note": team.scope_note,
        "age_min": team.age_min,
        "age_max": team.age_max,
        "referrals_per_year": team.referrals_per_year,
        "disciplines": list(team.disciplines),
        "specialist_present": team.specialist_present,
        "phone": team.phone,
        "address": team.address,
        "her_id": team.her_id,
        "lat": team.lat,
        "lon": team.lon,
        "location_precision": team.location_precision,
        "provenance": provenance_record(team.provenance),
    }


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
