"""Notices of new error reports against a real SMTP server on 127.0.0.1: one e-mail per new report to the
stewards and reviewers it is routed to, never the reporter's text or address, recorded and audited; a failed
send is logged and audited and sent by the next run; at most ``notices_per_hour`` per recipient at once."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import AuditEventRow, ReminderRow
from tsbkart.domain.actors import Actor
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.stewardship import reports
from tsbkart.stewardship.accounts import disable_user
from tsbkart.stewardship.audit import verify
from tsbkart.stewardship.notices import NoticeReport, send_notices
from tsbkart.stewardship.reminders import ReminderPolicy, smtp_sender
from tsbkart.web.i18n import catalogue

from .helpers import CLI, NOW, add_user, two_organisations
from .smtp_server import smtp_server

POLICY = ReminderPolicy(
    warn_before_days=30, repeat_after_days=7, escalate_after_days=21, notices_per_hour=2, notice_retry_days=14
)
TEXT = "Telefonnummeret er feil; ring Ola Nordmann på 99 99 99 99."
CONTACT = "melder@example.org"


@pytest.fixture
def world(engine: Engine) -> Engine:
    two_organisations(engine)
    add_user(engine, "kari", "steward", "organisation", "org-a", email="kari@a.example")
    add_user(engine, "per", "steward", "organisation", "org-b", email="per@b.example")
    add_user(engine, "ola", "steward", "organisation", "org-a")  # no e-mail address: never written to
    add_user(engine, "gone", "steward", "organisation", "org-a", email="gone@a.example")
    add_user(engine, "rita", "reviewer", "catchment", "unn", email="rita@nord.example")
    add_user(engine, "ada", "administrator", email="ada@admin.example")  # sees all reports, gets no notice
    with Session(engine) as s, s.begin():
        disable_user(s, "gone", by=CLI, now=NOW)
    return engine


def _file(engine: Engine, contact: str | None = None, minutes: int = 0) -> str:
    snapshot = Registry(engine).snapshot()
    filed = reports.file_report(
        engine,
        snapshot,
        "unit",
        "unit-a",
        TEXT,
        contact,
        "nb",
        now=NOW + timedelta(minutes=minutes),
        source="t",
    )
    return filed.reference


def _send(
    engine: Engine,
    port: int,
    references: list[str] | None,
    *,
    minutes: int = 0,
    language: str = "nb",
) -> NoticeReport:
    with smtp_sender(Settings(smtp_host="127.0.0.1", smtp_port=port)) as send:
        return send_notices(
            engine,
            now=NOW + timedelta(minutes=minutes),
            send=send,
            gettext=catalogue(language).gettext,
            base_url="https://tsbkart.example/",
            sender="tsbkart@example.org",
            references=references,
            policy=POLICY,
        )


def _events(engine: Engine, action: str) -> list[AuditEventRow]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once the probe is closed


def test_one_notice_per_new_report_to_its_stewards_and_reviewers_without_the_reporters_words(
    world: Engine,
) -> None:
    reference = _file(world, contact=CONTACT)
    with smtp_server() as inbox:
        first = _send(world, inbox.port, [reference])
        again = _send(world, inbox.port, [reference])
    assert sorted(m["To"] for m in inbox.messages) == ["kari@a.example", "rita@nord.example"]
    assert len(first.sent) == 2 and again.sent == () and first.failed == ()
    (kari,) = inbox.to("kari@a.example")
    assert kari["Subject"] == f"tsbkart: ny feilmelding {reference}"
    assert kari["From"] == "tsbkart@example.org"
    body = kari.get_content()
    assert body.startswith("Hei Kari,")
    assert f"{reference}: " in body and "https://tsbkart.example/forvalt/meldinger" in body
    assert "innmelderen oppga en e-postadresse for svar" in body
    for message in inbox.messages:
        whole = message.as_string()
        assert "Telefonnummeret" not in whole and "99 99" not in whole and CONTACT not in whole
    sent = _events(world, "report_notice_sent")
    assert sorted(e.target for e in sent) == ["user:kari", "user:rita"]
    assert all(e.detail == {"reports": 1, "first": reference} for e in sent)
    with Session(world) as s:
        kinds = set(s.scalars(select(ReminderRow.kind)))
    assert kinds == {f"report:{reference}"}
    assert verify(world).ok


def test_a_report_without_a_contact_does_not_mention_one_and_english_is_english(world: Engine) -> None:
    reference = _file(world)
    with smtp_server() as inbox:
        _send(world, inbox.port, [reference], language="en")
    (rita,) = inbox.to("rita@nord.example")
    assert rita["Subject"] == f"tsbkart: new error report {reference}"
    body = rita.get_content()
    assert "Someone has reported an error" in body and "e-mail address" not in body


def test_a_failed_send_is_logged_and_audited_without_the_text_and_the_next_run_sends_it(
    world: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    reference = _file(world, contact=CONTACT)
    with caplog.at_level(logging.WARNING, logger="tsbkart.stewardship.notices"):
        failed = _send(world, _closed_port(), [reference])
    assert failed.sent == () and len(failed.failed) == 2
    assert reference in caplog.text and "Telefonnummeret" not in caplog.text and CONTACT not in caplog.text
    (event, _) = _events(world, "report_notice_failed")
    assert event.outcome == "failed" and event.detail["error"] == "ConnectionRefusedError"
    assert "Telefonnummeret" not in str(event.detail)
    with smtp_server() as inbox:
        retried = _send(world, inbox.port, None, minutes=60 * 24)  # tsbkart remind the next morning
    assert sorted(m["To"] for m in inbox.messages) == ["kari@a.example", "rita@nord.example"]
    assert len(retried.sent) == 2 and verify(world).ok


def test_at_most_notices_per_hour_at_once_the_rest_in_one_e_mail_from_remind(world: Engine) -> None:
    references = [_file(world, minutes=i) for i in range(3)]
    with smtp_server() as inbox:
        for i, reference in enumerate(references):
            report = _send(world, inbox.port, [reference], minutes=i)
        assert len(report.deferred) == 2 and report.sent == ()  # the third within the hour waits
        assert len(inbox.to("kari@a.example")) == 2
        later = _send(world, inbox.port, None, minutes=90)
    assert [len(n.reports) for n in later.sent] == [1, 1]
    last = inbox.to("kari@a.example")[-1]
    assert last["Subject"] == f"tsbkart: ny feilmelding {references[2]}"
    assert len(inbox.messages) == 6


def test_remind_sends_several_pending_reports_in_one_e_mail_per_recipient(world: Engine) -> None:
    references = [_file(world, minutes=i) for i in range(3)]
    with smtp_server() as inbox:
        report = _send(world, inbox.port, None, minutes=5)
        assert _send(world, inbox.port, None, minutes=10).sent == ()
    assert [len(n.reports) for n in report.sent] == [3, 3]
    (kari,) = inbox.to("kari@a.example")
    assert kari["Subject"] == "tsbkart: 3 nye feilmeldinger"
    assert all(reference in kari.get_content() for reference in references)


def test_answered_and_old_reports_get_no_notice(world: Engine) -> None:
    answered = _file(world)
    reports.answer_report(world, answered, Actor.cli("test"), "Rettet", now=NOW)
    _file(world)
    with smtp_server() as inbox:
        report = _send(world, inbox.port, None, minutes=60 * 24 * 15)  # beyond notice_retry_days
        assert report.sent == ()
        assert _send(world, inbox.port, [answered]).sent == ()
    assert inbox.messages == []


def test_nothing_to_send_never_connects(world: Engine) -> None:
    report = _send(world, _closed_port(), None)
    assert report == NoticeReport((), (), ())


def test_a_notice_another_process_recorded_meanwhile_does_not_fail_the_run(world: Engine) -> None:
    reference = _file(world)
    with smtp_server() as inbox, smtp_sender(Settings(smtp_host="127.0.0.1", smtp_port=inbox.port)) as real:
        others: list[NoticeReport] = []

        def racing(message: EmailMessage) -> None:
            if not others:
                others.append(_send(world, inbox.port, [reference]))  # the other process, in between
            real(message)

        report = send_notices(
            world,
            now=NOW,
            send=racing,
            gettext=catalogue("nb").gettext,
            base_url="https://tsbkart.example",
            sender="tsbkart@example.org",
            references=[reference],
            policy=POLICY,
        )
    assert len(others[0].sent) == 2 and len(report.sent) == 2 and report.failed == ()
    assert len(_events(world, "report_notice_sent")) == 2 and verify(world).ok


def test_each_recipient_gets_the_language_they_last_signed_in_with(world: Engine) -> None:
    from tsbkart.db.stewardship import UserRow

    with Session(world) as s, s.begin():
        s.execute(select(UserRow).where(UserRow.username == "rita")).scalar_one().language = "en"
    reference = _file(world)
    with smtp_server() as inbox, smtp_sender(Settings(smtp_host="127.0.0.1", smtp_port=inbox.port)) as send:
        send_notices(
            world,
            now=NOW,
            send=send,
            gettext=catalogue("nb").gettext,
            gettext_for=lambda language: catalogue(language).gettext,
            base_url="https://tsbkart.example",
            sender="tsbkart@example.org",
            references=[reference],
            policy=POLICY,
        )
    (rita,) = inbox.to("rita@nord.example")
    (kari,) = inbox.to("kari@a.example")  # never signed in: the default language
    assert rita["Subject"] == f"tsbkart: new error report {reference}"
    assert kari["Subject"] == f"tsbkart: ny feilmelding {reference}"
