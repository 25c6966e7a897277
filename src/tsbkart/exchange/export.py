"""Export a registry snapshot as CSV (one file per kind) or XLSX (a sheet per kind).

CSV and XLSX use the template's columns, so an export can be edited and imported again unchanged; text cells
are formula-guarded (``tsbkart.exchange.spreadsheet``; the importer undoes the CSV guard)::

    text = export_csv(snapshot, "offer")          # header + one row per offer, ids sorted
    write_xlsx(snapshot, Path("registry.xlsx"))

GeoJSON is ``tsbkart.query.units.feature_collection``: the same document as ``/api/v1/units.geojson``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tsbkart.domain.entities import RegistryRecord
from tsbkart.exchange.cells import format_cell
from tsbkart.exchange.columns import Column, load_columns
from tsbkart.exchange.spreadsheet import Cell, csv_text
from tsbkart.exchange.spreadsheet import write_xlsx as write_workbook
from tsbkart.registry.records import to_json
from tsbkart.registry.snapshot import RegistrySnapshot


def records_of(snapshot: RegistrySnapshot, kind: str) -> Sequence[RegistryRecord]:
    records = snapshot.records(kind)
    return [records[key] for key in sorted(records)]


def table_rows(snapshot: RegistrySnapshot, kind: str) -> Iterator[list[Cell]]:
    """The header, then one row per record: numbers as numbers, everything else as its cell text (None when
    unknown), so the CSV and the XLSX of one kind hold the same cells."""
    spec = load_columns()[kind]
    yield list(spec.names)
    for record in records_of(snapshot, kind):
        data = to_json(record)
        yield [_cell(column, data.get(column.name)) for column in spec.columns]


def _cell(column: Column, value: Any) -> Cell:
    if value is None:
        return None
    if column.type == "int":
        return int(value)
    if column.type == "float":
        return float(value)
    return format_cell(column, value) or None


def export_csv(snapshot: RegistrySnapshot, kind: str) -> str:
    """One kind as CSV text, every text cell formula-guarded."""
    return csv_text(table_rows(snapshot, kind))


def write_csv_files(
    snapshot: RegistrySnapshot, directory: Path, kinds: Sequence[str] | None = None
) -> list[Path]:
    """One ``<sheet>.csv`` per kind (``tilbud.csv``...), importable as it is."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in kinds or load_columns():
        path = directory / f"{load_columns()[kind].sheet}.csv"
        path.write_text(export_csv(snapshot, kind), encoding="utf-8")
        written.append(path)
    return written


def write_xlsx(snapshot: RegistrySnapshot, path: Path, kinds: Sequence[str] | None = None) -> Path:
    """A sheet per kind; text cells are stored as text, never as formulas."""
    write_workbook({load_columns()[k].sheet: table_rows(snapshot, k) for k in kinds or load_columns()}, path)
    return path
