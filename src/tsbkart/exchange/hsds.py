"""Export a registry snapshot as an HSDS 3 (Open Referral) document, as docs/interoperability.md maps it.

A unit is a ``location``, a service offer a ``service`` at that location (one ``service_at_location``), an
organisation an ``organization``; an assessment team is a ``service`` of type ``vurdering`` at its own
location when it has one. Unknown (``None``) fields are left out, never written as false, 0 or "". Codes are
attributes linking to the terms of the ``tsbkart-<vocabulary>`` taxonomies, which the document lists.

Every ``id`` is a UUID, the same in every export (recipe in docs/interoperability.md): a record's is
``hsds_id(kind, tsbkart id)``, a nested object's ``part_id(parent id, part)``. The tsbkart id stays in the
document: an organization has it as the ``organization_identifiers`` entry of scheme
``urn:tsbkart:id:organisation``, a service or location as the attribute of the ``tsbkart-id`` taxonomy term
named by its kind (``offer``, ``unit``, ``team``), the id in ``value``. Shape::

    doc = hsds_document(snapshot)
    doc["organizations"][0]   # {"id": hsds_id("organisation", "ous"), "name": "Oslo universitetssykehus HF",
                              #  "organization_identifiers": [{"identifier_scheme": "urn:tsbkart:id:organisation",
                              #                                "identifier": "ous", ...}, ...], ...}
    doc["services"][0]        # {"id": hsds_id("offer", "ous-rusakutt/akutt"),
                              #  "organization_id": hsds_id("organisation", "ous"), "status": "active",
                              #  "name": "Rusakuttmottaket – Akuttbehandling", "attributes": [
                              #    {"id": part_id(<service id>, "attribute/tsbkart-id/offer"),
                              #     "link_id": <service id>, "link_entity": "service",
                              #     "taxonomy_term_id": term_id(RECORD_IDS, "offer"), "value": "ous-rusakutt/akutt"},
                              #    {..., "taxonomy_term_id": term_id("service_types", "akutt")}, ...], ...}
    doc["locations"], doc["service_at_locations"], doc["taxonomies"], doc["taxonomy_terms"]

Valid time: a unit's or offer's ``opened_on``/``closed_on`` are ``tsbkart-fields`` attributes (HSDS 3 has no
date a service or location opened or closed; a schedule's ``valid_from``/``valid_to`` say how long opening
hours hold, not that a service ended). A service not in service on the export ``day`` (its or its unit's
stated closing has come, or its stated opening has not) has ``status`` ``inactive``.

Known deviations from the HSDS 3 schema are listed in docs/interoperability.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from tsbkart.domain.calendar import today
from tsbkart.domain.entities import AssessmentTeam, Organisation, Provenance, ServiceOffer, Unit, valid_period
from tsbkart.domain.schedules import Schedule
from tsbkart.exchange.codesystems import (
    CATCHMENTS,
    FIELDS,
    IDENTIFIERS,
    MUNICIPALITIES,
    RECORD_IDS,
    REGIONS,
    TAXONOMY_KIND,
    code_system,
    geography_label,
    id_system,
    record_uuid,
    taxonomy_id,
)
from tsbkart.exchange.columns import load_columns
from tsbkart.query.target_groups import stated_groups
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab import Vocabularies, load_vocabularies

Json = dict[str, Any]

# Vocabulary files the mapping uses; their taxonomies are listed with every term.
VOCABULARIES = (
    "owner_types",
    "service_types",
    "target_groups",
    "legal_basis",
    "intake_status",
    "location_precision",
    "assessment_scope",
    "disciplines",
)
_GEOGRAPHY = (REGIONS, CATCHMENTS, MUNICIPALITIES)
# HSDS has no "unknown" status: an unknown intake becomes active, and the intake_status attribute says unknown.
STATUS = {"open": "active", "waitlist": "active", "closed": "temporarily closed", "unknown": "active"}
# A service its source states closed (or not yet opened) on the export day, whatever its intake status.
NOT_IN_SERVICE = "inactive"
COUNTRY = "NO"


# Names (bokmål) and descriptions (English) of the terms of the tsbkart-id taxonomy, one per record kind that
# HSDS carries (a kind maps onto HSDS by hand, so a new kind is added here when it has an HSDS form).
KIND_LABELS = {
    "organisation": ("tsbkart-id for organisasjon", "tsbkart id of an organisation"),
    "unit": ("tsbkart-id for enhet", "tsbkart id of a unit"),
    "offer": ("tsbkart-id for tjenestetilbud", "tsbkart id of a service offer"),
    "team": ("tsbkart-id for vurderingsteam", "tsbkart id of an assessment team"),
}
# The organization_identifiers entry that keeps an organisation's tsbkart id (the FHIR identifier system).
TSBKART_ID_SCHEME = id_system("organisation")
TSBKART_ID_TYPE = "tsbkart id"


def hsds_id(kind: str, record_id: str) -> str:
    """The HSDS id of a record's own object: an organisation's organization, a unit's location, an offer's or
    a team's service (``kind`` as in ``tsbkart.registry.kinds.KINDS``)."""
    return str(record_uuid(kind, record_id))


