"""Read CSV and XLSX files into parsed rows with their spreadsheet row numbers, collecting every problem.

A CSV file holds one kind, named by ``kind`` or by the file's stem (``tilbud.csv``, ``offers.csv``); an XLSX
workbook holds a sheet per kind, named as in the template (``organisasjoner``, ``enheter``, ``tilbud``,
``vurderingsteam``). Row 1 is the header; data rows keep the number the spreadsheet shows::

    rows, problems = read_file(Path("tilbud.csv"))
    rows[0]    # ParsedRow(kind="offer", file="tilbud.csv", sheet=None, row=2,
               #           values={"id": "x/akutt", "unit_id": "x", "open_24_7": True, ...})
    problems   # [RowProblem(file="tilbud.csv", sheet=None, row=7, field="open_24_7",
               #             message="expected ja/nei (yes/no, true/false), got 'kanskje'")]
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from tsbkart.exchange.cells import Cell, CellError, make_parser
from tsbkart.exchange.columns import KindSpec, kind_for_sheet, load_columns

# Sheets of the template that hold no records.
DOCUMENTATION_SHEETS = frozenset({"dokumentasjon", "documentation", "lister", "lists"})
CSV_DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem, located as a steward sees it. ``row`` is None for a problem with the whole file."""

    file: str
    sheet: str | None
    row: int | None
    field: str | None
    message: str
    kind: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedRow:
    kind: str
    file: str
    sheet: str | None
    row: int
    values: dict[str, Any] = field(default_factory=dict)  # flat JSON values of the columns present
    ok: bool = True  # False when any cell failed; values then hold only the readable cells


@dataclass(frozen=True, slots=True)
class RawSheet:
    kind: str
    file: str
    sheet: str | None
    header: Sequence[Cell]
    rows: Iterable[tuple[int, Sequence[Cell]]]  # (spreadsheet row number, cells)
    text_only: bool = False  # every cell is a str (CSV), which allows a faster test for blank rows


def _decode(data: bytes) -> str:
    # Excel on Norwegian Windows saves "CSV" as cp1252; everything else we expect is UTF-8 (with or without BOM).
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _delimiter(first_line: str) -> str:
    return max(CSV_DELIMITERS, key=first_line.count)


def csv_sheet(path: Path, kind: str) -> RawSheet:
    text = _decode(path.read_bytes())
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text.split("\n", 1)[0]))
    header = next(reader, [])
    return RawSheet(kind, path.name, None, header, enumerate(reader, start=2), text_only=True)


def _xlsx_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, Sequence[Cell]]]:
    yield from enumerate(rows, start=2)


def xlsx_sheets(path: Path, problems: list[RowProblem]) -> list[RawSheet]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    sheets: list[RawSheet] = []
    for worksheet in workbook.worksheets:
        title = worksheet.title
        kind = kind_for_sheet(title)
        rows = worksheet.iter_rows(values_only=True)
        header = next(rows, ())
        if kind is None:
            if title.strip().lower() not in DOCUMENTATION_SHEETS and any(c is not None for c in header):
                problems.append(
                    RowProblem(path.name, title, None, None, f"sheet {title!r} is not a template sheet")
                )
            continue
        # Materialise: the workbook is closed before the rows are parsed.
        sheets.append(RawSheet(kind, path.name, title, header, list(_xlsx_rows(rows))))
    workbook.close()
    return sheets


def _header(sheet: RawSheet, spec: KindSpec, problems: list[RowProblem]) -> list[str | None]:
    """Column names by position (None for an empty header cell); header problems are added."""
    names: list[str | None] = []
    seen: set[str] = set()
    for cell in sheet.header:
        name = str(cell).strip() if cell is not None else ""
        if not name:
            names.append(None)
            continue
        if name not in spec.names:
            problems.append(_problem(sheet, 1, name, f"unknown column {name!r} for {spec.kind}"))
        elif name in seen:
            problems.append(_problem(sheet, 1, name, f"column {name!r} appears twice"))
        seen.add(name)
        names.append(name if name in spec.names else None)
    for column in spec.columns:
        if column.required and column.name not in seen:
            problems.append(_problem(sheet, 1, column.name, f"required column {column.name!r} is missing"))
    return names


def _problem(sheet: RawSheet, row: int | None, field: str | None, message: str) -> RowProblem:
    return RowProblem(sheet.file, sheet.sheet, row, field, message, kind=sheet.kind)


