"""Export a registry snapshot as a FHIR R4 Bundle (type collection), as docs/interoperability.md maps it.

Organisations become Organization, units Location, service offers HealthcareService; assessment teams are
HealthcareService of type ``vurdering``, and the catchment areas they cover are Locations of physical type
``area``. Unknown (``None``) fields are left out. Every resource carries its tsbkart id as an identifier
(system ``urn:tsbkart:id:<kind>``) and its record provenance in the ``urn:tsbkart:extension:provenance``
extension (``meta.source`` as well when the source is a URI, ``meta.lastUpdated`` = verified at 00:00 UTC).
Shape::

    bundle = fhir_bundle(snapshot)
    bundle["entry"][0]["resource"]   # {"resourceType": "Organization", "id": "ous", "active": True,
                                     #  "identifier": [{"system": "urn:tsbkart:id:organisation", "value": "ous"},
                                     #                 {"system": "urn:oid:2.16.578.1.12.4.1.4.101", ...}], ...}

Resource ids (``fhir_id``): a tsbkart id that is already a FHIR id without a dot (``[A-Za-z0-9-]{1,64}``) is
used as it is; any other key becomes ``<slug>.<8 hex digits of its SHA-256>`` (slug: the key with runs of
other characters replaced by ``-``, at most 55 long), so ``ous-rusakutt/akutt`` -> ``ous-rusakutt-akutt.<hash>``.
Teams and catchment areas are keyed ``team.<id>`` and ``catchment.<code>``, so they never collide with
offers or units. References are relative (``Organization/<id>``) and resolve by type and id in the bundle,
which has no ``fullUrl``s: tsbkart has no FHIR server base to make them absolute.

Valid time: R4 Location and HealthcareService have no element for the date they opened or closed, so a unit's
and an offer's ``opened_on``/``closed_on`` are the extensions ``urn:tsbkart:extension:opened_on`` and
``...:closed_on`` (``valueDate``). What the standard does have is used as it intends: not in service on the
export ``day`` gives Location ``status`` ``inactive`` ("no longer used") and HealthcareService ``active`` false
("the record is not to be used"); a service's stated closing is a ``notAvailable`` period from that day on, a
planned opening one that ends the day before it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, date, timedelta
from typing import Any

from tsbkart.domain.calendar import today
from tsbkart.domain.entities import (
    AssessmentTeam,
    Organisation,
    Provenance,
    ServiceOffer,
    Unit,
    ValidPeriod,
    valid_period,
)
from tsbkart.domain.schedules import Schedule
from tsbkart.exchange.codesystems import (
    CATCHMENTS,
    ELIGIBILITY,
    IDENTIFIERS,
    MUNICIPALITIES,
    REGIONS,
    code_system,
    extension_url,
    geography_label,
    id_system,
)
from tsbkart.query.target_groups import stated_groups
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab import Vocabularies, load_vocabularies

Json = dict[str, Any]

_PLAIN_ID = re.compile(r"[A-Za-z0-9\-]{1,64}")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
# HL7 terminology (FHIR R4 bindings of HealthcareService.referralMethod and Location.physicalType).
REFERRAL_METHOD = "http://terminology.hl7.org/CodeSystem/service-referral-method"
LOCATION_PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
LANGUAGE_SYSTEM = "urn:ietf:bcp:47"
COUNTRY = "NO"
ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def fhir_id(key: str) -> str:
    """A valid FHIR resource id for ``key``, the same every time (see the module docstring)."""
    if _PLAIN_ID.fullmatch(key):
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    slug = re.sub(r"[^A-Za-z0-9\-]+", "-", key).strip("-")[:55].strip("-")
    return f"{slug or 'id'}.{digest}"


def team_id(team: str) -> str:
    return fhir_id(f"team.{team}")


def catchment_id(code: str) -> str:
    return fhir_id(f"catchment.{code}")


def _compact(fields: dict[str, Any]) -> Json:
    # Only None and empty lists go: False and 0 are facts.
    return {k: v for k, v in fields.items() if v is not None and v != []}


def _ext(name: str, value_type: str, value: object) -> list[Json]:
    """One extension, or none when the value is unknown."""
    if value is None:
        return []
    if isinstance(value, date):
        value = value.isoformat()
    return [{"url": extension_url(name), f"value{value_type}": value}]


def _complex(name: str, parts: list[Json]) -> list[Json]:
    """A complex extension; its parts are sub-extensions named without the base (FHIR's convention)."""
    if not parts:
        return []
    return [{"url": extension_url(name), "extension": parts}]


def _sub(name: str, value_type: str, value: object) -> list[Json]:
    if value is None:
        return []
    if isinstance(value, date):
        value = value.isoformat()
    return [{"url": name, f"value{value_type}": value}]


def _reference(resource_type: str, resource_id: str) -> Json:
    return {"reference": f"{resource_type}/{resource_id}"}


def _telecom(system: str, value: str | None) -> list[Json]:
    return [] if value is None else [{"system": system, "value": value}]


def _not_available(period: ValidPeriod, day: date) -> list[Json]:
    """HealthcareService.notAvailable for a stated closing (from that day on, open-ended) and for an opening
    still to come on ``day`` (until the day before; FHIR Period bounds are inclusive)."""
    out: list[Json] = []
    if period.opened_on is not None and period.opened_on > day:
        end = (period.opened_on - timedelta(days=1)).isoformat()
        out.append({"description": "Ikke åpnet ennå (not yet open)", "during": {"end": end}})
    if period.closed_on is not None:
        out.append({"description": "Nedlagt (closed)", "during": {"start": period.closed_on.isoformat()}})
    return out


class _Bundle:
    def __init__(self, snapshot: RegistrySnapshot, vocabularies: Vocabularies, day: date) -> None:
        self.snapshot = snapshot
        self.vocabularies = vocabularies
        self.day = day

    # --- shared parts ---------------------------------------------------------------------------------

    def coding(self, vocabulary: str, code: str) -> Json:
        if vocabulary in (REGIONS, CATCHMENTS, MUNICIPALITIES):
            display = geography_label(self.snapshot.geography, vocabulary, code)
        else:
            terms = self.vocabularies[vocabulary]
            display = terms.label(code) if code in terms else None
        return _compact({"system": code_system(vocabulary), "code": code, "display": display})

    def concept(self, vocabulary: str, code: str) -> Json:
        return {"coding": [self.coding(vocabulary, code)]}

    def coding_ext(self, name: str, vocabulary: str, code: str | None) -> list[Json]:
        return (
            []
            if code is None
            else [{"url": extension_url(name), "valueCoding": self.coding(vocabulary, code)}]
        )

    @staticmethod
    def meta(provenance: Provenance) -> Json | None:
        meta = _compact(
            {
                # meta.source is a uri; a document reference with spaces stays in the provenance extension only.
                "source": provenance.source if _URI.fullmatch(provenance.source) else None,
                "lastUpdated": f"{provenance.verified.isoformat()}T00:00:00Z"
                if provenance.verified
                else None,
            }
        )
        return meta or None

    @staticmethod
    def provenance(provenance: Provenance) -> list[Json]:
        return _complex(
            "provenance",
            [
                *_sub("source", "String", provenance.source),
                *_sub("verified", "Date", provenance.verified),
                *_sub("steward", "String", provenance.steward),
                *_sub("note", "String", provenance.note),
            ],
        )

    @staticmethod
    def identifiers(kind: str, record_id: str, registers: Iterable[tuple[str, str | None]]) -> list[Json]:
        found = [
            {"system": IDENTIFIERS[name].fhir_system, "value": v} for name, v in registers if v is not None
        ]
        return [{"system": id_system(kind), "value": record_id}, *found]

    def address(
        self,
        text: str | None,
        line: str | None,
        postal_code: str | None,
        town: str | None,
        municipality_code: str | None,
        address_type: str | None,
    ) -> Json | None:
        if all(v is None for v in (text, line, postal_code, town, municipality_code)):
            return None
        district = (
            geography_label(self.snapshot.geography, MUNICIPALITIES, municipality_code)
            if municipality_code
            else None
        )
        return _compact(
            {
                # HL7 Norway's municipality extension would need no-basis; until the lead adopts it, ours.
                "extension": self.coding_ext("municipality_code", MUNICIPALITIES, municipality_code),
                "type": address_type,
                "text": text,
                "line": [line] if line is not None else None,
                "city": town,
                "district": district,
                "postalCode": postal_code,
                "country": COUNTRY,
            }
        )

    @staticmethod
    def age_band(age_min: int | None, age_max: int | None) -> list[Json]:
        if age_min is None and age_max is None:
            return []
        low = "" if age_min is None else str(age_min)
        high = "" if age_max is None else str(age_max)
        return [
            {
                "extension": [*_ext("age_min", "Integer", age_min), *_ext("age_max", "Integer", age_max)],
                "code": {
                    "coding": [
                        {"system": code_system(ELIGIBILITY), "code": "age_band", "display": "Aldersgrense"}
                    ]
                },
                "comment": f"{low}–{high}",
            }
        ]

    def unit_groups(self, offer: ServiceOffer, unit: Unit | None) -> list[Json]:
        """Target groups a source states for the offer's unit, when the offer states none of its own: an
        eligibility entry saying so, never a characteristic of the service itself."""
        groups, of_unit = stated_groups(offer, unit)
        if not of_unit:
            return []
        return [
            {"code": self.concept("target_groups", c), "comment": "Oppgitt for enheten (stated for the unit)"}
            for c in groups
        ]

    def organisation_ref(self, organisation_id: str | None) -> Json | None:
        if organisation_id is None or organisation_id not in self.snapshot.organisations:
            return None
        return _reference("Organization", fhir_id(organisation_id))

    # --- resources ------------------------------------------------------------------------------------

    def organization(self, org: Organisation) -> Json:
        return _compact(
            {
                "resourceType": "Organization",
                "id": fhir_id(org.id),
                "meta": self.meta(org.provenance),
                "extension": [
                    *self.coding_ext("region_code", REGIONS, org.region_code),
                    *_ext("status_note", "String", org.status_note),
                    *self.provenance(org.provenance),
                ],
                "identifier": self.identifiers(
                    "organisation",
                    org.id,
                    (("orgnr", org.orgnr), ("resh_id", org.resh_id), ("her_id", org.her_id)),
                ),
                # tsbkart holds current providers; a historical owner type (FBV) is visible in type.
                "active": True,
                "type": [self.concept("owner_types", org.owner_type)],
                "name": org.name,
                "telecom": _telecom("url", org.website),
            }
        )

    def location(self, unit: Unit) -> Json:
        has_position = unit.lat is not None and unit.lon is not None
        return _compact(
            {
                "resourceType": "Location",
                "id": fhir_id(unit.id),
                "meta": self.meta(unit.provenance),
                "extension": [
                    # A code, so that consumers see when the position is only approximate.
                    *self.coding_ext("location_precision", "location_precision", unit.location_precision),
                    *self.coding_ext("catchment_code", CATCHMENTS, unit.catchment_code),
                    *self.coding_ext("region_code", REGIONS, unit.region_code),
                    *_ext("beds", "Integer", unit.beds),
                    *_ext("confidence", "Code", unit.confidence),
                    *_ext("opened_on", "Date", unit.opened_on),
                    *_ext("closed_on", "Date", unit.closed_on),
                    *self.provenance(unit.provenance),
                ],
                "identifier": self.identifiers(
                    "unit", unit.id, (("resh_id", unit.resh_id), ("her_id", unit.her_id))
                ),
                "status": "active" if valid_period(unit).in_service_on(self.day) else "inactive",
                "name": unit.name,
                "description": unit.description,
                "mode": "instance",
                "telecom": [*_telecom("phone", unit.phone), *_telecom("url", unit.website)],
                "address": self.address(
                    None, unit.street_address, unit.postal_code, unit.town, unit.municipality_code, None
                ),
                "position": {"latitude": unit.lat, "longitude": unit.lon} if has_position else None,
                "managingOrganization": self.organisation_ref(unit.organisation_id),
                "hoursOfOperation": _hours(unit.opening_hours),
            }
        )

    def catchment_location(self, code: str) -> Json:
        catchment = self.snapshot.geography.catchments.get(code)
        return _compact(
            {
                "resourceType": "Location",
                "id": catchment_id(code),
                "extension": [
                    *self.coding_ext("catchment_code", CATCHMENTS, code),
                    *self.coding_ext("region_code", REGIONS, catchment.region_code if catchment else None),
                ],
                "status": "active",
                "name": catchment.short_name if catchment else code,
                "mode": "instance",
                "physicalType": {
                    "coding": [{"system": LOCATION_PHYSICAL_TYPE, "code": "area", "display": "Area"}]
                },
            }
        )

    def healthcare_service(self, offer: ServiceOffer) -> Json:
        unit = self.snapshot.units.get(offer.unit_id)
        type_label = self.vocabularies["service_types"].label(offer.service_type)
        team = self.snapshot.teams.get(offer.assessment_team_id) if offer.assessment_team_id else None
        waiting = (
            [*_sub("weeks", "Decimal", offer.waiting_weeks), *_sub("as_of", "Date", offer.waiting_as_of)]
            if offer.waiting_weeks is not None and offer.waiting_as_of is not None
            else []
        )
        period = valid_period(offer, unit)
        return _compact(
            {
                "resourceType": "HealthcareService",
                "id": fhir_id(offer.id),
                "meta": self.meta(offer.provenance),
                "extension": [
                    *self.coding_ext("intake_status", "intake_status", offer.intake_status),
                    *_ext("beds", "Integer", offer.beds),
                    *_ext("places", "Integer", offer.places),
                    # A waiting time only ever travels with the date it was measured.
                    *_complex("waiting_time", waiting),
                    # Keeps false (not open around the clock) apart from unknown, which availableTime cannot.
                    *_ext("open_24_7", "Boolean", offer.open_24_7),
                    *_ext(
                        "assessment_team",
                        "Reference",
                        _reference("HealthcareService", team_id(team.id)) if team else None,
                    ),
                    *_ext("opened_on", "Date", offer.opened_on),
                    *_ext("closed_on", "Date", offer.closed_on),
                    *self.provenance(offer.provenance),
                ],
                "identifier": self.identifiers("offer", offer.id, ()),
                "active": period.in_service_on(self.day),
                "providedBy": self.organisation_ref(unit.organisation_id if unit else None),
                "type": [self.concept("service_types", offer.service_type)],
                "location": [_reference("Location", fhir_id(unit.id))] if unit else None,
                "name": f"{unit.name} – {type_label}" if unit else type_label,
                "comment": offer.description,
                "extraDetails": offer.referral_note,
                "characteristic": [
                    *(self.concept("target_groups", c) for c in offer.target_groups),
                    *(self.concept("legal_basis", c) for c in offer.legal_basis),
                ],
                "eligibility": [
                    *self.age_band(offer.age_min, offer.age_max),
                    *self.unit_groups(offer, unit),
                ],
                "communication": [
                    {"coding": [{"system": LANGUAGE_SYSTEM, "code": c}]} for c in offer.languages
                ],
                "referralMethod": (
                    [{"coding": [{"system": REFERRAL_METHOD, "code": "elec"}]}]
                    if team is not None and team.her_id is not None
                    else None
                ),
                "availableTime": [{"daysOfWeek": ALL_DAYS, "allDay": True}]
                if offer.open_24_7 is True
                else None,
                "notAvailable": _not_available(period, self.day),
            }
        )

    def team_service(self, team: AssessmentTeam) -> Json:
        position = [
            *_sub("latitude", "Decimal", team.lat),
            *_sub("longitude", "Decimal", team.lon),
            *(
                [
                    {
                        "url": "location_precision",
                        "valueCoding": self.coding("location_precision", team.location_precision),
                    }
                ]
                if team.location_precision is not None
                else []
            ),
        ]
        scope = _compact({"code": self.concept("assessment_scope", team.scope), "comment": team.scope_note})
        return _compact(
            {
                "resourceType": "HealthcareService",
                "id": team_id(team.id),
                "meta": self.meta(team.provenance),
                "extension": [
                    *_ext("referrals_per_year", "Integer", team.referrals_per_year),
                    *(e for c in team.disciplines for e in self.coding_ext("disciplines", "disciplines", c)),
                    *_ext("specialist_present", "Boolean", team.specialist_present),
                    *_ext(
                        "address",
                        "Address",
                        self.address(
                            team.address,
                            None,
                            None,
                            team.town,
                            team.municipality_code,
                            # The team's address is where referrals go.
                            "postal" if team.address is not None else None,
                        ),
                    ),
                    *_complex("position", position),
                    *self.coding_ext("region_code", REGIONS, team.region_code),
                    *self.provenance(team.provenance),
                ],
                "identifier": self.identifiers("team", team.id, (("her_id", team.her_id),)),
                "active": True,
                "providedBy": self.organisation_ref(team.organisation_id),
                "type": [self.concept("service_types", "vurdering")],
                "name": team.name,
                "telecom": _telecom("phone", team.phone),
                "eligibility": [*self.age_band(team.age_min, team.age_max), scope],
                "coverageArea": (
                    [_reference("Location", catchment_id(team.catchment_code))]
                    if team.catchment_code
                    else None
                ),
            }
        )


def fhir_bundle(
    snapshot: RegistrySnapshot, vocabularies: Vocabularies | None = None, *, day: date | None = None
) -> Json:
    """The whole registry as a FHIR R4 collection Bundle (JSON-ready), resources grouped by type in id order.
    ``day`` (default: today in Norway; the ``--as-of`` date for a past registry) decides what is in service."""
    bundle = _Bundle(snapshot, load_vocabularies() if vocabularies is None else vocabularies, day or today())
    catchments = sorted({t.catchment_code for t in snapshot.teams.values() if t.catchment_code})
    resources = [
        *(bundle.organization(o) for o in snapshot.organisations.values()),
        *(bundle.location(u) for u in snapshot.units.values()),
        *(bundle.catchment_location(c) for c in catchments),
        *(bundle.healthcare_service(o) for o in snapshot.offers.values()),
        *(bundle.team_service(t) for t in snapshot.teams.values()),
    ]
    taken_at = snapshot.taken_at
    timestamp = (
        taken_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        if taken_at is not None and taken_at.tzinfo is not None
        else None
    )
    return _compact(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": timestamp,
            "entry": [{"resource": r} for r in resources] or None,
        }
    )


FHIR_DAYS = {"MO": "mon", "TU": "tue", "WE": "wed", "TH": "thu", "FR": "fri", "SA": "sat", "SU": "sun"}


def _hours(schedules: tuple[Schedule, ...]) -> list[Json]:
    """A unit's opening hours as the Location's hoursOfOperation (FHIR R4 days-of-week codes mon..sun);
    00:00-24:00 is allDay, and 24:00 otherwise the last second of the day (FHIR's time stops at 23:59:59)."""
    out: list[Json] = []
    for s in schedules:
        days = [FHIR_DAYS[d] for d in s.byday]
        if s.opens_at == "00:00" and s.closes_at == "24:00":
            out.append({"daysOfWeek": days, "allDay": True})
        else:
            closes = "23:59:59" if s.closes_at == "24:00" else f"{s.closes_at}:00"
            out.append({"daysOfWeek": days, "openingTime": f"{s.opens_at}:00", "closingTime": closes})
    return out
