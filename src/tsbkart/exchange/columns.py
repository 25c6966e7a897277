"""The tabular column specs per record kind, loaded from ``templates/columns.yaml`` (the data, not code).

Shape::

    specs = load_columns()
    specs["offer"].sheet                      # "tilbud"
    specs["offer"].column("intake_status")    # Column(name="intake_status", type="code",
                                              #        vocabulary="intake_status", empty="unknown", ...)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from tsbkart.registry.kinds import KINDS

TYPES = frozenset({"text", "int", "float", "bool", "date", "code", "codes", "list"})


class ColumnSpecError(ValueError):
    """columns.yaml is malformed."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    description: Mapping[str, str]
    example: str = ""
    required: bool = False
    vocabulary: str | None = None
    empty: str | None = None  # what an empty cell stores when not None (e.g. "unknown")
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: str
    sheet: str
    description: Mapping[str, str]
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _flatten(items: list[Any]) -> list[dict[str, Any]]:
    # YAML aliases (the shared provenance columns) arrive as nested lists.
    out: list[dict[str, Any]] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _column(raw: dict[str, Any], where: str) -> Column:
    if raw.get("type") not in TYPES:
        raise ColumnSpecError(f"{where}: type {raw.get('type')!r} is not one of {sorted(TYPES)}")
    if raw["type"] in ("code", "codes") and not raw.get("vocabulary"):
        raise ColumnSpecError(f"{where}: a {raw['type']} column needs a vocabulary")
    return Column(
        name=str(raw["name"]),
        type=str(raw["type"]),
        description=dict(raw["description"]),
        example=str(raw.get("example") or ""),
        required=bool(raw.get("required", False)),
        vocabulary=raw.get("vocabulary"),
        empty=raw.get("empty"),
        choices=tuple(raw.get("choices") or ()),
    )


def parse_columns(document: dict[str, Any]) -> Mapping[str, KindSpec]:
    """Validate the parsed YAML: every kind known, every column a record field or a provenance column."""
    specs: dict[str, KindSpec] = {}
    for kind, raw in document["kinds"].items():
        if kind not in KINDS:
            raise ColumnSpecError(f"columns.yaml: unknown kind {kind!r}")
        fields = set(KINDS[kind].cls.__dataclass_fields__) | {
            "source",
            "verified",
            "steward",
            "provenance_note",
        }
        columns = tuple(_column(c, f"columns.yaml: {kind}.{c.get('name')}") for c in _flatten(raw["columns"]))
        for column in columns:
            if column.name not in fields:
                raise ColumnSpecError(f"columns.yaml: {kind}.{column.name} is not a {kind} field")
        specs[kind] = KindSpec(kind, KINDS[kind].sheet, dict(raw["description"]), columns)
    return MappingProxyType({k: specs[k] for k in KINDS.names() if k in specs})


@cache
def load_columns() -> Mapping[str, KindSpec]:
    text = (resources.files("tsbkart.exchange") / "templates" / "columns.yaml").read_text(encoding="utf-8")
    return parse_columns(yaml.safe_load(text))


def kind_for_sheet(name: str) -> str | None:
    """The kind a sheet or file stem names: its sheet name ("tilbud") or kind, singular or plural."""
    kind = KINDS.for_sheet(name)
    return kind.name if kind is not None and kind.name in load_columns() else None
