"""HSDS 3 export: every mapped field, unknown fields absent, ids and references resolving, the bundled registry.

The small registry below is synthetic (its source says so). ``small_snapshot`` is also used by test_fhir.py.
The HSDS 3 schema text is not vendored here (see docs/interoperability.md); ``REQUIRED`` and the enums below
restate the required fields and code lists of the HSDS 3 schema files (openreferral/specification, schema/).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest

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
from tsbkart.domain.identifiers import orgnr_check_digit
from tsbkart.exchange.hsds import STATUS, hsds_document
from tsbkart.registry.snapshot import Geography, RegistrySnapshot
from tsbkart.vocab import load_vocabularies

SOURCE = "https://example.org/synthetic-test-source"
FULL = Provenance(SOURCE, verified=date(2026, 3, 1), steward="Synthetic steward", note="synthetic test data")
BARE = Provenance("synthetic test data, no URL")  # only a source: verified, steward and note unknown
ORGNR = "12345678" + str(orgnr_check_digit("12345678"))


def small_snapshot() -> RegistrySnapshot:
    """Synthetic: one fully known and one barely known record of each kind, plus a closed 'dag' offer."""
    geography = Geography.build(
        [Region("helse-test", "Helse Test RHF")],
        [CatchmentArea("test-hf", "Test HF", "Testområdet", "helse-test")],
        [AreaUnit("0301", "Oslo", "kommune", "Oslo", None, 59.91, 10.75, date(2024, 1, 1))],
    )
    organisations = [
        Organisation(
            "org-full",
            "Synthetic HF",
            "hf",
            FULL,
            region_code="helse-test",
            orgnr=ORGNR,
            resh_id="4001",
            her_id="80001",
            website="https://example.org/org",
            status_note="agreement 2025-2028",
        ),
        Organisation("org-min", "Synthetic foundation", "private_nonprofit_contract", BARE),
    ]
    units = [
        Unit(
            "u-full",
            "Mottaket",
            "org-full",
            FULL,
            catchment_code="test-hf",
            region_code="helse-test",
            street_address="Testveien 1",
            postal_code="0150",
            town="Oslo",
            municipality_code="0301",
            lat=59.91,
            lon=10.75,
            location_precision="address",
            phone="+47 22 00 00 00",
            website="https://example.org/unit",
            her_id="80002",
            resh_id="4002",
            beds=0,
            description="Synthetic unit",
            confidence="high",
        ),
        Unit("u-min", "Poliklinikken", "org-min", BARE),
    ]
    offers = [
        ServiceOffer(
            "u-full/akutt",
            "u-full",
            "akutt",
            FULL,
            target_groups=("adults", "rop"),
            legal_basis=("voluntary", "hol_10_2"),
            age_min=18,
            age_max=64,
            beds=8,
            places=0,
            waiting_weeks=1.5,
            waiting_as_of=date(2026, 2, 1),
            intake_status="waitlist",
            open_24_7=True,
            languages=("nb", "en"),
            assessment_team_id="team-full",
            referral_note="Henvisning fra fastlege",
            description="Synthetic acute care",
        ),
        ServiceOffer(
            "u-full/dag",
            "u-full",
            "dag",
            BARE,
            intake_status="closed",
            open_24_7=False,
            assessment_team_id="team-min",
        ),
        ServiceOffer("u-min/poliklinikk", "u-min", "poliklinikk", BARE),
    ]
    teams = [
        AssessmentTeam(
            "team-full",
            "Vurderingsteamet",
            FULL,
            organisation_id="org-full",
            catchment_code="test-hf",
            region_code="helse-test",
            municipality_code="0301",
            town="Oslo",
            scope="all_tsb",
            scope_note="all of TSB",
            age_min=18,
            age_max=None,
            referrals_per_year=1200,
            disciplines=("medical", "social_work"),
            specialist_present=False,
            phone="+47 22 00 00 01",
            address="Postboks 1, 0150 Oslo",
            her_id="80003",
            lat=59.92,
            lon=10.76,
            location_precision="municipality",
        ),
        AssessmentTeam("team-min", "Inntaksteamet", BARE),
    ]
    return RegistrySnapshot.build(
        geography,
        organisations=organisations,
        units=units,
        offers=offers,
        teams=teams,
        revision=7,
        taken_at=datetime(2026, 3, 2, 12, 0),
    )


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return hsds_document(small_snapshot())


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def terms_of(record: dict[str, Any]) -> dict[str, str | None]:
    """taxonomy_term_id -> value of a record's attributes."""
    return {a["taxonomy_term_id"]: a.get("value") for a in record.get("attributes", [])}


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


