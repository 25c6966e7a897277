"""FHIR R4 export: every mapped field, unknown fields absent, ids valid, references resolving, validated by a
real validator, the bundled registry.

Validator: fhir.resources (pydantic models). It ships no R4 (4.0.1) models any more, only R4B (4.3.0); for
Organization, Location, HealthcareService, Bundle and the data types used here R4B has the same elements as R4
(compared against fhir.resources 5.1.1, the last R4 release). R4B lacks only value types we never emit
(valueMeta). The validator does not check code bindings, id length or empty arrays, so ``check_resource`` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from hypothesis import given
from hypothesis import strategies as st

from tests.exchange.test_hsds import ORGNR, SOURCE, small_snapshot
from tsbkart.domain.entities import Organisation, Provenance
from tsbkart.exchange.fhir import catchment_id, fhir_bundle, fhir_id, team_id
from tsbkart.registry.snapshot import RegistrySnapshot

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
ENH, RESH, HER = (
    "urn:oid:2.16.578.1.12.4.1.4.101",
    "urn:oid:2.16.578.1.12.4.1.4.102",
    "urn:oid:2.16.578.1.12.4.1.2",
)
# Required bindings of the elements we emit (FHIR R4 value sets).
LOCATION_STATUS = {"active", "suspended", "inactive"}
LOCATION_MODE = {"instance", "kind"}
CONTACT_SYSTEMS = {"phone", "fax", "email", "pager", "url", "sms", "other"}
ADDRESS_TYPES = {"postal", "physical", "both"}
REPEATING = {"disciplines"}
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    return fhir_bundle(small_snapshot())


def resources(bundle: dict[str, Any], resource_type: str | None = None) -> dict[str, dict[str, Any]]:
    found = [e["resource"] for e in bundle.get("entry", [])]
    return {r["id"]: r for r in found if resource_type is None or r["resourceType"] == resource_type}


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def extensions(element: dict[str, Any]) -> dict[str, Any]:
    """Extension name (without the tsbkart base) -> value; a list of values for ``REPEATING`` names."""
    grouped: dict[str, list[Any]] = {}
    for ext in element.get("extension", []):
        name = ext["url"].removeprefix("urn:tsbkart:extension:")
        value = ext.get("extension") or next(v for k, v in ext.items() if k.startswith("value"))
        grouped.setdefault(name, []).append(value)
    for name, values in grouped.items():
        assert name in REPEATING or len(values) == 1, name
    return {name: values if name in REPEATING else values[0] for name, values in grouped.items()}


def subs(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {p["url"]: next(v for k, v in p.items() if k.startswith("value")) for p in parts}


def identifiers(resource: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["system"], i["value"]) for i in resource.get("identifier", [])]


def check_resource(resource: dict[str, Any]) -> None:
    """Validate with fhir.resources, plus what it leaves out."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert FHIR_ID.fullmatch(resource["id"]), resource["id"]
    for path, value in walk(resource):
        assert value not in (None, "", [], {}), (resource["id"], path)
        if path.endswith(".telecom"):
            assert {point["system"] for point in value} <= CONTACT_SYSTEMS
    if resource["resourceType"] == "Location":
        assert resource["status"] in LOCATION_STATUS and resource["mode"] in LOCATION_MODE
        assert resource.get("address", {}).get("type", "postal") in ADDRESS_TYPES


def check_bundle(bundle: dict[str, Any]) -> None:
    Bundle.model_validate(bundle)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    found = [e["resource"] for e in bundle.get("entry", [])]
    keys = [(r["resourceType"], r["id"]) for r in found]
    assert len(keys) == len(set(keys))  # an organisation and a unit may share an id: different types
    for resource in found:
        check_resource(resource)
    present = set(keys)
    for path, value in walk(bundle):
        if path.endswith(".reference"):
            resource_type, _, resource_id = value.partition("/")
            assert (resource_type, resource_id) in present, (path, value)


