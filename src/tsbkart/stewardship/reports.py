"""Error reports from the public ("Meld feil"): filed without an account, routed to whoever keeps the record.

A report names one record (today a unit), says what is wrong, and may give a contact address. It gets a
random reference (10 characters of Crockford's base32, 50 bits: not guessable, easy to read aloud) that is the
key of its public status page. It is routed by where the record lay when it was filed (``places.resource_of``):
the stewards of its organisation and the reviewers of its region or catchment area list it, and one of them
answers it (optionally naming the change set that fixes it) or dismisses it with a reason; both are public on
the status page. The report's text is never written to a log or an audit event::

    report = file_report(engine, snapshot, "unit", "unit-a", "Telefonnummeret er feil", None, "nb",
                         now=now, source="203.0.113.9")
    report.reference                      # "7KQ2M9XD4T"
    answer_report(engine, "7KQ2M9XD4T", steward.actor, "Rettet, takk!", change_set_id=None, now=now)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import ChangeSetRow, ErrorReportRow
from tsbkart.domain.actors import ANONYMOUS, Actor
from tsbkart.domain.errors import NotFound, UserError
from tsbkart.domain.messages import Message
from tsbkart.domain.text_rules import finds_bad_character
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.stewardship.audit import AuditEvent, append
from tsbkart.stewardship.places import places_of
from tsbkart.stewardship.policy import Resource
from tsbkart.stewardship.roles import Principal

Decision = Literal["answered", "dismissed"]  # what a steward makes of a report
Status = Literal["open", Decision]
STATUSES: tuple[Status, ...] = get_args(Status)
# Crockford's base32: no I, L, O or U, so a reference read aloud or typed from paper is not mistaken.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LOOKALIKES = str.maketrans("OIL", "011")  # what people type for 0 and 1
REFERENCE_LENGTH = 10
MAX_TEXT = 2000
MAX_CONTACT = 320
MAX_ANSWER = 2000
# The kinds a report can name, and the public page that shows such a record.
REPORTABLE = {"unit": "/enhet/{id}"}


class ReportInvalid(UserError):
    """What was entered cannot be filed or saved; ``field`` names the form field, ``text`` says why."""

    status = 422

    def __init__(self, field: str, text: Message) -> None:
        super().__init__(str(text))
        self.field = field
        self.text = text


@dataclass(frozen=True, slots=True)
class Report:
    reference: str
    record_kind: str
    record_id: str
    record_name: str
    organisation_id: str | None
    region_code: str | None
    catchment_code: str | None
    text: str
    contact: str | None
    language: str
    status: Status
    answer: str | None
    change_set_id: int | None
    filed_at: datetime
    handled_at: datetime | None
    handled_by: Actor | None

    @property
    def resource(self) -> Resource:
        return Resource(self.organisation_id, self.region_code, self.catchment_code)

    @property
    def record_page(self) -> str | None:
        pattern = REPORTABLE.get(self.record_kind)
        return pattern.format(id=self.record_id) if pattern else None


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_reference(value: str) -> str | None:
    """A reference as typed (lower case, spaces, dashes; O for 0, I and L for 1) or None if it cannot be one."""
    text = value.strip().upper().replace("-", "").replace(" ", "")
    text = text.translate(LOOKALIKES)
    if len(text) != REFERENCE_LENGTH or any(c not in ALPHABET for c in text):
        return None
    return text


def _clean_text(field: str, value: str, limit: int, *, required: bool, multiline: bool) -> str | None:
    text = value.strip()
    if not text:
        if required:
            raise ReportInvalid(field, Message("Write what is wrong."))
        return None
    if len(text) > limit:
        raise ReportInvalid(field, Message("At most {limit} characters.", limit=limit))
    if finds_bad_character(text, multiline=multiline):
        raise ReportInvalid(field, Message("The text holds a control or invisible character."))
    return text


def _clean_contact(value: str) -> str | None:
    contact = _clean_text("contact", value, MAX_CONTACT, required=False, multiline=False)
    if contact is None:
        return None
    local, _, domain = contact.rpartition("@")
    if not local or "." not in domain or any(c.isspace() for c in contact):
        raise ReportInvalid("contact", Message("Give an e-mail address, or leave the field empty."))
    return contact


def _actor(kind: str | None, id: str | None, name: str | None) -> Actor | None:
    if kind is None or name is None:
        return None
    return Actor(kind, id, name)  # type: ignore[arg-type]


def _from_row(row: ErrorReportRow) -> Report:
    return Report(
        reference=row.reference,
        record_kind=row.record_kind,
        record_id=row.record_id,
        record_name=row.record_name,
        organisation_id=row.organisation_id,
        region_code=row.region_code,
        catchment_code=row.catchment_code,
        text=row.text,
        contact=row.contact,
        language=row.language,
        status=row.status,  # type: ignore[arg-type]
        answer=row.answer,
        change_set_id=row.change_set_id,
        filed_at=row.filed_at,
        handled_at=row.handled_at,
        handled_by=_actor(row.handled_by_kind, row.handled_by_id, row.handled_by_name),
    )


def file_report(
    engine: Engine,
    snapshot: RegistrySnapshot,
    kind: str,
    record_id: str,
    text: str,
    contact: str | None,
    language: str,
    *,
    now: datetime,
    source: str | None,
) -> Report:
    """File a report about a published record; audited as ``report_filed`` (without the text or contact)."""
    record = snapshot.records(kind).get(record_id) if kind in REPORTABLE else None
    if record is None:
        raise NotFound("No unit has this id.")
    body = _clean_text("text", text, MAX_TEXT, required=True, multiline=True)
    assert body is not None
    address = _clean_contact(contact or "")
    organisation_id, region, catchment, _ = places_of(snapshot, kind, record)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        row = ErrorReportRow(
            reference=new_reference(),
            record_kind=kind,
            record_id=record_id,
            record_name=str(getattr(record, "name", record_id))[:300],
            organisation_id=organisation_id,
            region_code=region,
            catchment_code=catchment,
            text=body,
            contact=address,
            language=language,
            status="open",
            filed_at=now,
        )
        session.add(row)
        session.flush()
        detail: dict[str, str | bool] = {
            "kind": kind,
            "record": record_id,
            "contact_given": address is not None,
        }
        event = AuditEvent("report_filed", ANONYMOUS, "ok", f"report:{row.reference}", source, detail)
        append(session, event, now)
        return _from_row(row)


def get_report(engine: Engine, reference: str) -> Report:
    """The report with this reference (as typed); NotFound when there is none."""
    wanted = normalise_reference(reference)
    with Session(engine) as session:
        row = (
            session.execute(
                select(ErrorReportRow).where(ErrorReportRow.reference == wanted)
            ).scalar_one_or_none()
            if wanted
            else None
        )
        if row is None:
            raise NotFound("No error report has this reference.")
        return _from_row(row)


def reports_for(engine: Engine, principal: Principal, status: Status | None = None) -> list[Report]:
    """The reports a principal handles, newest first: all for an administrator; a steward's organisations'; a
    reviewer's region's and catchment areas'."""
    query = select(ErrorReportRow).order_by(ErrorReportRow.filed_at.desc(), ErrorReportRow.id.desc())
    if status is not None:
        query = query.where(ErrorReportRow.status == status)
    if not principal.has_role("administrator"):
        organisations = [code for _, code in principal.scopes("steward")]
        areas = principal.scopes("reviewer")
        regions = [code for kind, code in areas if kind == "region"]
        catchments = [code for kind, code in areas if kind == "catchment"]
        query = query.where(
            or_(
                ErrorReportRow.organisation_id.in_(organisations),
                ErrorReportRow.region_code.in_(regions),
                ErrorReportRow.catchment_code.in_(catchments),
            )
        )
    with Session(engine) as session:
        return [_from_row(row) for row in session.execute(query.limit(1000)).scalars()]