# Required fields of the HSDS 3 schema per object, less the ones tsbkart leaves out when unknown (listed in
# docs/interoperability.md: organization.description, metadata dates/updated_by/previous_value, address lines).
REQUIRED = {
    "organizations": {"id", "name"},
    "services": {"id", "name", "status"},
    "locations": {"id", "location_type"},
    "service_at_locations": {"id", "service_id", "location_id"},
    "taxonomies": {"id", "name", "description"},
    "taxonomy_terms": {"id", "name", "description"},
}
NESTED_REQUIRED = {
    "attributes": {"id", "link_id", "link_entity", "taxonomy_term_id"},
    "metadata": {"id", "resource_id", "resource_type", "field_name", "replacement_value"},
    "organization_identifiers": {"id", "identifier_type", "identifier"},
    "phones": {"id", "number"},
    "languages": {"id", "code"},
    "addresses": {"id", "country", "address_type"},
}
SERVICE_STATUS = {"active", "inactive", "defunct", "temporarily closed"}
LOCATION_TYPES = {"physical", "postal", "virtual"}


def check_document(doc: dict[str, Any]) -> None:
    """Structure every HSDS export must have, whatever the registry."""
    for path, value in walk(doc):
        top_level = path.count(".") == 1  # the document's own lists may be empty
        assert top_level or value not in (None, "", []), path
    for collection, required in REQUIRED.items():
        for item in doc[collection]:
            assert required <= item.keys(), (collection, item["id"])
        ids = [item["id"] for item in doc[collection]]
        assert len(ids) == len(set(ids)), collection
    nested_ids: list[str] = []
    for path, value in walk(doc):
        key = path.rsplit(".", 1)[-1]
        if key in NESTED_REQUIRED and isinstance(value, list):
            for item in value:
                assert NESTED_REQUIRED[key] <= item.keys(), path
                nested_ids.append(item["id"])
    assert len(nested_ids) == len(set(nested_ids))
    assert {s["status"] for s in doc["services"]} <= SERVICE_STATUS
    assert {loc["location_type"] for loc in doc["locations"]} <= LOCATION_TYPES
    addresses = [a for loc in doc["locations"] for a in loc.get("addresses", [])]
    assert {a["address_type"] for a in addresses} <= LOCATION_TYPES

    organizations, locations = by_id(doc["organizations"]), by_id(doc["locations"])
    services, terms = by_id(doc["services"]), by_id(doc["taxonomy_terms"])
    taxonomies = by_id(doc["taxonomies"])
    for record in [*doc["services"], *doc["locations"]]:
        assert record.get("organization_id") is None or record["organization_id"] in organizations
    for link in doc["service_at_locations"]:
        assert link["service_id"] in services and link["location_id"] in locations
        assert link["id"] == f"{link['service_id']}@{link['location_id']}"
    for entity, collection in (
        ("organization", organizations),
        ("service", services),
        ("location", locations),
    ):
        for record in collection.values():
            for attribute in record.get("attributes", []):
                assert attribute["link_id"] == record["id"] and attribute["link_entity"] == entity
                assert attribute["taxonomy_term_id"] in terms
            for entry in record["metadata"]:
                assert entry["resource_id"] == record["id"] and entry["resource_type"] == entity
    for term in terms.values():
        assert term["taxonomy_id"] in taxonomies


