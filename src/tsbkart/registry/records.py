"""Convert registry records between domain objects and flat JSON-able dicts.

The flat dict is both a table row (column name = key) and what a revision stores as before/after::

    {"id": "ous-rusakutt", "name": "...", "source": "https://...", "verified": "2026-11-22",
     "steward": None, "provenance_note": None, "field_provenance": {"beds": {"source": "...", ...}}, ...}

Dates are ISO strings in JSON and ``date`` objects in rows (``to_row``); tuples become lists.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from tsbkart.domain.entities import KINDS, Provenance, RegistryRecord, kind_of

PROVENANCE_KEYS = ("source", "verified", "steward", "provenance_note")
_DATE_FIELDS = frozenset({"verified", "waiting_as_of"})


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


_LAYOUTS: dict[type, tuple[tuple[str, int], ...]] = {}


def _layout(cls: type) -> tuple[tuple[str, int], ...]:
    """(field name, how to convert) per dataclass field, computed once per class: ``fields()`` is slow."""
    if cls not in _LAYOUTS:
        special = {"provenance": _PROVENANCE, "field_provenance": _FIELD_PROVENANCE}
        _LAYOUTS[cls] = tuple((f.name, special.get(f.name, _PLAIN)) for f in fields(cls))
    return _LAYOUTS[cls]


_PLAIN, _PROVENANCE, _FIELD_PROVENANCE = 0, 1, 2


def to_json(record: RegistryRecord) -> dict[str, Any]:
    """The flat JSON form of a record (stable key order: dataclass field order)."""
    out: dict[str, Any] = {}
    for name, how in _layout(type(record)):
        value = getattr(record, name)
        if how == _PLAIN:
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, date):
                value = value.isoformat()
            out[name] = value
        elif how == _PROVENANCE:
            out["source"] = value.source
            out["verified"] = value.verified.isoformat() if value.verified else None
            out["steward"] = value.steward
            out["provenance_note"] = value.note
        else:
            out["field_provenance"] = {k: _provenance_to_json(v) for k, v in sorted(value.items())}
    return out


def from_json(kind: str, data: dict[str, Any]) -> RegistryRecord:
    """Inverse of ``to_json``; unknown keys are an error so a schema drift is caught, not ignored."""
    cls = KINDS[kind]
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
            elif f.name in _DATE_FIELDS and isinstance(value, str):
                value = date.fromisoformat(value)
            kwargs[f.name] = value
    return cls(**kwargs)


def json_to_row(data: dict[str, Any]) -> dict[str, Any]:
    """A flat JSON record as column values (ISO dates parsed back to ``date``)."""
    row = dict(data)
    for key in _DATE_FIELDS & row.keys():
        if isinstance(row[key], str):
            row[key] = date.fromisoformat(row[key])
    return row


def row_to_json(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in _DATE_FIELDS & out.keys():
        if isinstance(out[key], date):
            out[key] = out[key].isoformat()
    return out


def identity(record: RegistryRecord) -> tuple[str, str]:
    """(kind, id) of a record, e.g. ("unit", "ous-rusakutt")."""
    return kind_of(record), record.id


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
