"""HSDS 3 export: every mapped field, unknown fields absent, UUID ids (by the documented recipe, stable, unique)
and references resolving, every record's tsbkart id recoverable, the bundled registry.

The small registry below is synthetic (its source says so). ``small_snapshot`` is also used by test_fhir.py.
``REQUIRED`` and the enums below restate the required fields and code lists of the HSDS 3 schema files; the
export is validated against the vendored official schemas themselves in test_hsds_schema.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
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
from tsbkart.exchange.hsds import KIND_LABELS, STATUS, hsds_document, hsds_id
from tsbkart.registry.kinds import KINDS
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


def recipe(kind: str, record_id: str) -> str:
    """A record's id by the recipe in docs/interoperability.md, restated here with nothing but uuid."""
    return str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "urn:tsbkart:id:"), f"{kind}:{record_id}"))


def part(parent_id: str, name: str) -> str:
    return str(uuid.uuid5(uuid.UUID(parent_id), name))


def record(doc: dict[str, Any], collection: str, kind: str, record_id: str) -> dict[str, Any]:
    """The object of ``collection`` made from the tsbkart record ``kind``/``record_id``."""
    return by_id(doc[collection])[tsbkart_index(doc)[(collection, kind, record_id)]]


def term_names(doc: dict[str, Any]) -> dict[str, str]:
    """Term id -> ``<taxonomy name>/<code>``."""
    taxonomies = {t["id"]: t["name"] for t in doc["taxonomies"]}
    return {t["id"]: f"{taxonomies[t['taxonomy_id']]}/{t['code']}" for t in doc["taxonomy_terms"]}


def terms_of(doc: dict[str, Any], item: dict[str, Any]) -> dict[str, str | None]:
    """``<taxonomy name>/<code>`` -> value of an object's attributes."""
    names = term_names(doc)
    return {names[a["taxonomy_term_id"]]: a.get("value") for a in item.get("attributes", [])}