def test_bundle_validates_and_references_resolve(bundle: dict[str, Any]) -> None:
    check_bundle(bundle)
    assert "timestamp" not in bundle  # small_snapshot's taken_at has no time zone: not an instant


def test_timestamp_from_an_aware_snapshot_time() -> None:
    snap = small_snapshot()
    aware = RegistrySnapshot.build(snap.geography, taken_at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    assert fhir_bundle(aware) == {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": "2026-03-02T12:00:00Z",
    }


def test_organization_maps_every_field(bundle: dict[str, Any]) -> None:
    org = resources(bundle, "Organization")["org-full"]
    assert identifiers(org) == [
        ("urn:tsbkart:id:organisation", "org-full"),
        (ENH, ORGNR),
        (RESH, "4001"),
        (HER, "80001"),
    ]
    assert org["active"] is True
    assert org["type"] == [
        {
            "coding": [
                {"system": "urn:tsbkart:codesystem:owner_types", "code": "hf", "display": "Helseforetak (HF)"}
            ]
        }
    ]
    assert org["name"] == "Synthetic HF"
    assert org["telecom"] == [{"system": "url", "value": "https://example.org/org"}]
    ext = extensions(org)
    assert ext["region_code"] == {
        "system": "urn:tsbkart:codesystem:regions",
        "code": "helse-test",
        "display": "Helse Test RHF",
    }
    assert ext["status_note"] == "agreement 2025-2028"
    assert subs(ext["provenance"]) == {
        "source": SOURCE,
        "verified": "2026-03-01",
        "steward": "Synthetic steward",
        "note": "synthetic test data",
    }
    assert org["meta"] == {"source": SOURCE, "lastUpdated": "2026-03-01T00:00:00Z"}


def test_unknown_organization_fields_are_absent(bundle: dict[str, Any]) -> None:
    org = resources(bundle, "Organization")["org-min"]
    assert set(org) == {"resourceType", "id", "extension", "identifier", "active", "type", "name"}
    assert identifiers(org) == [("urn:tsbkart:id:organisation", "org-min")]
    # A source that is not a URI stays out of meta.source (a uri) but travels in the provenance extension.
    assert subs(extensions(org)["provenance"]) == {"source": "synthetic test data, no URL"}


def test_location_maps_every_field(bundle: dict[str, Any]) -> None:
    loc = resources(bundle, "Location")["u-full"]
    assert identifiers(loc) == [("urn:tsbkart:id:unit", "u-full"), (RESH, "4002"), (HER, "80002")]
    expected = {
        "status": "active",
        "name": "Mottaket",
        "description": "Synthetic unit",
        "mode": "instance",
        "telecom": [
            {"system": "phone", "value": "+47 22 00 00 00"},
            {"system": "url", "value": "https://example.org/unit"},
        ],
        "position": {"latitude": 59.91, "longitude": 10.75},
        "managingOrganization": {"reference": "Organization/org-full"},
    }
    assert {k: loc[k] for k in expected} == expected
    address = loc["address"]
    assert {k: v for k, v in address.items() if k != "extension"} == {
        "line": ["Testveien 1"],
        "postalCode": "0150",
        "city": "Oslo",
        "district": "Oslo",
        "country": "NO",
    }
    assert extensions(address)["municipality_code"]["code"] == "0301"
    ext = extensions(loc)
    assert ext["location_precision"]["code"] == "address"
    assert ext["location_precision"]["system"] == "urn:tsbkart:codesystem:location_precision"
    assert ext["catchment_code"]["code"] == "test-hf" and ext["region_code"]["code"] == "helse-test"
    assert ext["beds"] == 0 and ext["confidence"] == "high"


def test_unknown_location_fields_are_absent(bundle: dict[str, Any]) -> None:
    loc = resources(bundle, "Location")["u-min"]
    assert set(loc) == {
        "resourceType",
        "id",
        "extension",
        "identifier",
        "status",
        "name",
        "mode",
        "managingOrganization",
    }
    assert set(extensions(loc)) == {"provenance"}


def test_healthcare_service_maps_every_field(bundle: dict[str, Any]) -> None:
    service = resources(bundle, "HealthcareService")[fhir_id("u-full/akutt")]
    assert identifiers(service) == [("urn:tsbkart:id:offer", "u-full/akutt")]
    assert service["active"] is True
    assert service["providedBy"] == {"reference": "Organization/org-full"}
    assert service["location"] == [{"reference": "Location/u-full"}]
    assert service["type"][0]["coding"][0] == {
        "system": "urn:tsbkart:codesystem:service_types",
        "code": "akutt",
        "display": "Akuttbehandling",
    }
    assert service["name"] == "Mottaket – Akuttbehandling"
    assert service["comment"] == "Synthetic acute care"
    assert service["extraDetails"] == "Henvisning fra fastlege"
    assert [
        (c["coding"][0]["system"].rsplit(":", 1)[1], c["coding"][0]["code"])
        for c in service["characteristic"]
    ] == [
        ("target_groups", "adults"),
        ("target_groups", "rop"),
        ("legal_basis", "voluntary"),
        ("legal_basis", "hol_10_2"),
    ]
    (age,) = service["eligibility"]
    assert age["comment"] == "18–64" and age["code"]["coding"][0]["code"] == "age_band"
    assert extensions(age) == {"age_min": 18, "age_max": 64}
    assert service["communication"] == [
        {"coding": [{"system": "urn:ietf:bcp:47", "code": "nb"}]},
        {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]},
    ]
    assert service["availableTime"] == [{"daysOfWeek": DAYS, "allDay": True}]
    # The receiving team has a HER-id, so referrals can be sent electronically.
    assert service["referralMethod"][0]["coding"][0]["code"] == "elec"
    ext = extensions(service)
    assert ext["intake_status"]["code"] == "waitlist"
    assert ext["beds"] == 8 and ext["places"] == 0 and ext["open_24_7"] is True
    assert subs(ext["waiting_time"]) == {"weeks": 1.5, "as_of": "2026-02-01"}
    assert ext["assessment_team"] == {"reference": f"HealthcareService/{team_id('team-full')}"}
    assert service["meta"] == {"source": SOURCE, "lastUpdated": "2026-03-01T00:00:00Z"}


