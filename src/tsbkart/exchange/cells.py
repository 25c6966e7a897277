"""Cell parsers and formatters: one spreadsheet cell <-> one value of a record's flat JSON form.

A cell arrives as text (CSV) or typed (XLSX: int, float, bool, datetime). An empty cell is ``None``: unknown.
A text's formula guard (a leading apostrophe before ``=``, ``+``, ``-``, ``@``, tab or CR, which every export
adds: ``tsbkart.exchange.spreadsheet``) is removed, so an export imports again unchanged.
Parsers raise ``CellError`` with a message a steward can act on::

    parse_cell(column("open_24_7"), "Ja")        # True
    parse_cell(column("lat"), "59,91")           # 59.91 (decimal comma, as Norwegian Excel writes it)
    parse_cell(column("target_groups"), "adults; rop")   # ["adults", "rop"]
    format_cell(column("target_groups"), ["adults", "rop"])  # "adults;rop"
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import orjson

from tsbkart.domain.identifiers import LANGUAGE_CODE
from tsbkart.domain.messages import Message, quoted
from tsbkart.domain.schedules import Schedule, ScheduleError, format_schedules, parse_schedules
from tsbkart.exchange.columns import Column
from tsbkart.exchange.spreadsheet import GUARD, unguard

Cell = str | int | float | bool | date | datetime | None

TRUE = frozenset({"ja", "yes", "true", "j", "y"})
FALSE = frozenset({"nei", "no", "false", "n"})
LIST_SEPARATOR = ";"
_INT = re.compile(r"^[+-]?[0-9]+$")


class CellError(ValueError):
    """The cell cannot be read as its column's type; ``text`` says what was expected."""

    def __init__(self, text: Message) -> None:
        super().__init__(str(text))
        self.text = text


def _text(cell: Cell) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        # Excel stores a number-looking id (orgnr, postal code) as a float.
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    text = unguard(str(cell).strip())
    return text or None


def parse_text(cell: Cell) -> str | None:
    return _text(cell)


def parse_int(cell: Cell) -> int | None:
    if isinstance(cell, bool):
        raise CellError(Message("expected a whole number, got {value}", value=quoted(cell)))
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if cell.is_integer():
            return int(cell)
        raise CellError(Message("expected a whole number, got {value}", value=quoted(cell)))
    text = _text(cell)
    if text is None:
        return None
    text = text.replace(" ", "").replace("\u00a0", "")
    if not _INT.match(text):
        raise CellError(Message("expected a whole number, got {value}", value=quoted(text)))
    return int(text)


def parse_float(cell: Cell) -> float | None:
    if isinstance(cell, bool):
        raise CellError(Message("expected a number, got {value}", value=quoted(cell)))
    if isinstance(cell, int | float):
        value = float(cell)
    else:
        text = _text(cell)
        if text is None:
            return None
        text = text.replace(" ", "").replace("\u00a0", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # decimal comma
        try:
            if not text.isascii():
                raise ValueError(text)
            value = float(text)
        except ValueError:
            raise CellError(
                Message("expected a number (e.g. 59.91), got {value}", value=quoted(text))
            ) from None
    if not math.isfinite(value):
        raise CellError(Message("expected a finite number, got {value}", value=quoted(value)))
    return value


def parse_bool(cell: Cell) -> bool | None:
    if isinstance(cell, bool):
        return cell
    text = _text(cell)
    if text is None:
        return None
    key = text.lower()
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise CellError(Message("expected ja/nei (yes/no, true/false), got {value}", value=quoted(text)))


def parse_date(cell: Cell) -> str | None:
    """An ISO date string (the flat JSON form)."""
    if isinstance(cell, datetime):
        if cell.time() != datetime.min.time():
            raise CellError(
                Message("expected a date without a time, got {value}", value=quoted(cell.isoformat()))
            )
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        raise CellError(Message("expected a date (YYYY-MM-DD), got the number {value}", value=quoted(cell)))
    text = _text(cell)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10] if text.endswith("T00:00:00") else text).isoformat()
    except ValueError:
        raise CellError(Message("expected a date as YYYY-MM-DD, got {value}", value=quoted(text))) from None


def parse_list(cell: Cell) -> list[str]:
    """';'-separated codes; an empty cell is an empty list (not stated)."""
    text = _text(cell)
    if text is None:
        return []
    items = [item.strip() for item in text.split(LIST_SEPARATOR)]
    return [item for item in items if item]


_PARSERS: dict[str, Callable[[Cell], Any]] = {
    "text": parse_text,
    "code": parse_text,
    "int": parse_int,
    "float": parse_float,
    "bool": parse_bool,
    "date": parse_date,
    "codes": parse_list,
    "list": parse_list,
}


def _check_languages(codes: list[str]) -> list[str]:
    for code in codes:
        if not LANGUAGE_CODE.match(code):
            raise CellError(
                Message(
                    "{code} is not an ISO 639-1 language code (two lower-case letters)", code=quoted(code)
                )
            )
    return codes