def tsbkart_ids(doc: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """HSDS id -> (kind, tsbkart id) of every organization, service and location, read from the document alone:
    an organization's ``urn:tsbkart:id:organisation`` identifier, a service's or location's ``tsbkart-id``
    attribute. Fails unless each has exactly one."""
    found: dict[str, tuple[str, str]] = {}
    for org in doc["organizations"]:
        ours = [
            i["identifier"]
            for i in org.get("organization_identifiers", [])
            if i["identifier_scheme"] == "urn:tsbkart:id:organisation"
        ]
        assert len(ours) == 1, org["id"]
        found[org["id"]] = ("organisation", ours[0])
    names = term_names(doc)
    for item in [*doc["services"], *doc["locations"]]:
        ours = [
            (names[a["taxonomy_term_id"]].removeprefix("tsbkart-id/"), a["value"])
            for a in item.get("attributes", [])
            if names[a["taxonomy_term_id"]].startswith("tsbkart-id/")
        ]
        assert len(ours) == 1, item["id"]
        found[item["id"]] = ours[0]
    return found


def tsbkart_index(doc: dict[str, Any]) -> dict[tuple[str, str, str], str]:
    """(collection, kind, tsbkart id) -> HSDS id."""
    collections = {
        item["id"]: name for name in ("organizations", "services", "locations") for item in doc[name]
    }
    return {(collections[hid], kind, rid): hid for hid, (kind, rid) in tsbkart_ids(doc).items()}


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def is_uuid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


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
# Fields whose value is the id of another object (HSDS 3: format uuid).
REFERENCES = {"organization_id", "service_id", "location_id", "link_id", "taxonomy_term_id", "taxonomy_id"}
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
    for path, value in walk(doc):
        key = path.rsplit(".", 1)[-1]
        if key in NESTED_REQUIRED and isinstance(value, list):
            for item in value:
                assert NESTED_REQUIRED[key] <= item.keys(), path
    # Every id and every reference is a UUID; no two objects anywhere share an id.
    ids = [value for path, value in walk(doc) if path.endswith(".id")]
    assert all(is_uuid(i) for i in ids), [i for i in ids if not is_uuid(i)][:3]
    assert len(ids) == len(set(ids))
    for path, value in walk(doc):
        if path.rsplit(".", 1)[-1] in REFERENCES | {"resource_id"}:
            assert is_uuid(value), path
    assert {s["status"] for s in doc["services"]} <= SERVICE_STATUS
    assert {loc["location_type"] for loc in doc["locations"]} <= LOCATION_TYPES
    addresses = [a for loc in doc["locations"] for a in loc.get("addresses", [])]
    assert {a["address_type"] for a in addresses} <= LOCATION_TYPES

    organizations, locations = by_id(doc["organizations"]), by_id(doc["locations"])
    services, terms = by_id(doc["services"]), by_id(doc["taxonomy_terms"])
    taxonomies = by_id(doc["taxonomies"])
    for item in [*doc["services"], *doc["locations"]]:
        assert item.get("organization_id") is None or item["organization_id"] in organizations
    for link in doc["service_at_locations"]:
        assert link["service_id"] in services and link["location_id"] in locations
    names = term_names(doc)
    for entity, records in (
        ("organization", organizations),
        ("service", services),
        ("location", locations),
    ):
        for item in records.values():
            for attribute in item.get("attributes", []):
                assert attribute["link_id"] == item["id"] and attribute["link_entity"] == entity
                assert attribute["taxonomy_term_id"] in terms
                if names[attribute["taxonomy_term_id"]] == "tsbkart-fields/offer.assessment_team_id":
                    assert attribute["value"] in services
            for entry in item["metadata"]:
                assert entry["resource_id"] == item["id"] and entry["resource_type"] == entity
    for term in terms.values():
        assert term["taxonomy_id"] in taxonomies
    # The tsbkart id of every record is in the document and gives back its HSDS id.
    for hid, (kind, rid) in tsbkart_ids(doc).items():
        assert hid == recipe(kind, rid) or (kind == "team" and hid == part(recipe(kind, rid), "location"))


def test_document_structure_ids_and_references(doc: dict[str, Any]) -> None:
    check_document(doc)
    assert doc["revision"] == 7 and doc["taken_at"] == "2026-03-02T12:00:00"


def test_every_record_keeps_its_tsbkart_id(doc: dict[str, Any]) -> None:
    assert sorted(tsbkart_index(doc)) == sorted(
        [
            ("organizations", "organisation", "org-full"),
            ("organizations", "organisation", "org-min"),
            ("locations", "unit", "u-full"),
            ("locations", "unit", "u-min"),
            ("locations", "team", "team-full"),
            ("services", "offer", "u-full/akutt"),
            ("services", "offer", "u-full/dag"),
            ("services", "offer", "u-min/poliklinikk"),
            ("services", "team", "team-full"),
            ("services", "team", "team-min"),
        ]
    )


def test_ids_follow_the_documented_recipe(doc: dict[str, Any]) -> None:
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "urn:tsbkart:id:")
    assert str(namespace) == "57d29e89-bebd-5666-84cb-cecc779f300f"  # as docs/interoperability.md states
    org = record(doc, "organizations", "organisation", "org-full")
    assert (
        org["id"]
        == str(uuid.uuid5(namespace, "organisation:org-full"))
        == hsds_id("organisation", "org-full")
    )
    unit = record(doc, "locations", "unit", "u-full")
    assert unit["id"] == recipe("unit", "u-full")
    offer = record(doc, "services", "offer", "u-full/akutt")
    assert offer["id"] == recipe("offer", "u-full/akutt")
    team = record(doc, "services", "team", "team-full")
    assert team["id"] == recipe("team", "team-full")
    team_place = record(doc, "locations", "team", "team-full")
    assert team_place["id"] == part(team["id"], "location")
    assert {link["id"] for link in doc["service_at_locations"]} == {
        part(offer["id"], f"service_at_location/{unit['id']}"),
        part(recipe("offer", "u-full/dag"), f"service_at_location/{unit['id']}"),
        part(recipe("offer", "u-min/poliklinikk"), f"service_at_location/{recipe('unit', 'u-min')}"),
        part(team["id"], f"service_at_location/{team_place['id']}"),
    }
    assert offer["organization_id"] == org["id"] and unit["organization_id"] == org["id"]
    taxonomy = by_id(doc["taxonomies"])[recipe("taxonomy", "tsbkart-service_types")]
    assert taxonomy["name"] == "tsbkart-service_types"
    term = by_id(doc["taxonomy_terms"])[part(taxonomy["id"], "akutt")]
    assert (term["code"], term["taxonomy_id"]) == ("akutt", taxonomy["id"])
    attribute = next(a for a in offer["attributes"] if a["taxonomy_term_id"] == term["id"])
    assert attribute["id"] == part(offer["id"], "attribute/tsbkart-service_types/akutt")
    assert [m["id"] for m in offer["metadata"]] == [
        part(offer["id"], "metadata/source"),
        part(offer["id"], "metadata/provenance_note"),
    ]
    assert [i["id"] for i in org["organization_identifiers"]] == [
        part(org["id"], f"identifier/{scheme}")
        for scheme in ("urn:tsbkart:id:organisation", "NO-BRC", "NO-RESH", "NO-HER")
    ]
    assert unit["phones"][0]["id"] == part(unit["id"], "phone")
    assert unit["addresses"][0]["id"] == part(unit["id"], "address")
    assert [lang["id"] for lang in offer["languages"]] == [
        part(offer["id"], "language/nb"),
        part(offer["id"], "language/en"),
    ]