def test_document_structure_ids_and_references(doc: dict[str, Any]) -> None:
    check_document(doc)
    assert doc["revision"] == 7 and doc["taken_at"] == "2026-03-02T12:00:00"


def test_organization_maps_every_field(doc: dict[str, Any]) -> None:
    org = by_id(doc["organizations"])["org-full"]
    assert org["name"] == "Synthetic HF"
    assert org["website"] == "https://example.org/org"
    assert org["description"] == "agreement 2025-2028"
    assert org["legal_status"] == "Helseforetak (HF)"
    assert [
        (i["identifier_scheme"], i["identifier_type"], i["identifier"])
        for i in org["organization_identifiers"]
    ] == [
        ("NO-BRC", "organisasjonsnummer", ORGNR),
        ("NO-RESH", "RESH-id", "4001"),
        ("NO-HER", "HER-id", "80001"),
    ]
    assert terms_of(org) == {"tsbkart-owner_types/hf": None, "tsbkart-regions/helse-test": None}
    source, note = org["metadata"]
    assert source == {
        "id": "organization/org-full#metadata/source",
        "resource_id": "org-full",
        "resource_type": "organization",
        "last_action_date": "2026-03-01",
        "last_action_type": "verified",
        "updated_by": "Synthetic steward",
        "field_name": "source",
        "replacement_value": SOURCE,
    }
    assert note["field_name"] == "provenance_note" and note["replacement_value"] == "synthetic test data"


def test_unknown_organization_fields_are_absent(doc: dict[str, Any]) -> None:
    org = by_id(doc["organizations"])["org-min"]
    assert set(org) == {"id", "name", "legal_status", "attributes", "metadata"}
    assert terms_of(org) == {"tsbkart-owner_types/private_nonprofit_contract": None}
    assert org["metadata"] == [
        {
            "id": "organization/org-min#metadata/source",
            "resource_id": "org-min",
            "resource_type": "organization",
            "field_name": "source",
            "replacement_value": "synthetic test data, no URL",
        }
    ]


def test_location_maps_every_field(doc: dict[str, Any]) -> None:
    loc = by_id(doc["locations"])["u-full"]
    expected = {
        "location_type": "physical",
        "organization_id": "org-full",
        "name": "Mottaket",
        "description": "Synthetic unit",
        "latitude": 59.91,
        "longitude": 10.75,
        "url": "https://example.org/unit",
        "external_identifier": "4002",  # RESH before HER
        "external_identifier_type": "NO-RESH",
    }
    assert {k: loc[k] for k in expected} == expected
    assert loc["addresses"] == [
        {
            "id": "location/u-full#address",
            "address_1": "Testveien 1",
            "postal_code": "0150",
            "city": "Oslo",
            "region": "Oslo",
            "country": "NO",
            "address_type": "physical",
        }
    ]
    assert loc["phones"] == [{"id": "location/u-full#phone", "number": "+47 22 00 00 00"}]
    assert terms_of(loc) == {
        "tsbkart-location_precision/address": None,
        "tsbkart-catchments/test-hf": None,
        "tsbkart-municipalities/0301": None,
        "tsbkart-regions/helse-test": None,
        "tsbkart-fields/unit.confidence": "high",
        "tsbkart-fields/unit.beds": "0",  # zero beds is a fact, not unknown
    }
    assert [m["field_name"] for m in loc["metadata"]] == ["source", "provenance_note"]


def test_unknown_location_fields_are_absent(doc: dict[str, Any]) -> None:
    loc = by_id(doc["locations"])["u-min"]
    assert set(loc) == {"id", "location_type", "organization_id", "name", "metadata"}


