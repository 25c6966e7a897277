"""Read CSV and XLSX files into parsed rows with their spreadsheet row numbers, collecting every problem.

A CSV file holds one kind, named by ``kind``, by the file's stem (``tilbud.csv``, ``offers.csv``) or, failing
both, by its header row; an XLSX workbook holds a sheet per kind, named as in the template
(``organisasjoner``, ``enheter``, ``tilbud``, ``vurderingsteam``). Row 1 is the header; data rows keep the
number the spreadsheet shows::

    rows, problems = read_file(Path("tilbud.csv"))
    rows[0]    # ParsedRow(kind="offer", file="tilbud.csv", sheet=None, row=2,
               #           values={"id": "x/akutt", "unit_id": "x", "open_24_7": True, ...})
    problems   # [RowProblem(file="tilbud.csv", sheet=None, row=7, field="open_24_7",
               #             message="expected ja/nei (yes/no, true/false), got 'kanskje'")]

Nothing here raises on a bad file: a file that is too large, does not decode, is not well-formed CSV, is a
damaged or hostile XLSX workbook, or has rows wider or narrower than its header, is a problem in the list
(``encoding.py``, ``workbook.py`` and ``limits.py`` hold those rules).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from pathlib import Path
from typing import Any, TypeVar, cast

from tsbkart.domain.messages import Message, quoted
from tsbkart.exchange.cells import Cell, CellError, make_parser
from tsbkart.exchange.columns import KindSpec, kind_for_sheet, load_columns
from tsbkart.exchange.encoding import FIRST_SURROGATE, UTF8, Undecodable, decode, surrogate_text
from tsbkart.exchange.limits import ImportLimits, default_limits
from tsbkart.exchange.workbook import UnreadableWorkbook, check_archive, reading, unreadable

# Sheets of the template that hold no records.
DOCUMENTATION_SHEETS = frozenset({"dokumentasjon", "documentation", "lister", "lists"})
CSV_DELIMITERS = (";", ",", "\t")
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem, located as a steward sees it. ``row`` is None for a problem with the whole file.

    ``message`` is English; ``text``, when set, is the same message for translation (``Message``).
    """

    file: str
    sheet: str | None
    row: int | None
    field: str | None
    message: str
    kind: str | None = None
    id: str | None = None
    text: Message | None = None


def problem(
    file: str,
    sheet: str | None,
    row: int | None,
    field: str | None,
    text: Message,
    kind: str | None = None,
    id: str | None = None,
) -> RowProblem:
    """A RowProblem whose English ``message`` comes from ``text``."""
    return RowProblem(file, sheet, row, field, str(text), kind, id, text)


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
    bad_rows: frozenset[int] = frozenset()  # rows already reported (wrong width): parsed, never imported
    max_cell_chars: int | None = None


# --- CSV ---------------------------------------------------------------------------------------------------


def _delimiter(first_line: str) -> str:
    return max(CSV_DELIMITERS, key=first_line.count)


def csv_text(name: str, data: bytes, encoding: str | None, problems: list[RowProblem]) -> str | None:
    """The text of a CSV file's bytes, or None with the problem added (see ``encoding.py``)."""
    try:
        text, _ = decode(data, encoding)
    except Undecodable as bad:
        problems.append(_undecodable(name, data, bad, chosen=encoding is not None))
        return None
    if "\x00" in text:
        problems.append(
            problem(
                name,
                None,
                None,
                None,
                Message(
                    "the file contains NUL characters: it is not a text file, or it is UTF-16 without a "
                    "byte-order mark; save it as CSV UTF-8"
                ),
            )
        )
        return None
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # classic Mac line endings (Excel's "CSV (Macintosh)")
    return text


