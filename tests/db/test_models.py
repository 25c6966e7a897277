"""The ORM tables and the field schema agree: every field has its column, typed and nullable alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Text

from tsbkart.domain.entities import Provenance
from tsbkart.domain.schema import FIELD_PROVENANCE, FieldSpec, schema_of
from tsbkart.registry.kinds import KINDS

COLUMN_TYPES: dict[str, tuple[type[Any], ...]] = {
    "text": (String, Text),
    "code": (String, Text),
    "int": (Integer,),
    "float": (Float,),
    "bool": (Boolean,),
    "date": (Date,),
    "codes": (JSON,),
    "list": (JSON,),
    "json": (JSON,),
}


def _fields(cls: type[Any]) -> list[FieldSpec]:
    return [*schema_of(cls).fields, *schema_of(Provenance).fields]


def test_every_kind_has_a_column_per_field_and_no_other() -> None:
    for kind in KINDS:
        # Besides the fields: the record's version (the revision that last wrote it), kept out of its JSON.
        wanted = {f.key for f in _fields(kind.cls)} | {FIELD_PROVENANCE, "version"}
        assert set(kind.table.c.keys()) == wanted, kind.name


def test_columns_have_the_field_type_and_nullability() -> None:
    for kind in KINDS:
        for spec in _fields(kind.cls):
            column = kind.table.c[spec.key]
            assert isinstance(column.type, COLUMN_TYPES[spec.type]), (kind.name, spec.key, column.type)
            # A field that may be unknown is nullable; tuples are stored as a (possibly empty) JSON list.
            assert column.nullable == spec.nullable, (kind.name, spec.key)