def test_service_maps_every_field(doc: dict[str, Any]) -> None:
    service = by_id(doc["services"])["u-full/akutt"]
    expected = {
        "organization_id": "org-full",
        "name": "Mottaket – Akuttbehandling",
        "description": "Synthetic acute care",
        "status": "active",
        "minimum_age": 18,
        "maximum_age": 64,
        "eligibility_description": (
            "Målgrupper: Voksne (18 år og eldre); ROP (rus og psykisk lidelse). "
            "Rettsgrunnlag: Frivillig; Tvang etter helse- og omsorgstjenesteloven § 10-2."
        ),
        "application_process": "Henvisning fra fastlege",
        "assured_date": "2026-03-01",
    }
    assert {k: service[k] for k in expected} == expected
    assert "assurer_email" not in service and "wait_time" not in service
    assert [lang["code"] for lang in service["languages"]] == ["nb", "en"]
    assert terms_of(service) == {
        "tsbkart-service_types/akutt": None,
        "tsbkart-target_groups/adults": None,
        "tsbkart-target_groups/rop": None,
        "tsbkart-legal_basis/voluntary": None,
        "tsbkart-legal_basis/hol_10_2": None,
        "tsbkart-intake_status/waitlist": None,
        "tsbkart-fields/offer.open_24_7": "true",
        "tsbkart-fields/offer.beds": "8",
        "tsbkart-fields/offer.places": "0",
        "tsbkart-fields/offer.waiting_weeks": "1.5",
        "tsbkart-fields/offer.waiting_as_of": "2026-02-01",
        "tsbkart-fields/offer.assessment_team_id": "team:team-full",
    }
    assert by_id(doc["services"])["team:team-full"]  # the team value resolves to a service
    assert [m["field_name"] for m in service["metadata"]] == ["source", "provenance_note"]


def test_unknown_service_fields_are_absent_and_unknown_intake_is_kept(doc: dict[str, Any]) -> None:
    service = by_id(doc["services"])["u-min/poliklinikk"]
    assert set(service) == {"id", "organization_id", "name", "status", "attributes", "metadata"}
    # HSDS has no unknown status: active, with the attribute telling the truth.
    assert service["status"] == "active"
    assert terms_of(service) == {
        "tsbkart-service_types/poliklinikk": None,
        "tsbkart-intake_status/unknown": None,
    }


def test_closed_and_not_24_7_are_facts(doc: dict[str, Any]) -> None:
    service = by_id(doc["services"])["u-full/dag"]
    assert service["status"] == "temporarily closed"
    assert terms_of(service)["tsbkart-fields/offer.open_24_7"] == "false"
    assert terms_of(service)["tsbkart-fields/offer.assessment_team_id"] == "team:team-min"


def test_every_intake_status_has_an_hsds_status() -> None:
    assert set(STATUS) == set(load_vocabularies()["intake_status"].codes)
    assert set(STATUS.values()) <= SERVICE_STATUS


def test_waiting_time_only_with_its_date() -> None:
    snap = small_snapshot()
    offer = ServiceOffer("u-min/lar", "u-min", "lar", BARE, waiting_weeks=3.0)  # no date: not exported
    doc = hsds_document(RegistrySnapshot.build(snap.geography, units=snap.units.values(), offers=[offer]))
    assert not any("waiting" in t for t in terms_of(doc["services"][0]))