def handle_report(
    engine: Engine,
    reference: str,
    by: Actor,
    status: Decision,
    answer: str,
    change_set_id: int | None = None,
    *,
    now: datetime,
    source: str | None = None,
) -> Report:
    """Answer (``answered``) or dismiss (``dismissed``) a report: ``answer`` is the public answer or the
    reason, shown on its status page; an answer may name the change set that fixes it. Audited."""
    field = "answer" if status == "answered" else "reason"
    text = _clean_text(field, answer, MAX_ANSWER, required=True, multiline=True)
    wanted = normalise_reference(reference)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        row = session.execute(
            select(ErrorReportRow).where(ErrorReportRow.reference == wanted).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            raise NotFound("No error report has this reference.")
        if change_set_id is not None and session.get(ChangeSetRow, change_set_id) is None:
            raise ReportInvalid("change_set", Message("No change set has this number."))
        row.status, row.answer, row.change_set_id = status, text, change_set_id
        row.handled_at, row.handled_by_kind, row.handled_by_id, row.handled_by_name = (
            now,
            by.kind,
            by.id,
            by.name,
        )
        action = "report_answered" if status == "answered" else "report_dismissed"
        detail: dict[str, str | int | None] = {"record": row.record_id, "change_set": change_set_id}
        append(session, AuditEvent(action, by, "ok", f"report:{row.reference}", source, detail), now)
        return _from_row(row)


def answer_report(
    engine: Engine,
    reference: str,
    by: Actor,
    answer: str,
    change_set_id: int | None = None,
    *,
    now: datetime,
    source: str | None = None,
) -> Report:
    """Answer a report publicly (shown on its status page), optionally naming the change set that fixes it."""
    return handle_report(engine, reference, by, "answered", answer, change_set_id, now=now, source=source)


def dismiss_report(
    engine: Engine, reference: str, by: Actor, reason: str, *, now: datetime, source: str | None = None
) -> Report:
    """Dismiss a report; the reason is shown on its status page."""
    return handle_report(engine, reference, by, "dismissed", reason, None, now=now, source=source)
