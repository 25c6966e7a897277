"""Convert registry records between domain objects and flat JSON-able dicts.

The flat dict is both a table row (column name = key) and what a revision stores as before/after::

    {"id": "ous-rusakutt", "name": "...", "source": "https://...", "verified": "2026-11-22",
     "steward": None, "provenance_note": None, "field_provenance": {"beds": {"source": "...", ...}}, ...}

Dates are ISO strings in JSON and ``date`` objects in rows (``to_row``); tuples become lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from operator import attrgetter
from typing import Any

from tsbkart.domain.entities import Provenance, RegistryRecord
from tsbkart.registry.kinds import KINDS

PROVENANCE_KEYS = ("source", "verified", "steward", "provenance_note")


def _provenance_to_json(p: Provenance) -> dict[str, Any]:
    return {
        "source": p.source,
        "verified": p.verified.isoformat() if p.verified else None,
        "steward": p.steward,
        "note": p.note,
    }


def _provenance_from_json(d: dict[str, Any]) -> Provenance:
    verified = d.get("verified")
    return Provenance(
        source=d["source"],
        verified=date.fromisoformat(verified) if verified else None,
        steward=d.get("steward"),
        note=d.get("note"),
    )


@dataclass(frozen=True, slots=True)
class _Layout:
    """How one record class flattens, worked out once per class (``fields()`` and per-field checks are slow).

    ``get`` fetches every dataclass field in one call; the positions say which values need converting.
    """

    keys: tuple[str, ...]  # JSON keys in field order, provenance expanded into PROVENANCE_KEYS
    get: Callable[[Any], tuple[Any, ...]]
    tuples: tuple[int, ...]  # positions of tuple fields (JSON lists)
    dates: tuple[int, ...]  # positions of date fields (ISO strings)
    provenance: int  # position of the record's Provenance
    field_provenance: int  # position of the per-field provenance mapping
    date_keys: frozenset[str]  # JSON keys holding ISO dates, provenance's "verified" included


_LAYOUTS: dict[type, _Layout] = {}


def _layout(cls: type) -> _Layout:
    layout = _LAYOUTS.get(cls)
    if layout is None:
        names = [f.name for f in fields(cls)]
        types = [str(f.type) for f in fields(cls)]
        at = names.index("provenance")
        layout = _LAYOUTS[cls] = _Layout(
            keys=(*names[:at], *PROVENANCE_KEYS, *names[at + 1 :]),
            get=attrgetter(*names),
            tuples=tuple(i for i, t in enumerate(types) if t.startswith("tuple")),
            dates=tuple(i for i, t in enumerate(types) if t.startswith("date")),
            provenance=at,
            field_provenance=names.index("field_provenance"),
            date_keys=frozenset(
                {"verified", *(n for n, t in zip(names, types, strict=True) if t.startswith("date"))}
            ),
        )
    return layout


def to_json(record: RegistryRecord) -> dict[str, Any]:
    """The flat JSON form of a record (stable key order: dataclass field order)."""
    layout = _layout(type(record))
    values = list(layout.get(record))
    for i in layout.tuples:
        values[i] = list(values[i])
    for i in layout.dates:
        if values[i] is not None:
            values[i] = values[i].isoformat()
    by_field = values[layout.field_provenance]
    values[layout.field_provenance] = (
        {k: _provenance_to_json(v) for k, v in sorted(by_field.items())} if by_field else {}
    )
    p: Provenance = values[layout.provenance]
    values[layout.provenance : layout.provenance + 1] = (
        p.source,
        p.verified.isoformat() if p.verified else None,
        p.steward,
        p.note,
    )
    return dict(zip(layout.keys, values, strict=True))


def from_json(kind: str, data: dict[str, Any]) -> RegistryRecord:
    """Inverse of ``to_json``; unknown keys are an error so a schema drift is caught, not ignored."""
    cls = KINDS[kind].cls
    dates = _layout(cls).date_keys
    kwargs: dict[str, Any] = {}
    names = {f.name for f in fields(cls)}
    extra = set(data) - names - set(PROVENANCE_KEYS)
    if extra:
        raise ValueError(f"{kind} record has unknown fields: {sorted(extra)}")
    for f in fields(cls):
        if f.name == "provenance":
            kwargs["provenance"] = _provenance_from_json(
                {
                    "source": data["source"],
                    "verified": data.get("verified"),
                    "steward": data.get("steward"),
                    "note": data.get("provenance_note"),
                }
            )
        elif f.name == "field_provenance":
            kwargs["field_provenance"] = {
                k: _provenance_from_json(v) for k, v in (data.get("field_provenance") or {}).items()
            }
        elif f.name in data:
            value = data[f.name]
            if isinstance(value, list):
                value = tuple(value)
            elif f.name in dates and isinstance(value, str):
                value = date.fromisoformat(value)
            kwargs[f.name] = value
    record: RegistryRecord = cls(**kwargs)
    return record


def json_to_row(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A flat JSON record of ``kind`` as column values (ISO dates parsed back to ``date``)."""
    row = dict(data)
    for key in _layout(KINDS[kind].cls).date_keys & row.keys():
        if isinstance(row[key], str):
            row[key] = date.fromisoformat(row[key])
    return row


def row_to_json(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in _layout(KINDS[kind].cls).date_keys & out.keys():
        if isinstance(out[key], date):
            out[key] = out[key].isoformat()
    return out


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    """Changed fields as {field: (old, new)}; a create or delete lists every non-empty field."""
    keys = sorted(set(before or {}) | set(after or {}))
    changed: dict[str, tuple[Any, Any]] = {}
    for key in keys:
        old = (before or {}).get(key)
        new = (after or {}).get(key)
        if old != new:
            changed[key] = (old, new)
    return changed
