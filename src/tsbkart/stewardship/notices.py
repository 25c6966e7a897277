"""E-mail notices of new error reports to the stewards and reviewers a report is routed to.

The web process sends the notice of a new report after the report is committed and the reporter has been
answered (a background task: sending never blocks or fails the public POST); ``tsbkart remind`` sends what is
still pending (a failed send, or one over the rate bound), one e-mail per recipient listing every pending
report. The recipients are the report's routing (``reports.reports_for``): the enabled stewards of its
organisation and the reviewers of its region or catchment area who have an e-mail address (administrators
see every report at ``/forvalt/meldinger`` and get no notice).

A notice names the report's reference, the record and a link to ``/forvalt/meldinger``; never the reporter's
text or address (the steward reads both after signing in; the notice says whether an address was given for an
answer), in the recipient's language (``users.language``: that of their last sign-in or, later, of their last
switch of the page language while signed in; the default language before any).
Each e-mail sent is one ``reminders`` row per report (``kind`` = ``report:<reference>``: once recorded, a
recipient is never sent that report's notice again) and a ``report_notice_sent`` audit event; a failure is logged
and audited (``report_notice_failed``, the error's type only) and nothing is recorded, so the next
``tsbkart remind`` sends it. Rate bound (``reminders.yaml``): a recipient gets at most ``notices_per_hour``
notices from the web process in an hour; the rest wait for ``tsbkart remind``, which looks back
``notice_retry_days``.

Shapes::

    report = send_notices(engine, now=now, send=send, gettext=gettext, base_url="https://tsbkart.example",
                          sender="tsbkart@example.org", gettext_for=lambda lang: catalogue(lang).gettext,
                          references=["7KQ2M9XD4T"])   # None: every pending one (tsbkart remind)
    report.sent      # (Notice(user_id=3, username="kari", email="kari@hf.example", display_name="Kari",
                     #         reports=(PendingReport(reference="7KQ2M9XD4T", record_name="...", ...),),
                     #         language="nb"),)
    report.failed    # ((Notice, "ConnectionRefusedError"),)   report.deferred  # notices over the rate bound
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import ErrorReportRow, GrantRow, ReminderRow, UserRow
from tsbkart.stewardship.audit import AuditEvent, DetailValue, append, record
from tsbkart.stewardship.reminders import Gettext, ReminderPolicy, load_policy
from tsbkart.stewardship.roles import ActorRef

log = logging.getLogger(__name__)
KIND_PREFIX = "report:"
REPORTS_PAGE = "/forvalt/meldinger"
NOTICES = ActorRef("system", "notices", "tsbkart report notices")


@dataclass(frozen=True, slots=True)
class PendingReport:
    reference: str
    record_kind: str
    record_name: str
    contact_given: bool
    organisation_id: str | None
    region_code: str | None
    catchment_code: str | None

    def routed_to(self, scopes: set[tuple[str, str, str]]) -> bool:
        """Does a recipient holding these (role, scope kind, code) grants get this report (the routing)?"""
        return (
            ("steward", "organisation", self.organisation_id or "") in scopes
            or ("reviewer", "region", self.region_code or "") in scopes
            or ("reviewer", "catchment", self.catchment_code or "") in scopes
        )


@dataclass(frozen=True)
class Notice:
    user_id: int
    username: str
    email: str
    display_name: str
    reports: tuple[PendingReport, ...]
    language: str | None = None  # the account's language (last sign-in's or switch's); None: the default


@dataclass(frozen=True)
class NoticeReport:
    sent: tuple[Notice, ...]
    failed: tuple[tuple[Notice, str], ...]
    deferred: tuple[Notice, ...]  # over the rate bound: left for tsbkart remind


def _pending_reports(
    session: Session, now: datetime, policy: ReminderPolicy, references: Iterable[str] | None
) -> list[PendingReport]:
    query = select(ErrorReportRow).where(ErrorReportRow.status == "open")
    if references is not None:
        query = query.where(ErrorReportRow.reference.in_(list(references)))
    else:
        query = query.where(ErrorReportRow.filed_at >= now - timedelta(days=policy.notice_retry_days))
    return [
        PendingReport(
            row.reference,
            row.record_kind,
            row.record_name,
            row.contact is not None,
            row.organisation_id,
            row.region_code,
            row.catchment_code,
        )
        for row in session.execute(query.order_by(ErrorReportRow.filed_at, ErrorReportRow.id)).scalars()
    ]


def plan_notices(
    session: Session,
    now: datetime,
    policy: ReminderPolicy,
    references: Iterable[str] | None = None,
) -> list[Notice]:
    """Per recipient, the open reports routed to them that they have not been sent a notice of."""
    reports = _pending_reports(session, now, policy, references)
    if not reports:
        return []
    users = {
        u.id: u
        for u in session.execute(
            select(UserRow).where(UserRow.disabled_at.is_(None), UserRow.email.is_not(None))
        ).scalars()
    }
    scopes: dict[int, set[tuple[str, str, str]]] = {}
    for grant in session.execute(
        select(GrantRow).where(GrantRow.role.in_(("steward", "reviewer")))
    ).scalars():
        if grant.user_id in users:
            scopes.setdefault(grant.user_id, set()).add((grant.role, grant.scope_kind, grant.scope_code))
    kinds = [KIND_PREFIX + r.reference for r in reports]
    query = select(ReminderRow.user_id, ReminderRow.kind).where(ReminderRow.kind.in_(kinds))
    done = {(int(user_id), str(kind)) for user_id, kind in session.execute(query)}
    notices = []
    for user_id, held in sorted(scopes.items()):
        mine = tuple(
            r for r in reports if (user_id, KIND_PREFIX + r.reference) not in done and r.routed_to(held)
        )
        if mine:
            user = users[user_id]
            notices.append(
                Notice(user.id, user.username, user.email or "", user.display_name, mine, user.language)
            )
    return notices


def _sent_within_hour(session: Session, now: datetime) -> dict[int, int]:
    """Report notices each recipient was sent in the last hour."""
    rows = session.execute(
        select(ReminderRow.user_id, ReminderRow.kind).where(ReminderRow.sent_at > now - timedelta(hours=1))
    )
    counts: dict[int, int] = {}
    for user_id, kind in rows:
        if kind.startswith(KIND_PREFIX):
            counts[user_id] = counts.get(user_id, 0) + 1
    return counts


def compose_notice(notice: Notice, gettext: Gettext, *, base_url: str, sender: str) -> EmailMessage:
    """Plain text: the references, the records, whether an answer address was given, and the link."""
    base_url = base_url.rstrip("/")
    count = len(notice.reports)
    if count == 1:
        subject = gettext("tsbkart: new error report %(reference)s") % {
            "reference": notice.reports[0].reference
        }
    else:
        subject = gettext("tsbkart: %(count)s new error reports") % {"count": count}
    lines = [
        gettext("Hello %(name)s,") % {"name": notice.display_name},
        "",
        gettext("Someone has reported an error in records you keep or review in tsbkart:"),
        "",
    ]
    for report in notice.reports:
        line = f"- {report.reference}: {report.record_name} ({gettext('kind:' + report.record_kind)})"
        if report.contact_given:
            line += "; " + gettext("the reporter gave an e-mail address for an answer")
        lines.append(line)
    lines += [
        "",
        gettext("Sign in to read and answer the reports:") + f" {base_url}{REPORTS_PAGE}",
        "",
    ]
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = notice.email
    message.set_content("\n".join(lines))
    return message


def _record_sent(engine: Engine, notice: Notice, now: datetime, source: str) -> None:
    with Session(engine) as session, session.begin():
        for report in notice.reports:
            session.add(
                ReminderRow(
                    user_id=notice.user_id,
                    kind=KIND_PREFIX + report.reference,
                    sent_on=now.date(),
                    sent_at=now,
                    records=[KIND_PREFIX + report.reference],
                )
            )
        detail: dict[str, DetailValue] = {
            "reports": len(notice.reports),
            "first": notice.reports[0].reference,
        }
        event = AuditEvent(
            "report_notice_sent", NOTICES, target=f"user:{notice.username}", source=source, detail=detail
        )
        append(session, event, now)


def _record_failed(engine: Engine, notice: Notice, error: str, now: datetime, source: str) -> None:
    detail: dict[str, DetailValue] = {
        "reports": len(notice.reports),
        "first": notice.reports[0].reference,
        "error": error,
    }
    event = AuditEvent(
        "report_notice_failed",
        NOTICES,
        "failed",
        target=f"user:{notice.username}",
        source=source,
        detail=detail,
    )
    record(engine, event, now)


def send_notices(
    engine: Engine,
    *,
    now: datetime,
    send: Callable[[EmailMessage], None],
    gettext: Gettext,
    base_url: str,
    sender: str,
    gettext_for: Callable[[str], Gettext] | None = None,
    references: Sequence[str] | None = None,
    policy: ReminderPolicy | None = None,
    source: str = "cli",
    dry_run: bool = False,
) -> NoticeReport:
    """Send the pending notices (of ``references``, rate-bounded: the web process; of every open report of the
    last ``notice_retry_days``, unbounded: ``tsbkart remind``); each sent e-mail is recorded and audited in its
    own transaction. Each is written in its recipient's language (``gettext_for(notice.language)``), or with
    ``gettext`` (the default language) for an account that has not signed in yet. Never raises for a failed send: it is logged (the reference and error type, no text) and
    audited, and the next ``tsbkart remind`` sends it."""
    policy = policy or load_policy()
    with Session(engine) as session:
        notices = plan_notices(session, now, policy, references)
        recent = _sent_within_hour(session, now) if references is not None else {}
    if dry_run:
        return NoticeReport(tuple(notices), (), ())
    bounded = references is not None
    sent, failed, deferred = [], [], []
    for notice in notices:
        if bounded and recent.get(notice.user_id, 0) + len(notice.reports) > policy.notices_per_hour:
            deferred.append(notice)
            continue
        try:
            words = gettext_for(notice.language) if gettext_for and notice.language else gettext
            send(compose_notice(notice, words, base_url=base_url, sender=sender))
        except (OSError, smtplib.SMTPException) as error:
            name = type(error).__name__
            log.warning(
                "error report notice to user %s about %s not sent (%s); tsbkart remind tries again",
                notice.username,
                ", ".join(r.reference for r in notice.reports),
                name,
            )
            _record_failed(engine, notice, name, now, source)
            failed.append((notice, name))
            continue
        try:
            _record_sent(engine, notice, now, source)
        except IntegrityError:
            # Another process (the web and tsbkart remind at once) sent and recorded it first: the recipient
            # got it twice, and the chain and the rows stay as that process wrote them.
            log.info("error report notice to user %s was recorded by another process", notice.username)
        sent.append(notice)
    return NoticeReport(tuple(sent), tuple(failed), tuple(deferred))