def part_id(parent_id: str, part: str) -> str:
    """The id of an object that belongs to the object ``parent_id``: ``uuid5(UUID(parent_id), part)``."""
    return str(uuid.uuid5(uuid.UUID(parent_id), part))


def team_location_id(team_id: str) -> str:
    """The id of an assessment team's own location."""
    return part_id(hsds_id("team", team_id), "location")


def taxonomy_hsds_id(vocabulary: str) -> str:
    """The id of the ``tsbkart-<vocabulary>`` taxonomy."""
    return str(record_uuid(TAXONOMY_KIND, taxonomy_id(vocabulary)))


def term_id(vocabulary: str, code: str) -> str:
    """The id of the taxonomy term ``code`` of the ``tsbkart-<vocabulary>`` taxonomy."""
    return part_id(taxonomy_hsds_id(vocabulary), code)


def service_at_location_id(service_id: str, location_id: str) -> str:
    return part_id(service_id, f"service_at_location/{location_id}")


def _compact(fields: dict[str, Any]) -> Json:
    # Only None and empty lists go: False and 0 are facts.
    return {k: v for k, v in fields.items() if v is not None and v != []}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _Document:
    """Builds one document; remembers which geography and field terms the attributes used."""

    def __init__(self, snapshot: RegistrySnapshot, vocabularies: Vocabularies, day: date) -> None:
        self.snapshot = snapshot
        self.vocabularies = vocabularies
        self.day = day
        self.used: dict[str, set[str]] = {name: set() for name in (*_GEOGRAPHY, FIELDS)}

    # --- shared parts ---------------------------------------------------------------------------------

    def attribute(self, entity: str, link_id: str, vocabulary: str, code: str, value: object = None) -> Json:
        if vocabulary in self.used:
            self.used[vocabulary].add(code)
        return _compact(
            {
                "id": part_id(link_id, f"attribute/{taxonomy_id(vocabulary)}/{code}"),
                "link_id": link_id,
                "link_entity": entity,
                "taxonomy_term_id": term_id(vocabulary, code),
                "value": None if value is None else _text(value),
            }
        )

    def tsbkart_id(self, entity: str, link_id: str, kind: str, record_id: str) -> Json:
        """The attribute that keeps a service's or location's tsbkart id."""
        return self.attribute(entity, link_id, RECORD_IDS, kind, record_id)

    def field_attribute(self, entity: str, link_id: str, kind: str, field: str, value: object) -> list[Json]:
        """An attribute of the ``fields`` taxonomy holding a value; none when the value is unknown."""
        if value is None:
            return []
        return [self.attribute(entity, link_id, FIELDS, f"{kind}.{field}", value)]

    def code_attributes(
        self, entity: str, link_id: str, vocabulary: str, codes: Iterable[str | None]
    ) -> list[Json]:
        return [self.attribute(entity, link_id, vocabulary, c) for c in codes if c is not None]

    @staticmethod
    def metadata(entity: str, resource_id: str, provenance: Provenance) -> list[Json]:
        """The record's source (and provenance note) as metadata entries dated by ``verified``."""
        common = {
            "resource_id": resource_id,
            "resource_type": entity,
            "last_action_date": provenance.verified.isoformat() if provenance.verified else None,
            "last_action_type": "verified" if provenance.verified else None,
            "updated_by": provenance.steward,
        }
        entries = [("source", provenance.source), ("provenance_note", provenance.note)]
        return [
            _compact(
                {
                    "id": part_id(resource_id, f"metadata/{name}"),
                    **common,
                    "field_name": name,
                    "replacement_value": value,
                }
            )
            for name, value in entries
            if value is not None
        ]

    def address(
        self,
        location_id: str,
        line: str | None,
        postal_code: str | None,
        town: str | None,
        municipality_code: str | None,
        address_type: str,
    ) -> list[Json]:
        if line is None and postal_code is None and town is None and municipality_code is None:
            return []
        region = (
            geography_label(self.snapshot.geography, MUNICIPALITIES, municipality_code)
            if municipality_code
            else None
        )
        return [
            _compact(
                {
                    "id": part_id(location_id, "address"),
                    "address_1": line,
                    "postal_code": postal_code,
                    "city": town,
                    "region": region,
                    "country": COUNTRY,
                    "address_type": address_type,
                }
            )
        ]

    @staticmethod
    def phones(owner_id: str, phone: str | None) -> list[Json]:
        return [] if phone is None else [{"id": part_id(owner_id, "phone"), "number": phone}]

    def organization_id(self, organisation_id: str | None) -> str | None:
        """The organization's id; None for an organisation missing from the snapshot (never a dangling id)."""
        if organisation_id is None or organisation_id not in self.snapshot.organisations:
            return None
        return hsds_id("organisation", organisation_id)

    # --- records --------------------------------------------------------------------------------------

    def organization(self, org: Organisation) -> Json:
        oid = hsds_id("organisation", org.id)
        owner_types = self.vocabularies["owner_types"]
        registers = [
            (IDENTIFIERS[name].hsds_scheme, IDENTIFIERS[name].register, value)
            for name, value in (("orgnr", org.orgnr), ("resh_id", org.resh_id), ("her_id", org.her_id))
            if value is not None
        ]
        identifiers = [
            {
                "id": part_id(oid, f"identifier/{scheme}"),
                "identifier_scheme": scheme,
                "identifier_type": register,
                "identifier": value,
            }
            for scheme, register, value in [(TSBKART_ID_SCHEME, TSBKART_ID_TYPE, org.id), *registers]
        ]
        return _compact(
            {
                "id": oid,
                "name": org.name,
                "description": org.status_note,
                "website": org.website,
                "legal_status": owner_types.label(org.owner_type) if org.owner_type in owner_types else None,
                "organization_identifiers": identifiers,
                "attributes": [
                    *self.code_attributes("organization", oid, "owner_types", [org.owner_type]),
                    *self.code_attributes("organization", oid, REGIONS, [org.region_code]),
                ],
                "metadata": self.metadata("organization", oid, org.provenance),
            }
        )

    @staticmethod
    def schedules(location_id: str, opening_hours: tuple[Schedule, ...]) -> list[Json]:
        """The unit's opening hours as HSDS 3 schedules of its location (weekly, iCal day codes)."""
        return [
            {
                "id": part_id(location_id, f"schedule/{i}"),
                "location_id": location_id,
                "freq": s.freq,
                "byday": ",".join(s.byday),
                "opens_at": s.opens_at,
                "closes_at": s.closes_at,
            }
            for i, s in enumerate(opening_hours)
        ]

    def accessibility(self, location_id: str, codes: tuple[str, ...]) -> list[Json]:
        """One HSDS 3 accessibility entry per provision the unit states (none stated: none listed, unknown)."""
        vocabulary = self.vocabularies["accessibility"]
        return [
            {
                "id": part_id(location_id, f"accessibility/{code}"),
                "location_id": location_id,
                "description": vocabulary.label(code),
            }
            for code in codes
        ]

    def location(self, unit: Unit) -> Json:
        lid = hsds_id("unit", unit.id)
        external = next(
            (
                (value, IDENTIFIERS[name].hsds_scheme)
                for name, value in (("resh_id", unit.resh_id), ("her_id", unit.her_id))
                if value is not None
            ),
            (None, None),
        )
        return _compact(
            {
                "id": lid,
                "location_type": "physical",
                "organization_id": self.organization_id(unit.organisation_id),
                "name": unit.name,
                "description": unit.description,
                "latitude": unit.lat,
                "longitude": unit.lon,
                "url": unit.website,
                "external_identifier": external[0],
                "external_identifier_type": external[1],
                "addresses": self.address(
                    lid,
                    unit.street_address,
                    unit.postal_code,
                    unit.town,
                    unit.municipality_code,
                    "physical",
                ),
                "phones": self.phones(lid, unit.phone),
                "schedules": self.schedules(lid, unit.opening_hours),
                "accessibility": self.accessibility(lid, unit.accessibility),
                "attributes": [
                    self.tsbkart_id("location", lid, "unit", unit.id),
                    *self.code_attributes("location", lid, "location_precision", [unit.location_precision]),
                    *self.code_attributes("location", lid, CATCHMENTS, [unit.catchment_code]),
                    *self.code_attributes("location", lid, MUNICIPALITIES, [unit.municipality_code]),
                    *self.code_attributes("location", lid, REGIONS, [unit.region_code]),
                    # What a source states for the whole unit; each service keeps its own.
                    *self.code_attributes("location", lid, "target_groups", unit.target_groups),
                    *self.field_attribute("location", lid, "unit", "confidence", unit.confidence),
                    *self.field_attribute("location", lid, "unit", "beds", unit.beds),
                    *self.field_attribute("location", lid, "unit", "opened_on", unit.opened_on),
                    *self.field_attribute("location", lid, "unit", "closed_on", unit.closed_on),
                ],
                "metadata": self.metadata("location", lid, unit.provenance),
            }
        )

    def eligibility(self, offer: ServiceOffer) -> str | None:
        parts = []
        unit = self.snapshot.units.get(offer.unit_id)
        groups, of_unit = stated_groups(offer, unit)
        if groups:
            labels = [self.vocabularies["target_groups"].label(c) for c in groups]
            level = " (oppgitt for enheten)" if of_unit else ""
            parts.append(f"Målgrupper{level}: {'; '.join(labels)}.")
        if offer.legal_basis:
            labels = [self.vocabularies["legal_basis"].label(c) for c in offer.legal_basis]
            parts.append(f"Rettsgrunnlag: {'; '.join(labels)}.")
        return " ".join(parts) or None

    def service(self, offer: ServiceOffer) -> Json:
        sid = hsds_id("offer", offer.id)
        unit = self.snapshot.units.get(offer.unit_id)
        type_label = self.vocabularies["service_types"].label(offer.service_type)
        has_waiting = offer.waiting_weeks is not None and offer.waiting_as_of is not None
        team = offer.assessment_team_id
        in_service = valid_period(offer, unit).in_service_on(self.day)
        return _compact(
            {
                "id": sid,
                "organization_id": self.organization_id(unit.organisation_id if unit else None),
                "name": f"{unit.name} – {type_label}" if unit else type_label,
                "description": offer.description,
                "status": STATUS[offer.intake_status] if in_service else NOT_IN_SERVICE,
                "minimum_age": offer.age_min,
                "maximum_age": offer.age_max,
                "eligibility_description": self.eligibility(offer),
                "application_process": offer.referral_note,
                "assured_date": offer.provenance.verified.isoformat() if offer.provenance.verified else None,
                "languages": [
                    {"id": part_id(sid, f"language/{code}"), "code": code} for code in offer.languages
                ],
                "attributes": [
                    self.tsbkart_id("service", sid, "offer", offer.id),
                    *self.code_attributes("service", sid, "service_types", [offer.service_type]),
                    *self.code_attributes("service", sid, "target_groups", offer.target_groups),
                    *self.code_attributes("service", sid, "legal_basis", offer.legal_basis),
                    *self.code_attributes("service", sid, "intake_status", [offer.intake_status]),
                    *self.field_attribute("service", sid, "offer", "open_24_7", offer.open_24_7),
                    *self.field_attribute("service", sid, "offer", "beds", offer.beds),
                    *self.field_attribute("service", sid, "offer", "places", offer.places),
                    # A waiting time is only meaningful with the date it was measured.
                    *self.field_attribute(
                        "service", sid, "offer", "waiting_weeks", offer.waiting_weeks if has_waiting else None
                    ),
                    *self.field_attribute(
                        "service", sid, "offer", "waiting_as_of", offer.waiting_as_of if has_waiting else None
                    ),
                    # The team's service id, so that the value resolves in the document (as FHIR, a team
                    # missing from the snapshot is left out rather than left dangling).
                    *self.field_attribute(
                        "service",
                        sid,
                        "offer",
                        "assessment_team_id",
                        hsds_id("team", team) if team is not None and team in self.snapshot.teams else None,
                    ),
                    *self.field_attribute("service", sid, "offer", "opened_on", offer.opened_on),
                    *self.field_attribute("service", sid, "offer", "closed_on", offer.closed_on),
                ],
                "metadata": self.metadata("service", sid, offer.provenance),
            }
        )

    def team_service(self, team: AssessmentTeam) -> Json:
        sid = hsds_id("team", team.id)
        return _compact(
            {
                "id": sid,
                "organization_id": self.organization_id(team.organisation_id),
                "name": team.name,
                "status": "active",
                "minimum_age": team.age_min,
                "maximum_age": team.age_max,
                "eligibility_description": team.scope_note,
                "assured_date": team.provenance.verified.isoformat() if team.provenance.verified else None,
                "phones": self.phones(sid, team.phone),
                "attributes": [
                    self.tsbkart_id("service", sid, "team", team.id),
                    *self.code_attributes("service", sid, "service_types", ["vurdering"]),
                    *self.code_attributes("service", sid, "assessment_scope", [team.scope]),
                    *self.code_attributes("service", sid, "disciplines", team.disciplines),
                    *self.field_attribute(
                        "service", sid, "team", "referrals_per_year", team.referrals_per_year
                    ),
                    *self.field_attribute(
                        "service", sid, "team", "specialist_present", team.specialist_present
                    ),
                ],
                "metadata": self.metadata("service", sid, team.provenance),
            }
        )

    def team_location(self, team: AssessmentTeam) -> Json | None:
        """The team's own location, or None when nothing about where it is is known."""
        known = (team.lat, team.lon, team.address, team.town, team.municipality_code)
        if all(v is None for v in known):
            return None
        lid = team_location_id(team.id)
        return _compact(
            {
                "id": lid,
                "location_type": "physical",
                "organization_id": self.organization_id(team.organisation_id),
                "name": team.name,
                "latitude": team.lat,
                "longitude": team.lon,
                "external_identifier": team.her_id,
                "external_identifier_type": IDENTIFIERS["her_id"].hsds_scheme if team.her_id else None,
                # The team's address is where referrals go, so a postal address when it is known.
                "addresses": self.address(
                    lid,
                    team.address,
                    None,
                    team.town,
                    team.municipality_code,
                    "postal" if team.address is not None else "physical",
                ),
                "attributes": [
                    self.tsbkart_id("location", lid, "team", team.id),
                    *self.code_attributes("location", lid, "location_precision", [team.location_precision]),
                    *self.code_attributes("location", lid, CATCHMENTS, [team.catchment_code]),
                    *self.code_attributes("location", lid, MUNICIPALITIES, [team.municipality_code]),
                    *self.code_attributes("location", lid, REGIONS, [team.region_code]),
                ],
                "metadata": self.metadata("location", lid, team.provenance),
            }
        )

    # --- taxonomies -----------------------------------------------------------------------------------

    def taxonomies(self) -> tuple[list[Json], list[Json]]:
        taxonomies: list[Json] = []
        terms: list[Json] = []

        def add(
            name: str,
            description: str,
            version: str | None,
            entries: Iterable[tuple[str, str, str]],
            term_uri: Callable[[str], str] | None = None,
        ) -> None:
            tid = taxonomy_hsds_id(name)
            taxonomies.append(
                _compact(
                    {
                        "id": tid,
                        "name": taxonomy_id(name),
                        "description": description,
                        "uri": code_system(name),
                        "version": version,
                    }
                )
            )
            for code, term_name, term_description in entries:
                terms.append(
                    _compact(
                        {
                            "id": term_id(name, code),
                            "code": code,
                            "name": term_name,
                            "description": term_description,
                            "taxonomy_id": tid,
                            "taxonomy": code_system(name),
                            "language": "nb",
                            "term_uri": term_uri(code) if term_uri else None,
                        }
                    )
                )

        for name in VOCABULARIES:
            vocabulary = self.vocabularies[name]
            source = f"; source: {vocabulary.source}" if vocabulary.source else ""
            add(
                name,
                f"tsbkart vocabulary {name}{source}",
                str(vocabulary.version),
                ((t.code, t.label_in("nb"), t.label_in("en")) for t in vocabulary),
            )
        geography = self.snapshot.geography
        add(
            REGIONS,
            "Regional health authorities (RHF), tsbkart reference geography",
            None,
            (
                (c, geography_label(geography, REGIONS, c) or c, "Regional health authority (RHF)")
                for c in sorted(self.used[REGIONS])
            ),
        )
        add(
            CATCHMENTS,
            "Health-trust catchment areas (opptaksområder), tsbkart reference geography",
            None,
            (
                (c, geography_label(geography, CATCHMENTS, c) or c, self._catchment_description(c))
                for c in sorted(self.used[CATCHMENTS])
            ),
        )
        add(
            MUNICIPALITIES,
            "Municipalities (kommuner) and Oslo city districts (bydeler) by SSB code",
            None,
            (
                (c, geography_label(geography, MUNICIPALITIES, c) or c, self._area_description(c))
                for c in sorted(self.used[MUNICIPALITIES])
            ),
        )
        columns = load_columns()
        field_terms = []
        for code in sorted(self.used[FIELDS]):
            kind, field = code.split(".", 1)
            description = columns[kind].column(field).description
            field_terms.append((code, description["nb"], description["en"]))
        add(FIELDS, "tsbkart record fields whose value an attribute carries in value", None, field_terms)
        add(
            RECORD_IDS,
            "tsbkart record ids: an attribute with one of these terms carries the record's tsbkart id in value",
            None,
            ((kind, *labels) for kind, labels in KIND_LABELS.items()),
            id_system,
        )
        return taxonomies, terms

    def _catchment_description(self, code: str) -> str:
        catchment = self.snapshot.geography.catchments.get(code)
        return f"Catchment area of {catchment.name}" if catchment else "Catchment area"

    def _area_description(self, code: str) -> str:
        area = self.snapshot.geography.area_units.get(code)
        return f"{area.kind} {code}, {area.county}" if area else code


