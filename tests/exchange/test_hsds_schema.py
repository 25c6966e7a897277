"""The HSDS export against the official Open Referral HSDS 3.0 JSON schemas (vendored in
``reference_data/hsds3/``, see ``reference_data/hsds3.source.md``), validated with ``jsonschema``.

The only failures allowed are the documented deviations (docs/interoperability.md): required fields tsbkart
leaves out because it does not know them.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.exchange.test_hsds import small_snapshot
from tsbkart.exchange.hsds import hsds_document
from tsbkart.registry.changes import Upsert
from tsbkart.registry.snapshot import RegistrySnapshot

SCHEMAS = Path(__file__).parent / "reference_data" / "hsds3"
SCHEMA_OF = {
    "organizations": "organization.json",
    "services": "service.json",
    "locations": "location.json",
    "service_at_locations": "service_at_location.json",
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
}
# (where, property): required by HSDS 3, left out by tsbkart when unknown (docs/interoperability.md).
DEVIATIONS = {
    ("organization", "description"),
    *(("metadata", p) for p in ("last_action_date", "last_action_type", "updated_by", "previous_value")),
    *(("addresses", p) for p in ("address_1", "city", "state_province", "postal_code")),
}


@cache
def _registry() -> Registry:
    resources = [
        (path.name, Resource(contents=json.loads(path.read_text("utf-8")), specification=DRAFT202012))
        for path in sorted(SCHEMAS.glob("*.json"))
    ]
    return Registry().with_resources(resources)


def validator(collection: str) -> jsonschema.Draft202012Validator:
    schema = _registry().contents(SCHEMA_OF[collection])
    return jsonschema.Draft202012Validator(
        schema, registry=_registry(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _where(error: jsonschema.ValidationError, collection: str) -> str:
    named = [str(p) for p in error.absolute_path if not isinstance(p, int)]
    return named[-1] if named else SCHEMA_OF[collection].removesuffix(".json")


def problems(doc: dict[str, Any]) -> list[str]:
    """Schema errors that are not documented deviations, as readable lines."""
    found = []
    for collection in SCHEMA_OF:
        check = validator(collection)
        for item in doc[collection]:
            for error in check.iter_errors(item):
                if error.validator == "required":
                    missing = str(error.message).split("'")[1]
                    if (_where(error, collection), missing) in DEVIATIONS:
                        continue
                found.append(f"{collection} {item.get('id')}: {error.json_path}: {error.message}")
    return found


def _document(snapshot: RegistrySnapshot) -> dict[str, Any]:
    # Round-trip through JSON text: the schemas check what a consumer reads.
    loaded: dict[str, Any] = json.loads(json.dumps(hsds_document(snapshot), ensure_ascii=False))
    return loaded


def test_the_vendored_schemas_are_the_hsds_3_files() -> None:
    names = {p.name for p in SCHEMAS.glob("*.json")}
    assert set(SCHEMA_OF.values()) <= names and "attribute.json" in names and "metadata.json" in names
    assert (SCHEMAS / "LICENSE").is_file()


def test_small_registry_validates_against_hsds_3() -> None:
    assert problems(_document(small_snapshot())) == []


def test_bundled_registry_validates_against_hsds_3(bundled_snapshot: RegistrySnapshot) -> None:
    assert problems(_document(bundled_snapshot)) == []


@pytest.mark.parametrize(
    ("collection", "change", "expected"),
    [
        ("services", {"status": "open"}, "is not one of"),
        ("services", {"id": "not-a-uuid"}, "is not a 'uuid'"),
        ("locations", {"location_type": "building"}, "is not one of"),
        ("organizations", {"name": None}, "is not of type 'string'"),
    ],
)
def test_the_schemas_catch_a_broken_document(collection: str, change: dict[str, Any], expected: str) -> None:
    doc = _document(small_snapshot())
    doc[collection][0] |= change
    found = problems(doc)
    assert found and all(expected in line for line in found), found


def test_opening_hours_accessibility_and_languages_validate_against_hsds_3() -> None:
    from dataclasses import replace

    from tsbkart.domain.schedules import parse_schedules

    snap = small_snapshot()
    unit = replace(
        snap.units["u-full"],
        opening_hours=parse_schedules("MO-FR 08:00-15:30; SA 10:00-14:00"),
        accessibility=("step_free_entrance", "lift"),
    )
    offers = [replace(o, languages=("nb", "se")) for o in snap.offers.values() if o.unit_id == "u-full"]
    doc = _document(snap.with_changes([Upsert(unit), *(Upsert(o) for o in offers)]))
    assert problems(doc) == []
    location = next(loc for loc in doc["locations"] if loc["name"] == unit.name)
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in location["schedules"]] == [
        ("MO,TU,WE,TH,FR", "08:00", "15:30"),
        ("SA", "10:00", "14:00"),
    ]
    assert [a["description"] for a in location["accessibility"]] == ["Trinnfri inngang", "Heis"]
    unknown = next(loc for loc in doc["locations"] if loc["name"] != unit.name)
    assert "schedules" not in unknown and "accessibility" not in unknown  # unknown is left out, not "none"


def test_valid_time_and_inactive_services_validate_against_hsds_3() -> None:
    from tests.exchange.test_hsds import dated_snapshot

    doc = json.loads(json.dumps(hsds_document(dated_snapshot(), day=date(2026, 6, 1))))
    assert problems(doc) == []
    assert {s["status"] for s in doc["services"]} == {"inactive"}
