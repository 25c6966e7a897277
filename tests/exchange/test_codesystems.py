"""codesystems: the URN builders, the register identifiers, geography labels and the HSDS id recipe.

The expected strings and UUIDs are written out here on purpose: consumers of the exports depend on them, so a
change must fail a test rather than pass silently.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.domain.entities import AreaUnit, CatchmentArea, Region
from tsbkart.exchange.codesystems import (
    CATCHMENTS,
    CODE_SYSTEM_BASE,
    ELIGIBILITY,
    EXTENSION_BASE,
    FIELDS,
    ID_NAMESPACE,
    ID_SYSTEM_BASE,
    IDENTIFIERS,
    MUNICIPALITIES,
    RECORD_IDS,
    REGIONS,
    TAXONOMY_KIND,
    TAXONOMY_PREFIX,
    code_system,
    extension_url,
    geography_label,
    id_system,
    record_uuid,
    taxonomy_id,
    uuid_kinds,
)
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.snapshot import Geography
from tsbkart.vocab import load_vocabularies


def test_names_are_built_from_the_urn_bases() -> None:
    assert code_system("service_types") == "urn:tsbkart:codesystem:service_types"
    assert taxonomy_id("service_types") == "tsbkart-service_types"
    assert extension_url("beds") == "urn:tsbkart:extension:beds"
    assert id_system("offer") == "urn:tsbkart:id:offer"
    assert taxonomy_id(RECORD_IDS) == "tsbkart-id"
    # The lead's decision: URNs under urn:tsbkart:, never an invented web domain.
    for base in (CODE_SYSTEM_BASE, EXTENSION_BASE, ID_SYSTEM_BASE):
        assert base.startswith("urn:tsbkart:") and base.endswith(":")
    assert TAXONOMY_PREFIX == "tsbkart-"


def test_own_code_systems_do_not_shadow_a_vocabulary() -> None:
    own = [REGIONS, CATCHMENTS, MUNICIPALITIES, FIELDS, ELIGIBILITY, RECORD_IDS]
    assert len(set(own)) == len(own)
    assert not set(own) & set(load_vocabularies().by_name)


def test_register_identifiers() -> None:
    assert {name: (i.register, i.fhir_system, i.hsds_scheme) for name, i in IDENTIFIERS.items()} == {
        "orgnr": ("organisasjonsnummer", "urn:oid:2.16.578.1.12.4.1.4.101", "NO-BRC"),
        "resh_id": ("RESH-id", "urn:oid:2.16.578.1.12.4.1.4.102", "NO-RESH"),
        "her_id": ("HER-id", "urn:oid:2.16.578.1.12.4.1.2", "NO-HER"),
    }
    # Each key is a field of some record, so the exports can read it by name.
    record_fields = {f.name for kind in KINDS for f in dataclasses.fields(kind.cls)}
    assert set(IDENTIFIERS) <= record_fields
    with pytest.raises(TypeError):
        IDENTIFIERS["x"] = IDENTIFIERS["orgnr"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        IDENTIFIERS["orgnr"].hsds_scheme = "X"  # type: ignore[misc]


def test_geography_labels() -> None:
    geography = Geography.build(
        [Region("helse-test", "Helse Test RHF")],
        [CatchmentArea("test-hf", "Test HF", "Testområdet", "helse-test")],
        [AreaUnit("0301", "Oslo", "kommune", "Oslo", None, 59.91, 10.75, date(2024, 1, 1))],
    )
    assert geography_label(geography, REGIONS, "helse-test") == "Helse Test RHF"
    assert geography_label(geography, CATCHMENTS, "test-hf") == "Testområdet"  # the short name
    assert geography_label(geography, MUNICIPALITIES, "0301") == "Oslo"
    assert geography_label(geography, REGIONS, "0301") is None  # a code of another system is unknown
    assert geography_label(geography, MUNICIPALITIES, "9999") is None
    with pytest.raises(ValueError, match="not a geography code system"):
        geography_label(geography, "service_types", "akutt")


def test_id_namespace_is_pinned() -> None:
    assert uuid.uuid5(uuid.NAMESPACE_URL, "urn:tsbkart:id:") == ID_NAMESPACE
    assert str(ID_NAMESPACE) == "57d29e89-bebd-5666-84cb-cecc779f300f"  # stated in docs/interoperability.md


def test_record_uuid_is_uuid5_of_kind_and_id() -> None:
    value = record_uuid("unit", "ous-rusakutt")
    assert value == uuid.uuid5(ID_NAMESPACE, "unit:ous-rusakutt")
    assert value.version == 5
    assert record_uuid("unit", "ous-rusakutt") == value  # the same in every call
    # The same id in another kind is another object.
    assert len({record_uuid(kind, "x") for kind in uuid_kinds()}) == len(uuid_kinds())


def test_record_uuid_kinds() -> None:
    assert uuid_kinds() == ("organisation", "team", "unit", "offer", TAXONOMY_KIND)
    assert not any(":" in kind for kind in uuid_kinds())  # what makes "<kind>:<id>" unambiguous
    for wrong in ("organization", "location", "", "unit:"):
        with pytest.raises(ValueError, match="is not one of"):
            record_uuid(wrong, "x")


def test_a_fhir_identifier_gives_the_hsds_id() -> None:
    identifier = {"system": id_system("offer"), "value": "ous-rusakutt/akutt"}
    kind = identifier["system"].removeprefix(ID_SYSTEM_BASE)
    assert record_uuid(kind, identifier["value"]) == uuid.uuid5(ID_NAMESPACE, "offer:ous-rusakutt/akutt")


@given(
    st.tuples(st.sampled_from(uuid_kinds()), st.text(max_size=20)),
    st.tuples(st.sampled_from(uuid_kinds()), st.text(max_size=20)),
)
def test_different_records_get_different_uuids(a: tuple[str, str], b: tuple[str, str]) -> None:
    # Ids may hold any character, colons included.
    assert (record_uuid(*a) == record_uuid(*b)) == (a == b)
