"""An indicator table as CSV, XLSX or JSON, with its definition, source and caveat.

Unknown values are empty cells in CSV/XLSX and ``null`` in JSON, never 0. CSV and XLSX go through the one
formula-guarded writer (``tsbkart.exchange.spreadsheet``).
"""

from __future__ import annotations

import math
from typing import Any

import orjson

from tsbkart.atlas.indicators import ROW_COLUMNS, IndicatorTable
from tsbkart.exchange.spreadsheet import Cell, csv_text, xlsx_bytes

__all__ = ["to_csv", "to_json", "to_records", "to_xlsx"]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalar -> Python
        return _clean(value.item())
    return value


def to_records(table: IndicatorTable) -> list[dict[str, Any]]:
    """One dict per area with the ``ROW_COLUMNS``; unknown -> None."""
    return [{c: _clean(row[c]) for c in ROW_COLUMNS} for _, row in table.rows.iterrows()]


def _meta(table: IndicatorTable) -> dict[str, Any]:
    ind = table.indicator
    return {
        "id": ind.id,
        "title": dict(ind.title),
        "description": dict(ind.description),
        "unit": dict(ind.unit),
        "source": ind.source,
        "method": ind.method,
        "caveat": dict(ind.caveat) if ind.caveat else None,
        "national": _clean(table.national),
        "notes": list(table.notes),
    }


def _rows(table: IndicatorTable) -> list[list[Cell]]:
    """Header and one row per area; with a caveat, a ``caveat`` column (English) on every row."""
    columns: list[str] = list(ROW_COLUMNS)
    caveat = table.indicator.text("caveat", "en") if table.indicator.caveat else None
    if caveat is not None:
        columns.append("caveat")
    rows: list[list[Cell]] = [list(columns)]
    for record in to_records(table):
        rows.append([record[c] for c in ROW_COLUMNS] + ([caveat] if caveat is not None else []))
    return rows


def to_csv(table: IndicatorTable) -> str:
    """CSV with a header row; an indicator with a caveat gets a ``caveat`` column (English) on every row."""
    return csv_text(_rows(table))


def to_json(table: IndicatorTable) -> str:
    """``{"indicator": {...definition, caveat, national, notes}, "areas": [...]}``."""
    document = {"indicator": _meta(table), "areas": to_records(table)}
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()


def to_xlsx(table: IndicatorTable) -> bytes:
    """A workbook with sheet ``data`` (the table) and sheet ``about`` (definition, source, caveat)."""
    about: list[list[Cell]] = [
        [key, orjson.dumps(value).decode() if isinstance(value, dict | list) else value]
        for key, value in _meta(table).items()
    ]
    data = [list(ROW_COLUMNS)] + [r[: len(ROW_COLUMNS)] for r in _rows(table)[1:]]
    return xlsx_bytes({"data": data, "about": about})
