"""Import CSV/XLSX files into the registry: parse everything, validate everything, then one revision or nothing.

Rows are upserts by id. A column left out of a file keeps a record's current value; an empty cell sets the
field to unknown. Field-level provenance survives for the fields a row does not change (a changed value is
covered by the row's own source). Every problem, from cell parsing and from registry validation, comes back
in one report with file, sheet, row and field::

    report = import_files(registry, [Path("tilbud.xlsx")], actor="steward@ous", reason="Q4 update")
    report.ok, report.revision       # True, 42   (or False, None with report.problems listing every row)
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsbkart.domain.entities import Provenance, RegistryRecord
from tsbkart.exchange.limits import ImportLimits
from tsbkart.exchange.tabular import ParsedRow, RowProblem, read_file
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.records import ProvenanceKey, from_json, to_json
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.store import Registry, Upsert, geography_ids
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


def build_records(
    rows: Sequence[ParsedRow], snapshot: RegistrySnapshot, problems: list[RowProblem]
) -> tuple[list[RegistryRecord], dict[tuple[str, str], ParsedRow]]:
    """Records of the rows that parsed, and where each record came from."""
    records: list[RegistryRecord] = []
    origin: dict[tuple[str, str], ParsedRow] = {}
    current_by_kind = snapshot.by_kind
    provenances: dict[ProvenanceKey, Provenance] = {}
    for row in rows:
        if not row.ok:
            continue
        current = current_by_kind[row.kind].get(row.values["id"])
        data = row.values if current is None else merge(to_json(current), row.values)
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
        out.append(RowProblem(file, sheet, number, p.field, p.message, p.kind, p.id))
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
    actor: str,
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
    actor: str,
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
    snapshot = registry.snapshot()
    records, origin = build_records(rows, snapshot, problems)
    read = Counter(row.kind for row in rows)
    counts = {k: read[k] for k in KINDS.names()}
    files = tuple(p.name for p in paths)
    if problems:
        problems.extend(locate(validate_records(records, _known_ids(registry, snapshot, rows)), origin))
        return ImportReport(files, counts, problems=tuple(sorted(problems, key=_sort_key)))
    created, updated = _changes(records, snapshot)
    try:
        revision = registry.commit([Upsert(r) for r in records], actor=actor, reason=reason)
    except ValidationFailed as failure:
        located = locate(failure.problems, origin)
        return ImportReport(files, counts, problems=tuple(sorted(located, key=_sort_key)))
    return ImportReport(files, counts, created, updated, revision)


def _changes(
    records: Sequence[RegistryRecord], snapshot: RegistrySnapshot
) -> tuple[dict[str, int], dict[str, int]]:
    created = dict.fromkeys(KINDS.names(), 0)
    updated = dict.fromkeys(KINDS.names(), 0)
    for record in records:
        kind = KINDS.of(record).name
        current = snapshot.records(kind).get(record.id)
        if current is None:
            created[kind] += 1
        elif current != record:
            updated[kind] += 1
    return created, updated