def _undecodable(name: str, data: bytes, bad: Undecodable, chosen: bool) -> RowProblem:
    text = surrogate_text(data, bad.encoding)
    found = FIRST_SURROGATE.search(text) if text is not None else None
    args = {"byte": f"0x{bad.byte:02X}", "encoding": "UTF-8" if bad.encoding == UTF8 else bad.encoding}
    if text is None or found is None:
        return problem(
            name,
            None,
            None,
            None,
            Message("byte {byte} at offset {offset} is not valid {encoding}", offset=bad.offset, **args),
        )
    where = found.start()
    newline = "\n" if "\n" in text else "\r"
    line = text.count(newline, 0, where) + 1
    column = where - text.rfind(newline, 0, where)
    row, field = _csv_position(text, where)
    if chosen:
        located = Message(
            "byte {byte} (line {line}, character {column}) is not valid {encoding}: check --encoding",
            line=line,
            column=column,
            **args,
        )
    else:
        located = Message(
            "byte {byte} (line {line}, character {column}) is not valid {encoding}: save the file as UTF-8 "
            '("CSV UTF-8" in Excel) or name its encoding with --encoding',
            line=line,
            column=column,
            **args,
        )
    return problem(name, None, row, field, located)


def _csv_position(text: str, where: int) -> tuple[int | None, str | None]:
    """The spreadsheet row and header name of the cell holding character ``where`` (a lone surrogate)."""
    lines = io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"))
    reader = csv.reader(lines, delimiter=_delimiter(text.split("\n", 1)[0]))
    header: list[str] = []
    try:
        for number, cells in enumerate(reader, start=1):
            header = header or cells
            for position, cell in enumerate(cells):
                if FIRST_SURROGATE.search(cell):
                    name = header[position].strip() if number > 1 and position < len(header) else None
                    return number, name or None
    except csv.Error:
        pass
    return None, None


def _csv_error(error: csv.Error, limits: ImportLimits) -> Message:
    """The csv module's error in a steward's words."""
    text = str(error)
    if "field larger than field limit" in text:
        return Message("a cell is longer than {limit} characters", limit=limits.max_cell_chars)
    if "new-line character seen in unquoted field" in text:
        return Message(
            "a carriage return (CR) inside a cell that is not in quotes: save the file with one kind of line "
            "ending"
        )
    if "unexpected end of data" in text:
        return Message(
            'the file ends inside a quoted cell: a closing quote (") is missing, or the file is cut short'
        )
    if "expected after" in text:
        return Message('text after a closing quote: a quote (") inside a cell must be written twice')
    return Message("the CSV file cannot be read: {error}", error=text)


def csv_sheet(
    name: str, text: str, kind: str | None, problems: list[RowProblem], limits: ImportLimits
) -> RawSheet | None:
    """The CSV sheet of ``text``; its kind is ``kind`` or, when None, what its header row fits."""
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text.split("\n", 1)[0]), strict=True)
    try:
        header = next(reader, [])
    except csv.Error as error:
        problems.append(problem(name, None, 1, None, _csv_error(error, limits)))
        return None
    kind = kind or _kind_from_header(name, header, problems)
    if kind is None:
        return None
    sheet_kind = kind

    def add(number: int, field: str | None, text: Message) -> None:
        problems.append(problem(name, None, number, field, text, kind=sheet_kind))

    rows, bad = _csv_rows(reader, _width(header), add, limits)
    return RawSheet(kind, name, None, header, rows, True, frozenset(bad), limits.max_cell_chars)


def _kind_from_header(name: str, header: Sequence[str], problems: list[RowProblem]) -> str | None:
    kinds = kind_for_header([cell.strip() for cell in header])
    if len(kinds) == 1:
        return kinds[0]
    files = ", ".join(f"{s.sheet}.csv" for s in load_columns().values())
    if kinds:
        text = Message(
            "cannot tell which kind {file} holds: its header fits {kinds}; name it {names} or pass --kind",
            file=quoted(name),
            kinds=", ".join(kinds),
            names=files,
        )
    else:
        text = Message(
            "cannot tell which kind {file} holds: name it {names} or pass --kind",
            file=quoted(name),
            names=files,
        )
    problems.append(problem(name, None, None, None, text))
    return None


