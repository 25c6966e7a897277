"""The write API's core: a system's create, partial update or delete of one record, with an API token, under
the same validation and review rules as the steward's forms.

- **update** (PATCH): the body names fields by their flat JSON keys (``waiting_weeks``, ``intake_status``...)
  and may give ``source`` and ``verified`` for the changed facts (default: the token's name and today). The
  values go through the form's parser (``editing.apply_form``: the import's cell parsers and the registry's
  validation), so the messages are the import's. What ``review.yaml`` lets publish directly is committed as
  one revision whose actor is the token; the rest becomes a submitted change set.
- **create** (POST) takes a whole record in its flat JSON form, **delete** (DELETE) names one; both always need
  review (``changesets.split_by_review``), so both answer with a submitted change set.

Every write states the version it was based on (``If-Match``: required for update and delete), and the record
must belong to the token's organisation (before and after), within its scopes (``tokens.ApiToken.refusal``)::

    result = write(engine, registry, token, "update", "offer", "unit-a/poliklinikk",
                   {"waiting_weeks": 3, "source": "https://hf.example/ventetid"}, based_on=12, today=day)
    result.outcome        # "published" (revision 13) | "submitted" (change set 4) | "unchanged"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Engine

from tsbkart.domain.errors import NotFound, UserError
from tsbkart.domain.messages import Message
from tsbkart.domain.schema import FIELD_PROVENANCE, FieldSpec, schema_of
from tsbkart.registry.changes import ABSENT, Change, Delete, Upsert
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.records import from_json
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.store import Registry, geography_ids
from tsbkart.registry.validation import KnownIds, validate_records
from tsbkart.registry.versions import Conflict, version_of_etag
from tsbkart.stewardship import changesets, editing
from tsbkart.stewardship.places import places_of
from tsbkart.stewardship.tokens import ApiToken, Operation

PROVENANCE_KEYS = ("source", "verified")  # what a PATCH body may say about the changed facts


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str  # the body's key (or "source", "verified", "body")
    message: Message


class InvalidBody(UserError):
    """The body cannot be applied: every problem names its field (422, as an import's problems do)."""

    status = 422

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


class OutsideToken(UserError):
    """The token may not do this: another organisation's record, or beyond its scopes (403)."""

    status = 403

    def __init__(self, reason: str) -> None:
        super().__init__(f"the token does not allow this ({reason})")
        self.reason = reason


class Stale(UserError):
    """``If-Match`` names a version that is no longer current (412 Precondition Failed)."""

    status = 412


class VersionRequired(UserError):
    """An update or delete without ``If-Match`` (428 Precondition Required)."""

    status = 428


def _version(if_match: str | None) -> int:
    """The version an ``If-Match`` header names; checked after the token's rights, so another organisation's
    token learns nothing about the record's version."""
    if not if_match:
        raise VersionRequired("If-Match with the record's ETag is required")
    version = version_of_etag(if_match)
    if version is None:
        raise Stale("If-Match names no version of this record")
    return version


@dataclass(frozen=True, slots=True)
class Written:
    outcome: Literal["published", "submitted", "unchanged"]
    kind: str
    record_id: str
    version: int | None  # the record's version now (None: deleted, or not yet created)
    revision: int | None = None
    change_set_id: int | None = None


def _kind(name: str) -> str:
    if name not in KINDS:
        raise NotFound("There is no page at this address.")
    return name


def _organisation_of(snapshot: RegistrySnapshot, kind: str, record: object) -> str | None:
    organisation_id, _, _, _ = places_of(snapshot, kind, record)
    return organisation_id


def _check_owner(token: ApiToken, snapshot: RegistrySnapshot, kind: str, *records: object) -> None:
    for record in records:
        if _organisation_of(snapshot, kind, record) != token.organisation_id:
            raise OutsideToken("organisation")


def _check_scope(token: ApiToken, operation: Operation, kind: str, fields: list[str]) -> None:
    reason = token.refusal(operation, kind, fields)
    if reason is not None:
        raise OutsideToken(reason)


def _known(snapshot: RegistrySnapshot) -> KnownIds:
    ids: dict[str, Any] = {kind: set(snapshot.records(kind)) for kind in KINDS.names()}
    return KnownIds(ids | geography_ids(snapshot.geography))


def _form_value(field: editing.FormField, value: Any) -> str | list[str]:
    """A JSON value from the client as the form would have sent it; a value of the wrong shape is a problem."""
    if field.widget in ("checkboxes", "list"):
        if value is None:
            return [] if field.widget == "checkboxes" else ""
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("expected a list of texts")
        return list(value) if field.widget == "checkboxes" else editing.form_value(field, value)
    if field.widget == "tristate":
        if value is not None and not isinstance(value, bool):
            raise ValueError("expected true, false or null")
        return editing.form_value(field, value)
    if field.widget == "number" and isinstance(value, bool | str):
        raise ValueError("expected a number")
    if field.widget == "json":
        return editing.form_value(field, value)
    if value is None:
        return ""
    if isinstance(value, bool | list | dict):
        raise ValueError("expected a single value")
    return str(value) if not isinstance(value, int | float) else editing.form_value(field, value)


def _updated(
    token: ApiToken, kind: str, current: Any, body: Mapping[str, Any], snapshot: RegistrySnapshot, today: date
) -> Any:
    fields = {f.key: f for f in editing.form_fields(kind)}
    problems = [
        FieldProblem(key, Message("not a field that can be changed"))
        for key in body
        if key not in fields and key not in PROVENANCE_KEYS
    ]
    submitted: dict[str, str | list[str]] = dict(editing.form_values(current))
    for key, value in body.items():
        if key in fields:
            try:
                submitted[key] = _form_value(fields[key], value)
            except ValueError as error:
                problems.append(FieldProblem(key, Message(str(error))))
    if problems:
        raise InvalidBody(problems)
    submitted[editing.SOURCE] = str(body.get("source") or f"API: {token.name}")
    submitted[editing.VERIFIED] = str(body.get("verified") or today.isoformat())
    edit = editing.apply_form(
        kind, current, submitted, steward=token.name, known=_known(snapshot), today=today
    )
    if edit.errors:
        rename = {editing.SOURCE: "source", editing.VERIFIED: "verified"}
        raise InvalidBody([FieldProblem(rename.get(e.key, e.key), e.text) for e in edit.errors])
    return edit


def _json_problem(spec: FieldSpec, value: Any) -> str | None:
    """A JSON value of the wrong type for a field (checked before the record is built from the body)."""
    if value is None or spec.type == "json":
        return None
    if spec.type in ("codes", "list"):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else "expected a list of texts"
    if spec.type == "bool":
        return None if isinstance(value, bool) else "expected true, false or null"
    if spec.type in ("int", "float"):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        whole = spec.type == "float" or isinstance(value, int)
        return None if number and whole else "expected a number"
    if spec.type == "date":
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            return "expected a date (YYYY-MM-DD)"
        return None
    return None if isinstance(value, str) else "expected text"


def _created(kind: str, body: Mapping[str, Any], snapshot: RegistrySnapshot, today: date) -> Any:
    specs = {spec.key: spec for spec in schema_of(KINDS[kind].cls).fields}
    allowed = set(specs) | {"source", "verified", "steward", "provenance_note", FIELD_PROVENANCE}
    problems = [FieldProblem(k, Message("not a field of this kind")) for k in body if k not in allowed]
    problems += [
        FieldProblem(k, Message(found))
        for k, v in body.items()
        if k in specs and (found := _json_problem(specs[k], v)) is not None
    ]
    for key in ("id", "source"):
        if not isinstance(body.get(key), str) or not body[key].strip():
            problems.append(FieldProblem(key, Message("{field} is required", field=key)))
    if problems:
        raise InvalidBody(problems)
    try:
        record = from_json(kind, dict(body))
    except (ValueError, TypeError) as error:
        raise InvalidBody([FieldProblem("body", Message(str(error)))]) from None
    invalid = validate_records([record], _known(snapshot), today=today)
    if invalid:
        raise InvalidBody([FieldProblem(p.field, p.text or Message(p.message)) for p in invalid])
    return record


def _submitted(
    engine: Engine,
    registry: Registry,
    token: ApiToken,
    kind: str,
    record_id: str,
    changes: list[Change],
    *,
    now: datetime,
    source: str | None,
) -> Written:
    proposal = changesets.propose(
        engine,
        registry,
        token.actor,
        token.organisation_id,
        changes,
        f"API: {token.name}",
        source=source,
        now=now,
    )
    version = registry.snapshot().version(kind, record_id) or None
    if proposal.change_set is None:
        outcome: Literal["published", "unchanged"] = "published" if proposal.revision_id else "unchanged"
        return Written(outcome, kind, record_id, version, proposal.revision_id)
    sent = changesets.submit(engine, proposal.change_set.id, token.actor, source=source, now=now)
    return Written("submitted", kind, record_id, version, proposal.revision_id, sent.id)


def write(
    engine: Engine,
    registry: Registry,
    token: ApiToken,
    operation: Operation,
    kind: str,
    record_id: str | None,
    body: Mapping[str, Any] | None,
    *,
    if_match: str | None,
    today: date,
    now: datetime,
    source: str | None = None,
) -> Written:
    """Apply one write of ``token``; raises InvalidBody (422), OutsideToken (403), Stale (412),
    VersionRequired (428), NotFound (404)."""
    kind = _kind(kind)
    snapshot = registry.snapshot()
    if operation == "create":
        record = _created(kind, body or {}, snapshot, today)
        _check_scope(token, "create", kind, list(body or {}))
        _check_owner(token, snapshot, kind, record)
        if snapshot.version(kind, record.id) != ABSENT:
            raise Stale(f"{kind} {record.id!r} already exists")
        changes: list[Change] = [Upsert(record, based_on=ABSENT)]
        record_id = record.id
    else:
        assert record_id is not None
        current = snapshot.records(kind).get(record_id)
        if current is None:
            raise NotFound("No record has this id.")
        _check_owner(token, snapshot, kind, current)
        if operation == "delete":
            _check_scope(token, "delete", kind, [])
        based_on = _version(if_match)
        if snapshot.version(kind, record_id) != based_on:
            raise Stale(
                f"{kind} {record_id!r} is at version {snapshot.version(kind, record_id)}, not {based_on}"
            )
        if operation == "delete":
            changes = [Delete(kind, record_id, based_on=based_on)]
        else:
            keys = [k for k in (body or {}) if k not in PROVENANCE_KEYS]
            _check_scope(token, "update", kind, keys)
            edit = _updated(token, kind, current, body or {}, snapshot, today)
            if not edit.changed:
                return Written("unchanged", kind, record_id, based_on)
            _check_owner(token, snapshot, kind, edit.record)
            changes = [Upsert(edit.record, based_on=based_on)]
    try:
        return _submitted(engine, registry, token, kind, record_id, changes, now=now, source=source)
    except Conflict as conflict:
        raise Stale(str(conflict)) from None


__all__ = ["FieldProblem", "InvalidBody", "OutsideToken", "Stale", "VersionRequired", "Written", "write"]
