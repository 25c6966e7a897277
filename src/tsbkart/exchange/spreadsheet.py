"""CSV and XLSX output for every export (registry, atlas tables, API lists, CLI), with the formula guard.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula
(CSV injection). Public text reaches the exports, so every text cell written here is neutralised as OWASP
recommends: in CSV a leading apostrophe is added (``=1+1`` -> ``'=1+1``); in XLSX the cell is stored as text
with Excel's quote prefix, never as a formula, and its value is unchanged. Numbers, booleans and dates are
written as themselves. ``unguard`` undoes the CSV guard exactly, so an export imports again unchanged::

    csv_text([["name", "beds"], ["=HYPERLINK(...)", 3]])   # 'name,beds\\n\\'=HYPERLINK(...),3\\n'
    xlsx_bytes({"data": [["name"], ["@SUM(A1)"]]})          # a workbook whose cell is the text "@SUM(A1)"
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

Cell = str | int | float | bool | date | datetime | None
Rows = Iterable[Sequence[Cell]]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def needs_guard(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula, also after any leading apostrophes."""
    return text.lstrip(GUARD).startswith(FORMULA_TRIGGERS)


def guard(text: str) -> str:
    """``text`` with one apostrophe in front when it could run as a formula.

    A text that already begins with apostrophes before a formula character gets one more, so that
    ``unguard(guard(t)) == t`` for every ``t``.
    """
    return GUARD + text if needs_guard(text) else text


def unguard(text: str) -> str:
    """The inverse of ``guard``: one leading apostrophe before a formula character is removed."""
    return text[1:] if text.startswith(GUARD) and needs_guard(text[1:]) else text


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, date):
        return value.isoformat()
    return guard(value)


class _Lines:
    """Collects the csv writer's rows, replacing its CRLF row end by ``end``: the writer quotes a field
    holding CR or LF only when they are in its line terminator, so it always writes CRLF."""

    def __init__(self, end: str) -> None:
        self.end = end
        self.parts: list[str] = []

    def write(self, line: str) -> int:
        self.parts.append(line.removesuffix("\r\n") + self.end)
        return len(line)


def csv_text(rows: Rows, line_end: str = "\n") -> str:
    """The rows (the header first) as CSV, every text cell guarded; unknown (None, NaN) is an empty cell.

    A field holding a line break or a carriage return is quoted whatever ``line_end`` is."""
    lines = _Lines(line_end)
    writer = csv.writer(lines, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return "".join(lines.parts)


def write_xlsx(sheets: Mapping[str, Rows], target: Path | io.BytesIO) -> None:
    """One worksheet per entry (name -> rows, the header first); text cells are text, never formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            cells = []
            for value in row:
                if isinstance(value, float) and not math.isfinite(value):
                    value = None
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    # openpyxl makes a text beginning with "=" a formula; store it as the text it is.
                    cell.data_type = "s"
                    cell.quotePrefix = needs_guard(value)
                cells.append(cell)
            sheet.append(cells)
    workbook.save(target)


def xlsx_bytes(sheets: Mapping[str, Rows]) -> bytes:
    """``write_xlsx`` into memory (for HTTP responses)."""
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer)
    return buffer.getvalue()