def test_not_24_7_differs_from_unknown(bundle: dict[str, Any]) -> None:
    services = resources(bundle, "HealthcareService")
    closed, unknown = services[fhir_id("u-full/dag")], services[fhir_id("u-min/poliklinikk")]
    assert "availableTime" not in closed and extensions(closed)["open_24_7"] is False
    assert extensions(closed)["intake_status"]["code"] == "closed"
    # Its team has no HER-id: no electronic referral method is claimed, the team is still referenced.
    assert "referralMethod" not in closed
    assert extensions(closed)["assessment_team"] == {"reference": f"HealthcareService/{team_id('team-min')}"}
    assert "availableTime" not in unknown and "open_24_7" not in extensions(unknown)


def test_unknown_service_fields_are_absent(bundle: dict[str, Any]) -> None:
    service = resources(bundle, "HealthcareService")[fhir_id("u-min/poliklinikk")]
    assert set(service) == {
        "resourceType",
        "id",
        "extension",
        "identifier",
        "active",
        "providedBy",
        "type",
        "location",
        "name",
    }
    # Unknown intake is stated as the code unknown, never as closed or inactive.
    assert set(extensions(service)) == {"intake_status", "provenance"}
    assert extensions(service)["intake_status"]["code"] == "unknown"


def test_team_maps_every_field(bundle: dict[str, Any]) -> None:
    team = resources(bundle, "HealthcareService")[team_id("team-full")]
    assert identifiers(team) == [("urn:tsbkart:id:team", "team-full"), (HER, "80003")]
    assert team["providedBy"] == {"reference": "Organization/org-full"}
    assert team["type"][0]["coding"][0]["code"] == "vurdering"
    assert team["name"] == "Vurderingsteamet"
    assert team["telecom"] == [{"system": "phone", "value": "+47 22 00 00 01"}]
    age, scope = team["eligibility"]
    assert age["comment"] == "18–" and extensions(age) == {"age_min": 18}
    assert scope["code"]["coding"][0]["code"] == "all_tsb" and scope["comment"] == "all of TSB"
    assert team["coverageArea"] == [{"reference": f"Location/{catchment_id('test-hf')}"}]
    area = resources(bundle, "Location")[catchment_id("test-hf")]
    assert area["name"] == "Testområdet"
    assert area["physicalType"]["coding"][0]["code"] == "area"
    ext = extensions(team)
    assert ext["referrals_per_year"] == 1200 and ext["specialist_present"] is False
    assert [d["code"] for d in ext["disciplines"]] == ["medical", "social_work"]
    address = ext["address"]
    assert (address["type"], address["text"], address["city"], address["district"]) == (
        "postal",
        "Postboks 1, 0150 Oslo",
        "Oslo",
        "Oslo",
    )
    position = subs(ext["position"])
    assert position["latitude"] == 59.92 and position["longitude"] == 10.76
    assert position["location_precision"]["code"] == "municipality"
    assert ext["region_code"]["code"] == "helse-test"


