"""Content rules for the text and dates of registry records (``tsbkart.domain.text_rules``), checked a whole
column at a time: a 100,000-record import joins each text field's values and searches them once, and only
a column with a hit is checked record by record to say which.

    content_problems([Unit("Rus\u200bakutt", ...)], today=date(2026, 12, 1))
    # [Problem(kind="unit", id="Rus\u200bakutt", field="id", message="id 'Rus\\u200bakutt' is not a safe id: ...")]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import date
from itertools import chain
from operator import attrgetter
from typing import Any

from tsbkart.domain.messages import Message, quoted
from tsbkart.domain.schema import schema_of
from tsbkart.domain.text_rules import (
    ID_MAX_LENGTH,
    MULTILINE_FIELDS,
    all_safe_ids,
    bad_character,
    finds_bad_character,
    is_safe_id,
    is_web_url,
)

# (field as a steward names it, attribute path, multi-line) of the provenance every record carries.
_PROVENANCE_TEXT = (
    ("source", "provenance.source", False),
    ("steward", "provenance.steward", False),
    ("provenance_note", "provenance.note", True),
)

Report = Callable[[Any, str, Message], None]  # (record, field, text)


_TEXT_FIELDS: dict[type[Any], tuple[tuple[str, bool, bool], ...]] = {}


def text_fields(cls: type[Any]) -> tuple[tuple[str, bool, bool], ...]:
    """(name, multi-line, is a tuple of strings) of a record class's text fields, ``id`` excepted."""
    found = _TEXT_FIELDS.get(cls)
    if found is None:
        found = _TEXT_FIELDS[cls] = tuple(
            (f.name, f.name in MULTILINE_FIELDS, str(f.type).startswith("tuple"))
            for f in fields(cls)
            if f.name != "id" and "str" in str(f.type) and not str(f.type).startswith("Mapping")
        )
    return found


def check_content(records: Sequence[Any], today: date, report: Report) -> None:
    """Report every content problem of ``records`` (all of one class) through ``report``."""
    if not records:
        return
    _check_ids(records, report)
    for name, multiline, many in text_fields(type(records[0])):
        _check_text(records, name, attrgetter(name), multiline, many, report)
    for name, path, multiline in _PROVENANCE_TEXT:
        _check_text(records, name, attrgetter(path), multiline, False, report)
    for name in (f.name for f in schema_of(type(records[0])).fields if f.link):  # the schema's link fields
        _check_urls(records, name, report)
    _check_dates(records, today, report)


def _check_ids(records: Sequence[Any], report: Report) -> None:
    if all_safe_ids([r.id for r in records if r.id.strip()]):
        return
    for record in records:
        if record.id.strip() and not is_safe_id(record.id):
            report(
                record,
                "id",
                Message(
                    "id {id} is not a safe id: lower-case letters a-z and digits, in groups joined by one of - _ . /, "
                    "at most {limit} characters",
                    id=quoted(record.id),
                    limit=ID_MAX_LENGTH,
                ),
            )


def _strings(values: Iterable[Any], many: bool) -> Iterator[str]:
    present = filter(None, values)
    return chain.from_iterable(present) if many else present


def _check_text(
    records: Sequence[Any], name: str, get: Callable[[Any], Any], multiline: bool, many: bool, report: Report
) -> None:
    # Each distinct value once: a large import repeats its codes, references and sources on every row.
    if not finds_bad_character(" ".join(set(_strings(map(get, records), many))), multiline):
        return
    for record in records:
        for value in _strings([get(record)], many):
            found = bad_character(value, multiline)
            if found is not None:
                report(record, name, _hidden(found, multiline))
                break


def _hidden(found: tuple[int, str], multiline: bool) -> Message:
    position, char = found
    if multiline:
        return Message(
            "contains {char} at character {position}: control and invisible formatting characters are not "
            "allowed",
            char=char,
            position=position + 1,
        )
    return Message(
        "contains {char} at character {position}: line breaks, tabs, control and invisible characters are "
        "not allowed here",
        char=char,
        position=position + 1,
    )


def _check_urls(records: Sequence[Any], name: str, report: Report) -> None:
    for record in records:
        value = getattr(record, name)
        if value is not None and not is_web_url(value):
            report(
                record,
                name,
                Message(
                    "{field} {value} is not a web address: it must start with http:// or https:// and name a host",
                    field=name,
                    value=quoted(value),
                ),
            )


def _check_dates(records: Sequence[Any], today: date, report: Report) -> None:
    provenances = {id(p): p for p in map(attrgetter("provenance"), records)}
    if any(p.verified is not None and p.verified > today for p in provenances.values()):
        for record in records:
            verified = record.provenance.verified
            if verified is not None and verified > today:
                report(record, "verified", _future("verified", verified, today))
    if hasattr(records[0], "waiting_as_of"):
        measured = [r for r in records if r.waiting_as_of is not None and r.waiting_as_of > today]
        for record in measured:
            report(record, "waiting_as_of", _future("waiting_as_of", record.waiting_as_of, today))


def _future(field: str, day: date, today: date) -> Message:
    return Message(
        "{field} {day} is in the future (today is {today} in Norway)",
        field=field,
        day=day.isoformat(),
        today=today.isoformat(),
    )