def kind_for_header(names: Sequence[str]) -> list[str]:
    """The kinds whose columns include every name in a header row and whose required columns it has::

    kind_for_header(["id", "unit_id", "service_type", "source"])   # ["offer"]
    kind_for_header(["id", "name", "organisation_id", "source"])   # ["team", "unit"]: ambiguous
    """
    given = {name for name in names if name}
    return [
        spec.kind
        for spec in load_columns().values()
        if given and given.issubset(spec.names) and all(c.name in given for c in spec.columns if c.required)
    ]


AddProblem = Callable[[int, str | None, Message], None]


def _csv_rows(
    reader: Iterator[list[str]], width: int, add: AddProblem, limits: ImportLimits
) -> tuple[list[tuple[int, Sequence[Cell]]], set[int]]:
    """(row number, cells) of every record after the header, and the numbers of rows whose width is wrong.

    Reading stops at the first malformed record or once the row limit is passed (both reported).
    """
    rows: list[tuple[int, Sequence[Cell]]] = []
    bad: set[int] = set()
    number = 1
    try:
        for number, record in enumerate(reader, start=2):
            cells: Sequence[Cell] = record
            if len(record) != width:
                if not "".join(record).strip():
                    continue  # a blank line
                cells, reported = _fit(record, width, number, add)
                if reported:
                    bad.add(number)
            rows.append((number, cells))
            if len(rows) > limits.max_rows:
                add(number, None, _too_many_rows(limits))
                return [], bad  # not parsed: the file is refused as a whole
    except csv.Error as error:
        add(number + 1, None, _csv_error(error, limits))
    return rows, bad


def _fit(cells: Sequence[Cell], width: int, number: int, add: AddProblem) -> tuple[Sequence[Cell], bool]:
    """``cells`` cut or padded to ``width``, and whether the row's shape was reported.

    Empty cells beyond the header are allowed. A short CSV row (a list) is reported: CSV writes every cell,
    so a short row is a cut one. A short XLSX row (a tuple) is normal: XLSX leaves empty cells out.
    """
    if len(cells) < width:
        if isinstance(cells, tuple):
            return [*cells, *([None] * (width - len(cells)))], False
        padded = [*cells, *([""] * (width - len(cells)))]  # CSV cells are all text
        add(
            number,
            None,
            Message(
                "the row has {found} cells but the header has {width}: the row is cut short (is the file "
                "truncated?); every row needs all the header's columns, empty cells included",
                found=len(cells),
                width=width,
            ),
        )
        return padded, True
    extra = next((i for i in range(width, len(cells)) if not _empty(cells[i])), None)
    if extra is not None:
        add(number, None, _beyond_header(extra, width))
    return cells[:width], extra is not None


def _beyond_header(position: int, width: int) -> Message:
    return Message(
        "a value in column {column} ({letter}), beyond the header's {width} columns: give the column a "
        "header or remove the value",
        column=position + 1,
        letter=_letter(position),
        width=width,
    )