def test_unknown_team_fields_are_absent(bundle: dict[str, Any]) -> None:
    team = resources(bundle, "HealthcareService")[team_id("team-min")]
    assert set(team) == {
        "resourceType",
        "id",
        "extension",
        "identifier",
        "active",
        "type",
        "name",
        "eligibility",
    }
    assert team["eligibility"] == [
        {
            "code": {
                "coding": [
                    {
                        "system": "urn:tsbkart:codesystem:assessment_scope",
                        "code": "unknown",
                        "display": "Ukjent",
                    }
                ]
            }
        }
    ]


def test_fhir_ids() -> None:
    assert fhir_id("ous-rusakutt") == "ous-rusakutt"
    derived = fhir_id("ous-rusakutt/akutt")
    assert re.fullmatch(r"ous-rusakutt-akutt\.[0-9a-f]{8}", derived)
    assert fhir_id("ous-rusakutt/akutt") == derived
    assert fhir_id("ous_rusakutt/akutt") != fhir_id("ous-rusakutt/akutt")
    assert fhir_id("x" * 64) == "x" * 64 and FHIR_ID.fullmatch(fhir_id("x" * 65))
    assert team_id("a") != fhir_id("a") and catchment_id("a") != fhir_id("a")


@given(st.text(min_size=1, max_size=120))
def test_fhir_id_is_always_valid_and_stable(key: str) -> None:
    assert FHIR_ID.fullmatch(fhir_id(key))
    assert fhir_id(key) == fhir_id(key)


def test_a_reference_is_left_out_rather_than_dangling() -> None:
    snap = small_snapshot()
    lone = Organisation("lone", "Synthetic", "hf", Provenance("synthetic test data"))
    bundle = fhir_bundle(
        RegistrySnapshot.build(snap.geography, organisations=[lone], units=snap.units.values())
    )
    check_bundle(bundle)  # units point at organisations not in this snapshot
    assert all("managingOrganization" not in r for r in resources(bundle, "Location").values())


