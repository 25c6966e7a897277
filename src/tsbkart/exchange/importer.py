"""Import CSV/XLSX files into the registry: parse everything, validate everything, then one revision or nothing.

Rows are upserts by id. A column left out of a file keeps a record's current value; an empty cell sets the
field to unknown. The rows are merged with the records as they are inside the import's own write transaction
(``Registry.writing``), so an edit someone commits while the files are being read is kept, not overwritten,
and the change log's ``before`` is the state the import really replaced. Field-level provenance survives for the fields a row does not change (a changed value is
covered by the row's own source). Every problem, from cell parsing and from registry validation, comes back
in one report with file, sheet, row and field::

    report = import_files(registry, [Path("tilbud.xlsx")], actor=Actor.cli("steward@ous"), reason="Q4 update")
    report.ok, report.revision       # True, 42   (or False, None with report.problems listing every row)
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Provenance, RegistryRecord
from tsbkart.exchange.limits import ImportLimits
from tsbkart.exchange.tabular import ParsedRow, RowProblem, read_file
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.records import ProvenanceKey, from_json, from_json_many, to_json
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.store import Registry, Upsert, Written, geography_ids
from tsbkart.registry.validation import KnownIds, Problem, ValidationFailed, validate_records

_PROVENANCE_FIELDS = frozenset({"source", "verified", "steward", "provenance_note", "field_provenance"})


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, or every reason it did nothing."""

    files: tuple[str, ...]
    rows: dict[str, int] = field(default_factory=dict)  # data rows read per kind
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    revision: int | None = None  # None: nothing written (problems, or nothing changed)
    problems: tuple[RowProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def merge(existing: dict[str, Any] | None, values: dict[str, Any]) -> dict[str, Any]:
    """The record's new flat JSON: the current record overlaid with the row's columns.

    Field provenance is kept only for fields whose value the row leaves unchanged.
    """
    if existing is None:
        return dict(values)
    merged = existing | values
    kept = {
        name: p
        for name, p in (existing.get("field_provenance") or {}).items()
        if name in _PROVENANCE_FIELDS or existing.get(name) == merged.get(name)
    }
    merged["field_provenance"] = kept
    return merged


def _duplicates(rows: Sequence[ParsedRow], problems: list[RowProblem]) -> None:
    first: dict[tuple[str, str], ParsedRow] = {}
    for row in rows:
        entity_id = row.values.get("id")
        if entity_id is None:
            continue
        key = (row.kind, entity_id)
        if key in first:
            seen = first[key]
            where = f"row {seen.row}" + (f" of sheet {seen.sheet}" if seen.sheet else f" of {seen.file}")
            problems.append(
                RowProblem(
                    row.file,
                    row.sheet,
                    row.row,
                    "id",
                    f"{row.kind} {entity_id!r} is also on {where}",
                    row.kind,
                    entity_id,
                )
            )
        else:
            first[key] = row


CurrentRecord = Callable[[str, str], dict[str, Any] | None]  # (kind, id) -> the record's flat JSON, if any


def in_snapshot(snapshot: RegistrySnapshot) -> CurrentRecord:
    """Current records as a snapshot holds them (for reporting problems; writes merge inside the transaction)."""

    def current(kind: str, entity_id: str) -> dict[str, Any] | None:
        record = snapshot.records(kind).get(entity_id)
        return None if record is None else to_json(record)

    return current


def build_records(
    rows: Sequence[ParsedRow], current: CurrentRecord, problems: list[RowProblem]
) -> tuple[list[RegistryRecord], dict[tuple[str, str], ParsedRow]]:
    """Records of the rows that parsed, each merged with its ``current`` record, and where each came from."""
    merged: list[tuple[ParsedRow, dict[str, Any]]] = []
    for row in rows:
        if row.ok:
            existing = current(row.kind, row.values["id"])
            merged.append((row, row.values if existing is None else merge(existing, row.values)))
    provenances: dict[ProvenanceKey, Provenance] = {}
    try:
        made = _from_json_by_kind(merged, provenances)
    except (TypeError, ValueError):
        return _build_one_by_one(merged, provenances, problems)  # to say which rows
    records: list[RegistryRecord] = []
    origin: dict[tuple[str, str], ParsedRow] = {}
    for (row, _), record in zip(merged, made, strict=True):
        records.append(record)
        origin[(row.kind, record.id)] = row
    return records, origin


def _from_json_by_kind(
    merged: Sequence[tuple[ParsedRow, dict[str, Any]]], provenances: dict[ProvenanceKey, Provenance]
) -> list[RegistryRecord]:
    """The records of ``merged``, in its order, made a kind at a time (``from_json_many``)."""
    positions: dict[str, list[int]] = {}
    for i, (row, _) in enumerate(merged):
        positions.setdefault(row.kind, []).append(i)
    made: list[Any] = [None] * len(merged)
    for kind, at in positions.items():
        for i, record in zip(at, from_json_many(kind, [merged[i][1] for i in at], provenances), strict=True):
            made[i] = record
    return made


def _build_one_by_one(
    merged: Sequence[tuple[ParsedRow, dict[str, Any]]],
    provenances: dict[ProvenanceKey, Provenance],
    problems: list[RowProblem],
) -> tuple[list[RegistryRecord], dict[tuple[str, str], ParsedRow]]:
    records: list[RegistryRecord] = []
    origin: dict[tuple[str, str], ParsedRow] = {}
    for row, data in merged:
        try:
            record = from_json(row.kind, data, provenances)
        except (TypeError, ValueError) as error:
            problems.append(
                RowProblem(row.file, row.sheet, row.row, None, str(error), row.kind, row.values["id"])
            )
            continue
        records.append(record)
        origin[(row.kind, record.id)] = row
    return records, origin


def locate(problems: Sequence[Problem], origin: dict[tuple[str, str], ParsedRow]) -> list[RowProblem]:
    """Registry validation problems mapped back to the file, sheet and row the record came from."""
    out: list[RowProblem] = []
    for p in problems:
        row = origin.get((p.kind, p.id))
        file, sheet, number = (row.file, row.sheet, row.row) if row else ("", None, None)
        out.append(RowProblem(file, sheet, number, p.field, p.message, p.kind, p.id, p.text))
    return out


def _known_ids(registry: Registry, snapshot: RegistrySnapshot, rows: Sequence[ParsedRow]) -> KnownIds:
    # Ids on rows that failed to parse count as known, so one bad unit row does not also fail its offers.
    ids: dict[str, set[str] | None] = {kind: set(snapshot.records(kind)) for kind in KINDS.names()}
    for row in rows:
        known = ids[row.kind]
        if row.values.get("id") and known is not None:
            known.add(row.values["id"])
    return KnownIds(ids | geography_ids(registry.geography()))


def _sort_key(p: RowProblem) -> tuple[str, str, int, str]:
    return (p.file, p.sheet or "", p.row or 0, p.field or "")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration.

    An import allocates millions of small dicts, lists and records, none of them in reference cycles, and every
    full collection walks them all: measured, about a quarter of a 100,000-row import's time. Reference counting
    still frees everything as usual; the collector is switched back on (if it was on) however the block ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_files(
    registry: Registry,
    paths: Sequence[Path],
    *,
    actor: Actor,
    reason: str,
    kind: str | None = None,
    limits: ImportLimits | None = None,
    encoding: str | None = None,
) -> ImportReport:
    """Import ``paths`` as one revision by ``actor`` for ``reason``; nothing is written if any row is bad.

    ``limits`` default to the settings'; ``encoding`` names a CSV file's encoding (default: see encoding.py).
    """
    with collector_paused():
        return _import(registry, paths, actor, reason, kind, limits, encoding)


def _import(
    registry: Registry,
    paths: Sequence[Path],
    actor: Actor,
    reason: str,
    kind: str | None,
    limits: ImportLimits | None,
    encoding: str | None,
) -> ImportReport:
    rows: list[ParsedRow] = []
    problems: list[RowProblem] = []
    for path in paths:
        file_rows, file_problems = read_file(path, kind, limits=limits, encoding=encoding)
        rows.extend(file_rows)
        problems.extend(file_problems)
    _duplicates(rows, problems)
    read = Counter(row.kind for row in rows)
    counts = {k: read[k] for k in KINDS.names()}
    files = tuple(p.name for p in paths)
    if not problems:
        written, located = _merge_and_commit(registry, rows, actor=actor, reason=reason)
        if written is not None:
            created = {k: written.count(k, "create") for k in KINDS.names()}
            updated = {k: written.count(k, "update") for k in KINDS.names()}
            return ImportReport(files, counts, created, updated, written.revision)
        if located:
            return ImportReport(files, counts, problems=tuple(sorted(located, key=_sort_key)))
    # Report every problem at once: cells, and what validating the records that did parse finds.
    snapshot = registry.snapshot()
    records, origin = build_records(rows, in_snapshot(snapshot), problems)
    problems.extend(locate(validate_records(records, _known_ids(registry, snapshot, rows)), origin))
    return ImportReport(files, counts, problems=tuple(sorted(problems, key=_sort_key)))


def _merge_and_commit(
    registry: Registry, rows: Sequence[ParsedRow], *, actor: Actor, reason: str
) -> tuple[Written | None, list[RowProblem]]:
    """Merge the rows with the records as they are inside the write transaction, and commit them.

    Returns what was written, or (None, problems located in the files) when validation refused the batch, or
    (None, []) when a row could not be made into a record (the caller reports those with everything else).
    """
    listed: dict[str, list[str]] = {k: [] for k in KINDS.names()}
    for row in rows:
        listed[row.kind].append(row.values["id"])
    origin: dict[tuple[str, str], ParsedRow] = {}
    try:
        with registry.writing() as transaction:
            current = {k: transaction.current(k, ids) for k, ids in listed.items()}
            problems: list[RowProblem] = []
            records, origin = build_records(rows, lambda k, i: current[k].get(i), problems)
            if problems:
                return None, []
            return transaction.commit([Upsert(r) for r in records], actor=actor, reason=reason), []
    except ValidationFailed as failure:
        return None, locate(failure.problems, origin)
