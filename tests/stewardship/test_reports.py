"""Error reports from the public (core): filing, references, routing to stewards and reviewers, answers and
dismissals, audit events without the text, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.stewardship.helpers import NOW, two_organisations
from tsbkart.db.stewardship import AuditEventRow, ErrorReportRow
from tsbkart.domain.errors import NotFound
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.stewardship import reports
from tsbkart.stewardship.reports import ReportInvalid
from tsbkart.stewardship.roles import Grant, Principal

TEXT = "Telefonnummeret er feil; det riktige er 22 00 00 00."


def _snapshot(engine: Engine) -> RegistrySnapshot:
    return two_organisations(engine).snapshot()


def _file(
    engine: Engine,
    snapshot: RegistrySnapshot,
    unit: str = "unit-a",
    *,
    text: str = TEXT,
    contact: str | None = None,
) -> reports.Report:
    return reports.file_report(
        engine, snapshot, "unit", unit, text, contact, "nb", now=NOW, source="203.0.113.9"
    )


def _principal(*grants: Grant) -> Principal:
    return Principal(1, "p", "P", grants)


STEWARD_A = _principal(Grant("steward", "organisation", "org-a"))
STEWARD_B = _principal(Grant("steward", "organisation", "org-b"))
REVIEWER_NORTH = _principal(Grant("reviewer", "region", "helse-nord"))
REVIEWER_UNN = _principal(Grant("reviewer", "catchment", "unn"))
REVIEWER_OUS = _principal(Grant("reviewer", "catchment", "ous"))
ADMIN = _principal(Grant("administrator", "national"))


def test_a_report_is_filed_with_a_random_reference_and_routed_by_the_record(engine: Engine) -> None:
    snapshot = _snapshot(engine)
    report = _file(engine, snapshot, contact=" kari@example.org ")
    assert len(report.reference) == 10 and set(report.reference) <= set(reports.ALPHABET)
    assert report.status == "open" and report.contact == "kari@example.org"
    assert (report.organisation_id, report.region_code, report.catchment_code) == (
        "org-a",
        "helse-nord",
        "unn",
    )
    assert report.record_name and report.record_page == "/enhet/unit-a"
    assert reports.get_report(engine, report.reference.lower()).text == TEXT
    other = _file(engine, snapshot)
    assert other.reference != report.reference and other.contact is None


def test_who_sees_which_reports(engine: Engine) -> None:
    snapshot = _snapshot(engine)
    a, b = _file(engine, snapshot, "unit-a"), _file(engine, snapshot, "unit-b")

    def seen(principal: Principal) -> set[str]:
        return {r.reference for r in reports.reports_for(engine, principal)}

    assert seen(STEWARD_A) == {a.reference}
    assert seen(STEWARD_B) == {b.reference}
    assert seen(REVIEWER_NORTH) == seen(REVIEWER_UNN) == {a.reference}
    assert seen(REVIEWER_OUS) == {b.reference}
    assert seen(ADMIN) == {a.reference, b.reference}
    assert seen(_principal()) == set()


def test_answer_and_dismiss_are_public_and_audited_without_the_text(engine: Engine) -> None:
    snapshot = _snapshot(engine)
    report = _file(engine, snapshot, contact="kari@example.org")
    later = NOW + timedelta(hours=2)
    answered = reports.answer_report(engine, report.reference, STEWARD_A.actor, "Rettet. Takk!", now=later)
    assert answered.status == "answered" and answered.answer == "Rettet. Takk!"
    assert answered.handled_by == STEWARD_A.actor and answered.handled_at is not None
    dismissed = reports.dismiss_report(engine, report.reference, STEWARD_A.actor, "Ikke en feil.", now=later)
    assert dismissed.status == "dismissed" and dismissed.answer == "Ikke en feil."
    assert reports.reports_for(engine, STEWARD_A, "open") == []
    with Session(engine) as s:
        events = s.execute(select(AuditEventRow).order_by(AuditEventRow.id)).scalars().all()
    actions = [e.action for e in events]
    assert actions[-3:] == ["report_filed", "report_answered", "report_dismissed"]
    for event in events[-3:]:
        assert event.target == f"report:{report.reference}"
        flat = repr(event.detail) + (event.target or "")
        assert "Telefonnummeret" not in flat and "kari@example.org" not in flat


def test_bad_input_is_refused_naming_the_field(engine: Engine) -> None:
    snapshot = _snapshot(engine)
    for text, contact, field in (
        ("   ", None, "text"),
        ("x" * (reports.MAX_TEXT + 1), None, "text"),
        ("tekst\u202eskjult", None, "text"),
        (TEXT, "not an address", "contact"),
        (TEXT, "a@b", "contact"),
    ):
        with pytest.raises(ReportInvalid) as caught:
            _file(engine, snapshot, text=text, contact=contact)
        assert caught.value.field == field
    with pytest.raises(NotFound):
        _file(engine, snapshot, "no-such-unit")
    report = _file(engine, snapshot)
    with pytest.raises(ReportInvalid) as caught:
        reports.answer_report(engine, report.reference, ADMIN.actor, " ", now=NOW)
    assert caught.value.field == "answer"
    with pytest.raises(ReportInvalid) as caught:
        reports.answer_report(engine, report.reference, ADMIN.actor, "ok", change_set_id=999, now=NOW)
    assert caught.value.field == "change_set"
    with pytest.raises(NotFound):
        reports.get_report(engine, "0000000000")
    with Session(engine) as s:
        assert s.execute(select(ErrorReportRow)).scalars().all()[0].status == "open"


def test_a_report_may_name_an_existing_change_set(engine: Engine) -> None:
    from tsbkart.registry.changes import Upsert
    from tsbkart.stewardship.changesets import create_draft

    snapshot = _snapshot(engine)
    unit = snapshot.units["unit-a"]
    draft = create_draft(
        engine, STEWARD_A.actor, "org-a", [Upsert(unit, based_on=snapshot.version("unit", "unit-a"))]
    )
    report = _file(engine, snapshot)
    answered = reports.answer_report(engine, report.reference, STEWARD_A.actor, "Rettes", draft.id, now=NOW)
    assert answered.change_set_id == draft.id


@given(st.text(max_size=30))
def test_normalised_references_are_references_or_none(typed: str) -> None:
    found = reports.normalise_reference(typed)
    assert found is None or (len(found) == 10 and set(found) <= set(reports.ALPHABET))


def test_a_reference_is_read_as_people_type_it() -> None:
    assert reports.normalise_reference(" 7kq2m-9xd4t ") == "7KQ2M9XD4T"
    assert reports.normalise_reference("OIL2M9XD4T") == "0112M9XD4T"
    assert reports.normalise_reference("7KQ2M9XD4") is None
