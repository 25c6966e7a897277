"""The steward's edit form, derived from the field schema: which fields, which widget, the values as the form
shows them, and a submitted form turned into the edited record with a source for every changed fact.

The form edits every field declared ``editable`` (``domain/schema.py``). Values are read by the import's own
cell parsers (``exchange/cells.py``) and the record is checked by the registry's validation, so a steward sees
the same messages as an import (``Message`` objects, translated by the catalogues)::

    fields = form_fields("offer")        # (FormField(key="target_groups", widget="checkboxes", ...), ...)
    values = form_values(offer)           # {"waiting_weeks": "2.5", "target_groups": ["adults"], ...}
    edit = apply_form("offer", offer, {"waiting_weeks": "3", "change_source": "https://hf.example/ventetid",
                                      "change_verified": "2026-12-01", ...}, steward="Kari", known=known)
    edit.changed   # ("waiting_weeks",)
    edit.record    # the offer with waiting_weeks=3.0 and field_provenance["waiting_weeks"] =
                   #   Provenance("https://hf.example/ventetid", date(2026, 12, 1), "Kari")
    edit.errors    # (FieldError(key="waiting_weeks", text=Message("expected a number, got {value}")), ...)

``confirmed(record, today)`` is "confirm unchanged": every verified date of the record (its own and each
field's) set to today, nothing else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

from tsbkart.domain.entities import Provenance, RegistryRecord
from tsbkart.domain.messages import Message
from tsbkart.domain.schema import FIELD_PROVENANCE, FieldSpec, schema_of
from tsbkart.exchange.cells import CellError, format_cell, make_parser, parse_date
from tsbkart.exchange.columns import Column, column_of
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.records import from_json, to_json
from tsbkart.registry.validation import KnownIds, validate_records

# The kinds stewards keep, in the order the dashboard lists them (each lies in an organisation:
# stewardship/places.py). Error reports and other kinds that may be declared later are not edited here.
STEWARDED_KINDS: tuple[str, ...] = ("organisation", "unit", "offer", "team")
Widget = Literal[
    "text", "textarea", "number", "date", "select", "reference", "checkboxes", "tristate", "list", "json"
]
SOURCE, VERIFIED = "change_source", "change_verified"  # the form's source and date for every changed fact
MAX_TEXT = 4000  # longer values are cut by the form's maxlength; the server refuses them too
TRISTATE = {"yes": "ja", "no": "nei", "": None}
NO_SOURCE = "Give the source of the changed facts: a web address or a document."
NO_DATE = "Give the date the changed facts were checked against the source."
TOO_LONG = "the text has {length} characters, at most {most} are allowed"


def field_source(key: str) -> str:
    """The form name of one field's own source (overrides the common one)."""
    return f"source__{key}"


def field_verified(key: str) -> str:
    return f"verified__{key}"


@dataclass(frozen=True, slots=True)
class FormField:
    spec: FieldSpec
    column: Column
    widget: Widget
    target: str | None = (
        None  # a reference's kind or geography (``RecordKind.references``): a select of those
    )

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def help(self) -> str:
        return self.spec.help

    @property
    def vocabulary(self) -> str | None:
        return self.spec.vocabulary

    @property
    def choices(self) -> tuple[str, ...]:
        return self.spec.choices

    @property
    def hint(self) -> str | None:
        """The help text worth showing next to the widget: not for choices (the template's help words how to
        type them in a cell), nor when it only repeats the label."""
        if self.widget in ("select", "reference", "checkboxes", "tristate"):
            return None
        return None if self.spec.help.rstrip(".") == self.spec.label else self.spec.help

    @property
    def allows_empty(self) -> bool:
        """A select may be left as unknown (nullable, or a default code such as ``unknown``)."""
        return self.spec.nullable or not self.spec.required


@dataclass(frozen=True, slots=True)
class FieldError:
    key: str  # the field's form key, or SOURCE / VERIFIED
    text: Message


