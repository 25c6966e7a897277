"""An indicator table as CSV, XLSX (openpyxl) or JSON, with its definition, source and caveat.

Unknown values are empty cells in CSV/XLSX and ``null`` in JSON, never 0.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

from openpyxl import Workbook

from tsbkart.atlas.indicators import ROW_COLUMNS, IndicatorTable

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


def to_csv(table: IndicatorTable) -> str:
    """CSV with a header row; an indicator with a caveat gets a ``caveat`` column (English) on every row."""
    frame = table.rows[ROW_COLUMNS].copy()
    if table.indicator.caveat:
        frame["caveat"] = table.indicator.text("caveat", "en")
    return frame.to_csv(index=False, lineterminator="\n")


def to_json(table: IndicatorTable) -> str:
    """``{"indicator": {...definition, caveat, national, notes}, "areas": [...]}``."""
    return json.dumps({"indicator": _meta(table), "areas": to_records(table)}, ensure_ascii=False, indent=1)


def to_xlsx(table: IndicatorTable) -> bytes:
    """A workbook with sheet ``data`` (the table) and sheet ``about`` (definition, source, caveat)."""
    book = Workbook()
    data = book.active
    assert data is not None  # a new workbook always has an active sheet
    data.title = "data"
    data.append(ROW_COLUMNS)
    for record in to_records(table):
        data.append([record[c] for c in ROW_COLUMNS])
    about = book.create_sheet("about")
    for key, value in _meta(table).items():
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
        about.append([key, text])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