def test_bundled_registry_validates_with_every_record(bundled_snapshot: RegistrySnapshot) -> None:
    bundle = fhir_bundle(bundled_snapshot)
    check_bundle(bundle)
    catchments = {t.catchment_code for t in bundled_snapshot.teams.values() if t.catchment_code}
    assert len(resources(bundle, "Organization")) == len(bundled_snapshot.organisations)
    assert len(resources(bundle, "Location")) == len(bundled_snapshot.units) + len(catchments)
    assert len(resources(bundle, "HealthcareService")) == len(bundled_snapshot.offers) + len(
        bundled_snapshot.teams
    )
    every_resource = [e["resource"] for e in bundle["entry"]]
    tsbkart_ids = {
        (system, value)
        for r in every_resource
        for system, value in identifiers(r)
        if system.startswith("urn:tsbkart:id:")
    }
    every = {
        "organisation": bundled_snapshot.organisations,
        "unit": bundled_snapshot.units,
        "offer": bundled_snapshot.offers,
        "team": bundled_snapshot.teams,
    }
    assert tsbkart_ids == {
        (f"urn:tsbkart:id:{kind}", key) for kind, records in every.items() for key in records
    }
    systems = {system for r in every_resource for system, _ in identifiers(r)}
    assert systems <= {ENH, RESH, HER} | {
        f"urn:tsbkart:id:{k}" for k in ("organisation", "unit", "offer", "team")
    }


def test_opening_hours_are_the_locations_hours_of_operation() -> None:
    from dataclasses import replace

    from tsbkart.domain.schedules import parse_schedules
    from tsbkart.registry.changes import Upsert

    snap = small_snapshot()
    unit = replace(
        snap.units["u-full"], opening_hours=parse_schedules("MO-FR 08:00-15:30; SA-SU 00:00-24:00")
    )
    bundle = fhir_bundle(snap.with_changes([Upsert(unit)]))
    location = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Location" and e["resource"].get("name") == unit.name
    )
    assert location["hoursOfOperation"] == [
        {
            "daysOfWeek": ["mon", "tue", "wed", "thu", "fri"],
            "openingTime": "08:00:00",
            "closingTime": "15:30:00",
        },
        {"daysOfWeek": ["sat", "sun"], "allDay": True},
    ]


def test_valid_time_is_extensions_and_marks_what_is_not_in_service() -> None:
    from tests.exchange.test_hsds import dated_snapshot

    bundle = fhir_bundle(dated_snapshot(), day=date(2026, 3, 2))
    check_bundle(bundle)
    locations, services = resources(bundle, "Location"), resources(bundle, "HealthcareService")
    assert extensions(locations["u-full"])["opened_on"] == "2019-03-01"
    assert "closed_on" not in extensions(locations["u-full"])  # not stated: left out
    assert locations["u-full"]["status"] == "active"
    assert extensions(locations["u-min"])["closed_on"] == "2025-01-01"
    assert locations["u-min"]["status"] == "inactive"  # location-status: no longer used
    akutt = services[fhir_id("u-full/akutt")]
    assert akutt["active"] is True
    assert (extensions(akutt)["opened_on"], extensions(akutt)["closed_on"]) == ("2020-01-01", "2026-06-01")
    # A stated closing is a notAvailable period from that day on, also before it comes.
    assert akutt["notAvailable"] == [{"description": "Nedlagt (closed)", "during": {"start": "2026-06-01"}}]
    planned = services[fhir_id("u-full/lar")]
    assert planned["active"] is False
    assert planned["notAvailable"] == [
        {"description": "Ikke åpnet ennå (not yet open)", "during": {"end": "2026-12-31"}}
    ]
    # Undated at a closed unit: not offered there, and unavailable from the unit's closing.
    at_closed_unit = services[fhir_id("u-min/poliklinikk")]
    assert at_closed_unit["active"] is False and "opened_on" not in extensions(at_closed_unit)
    assert at_closed_unit["notAvailable"] == [
        {"description": "Nedlagt (closed)", "during": {"start": "2025-01-01"}}
    ]
    later = resources(fhir_bundle(dated_snapshot(), day=date(2026, 6, 1)), "HealthcareService")
    assert later[fhir_id("u-full/akutt")]["active"] is False
    assert (
        resources(fhir_bundle(dated_snapshot(), day=date(2027, 1, 1)), "HealthcareService")[
            fhir_id("u-full/lar")
        ]["active"]
        is True
    )