def test_ids_are_stable_across_exports_and_registry_changes(doc: dict[str, Any]) -> None:
    assert hsds_document(small_snapshot()) == doc
    # Adding a record changes no other object's id: ids depend on what an object is, not on its position.
    snap = small_snapshot()
    extra = ServiceOffer("u-full/aaa", "u-full", "lar", BARE)
    bigger = hsds_document(
        RegistrySnapshot.build(
            snap.geography,
            organisations=snap.organisations.values(),
            units=snap.units.values(),
            offers=[extra, *snap.offers.values()],
            teams=snap.teams.values(),
        )
    )
    before = {value for path, value in walk(doc) if path.endswith(".id")}
    after = {value for path, value in walk(bigger) if path.endswith(".id")}
    assert before < after
    assert record(bigger, "services", "offer", "u-full/aaa")["id"] == recipe("offer", "u-full/aaa")


def test_references_to_records_missing_from_the_snapshot_are_left_out() -> None:
    snap = small_snapshot()
    # Only units and offers: the organisations and teams they name are not in this document.
    partial = hsds_document(
        RegistrySnapshot.build(snap.geography, units=snap.units.values(), offers=snap.offers.values())
    )
    check_document(partial)
    assert partial["organizations"] == []
    assert not any("organization_id" in item for item in [*partial["services"], *partial["locations"]])
    akutt = record(partial, "services", "offer", "u-full/akutt")
    assert "tsbkart-fields/offer.assessment_team_id" not in terms_of(partial, akutt)
    # An offer whose unit is missing has no service_at_location.
    orphans = hsds_document(RegistrySnapshot.build(snap.geography, offers=snap.offers.values()))
    assert orphans["service_at_locations"] == [] and len(orphans["services"]) == len(snap.offers)


def test_organization_maps_every_field(doc: dict[str, Any]) -> None:
    org = record(doc, "organizations", "organisation", "org-full")
    assert org["name"] == "Synthetic HF"
    assert org["website"] == "https://example.org/org"
    assert org["description"] == "agreement 2025-2028"
    assert org["legal_status"] == "Helseforetak (HF)"
    assert [
        (i["identifier_scheme"], i["identifier_type"], i["identifier"])
        for i in org["organization_identifiers"]
    ] == [
        ("urn:tsbkart:id:organisation", "tsbkart id", "org-full"),
        ("NO-BRC", "organisasjonsnummer", ORGNR),
        ("NO-RESH", "RESH-id", "4001"),
        ("NO-HER", "HER-id", "80001"),
    ]
    assert terms_of(doc, org) == {"tsbkart-owner_types/hf": None, "tsbkart-regions/helse-test": None}
    source, note = org["metadata"]
    assert source == {
        "id": part(org["id"], "metadata/source"),
        "resource_id": org["id"],
        "resource_type": "organization",
        "last_action_date": "2026-03-01",
        "last_action_type": "verified",
        "updated_by": "Synthetic steward",
        "field_name": "source",
        "replacement_value": SOURCE,
    }
    assert note["field_name"] == "provenance_note" and note["replacement_value"] == "synthetic test data"


