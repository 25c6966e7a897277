"""The field schema of the registry records: one declaration per field, on the entity itself.

A field is declared with ``dataclasses.field(metadata=fact(...))``; its type comes from the annotation and
whether it is required from its default. Serialisation, import/export columns, the steward template, the
API models, the unit page's facts and the vocabulary checks are all derived from it::

    @dataclass(frozen=True, slots=True)
    class Unit:
        town: str | None = field(default=None, metadata=fact("Town", shown=True, example="Bergen"))

    schema_of(Unit).field("town")   # FieldSpec(name="town", type="text", required=False, default=None,
                                    #           label="Town", shown=True, importable=True, ...)

Value types, from the annotation (``X | None`` is X, nullable): ``str`` is "text" ("code" with a vocabulary),
``tuple[str, ...]`` is "list" ("codes" with a vocabulary), ``int``, ``float``, ``bool``, ``date``; any other type
(e.g. a tuple of frozen dataclasses, an HSDS-like schedule) is "json" and travels through a pydantic
``TypeAdapter``. Labels and help texts are English message ids, translated by the message catalogues
(``tsbkart/domain/i18n``).
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

from pydantic import TypeAdapter

METADATA_KEY = "tsbkart"
SCALARS: Mapping[type, str] = {str: "text", int: "int", float: "float", bool: "bool", date: "date"}
JSON_TYPES: Mapping[str, Any] = {
    "text": str,
    "code": str,
    "int": int,
    "float": float,
    "bool": bool,
    "date": str,
    "codes": list[str],
    "list": list[str],
}
# The record's own Provenance and per-field overrides are not fields of the schema: they describe the others.
PROVENANCE = "provenance"
FIELD_PROVENANCE = "field_provenance"


@dataclass(frozen=True, slots=True)
class Declared:
    """What a declaration states; ``fact()`` builds it."""

    label: str
    help: str | None
    example: str
    vocabulary: str | None
    choices: tuple[str, ...]
    importable: bool
    shown: bool
    editable: bool
    provenance: bool
    link: bool
    check: Callable[[Any], object] | None
    minimum: float | None
    key: str | None
    multiline: bool = False


def fact(
    label: str,
    *,
    help: str | None = None,
    example: str = "",
    vocabulary: str | None = None,
    choices: tuple[str, ...] = (),
    importable: bool = True,
    shown: bool = False,
    editable: bool = True,
    provenance: bool = True,
    link: bool = False,
    check: Callable[[Any], object] | None = None,
    minimum: float | None = None,
    key: str | None = None,
    multiline: bool = False,
) -> Mapping[str, Declared]:
    """The metadata of one field.

    label: English message id of the field's name ("Street address"); help: of its longer description in the
    steward template (default: the label); example: a sample cell for the template. vocabulary: the codes it
    takes (tsbkart/vocab/data/<vocabulary>.yaml); choices: the only values allowed where there is no
    vocabulary. importable: a column of the import/export sheets; shown: a fact on the unit page; editable: a
    steward may edit it (the stewardship forms); provenance: it may carry its own field-level source. link:
    shown as a link. check: raises ValueError for a bad value (each item of a tuple). minimum: the least
    number allowed. key: its name in the flat JSON form, when that differs from the attribute. multiline:
    a longer text (a text area in the stewardship forms).
    """
    return {
        METADATA_KEY: Declared(
            label,
            help,
            example,
            vocabulary,
            choices,
            importable,
            shown,
            editable,
            provenance,
            link,
            check,
            minimum,
            key,
            multiline,
        )
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldSpec(Declared):
    """One field: what was declared (``Declared``'s attributes) plus what the dataclass says (type, default)."""

    name: str  # the attribute
    key: str  # its key in the flat JSON form and the column name (usually the attribute)
    help: str  # the declared help, or the label when none was declared
    type: str  # text | int | float | bool | date | code | codes | list | json
    annotation: Any  # the Python type, e.g. ``str | None``
    nullable: bool
    required: bool  # no default: a record cannot be made without it
    default: Any  # the value when not given (None, "unknown", ())

    @property
    def is_tuple(self) -> bool:
        return self.type in ("codes", "list") or (self.type == "json" and _is_tuple(self.annotation))

    @property
    def json_type(self) -> Any:
        """The Python type of the field's JSON form (dates are ISO strings, tuples lists), e.g. ``str | None``."""
        base = JSON_TYPES.get(self.type, self.annotation)
        return base | None if self.nullable and self.type != "json" else base

    @property
    def adapter(self) -> TypeAdapter[Any]:
        """Validates and dumps a "json" field's value (pydantic)."""
        return _adapter(self.annotation)


@dataclass(frozen=True, slots=True)
class RecordSchema:
    """The fields of one record class in declaration order, without its provenance."""

    cls: type[Any]
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.cls.__name__} has no field {name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def shown(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.shown)

    def importable(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.importable)


class SchemaError(TypeError):
    """A record class's declarations are incomplete or contradict its annotations."""


def _optional(annotation: Any) -> tuple[Any, bool]:
    """(the type without None, whether None was allowed)."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) == 1 and len(get_args(annotation)) == 2:
            return rest[0], True
    return annotation, False


def _is_tuple(annotation: Any) -> bool:
    return get_origin(_optional(annotation)[0]) is tuple


def value_type(annotation: Any, vocabulary: str | None) -> str:
    base, _ = _optional(annotation)
    if base in SCALARS:
        kind = SCALARS[base]
        return "code" if vocabulary and kind == "text" else kind
    if get_origin(base) is tuple and get_args(base) == (str, ...):
        return "codes" if vocabulary else "list"
    return "json"


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _spec(f: dataclasses.Field[Any], annotation: Any, owner: str) -> FieldSpec:
    declared = f.metadata.get(METADATA_KEY)
    if not isinstance(declared, Declared):
        raise SchemaError(f"{owner}.{f.name} has no fact(...) declaration in its field metadata")
    kind = value_type(annotation, declared.vocabulary)
    if declared.vocabulary and kind not in ("code", "codes"):
        raise SchemaError(f"{owner}.{f.name}: a vocabulary needs a str or tuple[str, ...] field")
    has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    default = f.default if f.default is not dataclasses.MISSING else None
    stated = {d.name: getattr(declared, d.name) for d in dataclasses.fields(Declared)}
    return FieldSpec(
        **stated
        | {
            "name": f.name,
            "key": declared.key or f.name,
            "help": declared.help or declared.label,
            "type": kind,
            "annotation": annotation,
            "nullable": _optional(annotation)[1],
            "required": not has_default,
            "default": default,
        }
    )


_SCHEMAS: dict[type[Any], RecordSchema] = {}


def schema_of(cls: type[Any]) -> RecordSchema:
    """The schema of a record class (or of ``Provenance``); every field but the provenance ones is declared."""
    schema = _SCHEMAS.get(cls)
    if schema is None:
        hints = get_type_hints(cls)
        specs = tuple(
            _spec(f, hints[f.name], cls.__name__)
            for f in dataclasses.fields(cls)
            if f.name not in (PROVENANCE, FIELD_PROVENANCE)
        )
        schema = _SCHEMAS[cls] = RecordSchema(cls, specs)
    return schema
