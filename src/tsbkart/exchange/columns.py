"""The tabular columns per record kind, derived from the field schema (``tsbkart.domain.schema``): every
importable field of a kind, then the provenance columns that describe the whole row.

Shape::

    specs = load_columns()
    specs["offer"].sheet                      # "tilbud"
    specs["offer"].column("intake_status")    # Column(name="intake_status", type="code",
                                              #        vocabulary="intake_status", empty="unknown", ...)

A column's description is the field's help text in both languages (the message catalogues).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tsbkart.domain.catalogues import translate
from tsbkart.domain.entities import Provenance
from tsbkart.domain.schema import FieldSpec, schema_of
from tsbkart.registry.kinds import KINDS, RecordKind

LANGUAGES = ("nb", "en")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # text | int | float | bool | date | code | codes | list | json (tsbkart.domain.schema)
    description: Mapping[str, str]  # {"nb": ..., "en": ...}
    example: str = ""
    required: bool = False
    vocabulary: str | None = None
    empty: str | None = None  # what an empty cell stores when not None (e.g. "unknown")
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: str
    sheet: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def column_of(spec: FieldSpec) -> Column:
    return Column(
        name=spec.key,
        type=spec.type,
        description={language: translate(spec.help, language) for language in LANGUAGES},
        example=spec.example,
        required=spec.required,
        vocabulary=spec.vocabulary,
        empty=spec.default if isinstance(spec.default, str) else None,
        choices=spec.choices,
    )


def kind_spec(kind: RecordKind) -> KindSpec:
    fields = (*schema_of(kind.cls).importable(), *schema_of(Provenance).fields)
    return KindSpec(kind.name, kind.sheet, tuple(column_of(f) for f in fields))


def load_columns() -> Mapping[str, KindSpec]:
    """The columns of every declared kind, in kind order (parents first); cheap after the first call."""
    return MappingProxyType({kind.name: _cached_spec(kind) for kind in KINDS})


_SPECS: dict[tuple[str, type, str], KindSpec] = {}


def _cached_spec(kind: RecordKind) -> KindSpec:
    key = (kind.name, kind.cls, kind.sheet)
    spec = _SPECS.get(key)
    if spec is None:
        spec = _SPECS[key] = kind_spec(kind)
    return spec


def kind_for_sheet(name: str) -> str | None:
    """The kind a sheet or file stem names: its sheet name ("tilbud") or kind, singular or plural."""
    kind = KINDS.for_sheet(name)
    return kind.name if kind is not None else None