def test_unknown_organization_fields_are_absent(doc: dict[str, Any]) -> None:
    org = record(doc, "organizations", "organisation", "org-min")
    assert set(org) == {"id", "name", "legal_status", "organization_identifiers", "attributes", "metadata"}
    assert [i["identifier"] for i in org["organization_identifiers"]] == ["org-min"]  # only the tsbkart id
    assert terms_of(doc, org) == {"tsbkart-owner_types/private_nonprofit_contract": None}
    assert org["metadata"] == [
        {
            "id": part(org["id"], "metadata/source"),
            "resource_id": org["id"],
            "resource_type": "organization",
            "field_name": "source",
            "replacement_value": "synthetic test data, no URL",
        }
    ]


def test_location_maps_every_field(doc: dict[str, Any]) -> None:
    loc = record(doc, "locations", "unit", "u-full")
    expected = {
        "location_type": "physical",
        "organization_id": recipe("organisation", "org-full"),
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
            "id": part(loc["id"], "address"),
            "address_1": "Testveien 1",
            "postal_code": "0150",
            "city": "Oslo",
            "region": "Oslo",
            "country": "NO",
            "address_type": "physical",
        }
    ]
    assert loc["phones"] == [{"id": part(loc["id"], "phone"), "number": "+47 22 00 00 00"}]
    assert terms_of(doc, loc) == {
        "tsbkart-id/unit": "u-full",
        "tsbkart-location_precision/address": None,
        "tsbkart-catchments/test-hf": None,
        "tsbkart-municipalities/0301": None,
        "tsbkart-regions/helse-test": None,
        "tsbkart-fields/unit.confidence": "high",
        "tsbkart-fields/unit.beds": "0",  # zero beds is a fact, not unknown
    }
    assert [m["field_name"] for m in loc["metadata"]] == ["source", "provenance_note"]


def test_unknown_location_fields_are_absent(doc: dict[str, Any]) -> None:
    loc = record(doc, "locations", "unit", "u-min")
    assert set(loc) == {"id", "location_type", "organization_id", "name", "attributes", "metadata"}
    assert terms_of(doc, loc) == {"tsbkart-id/unit": "u-min"}