def parse_sheet(sheet: RawSheet, problems: list[RowProblem]) -> list[ParsedRow]:
    """Every non-empty data row of ``sheet``; every cell problem is appended to ``problems``.

    Parsed column by column (see ``parse_column``); problems come out in row order, then column order.
    """
    spec = load_columns()[sheet.kind]
    before = len(problems)
    names = _header(sheet, spec, problems)
    if len(problems) > before:
        return []  # with a bad header every row would fail the same way; report the header only
    rows = _data_rows(sheet, len(names))
    fields, columns, found = _parse_columns(spec, names, [cells for _, cells in rows])
    numbers = [number for number, _ in rows]
    problems.extend(_problem(sheet, numbers[i], name, message) for i, name, message in found)
    failed = {i for i, _, _ in found}
    return [
        ParsedRow(
            sheet.kind,
            sheet.file,
            sheet.sheet,
            numbers[i],
            dict(zip(fields, row, strict=True)),
            i not in failed,
        )
        for i, row in enumerate(zip(*columns, strict=True))
    ]


def _data_rows(sheet: RawSheet, width: int) -> list[tuple[int, Sequence[Cell]]]:
    """(row number, cells) of the non-blank rows, short rows padded to the header's width."""
    blank = _blank_text if sheet.text_only else _blank
    return [
        (number, cells if len(cells) >= width else [*cells, *([None] * (width - len(cells)))])
        for number, cells in sheet.rows
        if not blank(cells)
    ]


def _parse_columns(
    spec: KindSpec, names: list[str | None], rows: list[Sequence[Cell]]
) -> tuple[list[str], list[list[Any]], list[tuple[int, str, str]]]:
    """Field names, their parsed values (one list per column) and the problems as (row index, field, message),
    sorted by row and then column."""
    by_column = list(zip(*rows, strict=False))  # rows may run past the header
    fields: list[str] = []
    columns: list[list[Any]] = []
    found: list[tuple[int, int, str, str]] = []  # (row index, column position, field, message)
    for position, name in enumerate(names):
        if name is None or not rows:
            continue
        column = spec.column(name)
        values, bad = parse_column(make_parser(column), by_column[position])
        if column.type in ("codes", "list"):
            values = [list(v) for v in values]  # one list per row, not one shared by equal cells
        found.extend((i, position, name, message) for i, message in bad.items())
        if column.required:
            missing = (i for i, value in enumerate(values) if value is None and i not in bad)
            found.extend((i, position, name, f"{name} is required") for i in missing)
        fields.append(name)
        columns.append(values)
    found.sort()
    return fields, columns, [(i, name, message) for i, _, name, message in found]


def parse_column(parse: Callable[[Cell], Any], cells: Sequence[Cell]) -> tuple[list[Any], dict[int, str]]:
    """One column's values, and the problem message by row index for the cells that failed.

    Each distinct cell is parsed once: a sheet repeats its codes, dates, sources and numbers on row after row,
    so a 100,000-row sheet has a few thousand distinct cells per column. XLSX cells are keyed with their type,
    since ``1 == 1.0 == True`` would otherwise share one parse::

        parse_column(parse_int, ["3", "x", "3"])  # ([3, None, 3], {1: "expected a whole number, got 'x'"})
    """
    plain = set(map(type, cells)) <= _PLAIN_CELLS
    keys: Sequence[Any] = cells if plain else [c if type(c) in _PLAIN_CELLS else (type(c), c) for c in cells]
    parsed: dict[Any, Any] = {}
    errors: dict[Any, str] = {}
    for key in dict.fromkeys(keys):
        try:
            parsed[key] = parse(key[1] if type(key) is tuple else key)
        except CellError as error:
            errors[key] = str(error)
    if not errors:
        return list(map(parsed.__getitem__, keys)), {}
    return [parsed.get(k) for k in keys], {i: errors[k] for i, k in enumerate(keys) if k in errors}


# Cells that can be their own cache key: text and empty cells (CSV gives only these).
_PLAIN_CELLS = frozenset({str, type(None)})


def _blank_text(cells: Sequence[Cell]) -> bool:
    return not "".join(cast("Sequence[str]", cells)).strip()


def _blank(cells: Sequence[Cell]) -> bool:
    return all(c is None or (type(c) is str and not c.strip()) for c in cells)


def read_file(path: Path, kind: str | None = None) -> tuple[list[ParsedRow], list[RowProblem]]:
    """Parsed rows and problems of one CSV or XLSX file."""
    problems: list[RowProblem] = []
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheets = xlsx_sheets(path, problems)
    elif suffix in (".csv", ".txt"):
        csv_kind = kind or kind_for_sheet(path.stem)
        if csv_kind is None:
            return [], [RowProblem(path.name, None, None, None, _unknown_kind(path))]
        sheets = [csv_sheet(path, csv_kind)]
    else:
        return [], [RowProblem(path.name, None, None, None, "expected a .csv or .xlsx file")]
    rows: list[ParsedRow] = []
    for sheet in sheets:
        rows.extend(parse_sheet(sheet, problems))
    return rows, problems


def _unknown_kind(path: Path) -> str:
    names = ", ".join(f"{s.sheet}.csv" for s in load_columns().values())
    return f"cannot tell which kind {path.name!r} holds: name it {names} or pass --kind"