def parse_json(cell: Cell) -> Any:
    """A structured value (a "json" field, e.g. a schedule) written as JSON text in its cell."""
    text = _text(cell)
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise CellError(Message("expected JSON text, got {value}", value=quoted(text))) from None


def parse_opening_hours(cell: Cell) -> list[dict[str, Any]]:
    """Opening hours in the compact text of ``tsbkart.domain.schedules`` ("MO-FR 08:00-15:30; SA 10:00-14:00"),
    or JSON text; as the field's flat JSON form. An empty cell is unknown: no schedules."""
    text = _text(cell)
    if text is None:
        return []
    if text.startswith("["):
        return parse_json(text)  # type: ignore[no-any-return]
    try:
        schedules = parse_schedules(text)
    except ScheduleError as error:
        raise CellError(
            Message(
                "{value} is not opening hours like MO-FR 08:00-15:30; SA 10:00-14:00 ({problem})",
                value=quoted(text),
                problem=str(error),
            )
        ) from None
    return [
        {"byday": list(s.byday), "opens_at": s.opens_at, "closes_at": s.closes_at, "freq": s.freq}
        for s in schedules
    ]


def format_opening_hours(value: Any) -> str:
    return format_schedules(tuple(Schedule(tuple(s["byday"]), s["opens_at"], s["closes_at"]) for s in value))


# Structured fields with a text form a steward can type (the others are JSON text).
TEXT_FORMS: dict[str, tuple[Callable[[Cell], Any], Callable[[Any], str]]] = {
    "opening_hours": (parse_opening_hours, format_opening_hours),
}


def _fast_int(cell: Cell) -> int | None:
    if type(cell) is str and cell.isascii() and cell.isdigit():
        return int(cell)
    return parse_int(cell)


def _fast_float(cell: Cell) -> float | None:
    if type(cell) is str and cell.isascii() and cell[:1].isdigit() and cell.replace(".", "", 1).isdigit():
        return float(cell)
    return parse_float(cell)


def _fast_date(cell: Cell) -> str | None:
    if type(cell) is str and len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
        try:
            date.fromisoformat(cell)
        except ValueError:
            pass  # the general parser words the message
        else:
            return cell
    return parse_date(cell)


def _fast_text(cell: Cell) -> str | None:
    if type(cell) is not str:
        return _text(cell)
    text = cell.strip()
    return (unguard(text) if text[:1] == GUARD else text) or None


def _fast_list(cell: Cell) -> list[str]:
    if type(cell) is not str or GUARD in cell[:2]:
        return parse_list(cell)
    return [item for item in map(str.strip, cell.split(LIST_SEPARATOR)) if item]


# Fast paths for the plain text cells a CSV file gives; anything else goes to the general parser.
_FAST: dict[str, Callable[[Cell], Any]] = {
    "text": _fast_text,
    "code": _fast_text,
    "int": _fast_int,
    "float": _fast_float,
    "bool": parse_bool,
    "date": _fast_date,
    "codes": _fast_list,
    "list": _fast_list,
    "json": parse_json,
}


def make_parser(column: Column) -> Callable[[Cell], Any]:
    """A function from a cell of ``column`` to its flat JSON value; raises CellError when it cannot be read.

    Built once per column so a large sheet does not repeat the column's decisions for every cell. Choices and
    language codes are checked here already, so a steward sees the cell's own message; the registry's
    validation checks them again (and the vocabularies) for every write.
    """
    parse = TEXT_FORMS[column.name][0] if column.name in TEXT_FORMS else _FAST[column.type]
    empty, choices = column.empty, frozenset(column.choices)
    if column.name == "languages":
        return lambda cell: _check_languages(parse(cell))
    if empty is None and not choices:
        return parse

    def checked(cell: Cell) -> Any:
        value = parse(cell)
        if value is None:
            return empty
        if choices and value not in choices:
            raise CellError(
                Message(
                    "{value} is not one of {choices}", value=quoted(value), choices=", ".join(column.choices)
                )
            )
        return value

    return checked


def parse_cell(column: Column, cell: Cell) -> Any:
    """The flat JSON value of ``cell`` in ``column``; raises CellError when it cannot be read."""
    return make_parser(column)(cell)


def format_cell(column: Column, value: Any) -> str:
    """The text a CSV cell holds for a flat JSON value; the inverse of ``parse_cell``."""
    if value is None:
        return ""
    if column.type in ("codes", "list"):
        return LIST_SEPARATOR.join(value)
    if column.type == "bool":
        return "ja" if value else "nei"
    if column.type == "float":
        return repr(float(value))
    if column.name in TEXT_FORMS:
        return TEXT_FORMS[column.name][1](value)
    if column.type == "json":
        return orjson.dumps(value).decode()
    return str(value)