def hsds_document(
    snapshot: RegistrySnapshot, vocabularies: Vocabularies | None = None, *, day: date | None = None
) -> Json:
    """The whole registry as one HSDS 3 document (JSON-ready), records in tsbkart id order. ``day`` (default:
    today in Norway; the ``--as-of`` date for a past registry) decides which services are in service."""
    doc = _Document(snapshot, load_vocabularies() if vocabularies is None else vocabularies, day or today())
    organizations = [doc.organization(o) for o in snapshot.organisations.values()]
    locations = [doc.location(u) for u in snapshot.units.values()]
    services = [doc.service(o) for o in snapshot.offers.values()]
    links = [
        (hsds_id("offer", o.id), hsds_id("unit", o.unit_id))
        for o in snapshot.offers.values()
        # An offer whose unit is missing from the snapshot has no location to link to.
        if o.unit_id in snapshot.units
    ]
    for team in snapshot.teams.values():
        services.append(doc.team_service(team))
        location = doc.team_location(team)
        if location is not None:
            locations.append(location)
            links.append((hsds_id("team", team.id), location["id"]))
    service_at_locations = [
        {"id": service_at_location_id(sid, lid), "service_id": sid, "location_id": lid} for sid, lid in links
    ]
    taxonomies, terms = doc.taxonomies()
    # The top-level lists stay even when empty: an empty registry is still a document.
    return {
        "revision": snapshot.revision,
        **({"taken_at": snapshot.taken_at.isoformat()} if snapshot.taken_at else {}),
        "organizations": organizations,
        "services": services,
        "locations": locations,
        "service_at_locations": service_at_locations,
        "taxonomies": taxonomies,
        "taxonomy_terms": terms,
    }