def _letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position (0 -> A, 26 -> AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _empty(cell: Cell) -> bool:
    return cell is None or (type(cell) is str and not cell.strip())


def _width(header: Sequence[Cell]) -> int:
    """The header's width up to its last named column (empty header cells at the end do not count)."""
    width = len(header)
    while width and _empty(header[width - 1]):
        width -= 1
    return width


def _too_many_rows(limits: ImportLimits) -> Message:
    return Message(
        "more than {limit} data rows (TSBKART_IMPORT_MAX_ROWS); split the file", limit=limits.max_rows
    )


# --- XLSX --------------------------------------------------------------------------------------------------


def xlsx_sheets(path: Path, problems: list[RowProblem], limits: ImportLimits | None = None) -> list[RawSheet]:
    """The template sheets of the workbook at ``path``; a damaged or hostile file is one problem."""
    limits = limits or default_limits()
    refused = check_archive(path, limits)
    if refused is not None:
        problems.append(problem(path.name, None, None, None, refused))
        return []
    sheets: list[RawSheet] = []
    try:
        with reading(path) as workbook:
            for worksheet in workbook.worksheets:
                sheet = _xlsx_sheet(path.name, worksheet, problems, limits)
                if sheet is not None:
                    sheets.append(sheet)
    except UnreadableWorkbook as error:
        problems.append(problem(path.name, None, None, None, error.text))
        return []
    return sheets


def _xlsx_sheet(
    name: str, worksheet: Any, problems: list[RowProblem], limits: ImportLimits
) -> RawSheet | None:
    title = str(worksheet.title)
    kind = kind_for_sheet(title)
    stated = worksheet.max_row  # from the sheet's <dimension>, read before any row
    worksheet.reset_dimensions()  # rows as stored: a hostile dimension must not pad every row to 16,384 cells
    rows = guarded(worksheet.iter_rows(values_only=True))
    header = next(rows, ())
    if kind is None:
        if title.strip().lower() not in DOCUMENTATION_SHEETS and any(c is not None for c in header):
            problems.append(
                problem(
                    name,
                    title,
                    None,
                    None,
                    Message("sheet {sheet} is not a template sheet", sheet=quoted(title)),
                )
            )
        return None
    if isinstance(stated, int) and stated - 1 > limits.max_rows:
        problems.append(problem(name, title, None, None, _too_many_rows(limits), kind=kind))
        return None

    def add(number: int, field: str | None, text: Message) -> None:
        problems.append(problem(name, title, number, field, text, kind=kind))

    width = _width(header)
    read: list[tuple[int, Sequence[Cell]]] = []
    bad: set[int] = set()
    for number, cells in enumerate(rows, start=2):
        if not cells:
            continue  # openpyxl yields an empty tuple for each row the sheet skips
        if len(cells) != width:
            cells, reported = _fit(cells, width, number, add)
            if reported:
                bad.add(number)
        read.append((number, cells))
        if len(read) > limits.max_rows:
            add(number, None, _too_many_rows(limits))
            return None  # not parsed: the sheet is refused as a whole
    return RawSheet(kind, name, title, header, read, False, frozenset(bad), limits.max_cell_chars)


T = TypeVar("T")


def guarded(items: Iterator[T]) -> Iterator[T]:
    """``items``, with anything the third-party parser raises while producing one turned into
    ``UnreadableWorkbook`` (a hostile file may make openpyxl raise any exception; our own code is outside)."""
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except Exception as error:  # see the docstring
            raise UnreadableWorkbook(unreadable(error)) from error
        yield item


# --- Parsing ----------------------------------------------------------------------------------------------


def _header(sheet: RawSheet, spec: KindSpec, problems: list[RowProblem]) -> list[str | None]:
    """Column names by position (None for an empty header cell); header problems are added."""
    names: list[str | None] = []
    seen: set[str] = set()
    for cell in sheet.header[: _width(sheet.header)]:
        name = str(cell).strip() if cell is not None else ""
        if not name:
            names.append(None)
            continue
        if name not in spec.names:
            text = Message("unknown column {column} for {kind}", column=quoted(name), kind=spec.kind)
            problems.append(_problem(sheet, 1, quoted(name, 40)[1:-1], text))
        elif name in seen:
            problems.append(
                _problem(sheet, 1, name, Message("column {column} appears twice", column=quoted(name)))
            )
        seen.add(name)
        # Interned: a header's text is a new string, and the records are built with these names as keyword
        # arguments, which Python matches by identity first and by comparing text only when that fails.
        names.append(sys.intern(name) if name in spec.names else None)
    for column in spec.columns:
        if column.required and column.name not in seen:
            text = Message("required column {column} is missing", column=quoted(column.name))
            problems.append(_problem(sheet, 1, column.name, text))
    return names


def _problem(sheet: RawSheet, row: int | None, field: str | None, text: Message) -> RowProblem:
    return problem(sheet.file, sheet.sheet, row, field, text, kind=sheet.kind)


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
    cells = [cells for _, cells in rows]
    numbers = [number for number, _ in rows]
    fields, columns, parsed = _parse_columns(spec, names, cells, sheet.max_cell_chars, sheet.text_only)
    found: list[tuple[int, str | None, Message]] = [*parsed, *_unnamed_values(names, cells)]
    failed = {i for i, _, _ in found}
    if sheet.bad_rows:
        # A row whose shape was reported gets no further problems: its cells are not where they belong.
        shaped = {i for i, number in enumerate(numbers) if number in sheet.bad_rows}
        found = [f for f in found if f[0] not in shaped]
        failed |= shaped
    found.sort(key=lambda f: f[0])
    problems.extend(_problem(sheet, numbers[i], name, text) for i, name, text in found)
    if not columns:
        return []
    values = map(dict, map(partial(zip, fields, strict=True), zip(*columns, strict=True)))
    ok = [i not in failed for i in range(len(numbers))] if failed else repeat(True)
    return list(
        map(ParsedRow, repeat(sheet.kind), repeat(sheet.file), repeat(sheet.sheet), numbers, values, ok)
    )


def _unnamed_values(
    names: list[str | None], rows: list[Sequence[Cell]]
) -> list[tuple[int, str | None, Message]]:
    """A value under an empty header cell (between named columns) is reported, not dropped."""
    found: list[tuple[int, str | None, Message]] = []
    for position in (p for p, name in enumerate(names) if name is None):
        row = next((i for i, cells in enumerate(rows) if not _empty(cells[position])), None)
        if row is not None:
            found.append(
                (
                    row,
                    None,
                    Message(
                        "a value in column {column} ({letter}), which has no header: give the column a header or "
                        "remove the value",
                        column=position + 1,
                        letter=_letter(position),
                    ),
                )
            )
    return found


def _data_rows(sheet: RawSheet, width: int) -> list[tuple[int, Sequence[Cell]]]:
    """(row number, cells) of the non-blank rows, short rows padded to the header's width."""
    blank = _blank_text if sheet.text_only else _blank
    return [
        (number, cells if len(cells) >= width else [*cells, *([None] * (width - len(cells)))])
        for number, cells in sheet.rows
        if not blank(cells)
    ]


def _parse_columns(
    spec: KindSpec,
    names: list[str | None],
    rows: list[Sequence[Cell]],
    max_chars: int | None,
    text_only: bool = False,
) -> tuple[list[str], list[list[Any]], list[tuple[int, str, Message]]]:
    """Field names, their parsed values (one list per column) and the problems as (row index, field, text),
    sorted by row and then column."""
    by_column = list(zip(*rows, strict=False))  # rows may run past the header
    fields: list[str] = []
    columns: list[list[Any]] = []
    found: list[tuple[int, int, str, Message]] = []  # (row index, column position, field, text)
    for position, name in enumerate(names):
        if name is None or not rows:
            continue
        column = spec.column(name)
        values, bad = parse_column(make_parser(column), by_column[position], max_chars, text_only=text_only)
        if column.type in ("codes", "list"):
            # One list per row, not one shared by equal cells; a cell that failed has no list.
            values = [None if v is None else list(v) for v in values]
        found.extend((i, position, name, text) for i, text in bad.items())
        if column.required:
            missing = (i for i, value in enumerate(values) if value is None and i not in bad)
            required = Message("{field} is required", field=name)
            found.extend((i, position, name, required) for i in missing)
        fields.append(name)
        columns.append(values)
    found.sort(key=lambda f: (f[0], f[1]))
    return fields, columns, [(i, name, text) for i, _, name, text in found]


def parse_column(
    parse: Callable[[Cell], Any],
    cells: Sequence[Cell],
    max_chars: int | None = None,
    *,
    text_only: bool = False,
) -> tuple[list[Any], dict[int, Message]]:
    """One column's values, and the problem by row index for the cells that failed.

    Each distinct cell is parsed once: a sheet repeats its codes, dates, sources and numbers on row after row,
    so a 100,000-row sheet has a few thousand distinct cells per column. XLSX cells are keyed with their type,
    since ``1 == 1.0 == True`` would otherwise share one parse (``text_only``: the cells are all text or None,
    as a CSV file's are, so none needs a type in its key). A text cell longer than ``max_chars`` fails::

        parse_column(parse_int, ["3", "x", "3"])  # ([3, None, 3], {1: Message("expected a whole number, ...")})
    """
    plain = text_only or set(map(type, cells)) <= _PLAIN_CELLS
    keys: Sequence[Any] = cells if plain else [c if type(c) in _PLAIN_CELLS else (type(c), c) for c in cells]
    parsed: dict[Any, Any] = {}
    errors: dict[Any, Message] = {}
    for key in dict.fromkeys(keys):
        if max_chars is not None and type(key) is str and len(key) > max_chars:
            errors[key] = _too_long(len(key), max_chars)
            continue
        try:
            parsed[key] = parse(key[1] if type(key) is tuple else key)
        except CellError as error:
            errors[key] = error.text
    if not errors:
        return list(map(parsed.__getitem__, keys)), {}
    return [parsed.get(k) for k in keys], {i: errors[k] for i, k in enumerate(keys) if k in errors}


def _too_long(length: int, limit: int) -> Message:
    return Message(
        "the cell has {length} characters, over the limit of {limit} (TSBKART_IMPORT_MAX_CELL_CHARS)",
        length=length,
        limit=limit,
    )


# Cells that can be their own cache key: text and empty cells (CSV gives only these).
_PLAIN_CELLS = frozenset({str, type(None)})


def _blank_text(cells: Sequence[Cell]) -> bool:
    return not "".join(cast("Sequence[str]", cells)).strip()


def _blank(cells: Sequence[Cell]) -> bool:
    return all(c is None or (type(c) is str and not c.strip()) for c in cells)


# --- Files ------------------------------------------------------------------------------------------------


def read_file(
    path: Path, kind: str | None = None, *, limits: ImportLimits | None = None, encoding: str | None = None
) -> tuple[list[ParsedRow], list[RowProblem]]:
    """Parsed rows and problems of one CSV or XLSX file; ``encoding`` applies to CSV files."""
    limits = limits or default_limits()
    problems: list[RowProblem] = []
    sheets = _sheets(path, kind, limits, encoding, problems)
    rows: list[ParsedRow] = []
    for sheet in sheets:
        rows.extend(parse_sheet(sheet, problems))
    return rows, problems


def _sheets(
    path: Path, kind: str | None, limits: ImportLimits, encoding: str | None, problems: list[RowProblem]
) -> list[RawSheet]:
    def refuse(text: Message) -> list[RawSheet]:
        problems.append(problem(path.name, None, None, None, text))
        return []

    suffix = path.suffix.lower()
    if suffix not in XLSX_SUFFIXES + CSV_SUFFIXES:
        return refuse(Message("expected a .csv or .xlsx file"))
    try:
        size = path.stat().st_size
    except OSError as error:
        return refuse(Message("the file cannot be read ({error})", error=error.strerror or error))
    if size > limits.max_file_bytes:
        return refuse(
            Message(
                "the file has {size} bytes, over the limit of {limit} (TSBKART_IMPORT_MAX_FILE_BYTES)",
                size=size,
                limit=limits.max_file_bytes,
            )
        )
    if suffix in XLSX_SUFFIXES:
        return xlsx_sheets(path, problems, limits)
    try:
        data = path.read_bytes()
    except OSError as error:
        return refuse(Message("the file cannot be read ({error})", error=error.strerror or error))
    text = csv_text(path.name, data, encoding, problems)
    if text is None:
        return []
    sheet = csv_sheet(path.name, text, kind or kind_for_sheet(path.stem), problems, limits)
    return [sheet] if sheet is not None else []
