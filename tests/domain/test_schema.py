"""The field schema: what the declarations on the entities say and what is derived from them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tsbkart.domain.catalogues import translate
from tsbkart.domain.entities import AssessmentTeam, Organisation, Provenance, ServiceOffer, Unit
from tsbkart.domain.schema import SchemaError, fact, schema_of, value_type
from tsbkart.registry.kinds import KINDS
from tsbkart.vocab import load_vocabularies

RECORDS = (Organisation, Unit, ServiceOffer, AssessmentTeam)


def test_types_requiredness_and_defaults_come_from_the_dataclass() -> None:
    offer = schema_of(ServiceOffer)
    got = {
        n: (offer.field(n).type, offer.field(n).required, offer.field(n).default)
        for n in (
            "id",
            "service_type",
            "target_groups",
            "languages",
            "waiting_as_of",
            "intake_status",
            "open_24_7",
        )
    }
    assert got == {
        "id": ("text", True, None),
        "service_type": ("code", True, None),
        "target_groups": ("codes", False, ()),
        "languages": ("list", False, ()),
        "waiting_as_of": ("date", False, None),
        "intake_status": ("code", False, "unknown"),
        "open_24_7": ("bool", False, None),
    }
    assert "provenance" not in offer.names and "field_provenance" not in offer.names
    assert [f.key for f in schema_of(Provenance).fields] == [
        "source",
        "verified",
        "steward",
        "provenance_note",
    ]


def test_any_other_type_is_json() -> None:
    @dataclass(frozen=True)
    class Hours:
        weekday: int
        opens: str

    assert value_type(tuple[Hours, ...], None) == "json"
    assert value_type(int | None, None) == "int" and value_type(tuple[str, ...], "x") == "codes"


def test_every_field_is_declared_and_its_vocabulary_exists() -> None:
    vocabs = load_vocabularies()
    for cls in RECORDS:
        for spec in schema_of(cls).fields:
            assert spec.label and spec.help, (cls.__name__, spec.name)
            if spec.vocabulary:
                assert vocabs[spec.vocabulary].codes


def test_every_label_and_help_text_has_a_bokmal_translation() -> None:
    texts = {s.label for c in (*RECORDS, Provenance) for s in schema_of(c).fields}
    texts |= {s.help for c in (*RECORDS, Provenance) for s in schema_of(c).fields}
    texts |= {k.label for k in KINDS} | {k.plural for k in KINDS}
    missing = sorted(t for t in texts if translate(t, "nb") == t and t not in ("Id", "Stable id."))
    assert missing == []
    assert (
        translate("Street address", "nb") == "Gateadresse"
        and translate("Street address", "en") == "Street address"
    )


def test_the_unit_page_shows_the_declared_facts_in_order() -> None:
    assert [f.name for f in schema_of(Organisation).shown()] == [
        "owner_type",
        "orgnr",
        "resh_id",
        "her_id",
        "website",
        "status_note",
    ]
    assert [f.name for f in schema_of(Unit).fields if f.link] == ["website"]


def test_an_undeclared_field_or_a_vocabulary_on_a_number_is_refused() -> None:
    @dataclass(frozen=True)
    class Bare:
        id: str

    @dataclass(frozen=True)
    class Odd:
        beds: int = field(default=0, metadata=fact("Beds", vocabulary="service_types"))

    with pytest.raises(SchemaError, match=r"Bare\.id has no fact"):
        schema_of(Bare)
    with pytest.raises(SchemaError, match="vocabulary needs a str"):
        schema_of(Odd)


def test_json_types_of_the_api() -> None:
    unit = schema_of(Unit)
    assert unit.field("beds").json_type == int | None
    assert schema_of(ServiceOffer).field("waiting_as_of").json_type == str | None
    assert schema_of(ServiceOffer).field("target_groups").json_type == list[str]
