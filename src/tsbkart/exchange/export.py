"""Export a registry snapshot as CSV (one file per kind), XLSX (a sheet per kind) or GeoJSON (units + offers).

CSV and XLSX use the template's columns, so an export can be edited and imported again unchanged::

    text = export_csv(snapshot, "offer")          # header + one row per offer, ids sorted
    write_xlsx(snapshot, Path("registry.xlsx"))
    collection = geojson(snapshot)                # {"type": "FeatureCollection", "features": [...]}
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tsbkart.domain.entities import RegistryRecord, Unit
from tsbkart.exchange.cells import format_cell
from tsbkart.exchange.columns import load_columns
from tsbkart.registry.records import to_json
from tsbkart.registry.snapshot import RegistrySnapshot


def records_of(snapshot: RegistrySnapshot, kind: str) -> Sequence[RegistryRecord]:
    records = snapshot.records(kind)
    return [records[key] for key in sorted(records)]


def table_rows(snapshot: RegistrySnapshot, kind: str) -> Iterator[list[str]]:
    """The header, then one row of cell texts per record."""
    spec = load_columns()[kind]
    yield list(spec.names)
    for record in records_of(snapshot, kind):
        data = to_json(record)
        yield [format_cell(column, data.get(column.name)) for column in spec.columns]


def export_csv(snapshot: RegistrySnapshot, kind: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(table_rows(snapshot, kind))
    return buffer.getvalue()


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


def _xlsx_value(column_type: str, text: str) -> Any:
    # Numbers stay numbers in Excel; everything else as text so ids keep leading zeros.
    if text and column_type == "int":
        return int(text)
    if text and column_type == "float":
        return float(text)
    return text or None


def write_xlsx(snapshot: RegistrySnapshot, path: Path, kinds: Sequence[str] | None = None) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for kind in kinds or load_columns():
        spec = load_columns()[kind]
        sheet = workbook.create_sheet(spec.sheet)
        rows = table_rows(snapshot, kind)
        sheet.append(next(rows))
        types = [c.type for c in spec.columns]
        for row in rows:
            sheet.append([_xlsx_value(t, v) for t, v in zip(types, row, strict=True)])
    workbook.save(path)
    return path


def _offer_properties(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("unit_id", "field_provenance")}


def unit_feature(unit: Unit, snapshot: RegistrySnapshot) -> dict[str, Any]:
    """A GeoJSON Feature; geometry is null for a unit without a known location."""
    properties = {k: v for k, v in to_json(unit).items() if k not in ("lat", "lon", "field_provenance")}
    organisation = snapshot.organisations.get(unit.organisation_id)
    properties["organisation_name"] = organisation.name if organisation else None
    properties["approximate"] = unit.is_approximate if unit.lat is not None else None
    properties["offers"] = [_offer_properties(to_json(o)) for o in snapshot.offers_of(unit.id)]
    geometry = (
        {"type": "Point", "coordinates": [unit.lon, unit.lat]}
        if unit.lat is not None and unit.lon is not None
        else None
    )
    return {"type": "Feature", "id": unit.id, "geometry": geometry, "properties": properties}


def geojson(snapshot: RegistrySnapshot) -> dict[str, Any]:
    """Every unit with its service offers (RFC 7946, WGS84 lon/lat)."""
    return {
        "type": "FeatureCollection",
        "revision": snapshot.revision,
        "features": [unit_feature(u, snapshot) for u in records_of(snapshot, "unit") if isinstance(u, Unit)],
    }
