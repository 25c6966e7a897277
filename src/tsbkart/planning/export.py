"""A planning frame as CSV, XLSX or JSON, with what it is (projection, usage, scenario) alongside.

Text cells that a spreadsheet would run as a formula (starting with = + - @ or a tab/CR) get a leading
apostrophe; numbers stay numbers; unknown is an empty cell (CSV/XLSX) or ``null`` (JSON), never 0.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from openpyxl import Workbook

__all__ = ["FORMULA_PREFIXES", "to_csv", "to_json", "to_xlsx"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _clean(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _about(about: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): _clean(v) if not isinstance(v, list | tuple | dict) else v for k, v in about.items()}


def to_csv(frame: pd.DataFrame) -> str:
    guarded = pd.DataFrame(_records(frame), columns=[str(c) for c in frame.columns])
    return guarded.to_csv(index=False, lineterminator="\n")


def to_json(frame: pd.DataFrame, about: Mapping[str, Any]) -> str:
    return json.dumps(
        {"about": _about(about), "rows": _records(frame)}, ensure_ascii=False, indent=1, default=str
    )


def to_xlsx(frame: pd.DataFrame, about: Mapping[str, Any]) -> bytes:
    """Sheet ``data`` (the frame) and sheet ``about`` (key, value)."""
    book = Workbook()
    data = book.active
    assert data is not None  # a new workbook always has an active sheet
    data.title = "data"
    columns = [str(c) for c in frame.columns]
    data.append(columns)
    for record in _records(frame):
        data.append([record[c] for c in columns])
    sheet = book.create_sheet("about")
    for key, value in _about(about).items():
        sheet.append(
            [key, json.dumps(value, ensure_ascii=False) if isinstance(value, list | tuple | dict) else value]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
