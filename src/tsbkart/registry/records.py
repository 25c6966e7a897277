"""Convert registry records between domain objects and flat JSON-able dicts: the one serialisation path, used by
the store, the history, the import and the exports alike, and derived from the field schema
(``tsbkart.domain.schema``).

The flat dict is both a table row (column name = key) and what a revision stores as before/after::

    {"id": "ous-rusakutt", "name": "...", "source": "https://...", "verified": "2026-11-22",
     "steward": None, "provenance_note": None, "field_provenance": {"beds": {"source": "...", ...}}, ...}

Dates are ISO strings in JSON and ``date`` objects in rows (``json_to_row``); tuples become lists; a "json"
field (any other type) is dumped and validated by its pydantic ``TypeAdapter``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import MISSING, Field, dataclass, fields
from datetime import date
from functools import lru_cache
from itertools import repeat
from operator import attrgetter, itemgetter
from types import MemberDescriptorType
from typing import Any

from pydantic import TypeAdapter

from tsbkart.domain.entities import Provenance, RegistryRecord
from tsbkart.domain.schema import FIELD_PROVENANCE, PROVENANCE, schema_of
from tsbkart.registry.kinds import KINDS

PROVENANCE_KEYS: tuple[str, ...] = tuple(f.key for f in schema_of(Provenance).fields)
ProvenanceKey = tuple[str, str | None, str | None, str | None]  # source, verified, steward, note


def _provenance_to_json(p: Provenance) -> dict[str, Any]:
    return {
        "source": p.source,
        "verified": p.verified.isoformat() if p.verified else None,
        "steward": p.steward,
        "note": p.note,
    }


@lru_cache(maxsize=4096)
def _iso(day: date) -> str:
    """``day.isoformat()``, remembered: the C function formats through ``PyUnicode_FromFormat``, about 4,400
    instructions a call, and the records of a registry share a few thousand dates (measured: ~2 % of an
    import's instructions)."""
    return day.isoformat()


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _provenance_from_json(d: dict[str, Any]) -> Provenance:
    return Provenance(d["source"], _day(d.get("verified")), d.get("steward"), d.get("note"))


@dataclass(frozen=True, slots=True)
class _Layout:
    """How one record class flattens, worked out once per class from its schema.

    ``get`` fetches every dataclass field in one call; the positions say which values need converting.
    """

    keys: tuple[str, ...]  # JSON keys in field order, provenance expanded into PROVENANCE_KEYS
    get: Callable[[Any], tuple[Any, ...]]
    tuples: tuple[int, ...]  # positions of tuple fields (JSON lists)
    dates: tuple[int, ...]  # positions of date fields (ISO strings)
    adapted: tuple[tuple[int, TypeAdapter[Any]], ...]  # positions of "json" fields and their adapters
    provenance: int  # position of the record's Provenance
    field_provenance: int  # position of the per-field provenance mapping
    allowed: frozenset[str]  # every key from_json accepts
    tuple_names: tuple[str, ...]
    date_names: tuple[str, ...]
    adapted_names: tuple[tuple[str, TypeAdapter[Any]], ...]
    date_keys: frozenset[str]  # JSON keys holding ISO dates, provenance's "verified" included
    fields: tuple[Field[Any], ...]  # the dataclass fields, in order


_LAYOUTS: dict[type, _Layout] = {}


def _layout(cls: type) -> _Layout:
    layout = _LAYOUTS.get(cls)
    if layout is None:
        names = [f.name for f in fields(cls)]
        schema = schema_of(cls)
        at = names.index(PROVENANCE)
        position = {name: i for i, name in enumerate(names)}
        tuples = [f for f in schema.fields if f.is_tuple and f.type != "json"]
        dates = [f for f in schema.fields if f.type == "date"]
        adapted = [f for f in schema.fields if f.type == "json"]
        layout = _LAYOUTS[cls] = _Layout(
            keys=(*names[:at], *PROVENANCE_KEYS, *names[at + 1 :]),
            get=attrgetter(*names),
            tuples=tuple(position[f.name] for f in tuples),
            dates=tuple(position[f.name] for f in dates),
            adapted=tuple((position[f.name], f.adapter) for f in adapted),
            provenance=at,
            field_provenance=position[FIELD_PROVENANCE],
            allowed=frozenset(schema.names) | {FIELD_PROVENANCE, *PROVENANCE_KEYS},
            tuple_names=tuple(f.name for f in tuples),
            date_names=tuple(f.name for f in dates),
            adapted_names=tuple((f.name, f.adapter) for f in adapted),
            date_keys=frozenset({"verified", *(f.name for f in dates)}),
            fields=fields(cls),
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
            values[i] = _iso(values[i])
    for i, adapter in layout.adapted:
        values[i] = adapter.dump_python(values[i], mode="json")
    by_field = values[layout.field_provenance]
    values[layout.field_provenance] = (
        {k: _provenance_to_json(v) for k, v in sorted(by_field.items())} if by_field else {}
    )
    p: Provenance = values[layout.provenance]
    values[layout.provenance : layout.provenance + 1] = (
        p.source,
        _iso(p.verified) if p.verified else None,
        p.steward,
        p.note,
    )
    return dict(zip(layout.keys, values, strict=True))


def from_json(
    kind: str, data: dict[str, Any], provenances: dict[ProvenanceKey, Provenance] | None = None
) -> RegistryRecord:
    """Inverse of ``to_json``; a key left out takes the field's default. ``data`` is not modified.

    Unknown keys are an error, so a schema drift is caught, not ignored. ``provenances`` lets many records
    share one Provenance per distinct (source, verified, steward, note): a 100,000-row import usually cites a
    handful of sources.
    """
    cls = KINDS[kind].cls
    layout = _layout(cls)
    if not layout.allowed.issuperset(data):
        raise ValueError(f"{kind} record has unknown fields: {sorted(data.keys() - layout.allowed)}")
    kwargs = dict(data)
    if "source" not in kwargs:
        raise ValueError(f"{kind} record has no source")
    key: ProvenanceKey = (
        kwargs.pop("source"),
        kwargs.pop("verified", None),
        kwargs.pop("steward", None),
        kwargs.pop("provenance_note", None),
    )
    kept = kwargs.pop(FIELD_PROVENANCE, None)
    for name in layout.tuple_names:
        if name in kwargs:
            kwargs[name] = tuple(kwargs[name])
    for name in layout.date_names:
        if type(kwargs.get(name)) is str:
            kwargs[name] = date.fromisoformat(kwargs[name])
    for name, adapter in layout.adapted_names:
        if name in kwargs:
            kwargs[name] = adapter.validate_python(kwargs[name])
    shared = provenances if provenances is not None else {}
    provenance = shared.get(key)
    if provenance is None:
        provenance = shared[key] = Provenance(key[0], _day(key[1]), key[2], key[3])
    kwargs[PROVENANCE] = provenance
    if kept:
        kwargs[FIELD_PROVENANCE] = {name: _provenance_from_json(p) for name, p in kept.items()}
    record: RegistryRecord = cls(**kwargs)
    return record


def from_json_many(
    kind: str, batch: Sequence[dict[str, Any]], provenances: dict[ProvenanceKey, Provenance] | None = None
) -> list[RegistryRecord]:
    """``[from_json(kind, data, provenances) for data in batch]``, worked out a column at a time.

    An import's rows of one sheet all have the same keys: for each set of keys, each column is converted in one
    pass, each distinct date parsed once, and the records are made positionally (no keyword to match, no dict
    per record). Whatever the columns cannot settle goes through ``from_json``, which raises for the first bad
    dict as the loop would.
    """
    shared = provenances if provenances is not None else {}
    try:
        return _by_columns(kind, batch, shared)
    except (TypeError, ValueError):
        return [from_json(kind, data, shared) for data in batch]


def _by_columns(
    kind: str, batch: Sequence[dict[str, Any]], shared: dict[ProvenanceKey, Provenance]
) -> list[RegistryRecord]:
    if not batch:
        return []
    # As many keys in each: the same keys, unless one lacks a key of the first (_from_columns sees that).
    if len(set(map(len, batch))) == 1:
        made = _from_columns(kind, tuple(batch[0]), batch, shared)
        if made is not None:
            return made
    groups: dict[tuple[str, ...], list[int]] = {}
    for position, data in enumerate(batch):
        groups.setdefault(tuple(data), []).append(position)
    records: list[Any] = [None] * len(batch)
    for keys, positions in groups.items():
        group = [batch[i] for i in positions]
        made = _from_columns(kind, keys, group, shared) if len(groups) > 1 else None
        if made is None:
            made = [from_json(kind, data, shared) for data in group]
        for position, record in zip(positions, made, strict=True):
            records[position] = record
    return records


def _from_columns(
    kind: str, keys: tuple[str, ...], batch: Sequence[dict[str, Any]], shared: dict[ProvenanceKey, Provenance]
) -> list[RegistryRecord] | None:
    """The records of ``batch`` (dicts with exactly ``keys``), or None for what only ``from_json`` words."""
    cls = KINDS[kind].cls
    layout = _layout(cls)
    if (
        len(keys) < 2
        or "source" not in keys
        or FIELD_PROVENANCE in keys
        or not layout.allowed.issuperset(keys)
        or not all(f.init and not f.kw_only for f in layout.fields)  # then not made positionally
    ):
        return None
    count = len(batch)
    try:
        rows = list(map(itemgetter(*keys), batch))
    except KeyError:
        return None  # not all with the same keys
    columns: dict[str, Sequence[Any]] = dict(zip(keys, zip(*rows, strict=True), strict=True))
    for name in layout.tuple_names:
        if name in columns:
            columns[name] = list(map(tuple, columns[name]))
    for name in layout.date_names:
        if name in columns:
            days = {v: date.fromisoformat(v) for v in set(columns[name]) if type(v) is str}
            columns[name] = [days[v] if type(v) is str else v for v in columns[name]]
    for name, adapter in layout.adapted_names:
        if name in columns:
            columns[name] = [adapter.validate_python(v) for v in columns[name]]
    cited: list[ProvenanceKey] = list(
        zip(*(columns.pop(k) if k in columns else repeat(None, count) for k in PROVENANCE_KEYS), strict=True)
    )
    for key in set(cited) - shared.keys():
        shared[key] = Provenance(key[0], _day(key[1]), key[2], key[3])
    columns[PROVENANCE] = list(map(shared.__getitem__, cited))
    arguments: list[Iterable[Any]] = []
    for f in layout.fields:
        if f.name in columns:
            arguments.append(columns.pop(f.name))
        elif f.default is not MISSING:
            arguments.append(repeat(f.default, count))
        elif f.default_factory is not MISSING:
            arguments.append([f.default_factory() for _ in range(count)])
        else:
            return None  # a required field is missing
    if columns:
        return None  # a key that is no field
    return _made(cls, arguments, count)


def _made(cls: type, arguments: list[Iterable[Any]], count: int) -> list[Any]:
    """``list(map(cls, *arguments))`` (one iterable per field, in field order) for a slots dataclass whose
    ``__init__`` is the one ``dataclass`` writes, as every record class's is (``domain/entities.py``).

    A frozen dataclass's ``__init__`` sets each field with a Python call to ``object.__setattr__``; here each
    slot is set a column at a time, which is all that ``__init__`` does (measured: 0.9 against 2.3 us per
    offer). A class that does more when it is made (``__post_init__``) is called as usual.
    """
    found = [vars(cls).get(f.name) for f in fields(cls)]
    slots = [s for s in found if isinstance(s, MemberDescriptorType)]
    if hasattr(cls, "__post_init__") or len(slots) != len(found):
        return list(map(cls, *arguments))
    made: list[Any] = list(map(object.__new__, repeat(cls, count)))
    for slot, values in zip(slots, arguments, strict=True):
        deque(map(slot.__set__, made, values), maxlen=0)
    return made


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