def test_team_is_a_vurdering_service_at_its_own_location(doc: dict[str, Any]) -> None:
    service = by_id(doc["services"])["team:team-full"]
    expected = {
        "organization_id": "org-full",
        "name": "Vurderingsteamet",
        "status": "active",
        "minimum_age": 18,
        "eligibility_description": "all of TSB",
        "assured_date": "2026-03-01",
        "phones": [{"id": "service/team:team-full#phone", "number": "+47 22 00 00 01"}],
    }
    assert {k: service[k] for k in expected} == expected
    assert "maximum_age" not in service
    assert terms_of(service) == {
        "tsbkart-service_types/vurdering": None,
        "tsbkart-assessment_scope/all_tsb": None,
        "tsbkart-disciplines/medical": None,
        "tsbkart-disciplines/social_work": None,
        "tsbkart-fields/team.referrals_per_year": "1200",
        "tsbkart-fields/team.specialist_present": "false",
    }
    location = by_id(doc["locations"])["team:team-full"]
    assert location["latitude"] == 59.92 and location["longitude"] == 10.76
    assert location["external_identifier"] == "80003" and location["external_identifier_type"] == "NO-HER"
    assert location["addresses"][0]["address_1"] == "Postboks 1, 0150 Oslo"
    assert location["addresses"][0]["address_type"] == "postal"
    assert "tsbkart-location_precision/municipality" in terms_of(location)
    links = by_id(doc["service_at_locations"])
    assert links["team:team-full@team:team-full"]["location_id"] == "team:team-full"


def test_team_without_any_place_has_no_location(doc: dict[str, Any]) -> None:
    service = by_id(doc["services"])["team:team-min"]
    assert set(service) == {"id", "name", "status", "attributes", "metadata"}
    assert terms_of(service) == {
        "tsbkart-service_types/vurdering": None,
        "tsbkart-assessment_scope/unknown": None,
    }
    assert "team:team-min" not in by_id(doc["locations"])
    assert not any(link["service_id"] == "team:team-min" for link in doc["service_at_locations"])


def test_taxonomies_list_vocabularies_and_the_used_geography(doc: dict[str, Any]) -> None:
    taxonomies = by_id(doc["taxonomies"])
    assert taxonomies["tsbkart-service_types"]["uri"] == "urn:tsbkart:codesystem:service_types"
    assert taxonomies["tsbkart-service_types"]["version"] == "1"
    terms = by_id(doc["taxonomy_terms"])
    akutt = terms["tsbkart-service_types/akutt"]
    assert (akutt["code"], akutt["name"], akutt["description"]) == ("akutt", "Akuttbehandling", "Acute care")
    every_code = {f"tsbkart-service_types/{c}" for c in load_vocabularies()["service_types"].codes}
    assert every_code <= terms.keys()
    assert terms["tsbkart-regions/helse-test"]["name"] == "Helse Test RHF"
    assert terms["tsbkart-catchments/test-hf"]["name"] == "Testområdet"
    assert terms["tsbkart-municipalities/0301"]["name"] == "Oslo"
    assert terms["tsbkart-fields/unit.beds"]["taxonomy_id"] == "tsbkart-fields"


def test_empty_registry_is_an_empty_document() -> None:
    doc = hsds_document(RegistrySnapshot.build(small_snapshot().geography))
    assert doc["organizations"] == doc["services"] == doc["locations"] == doc["service_at_locations"] == []
    assert "taken_at" not in doc


def test_bundled_registry_exports_every_record(bundled_snapshot: RegistrySnapshot) -> None:
    doc = hsds_document(bundled_snapshot)
    check_document(doc)
    teams_with_place = [
        t
        for t in bundled_snapshot.teams.values()
        if any(v is not None for v in (t.lat, t.address, t.town, t.municipality_code))
    ]
    assert len(doc["organizations"]) == len(bundled_snapshot.organisations)
    assert len(doc["services"]) == len(bundled_snapshot.offers) + len(bundled_snapshot.teams)
    assert len(doc["locations"]) == len(bundled_snapshot.units) + len(teams_with_place)
    assert len(doc["service_at_locations"]) == len(bundled_snapshot.offers) + len(teams_with_place)
    assert {o["id"] for o in doc["organizations"]} == set(bundled_snapshot.organisations)
    assert set(bundled_snapshot.units) <= {loc["id"] for loc in doc["locations"]}
    assert set(bundled_snapshot.offers) <= {s["id"] for s in doc["services"]}