def test_service_maps_every_field(doc: dict[str, Any]) -> None:
    service = record(doc, "services", "offer", "u-full/akutt")
    expected = {
        "organization_id": recipe("organisation", "org-full"),
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
    team = record(doc, "services", "team", "team-full")  # the team value resolves to the team's service
    assert terms_of(doc, service) == {
        "tsbkart-id/offer": "u-full/akutt",
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
        "tsbkart-fields/offer.assessment_team_id": team["id"],
    }
    assert [m["field_name"] for m in service["metadata"]] == ["source", "provenance_note"]


def test_unknown_service_fields_are_absent_and_unknown_intake_is_kept(doc: dict[str, Any]) -> None:
    service = record(doc, "services", "offer", "u-min/poliklinikk")
    assert set(service) == {"id", "organization_id", "name", "status", "attributes", "metadata"}
    # HSDS has no unknown status: active, with the attribute telling the truth.
    assert service["status"] == "active"
    assert terms_of(doc, service) == {
        "tsbkart-id/offer": "u-min/poliklinikk",
        "tsbkart-service_types/poliklinikk": None,
        "tsbkart-intake_status/unknown": None,
    }


def test_closed_and_not_24_7_are_facts(doc: dict[str, Any]) -> None:
    service = record(doc, "services", "offer", "u-full/dag")
    assert service["status"] == "temporarily closed"
    assert terms_of(doc, service)["tsbkart-fields/offer.open_24_7"] == "false"
    team = record(doc, "services", "team", "team-min")
    assert terms_of(doc, service)["tsbkart-fields/offer.assessment_team_id"] == team["id"]


def test_every_intake_status_has_an_hsds_status() -> None:
    assert set(STATUS) == set(load_vocabularies()["intake_status"].codes)
    assert set(STATUS.values()) <= SERVICE_STATUS


def test_waiting_time_only_with_its_date() -> None:
    snap = small_snapshot()
    offer = ServiceOffer("u-min/lar", "u-min", "lar", BARE, waiting_weeks=3.0)  # no date: not exported
    doc = hsds_document(RegistrySnapshot.build(snap.geography, units=snap.units.values(), offers=[offer]))
    assert not any("waiting" in t for t in terms_of(doc, doc["services"][0]))
    assert "tsbkart-id/offer" in terms_of(doc, doc["services"][0])  # the check above can see attributes


def test_team_is_a_vurdering_service_at_its_own_location(doc: dict[str, Any]) -> None:
    service = record(doc, "services", "team", "team-full")
    expected = {
        "organization_id": recipe("organisation", "org-full"),
        "name": "Vurderingsteamet",
        "status": "active",
        "minimum_age": 18,
        "eligibility_description": "all of TSB",
        "assured_date": "2026-03-01",
        "phones": [{"id": part(service["id"], "phone"), "number": "+47 22 00 00 01"}],
    }
    assert {k: service[k] for k in expected} == expected
    assert "maximum_age" not in service
    assert terms_of(doc, service) == {
        "tsbkart-id/team": "team-full",
        "tsbkart-service_types/vurdering": None,
        "tsbkart-assessment_scope/all_tsb": None,
        "tsbkart-disciplines/medical": None,
        "tsbkart-disciplines/social_work": None,
        "tsbkart-fields/team.referrals_per_year": "1200",
        "tsbkart-fields/team.specialist_present": "false",
    }
    location = record(doc, "locations", "team", "team-full")
    assert location["latitude"] == 59.92 and location["longitude"] == 10.76
    assert location["external_identifier"] == "80003" and location["external_identifier_type"] == "NO-HER"
    assert location["addresses"][0]["address_1"] == "Postboks 1, 0150 Oslo"
    assert location["addresses"][0]["address_type"] == "postal"
    assert terms_of(doc, location)["tsbkart-id/team"] == "team-full"
    assert "tsbkart-location_precision/municipality" in terms_of(doc, location)
    links = [link for link in doc["service_at_locations"] if link["service_id"] == service["id"]]
    assert [link["location_id"] for link in links] == [location["id"]]


def test_team_without_any_place_has_no_location(doc: dict[str, Any]) -> None:
    service = record(doc, "services", "team", "team-min")
    assert set(service) == {"id", "name", "status", "attributes", "metadata"}
    assert terms_of(doc, service) == {
        "tsbkart-id/team": "team-min",
        "tsbkart-service_types/vurdering": None,
        "tsbkart-assessment_scope/unknown": None,
    }
    assert ("locations", "team", "team-min") not in tsbkart_index(doc)
    assert not any(link["service_id"] == service["id"] for link in doc["service_at_locations"])


def test_taxonomies_list_vocabularies_and_the_used_geography(doc: dict[str, Any]) -> None:
    taxonomies = {t["name"]: t for t in doc["taxonomies"]}
    assert taxonomies["tsbkart-service_types"]["uri"] == "urn:tsbkart:codesystem:service_types"
    assert taxonomies["tsbkart-service_types"]["version"] == "1"
    names = term_names(doc)
    terms = {names[t["id"]]: t for t in doc["taxonomy_terms"]}
    akutt = terms["tsbkart-service_types/akutt"]
    assert (akutt["code"], akutt["name"], akutt["description"]) == ("akutt", "Akuttbehandling", "Acute care")
    every_code = {f"tsbkart-service_types/{c}" for c in load_vocabularies()["service_types"].codes}
    assert every_code <= terms.keys()
    assert terms["tsbkart-regions/helse-test"]["name"] == "Helse Test RHF"
    assert terms["tsbkart-catchments/test-hf"]["name"] == "Testområdet"
    assert terms["tsbkart-municipalities/0301"]["name"] == "Oslo"
    assert terms["tsbkart-fields/unit.beds"]["taxonomy_id"] == taxonomies["tsbkart-fields"]["id"]


def test_tsbkart_id_taxonomy_has_a_term_per_record_kind(doc: dict[str, Any]) -> None:
    taxonomy = next(t for t in doc["taxonomies"] if t["name"] == "tsbkart-id")
    terms = [t for t in doc["taxonomy_terms"] if t["taxonomy_id"] == taxonomy["id"]]
    assert [t["code"] for t in terms] == list(KIND_LABELS)
    assert {t["term_uri"] for t in terms} == {f"urn:tsbkart:id:{kind}" for kind in KINDS.names()}
    assert all(t["name"] and t["description"] for t in terms)


def test_empty_registry_is_an_empty_document() -> None:
    doc = hsds_document(RegistrySnapshot.build(small_snapshot().geography))
    assert doc["organizations"] == doc["services"] == doc["locations"] == doc["service_at_locations"] == []
    assert "taken_at" not in doc
    check_document(doc)


def test_bundled_registry_exports_every_record(bundled_snapshot: RegistrySnapshot) -> None:
    doc = hsds_document(bundled_snapshot)
    check_document(doc)
    teams_with_place = [
        t
        for t in bundled_snapshot.teams.values()
        if any(v is not None for v in (t.lat, t.lon, t.address, t.town, t.municipality_code))
    ]
    assert len(doc["organizations"]) == len(bundled_snapshot.organisations)
    assert len(doc["services"]) == len(bundled_snapshot.offers) + len(bundled_snapshot.teams)
    assert len(doc["locations"]) == len(bundled_snapshot.units) + len(teams_with_place)
    assert len(doc["service_at_locations"]) == len(bundled_snapshot.offers) + len(teams_with_place)
    index = tsbkart_index(doc)
    assert {rid for (c, _, rid) in index if c == "organizations"} == set(bundled_snapshot.organisations)
    assert {rid for (c, k, rid) in index if c == "locations" and k == "unit"} == set(bundled_snapshot.units)
    assert {rid for (c, k, rid) in index if c == "services" and k == "offer"} == set(bundled_snapshot.offers)
    assert {rid for (c, k, rid) in index if c == "services" and k == "team"} == set(bundled_snapshot.teams)


def dated_snapshot() -> RegistrySnapshot:
    """small_snapshot with valid time: u-full opened 2019-03-01, u-min closed 2025-01-01; akutt open
    2020-01-01 to 2026-06-01 (excluded); a planned lar opening 2027-01-01; u-min's poliklinikk undated."""
    snap = small_snapshot()
    units = [
        replace(snap.units["u-full"], opened_on=date(2019, 3, 1)),
        replace(snap.units["u-min"], closed_on=date(2025, 1, 1)),
    ]
    offers = [
        replace(snap.offers["u-full/akutt"], opened_on=date(2020, 1, 1), closed_on=date(2026, 6, 1)),
        ServiceOffer("u-full/lar", "u-full", "lar", BARE, intake_status="open", opened_on=date(2027, 1, 1)),
        snap.offers["u-min/poliklinikk"],
    ]
    return RegistrySnapshot.build(
        snap.geography, organisations=snap.organisations.values(), units=units, offers=offers
    )


def test_valid_time_travels_as_field_attributes() -> None:
    doc = hsds_document(dated_snapshot(), day=date(2026, 3, 2))
    check_document(doc)
    full, closed = record(doc, "locations", "unit", "u-full"), record(doc, "locations", "unit", "u-min")
    assert terms_of(doc, full)["tsbkart-fields/unit.opened_on"] == "2019-03-01"
    assert "tsbkart-fields/unit.closed_on" not in terms_of(doc, full)  # not stated: left out, not "open"
    assert terms_of(doc, closed)["tsbkart-fields/unit.closed_on"] == "2025-01-01"
    akutt = terms_of(doc, record(doc, "services", "offer", "u-full/akutt"))
    assert (akutt["tsbkart-fields/offer.opened_on"], akutt["tsbkart-fields/offer.closed_on"]) == (
        "2020-01-01",
        "2026-06-01",
    )
    names = {t["code"]: t for t in doc["taxonomy_terms"]}
    assert names["offer.closed_on"]["description"] == "Date the service closed (empty = open or not stated)."


def test_a_service_not_in_service_on_the_day_is_inactive() -> None:
    def status(day: date, offer: str) -> str:
        return str(record(hsds_document(dated_snapshot(), day=day), "services", "offer", offer)["status"])

    assert status(date(2026, 5, 31), "u-full/akutt") == "active"  # waitlist, in service
    assert status(date(2026, 6, 1), "u-full/akutt") == "inactive"  # closed from that day
    assert status(date(2019, 12, 31), "u-full/akutt") == "inactive"  # not yet opened
    assert status(date(2026, 12, 31), "u-full/lar") == "inactive"  # a planned opening
    assert status(date(2027, 1, 1), "u-full/lar") == "active"
    assert status(date(2026, 3, 2), "u-min/poliklinikk") == "inactive"  # undated, but its unit has closed
    assert status(date(2024, 12, 31), "u-min/poliklinikk") == "active"
    # Without dates nothing changes: an unknown opening is not a closed service.
    assert (
        record(
            hsds_document(small_snapshot(), day=date(2000, 1, 1)), "services", "offer", "u-min/poliklinikk"
        )["status"]
        == "active"
    )
