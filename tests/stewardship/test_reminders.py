"""`send_reminders` against a real SMTP server on 127.0.0.1: one digest per steward with due facts, nothing on a
second run the same day, escalation to the reviewer of the area once facts are long overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.registry.factories import offer
from tsbkart.db.stewardship import AuditEventRow, ReminderRow
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Provenance
from tsbkart.registry.store import Upsert
from tsbkart.settings import Settings
from tsbkart.stewardship.accounts import disable_user
from tsbkart.stewardship.audit import verify
from tsbkart.stewardship.reminders import ReminderPolicy, RemindReport, due_items, send_reminders, smtp_sender
from tsbkart.web.i18n import catalogue

from .helpers import CLI, NOW, add_user, two_organisations
from .smtp_server import Inbox, smtp_server

POLICY = ReminderPolicy(
    warn_before_days=30, repeat_after_days=7, escalate_after_days=21, notices_per_hour=5, notice_retry_days=14
)
# The factories' records were verified 2026-01-15: due (12 months) 2027-01-15.
DUE_SOON = date(2027, 1, 10)
LONG_OVERDUE = date(2027, 2, 20)


@pytest.fixture
def world(engine: Engine) -> Engine:
    registry = two_organisations(engine)
    # The waiting time has its own 3-month cycle: verified 2026-10-15, due 2027-01-15 like the rest.
    measured = Provenance("https://example.org/waiting", verified=date(2026, 10, 15))
    waiting = offer(
        "unit-a",
        waiting_weeks=4.0,
        waiting_as_of=date(2026, 10, 15),
        field_provenance={"waiting_weeks": measured, "waiting_as_of": measured},
    )
    registry.commit([Upsert(waiting)], actor=Actor.cli("test"), reason="synthetic test data")
    add_user(engine, "kari", "steward", "organisation", "org-a", email="kari@a.example")
    add_user(engine, "per", "steward", "organisation", "org-b", email="per@b.example")
    add_user(engine, "ola", "steward", "organisation", "org-a")  # no e-mail address: never written to
    add_user(engine, "gone", "steward", "organisation", "org-a", email="gone@a.example")
    add_user(engine, "rita", "reviewer", "catchment", "unn", email="rita@nord.example")
    with Session(engine) as s, s.begin():
        disable_user(s, "gone", by=CLI, now=NOW)
    return engine


def _run(engine: Engine, inbox: Inbox, today: date) -> RemindReport:
    from tsbkart.registry.store import Registry

    with smtp_sender(Settings(smtp_host="127.0.0.1", smtp_port=inbox.port)) as send:
        return send_reminders(
            engine,
            Registry(engine).snapshot(),
            today=today,
            now=datetime.combine(today, datetime.min.time(), UTC),
            send=send,
            gettext=catalogue("nb").gettext,
            base_url="https://tsbkart.example",
            sender="tsbkart@example.org",
            policy=POLICY,
        )


def test_one_digest_per_steward_with_due_facts_and_none_on_a_second_run(world: Engine) -> None:
    with smtp_server() as inbox:
        first = _run(world, inbox, DUE_SOON)
        assert sorted(m["To"] for m in inbox.messages) == ["kari@a.example", "per@b.example"]
        second = _run(world, inbox, DUE_SOON)
        assert len(inbox.messages) == 2 and second.sent == ()
    assert len(first.sent) == 2 and first.failed == ()
    (kari,) = inbox.to("kari@a.example")
    body = kari.get_content()
    assert kari["Subject"] == "tsbkart: 5 opplysninger må bekreftes"
    assert "Hei Kari," in body and "Enhet unit-a" in body and "Organisasjon org-a" in body
    assert "waiting_weeks" in body and "frist 2027-01-15" in body and "sist bekreftet 2026-10-15" in body
    assert "https://tsbkart.example/enhet/unit-a" in body and "org-b" not in body
    with Session(world) as s:
        rows = s.execute(select(ReminderRow).order_by(ReminderRow.id)).scalars().all()
        events = (
            s.execute(select(AuditEventRow).where(AuditEventRow.action == "reminder_sent")).scalars().all()
        )
    assert [(r.kind, r.sent_on) for r in rows] == [("digest", DUE_SOON)] * 2
    assert "unit:unit-a" in rows[0].records + rows[1].records
    assert len(events) == 2 and verify(world).ok


def test_long_overdue_facts_escalate_to_the_reviewer_of_the_area(world: Engine) -> None:
    with smtp_server() as inbox:
        _run(world, inbox, DUE_SOON)
        report = _run(world, inbox, LONG_OVERDUE)
    assert sorted((d.username, d.kind) for d in report.sent) == [
        ("kari", "digest"),
        ("per", "digest"),
        ("rita", "escalation"),
    ]
    (rita,) = inbox.to("rita@nord.example")
    body = rita.get_content()
    assert "forfalte opplysninger i ditt område" in rita["Subject"]
    assert "Enhet unit-a" in body and "unit-b" not in body  # unit-b lies in catchment ous


def test_a_failing_smtp_server_records_nothing_and_the_next_run_retries(world: Engine) -> None:
    from tsbkart.registry.store import Registry

    with smtp_sender(Settings(smtp_host="127.0.0.1", smtp_port=1)) as send:
        report = send_reminders(
            world,
            Registry(world).snapshot(),
            today=DUE_SOON,
            now=NOW,
            send=send,
            gettext=catalogue("en").gettext,
            base_url="http://x",
            sender="a@b",
            policy=POLICY,
        )
    assert report.sent == () and len(report.failed) == 2
    with Session(world) as s:
        assert s.execute(select(ReminderRow)).first() is None
    with smtp_server() as inbox:
        assert len(_run(world, inbox, DUE_SOON).sent) == 2


def test_nothing_is_due_long_before_the_cycle_ends(world: Engine) -> None:
    from tsbkart.registry.store import Registry

    assert [(i.kind, i.field) for i in due_items(Registry(world).snapshot(), date(2026, 3, 1), POLICY)] == []


def test_a_digest_is_in_the_language_its_recipient_last_signed_in_with(world: Engine) -> None:
    from tsbkart.db.stewardship import UserRow
    from tsbkart.registry.store import Registry

    with Session(world) as s, s.begin():
        s.execute(select(UserRow).where(UserRow.username == "per")).scalar_one().language = "en"
    with smtp_server() as inbox, smtp_sender(Settings(smtp_host="127.0.0.1", smtp_port=inbox.port)) as send:
        send_reminders(
            world,
            Registry(world).snapshot(),
            today=DUE_SOON,
            now=datetime.combine(DUE_SOON, datetime.min.time(), UTC),
            send=send,
            gettext=catalogue("nb").gettext,
            gettext_for=lambda language: catalogue(language).gettext,
            base_url="https://tsbkart.example",
            sender="tsbkart@example.org",
            policy=POLICY,
        )
    (per,) = inbox.to("per@b.example")
    (kari,) = inbox.to("kari@a.example")
    assert per["Subject"].endswith("facts to verify") and per.get_content().startswith("Hello Per,")
    assert kari["Subject"] == "tsbkart: 5 opplysninger må bekreftes"