@dataclass(frozen=True)
class Edit:
    record: RegistryRecord | None  # the edited record; None when the form had errors
    changed: tuple[str, ...]  # keys of the fields whose value changed
    errors: tuple[FieldError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def widget_of(spec: FieldSpec, target: str | None = None) -> Widget:
    if target is not None:
        return "reference"
    if spec.type == "bool":
        return "tristate"  # yes / no / unknown: None is never shown as no
    if spec.type == "date":
        return "date"
    if spec.type == "code" or spec.choices:
        return "select"
    if spec.type == "codes":
        return "checkboxes"
    if spec.type in ("int", "float"):
        return "number"
    if spec.type == "list":
        return "list"
    if spec.type == "json":
        return "json"
    return "textarea" if spec.multiline else "text"


@cache
def form_fields(kind: str) -> tuple[FormField, ...]:
    """The editable fields of ``kind`` in declaration order."""
    references = KINDS[kind].references
    return tuple(
        FormField(
            spec, column_of(spec), widget_of(spec, references.get(spec.name)), references.get(spec.name)
        )
        for spec in schema_of(KINDS[kind].cls).fields
        if spec.editable
    )


def form_value(field: FormField, value: Any) -> str | list[str]:
    """One JSON value as the form shows it: text, or the list of ticked codes."""
    if field.widget == "checkboxes":
        return list(value or ())
    if field.widget == "tristate":
        return "" if value is None else "yes" if value else "no"
    if field.widget == "number" and value is not None:
        return format_cell(field.column, value).removesuffix(".0")
    return format_cell(field.column, value)


def form_values(record: RegistryRecord) -> dict[str, str | list[str]]:
    data = to_json(record)
    return {f.key: form_value(f, data.get(f.key)) for f in form_fields(KINDS.of(record).name)}


def _raw(field: FormField, submitted: Mapping[str, str | Sequence[str]]) -> Any:
    value = submitted.get(field.key)
    if field.widget == "checkboxes":
        items = [value] if isinstance(value, str) else list(value or ())
        return ";".join(item for item in items if item)
    text = value if isinstance(value, str) else (value[-1] if value else "")
    if field.widget == "tristate":
        return TRISTATE.get(text.strip(), text)
    if field.widget in ("select", "reference") and not text.strip():
        return None
    return text


def _parse(field: FormField, submitted: Mapping[str, str | Sequence[str]]) -> Any:
    raw = _raw(field, submitted)
    if isinstance(raw, str) and len(raw) > MAX_TEXT:
        raise CellError(Message(TOO_LONG, length=len(raw), most=MAX_TEXT))
    value = make_parser(field.column)(raw)
    return list(value) if isinstance(value, tuple) else value


def _same(field: FormField, old: Any, new: Any) -> bool:
    if field.spec.type == "float" and old is not None and new is not None:
        return float(old) == float(new)
    return (old or None) == (new or None) if field.widget in ("checkboxes", "list") else old == new


def _text(submitted: Mapping[str, str | Sequence[str]], name: str) -> str:
    value = submitted.get(name)
    text = value if isinstance(value, str) else (value[-1] if value else "")
    return text.strip()


def _provenance(
    submitted: Mapping[str, str | Sequence[str]],
    key: str,
    steward: str,
    errors: list[FieldError],
) -> dict[str, Any] | None:
    """The source of one changed fact: its own, else the form's common one; a source and a date are required."""
    source = _text(submitted, field_source(key)) or _text(submitted, SOURCE)
    day = _text(submitted, field_verified(key)) or _text(submitted, VERIFIED)
    if not source:
        errors.append(FieldError(SOURCE, Message(NO_SOURCE)))
        return None
    try:
        verified = parse_date(day) if day else None
    except CellError as error:
        errors.append(FieldError(VERIFIED, error.text))
        return None
    if verified is None:
        errors.append(FieldError(VERIFIED, Message(NO_DATE)))
        return None
    return {"source": source[:MAX_TEXT], "verified": verified, "steward": steward[:200], "note": None}


def apply_form(
    kind: str,
    current: RegistryRecord,
    submitted: Mapping[str, str | Sequence[str]],
    *,
    steward: str,
    known: KnownIds,
    today: date | None = None,
) -> Edit:
    """``current`` with the submitted values; every changed fact gets its source, date and steward."""
    data = to_json(current)
    errors: list[FieldError] = []
    changed: list[str] = []
    sources = dict(data.get(FIELD_PROVENANCE) or {})
    for field in form_fields(kind):
        try:
            value = _parse(field, submitted)
        except CellError as error:
            errors.append(FieldError(field.key, error.text))
            continue
        if _same(field, data.get(field.key), value):
            continue
        changed.append(field.key)
        data[field.key] = value
        if field.spec.provenance:
            provenance = _provenance(submitted, field.key, steward, errors)
            if provenance is not None:
                sources[field.spec.name] = provenance
    if not changed and not errors:
        return Edit(current, (), ())
    data[FIELD_PROVENANCE] = dict(sorted(sources.items()))
    errors = _unique(errors)
    if errors:
        return Edit(None, tuple(changed), tuple(errors))
    try:
        record = from_json(kind, data)
    except (ValueError, TypeError) as error:
        return Edit(None, tuple(changed), (FieldError(SOURCE, Message(str(error))),))
    problems = [p for p in validate_records([record], known, today=today) if p.id == record.id]
    found = tuple(FieldError(_key(kind, p.field), p.text or Message(p.message)) for p in problems)
    return Edit(None if found else record, tuple(changed), found)


def _unique(errors: list[FieldError]) -> list[FieldError]:
    """The common source's message once, however many changed facts lack it."""
    seen: set[tuple[str, str]] = set()
    out = []
    for error in errors:
        marker = (error.key, str(error.text))
        if marker not in seen:
            seen.add(marker)
            out.append(error)
    return out


def _key(kind: str, name: str) -> str:
    """A validation problem's field (an attribute, or a provenance key) as the form's key."""
    for field in form_fields(kind):
        if name in (field.spec.name, field.key):
            return field.key
    return VERIFIED if name == "verified" else SOURCE


def confirmed(record: RegistryRecord, today: date) -> RegistryRecord:
    """ "Confirm unchanged": the record's verified date and each field's set to ``today``; nothing else."""
    own = dataclasses.replace(record.provenance, verified=today)
    fields: dict[str, Provenance] = {
        name: dataclasses.replace(p, verified=today) for name, p in record.field_provenance.items()
    }
    return dataclasses.replace(record, provenance=own, field_provenance=fields)  # type: ignore[type-var]
