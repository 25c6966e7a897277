"""Reminders: who has facts due or overdue for verification, one digest e-mail each, escalation to reviewers.

``tsbkart remind`` (cron; nothing runs inside the web process) calls ``send_reminders``:

1. ``due_items``: every fact (a record's provenance, or a field with its own cycle) whose verification is due
   within ``warn_before_days`` or overdue, by ``quality/freshness.yaml`` (``verification_points``, the same
   points ``tsbkart check`` judges).
2. Each enabled steward with an e-mail address gets ONE digest of the due facts of their organisations; each
   reviewer gets ONE escalation digest of facts in their area overdue by more than ``escalate_after_days``.
   Nobody gets a digest of a kind they were sent within ``repeat_after_days`` (so a second run the same day
   sends nothing).
3. Every e-mail sent is a ``reminders`` row (who, which day, which records) and a ``reminder_sent`` audit event.

The mail text is built from English message ids through a ``gettext`` the caller passes in (the CLI passes the
catalogues'), so this module never imports the web layer.

Shapes::

    DueItem(kind="offer", record_id="unn-rus/poliklinikk", name="Poliklinikk rus", field="waiting_weeks",
            verified=date(2026, 8, 1), due=date(2026, 11, 1), organisation_id="unn-hf",
            region_code="helse-nord", catchment_code="unn", page="/enhet/unn-rus")
    Digest(user_id=3, email="kari@hf.example", display_name="Kari", kind="digest", items=(DueItem, ...))
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import GrantRow, ReminderRow, UserRow
from tsbkart.quality.check import verification_points
from tsbkart.quality.freshness import FreshnessRules, due_date, load_freshness
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.settings import Settings
from tsbkart.stewardship.audit import AuditEvent, append
from tsbkart.stewardship.places import places_of
from tsbkart.stewardship.policy import Resource
from tsbkart.stewardship.roles import ActorRef

DigestKind = Literal["digest", "escalation"]
REMIND = ActorRef("system", "remind", "tsbkart remind")
Gettext = Callable[[str], str]


class ReminderPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    warn_before_days: int = Field(ge=0)
    repeat_after_days: int = Field(ge=1)
    escalate_after_days: int = Field(ge=1)
    notices_per_hour: int = Field(ge=1)  # error-report notices one recipient gets from the web in an hour
    notice_retry_days: int = Field(ge=1)  # tsbkart remind sends pending notices of reports this recent


@cache
def load_policy() -> ReminderPolicy:
    text = (resources.files("tsbkart.stewardship") / "reminders.yaml").read_text(encoding="utf-8")
    return ReminderPolicy.model_validate(yaml.safe_load(text))


@dataclass(frozen=True, slots=True)
class DueItem:
    kind: str
    record_id: str
    name: str
    field: str | None  # None: the record as a whole
    verified: date | None
    due: date | None  # None: never verified (due now)
    organisation_id: str | None
    region_code: str | None
    catchment_code: str | None
    page: str | None  # the public page showing the fact, if there is one

    def overdue_days(self, today: date) -> int:
        """Days past the due date (negative: due in that many days); never verified counts as due today."""
        return (today - self.due).days if self.due else 0

    @property
    def resource(self) -> Resource:
        return Resource(self.organisation_id, self.region_code, self.catchment_code)


def due_items(
    snapshot: RegistrySnapshot, today: date, policy: ReminderPolicy, freshness: FreshnessRules | None = None
) -> list[DueItem]:
    """Every fact due within ``policy.warn_before_days`` or overdue, most overdue first."""
    freshness = freshness or load_freshness()
    horizon = today + timedelta(days=policy.warn_before_days)
    items = []
    for kind in ("organisation", "unit", "offer", "team"):
        for record in snapshot.records(kind).values():
            for field, provenance in verification_points(kind, record, freshness):
                verified = provenance.verified
                due = due_date(verified, freshness.cycle(kind, field)) if verified else None
                if due is not None and due > horizon:
                    continue
                organisation, region, catchment, page = places_of(snapshot, kind, record)
                name = str(getattr(record, "name", None) or getattr(record, "service_type", record.id))
                items.append(
                    DueItem(
                        kind, record.id, name, field, verified, due, organisation, region, catchment, page
                    )
                )
    return sorted(items, key=lambda i: (i.due or date.min, i.kind, i.record_id, i.field or ""))


@dataclass(frozen=True)
class Digest:
    user_id: int
    username: str
    email: str
    display_name: str
    kind: DigestKind
    items: tuple[DueItem, ...]
    language: str | None = None  # the account's (last sign-in's or switch's); None: the run's language


def _recently_sent(session: Session, today: date, policy: ReminderPolicy) -> set[tuple[int, str]]:
    since = today - timedelta(days=policy.repeat_after_days - 1)
    rows = session.execute(select(ReminderRow.user_id, ReminderRow.kind).where(ReminderRow.sent_on >= since))
    return {(user_id, kind) for user_id, kind in rows}


def _covers(scopes: set[tuple[str, str]], item: DueItem) -> bool:
    return (("organisation", item.organisation_id or "") in scopes) or (
        ("region", item.region_code or "") in scopes or ("catchment", item.catchment_code or "") in scopes
    )


def plan(session: Session, items: Sequence[DueItem], today: date, policy: ReminderPolicy) -> list[Digest]:
    """The digests to send today: per steward their organisations' due facts, per reviewer the escalated ones."""
    users = {
        u.id: u
        for u in session.execute(
            select(UserRow).where(UserRow.disabled_at.is_(None), UserRow.email.is_not(None))
        ).scalars()
    }
    scopes: dict[tuple[int, str], set[tuple[str, str]]] = {}
    for grant in session.execute(
        select(GrantRow).where(GrantRow.role.in_(("steward", "reviewer")))
    ).scalars():
        if grant.user_id in users:
            scopes.setdefault((grant.user_id, grant.role), set()).add((grant.scope_kind, grant.scope_code))
    sent = _recently_sent(session, today, policy)
    escalated = [i for i in items if i.overdue_days(today) > policy.escalate_after_days]
    digests = []
    for (user_id, role), held in sorted(scopes.items()):
        kind: DigestKind = "digest" if role == "steward" else "escalation"
        if (user_id, kind) in sent:
            continue
        mine = tuple(i for i in (items if kind == "digest" else escalated) if _covers(held, i))
        if mine:
            user = users[user_id]
            digests.append(
                Digest(user.id, user.username, user.email or "", user.display_name, kind, mine, user.language)
            )
    return digests


def _line(item: DueItem, today: date, gettext: Gettext, base_url: str) -> str:
    what = gettext("the whole record") if item.field is None else item.field
    verified = item.verified.isoformat() if item.verified else gettext("never")
    late = item.overdue_days(today)
    status = (
        gettext("overdue by %(days)s days") % {"days": late}
        if late > 0
        else gettext("due %(date)s") % {"date": item.due.isoformat() if item.due else today.isoformat()}
    )
    line = f"- {item.name} ({gettext('kind:' + item.kind)}; {what}): {gettext('last verified')} {verified}, {status}"
    return line + (f"\n  {base_url}{item.page}" if item.page else "")


def compose(digest: Digest, today: date, gettext: Gettext, *, base_url: str, sender: str) -> EmailMessage:
    """The e-mail for ``digest``: plain text, one line per fact, a link to each public page."""
    base_url = base_url.rstrip("/")
    message = EmailMessage()
    count = len(digest.items)
    if digest.kind == "digest":
        subject = gettext("tsbkart: %(count)s facts to verify") % {"count": count}
        intro = gettext("These facts in tsbkart are due or overdue for verification:")
    else:
        subject = gettext("tsbkart: %(count)s overdue facts in your area") % {"count": count}
        intro = gettext(
            "These facts in your area have been overdue for verification for more than three weeks:"
        )
    lines = [gettext("Hello %(name)s,") % {"name": digest.display_name}, "", intro, ""]
    lines += [_line(item, today, gettext, base_url) for item in digest.items]
    lines += ["", gettext("Sign in to confirm or correct them:") + f" {base_url}/logg-inn", ""]
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = digest.email
    message.set_content("\n".join(lines))
    return message


def _open_smtp(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    if settings.smtp_starttls:
        smtp.starttls()
    if settings.smtp_username and settings.smtp_password:
        smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
    return smtp


@contextmanager
def smtp_sender(settings: Settings) -> Iterator[Callable[[EmailMessage], None]]:
    """A ``send(message)`` over SMTP from the settings (``TSBKART_SMTP_*``): one connection for the run,
    opened at the first message (a run with nothing to send never connects)."""
    connection: list[smtplib.SMTP] = []

    def send(message: EmailMessage) -> None:
        if not connection:
            connection.append(_open_smtp(settings))
        connection[0].send_message(message)

    try:
        yield send
    finally:
        for smtp in connection:
            smtp.quit()


@dataclass(frozen=True)
class RemindReport:
    sent: tuple[Digest, ...]
    failed: tuple[tuple[Digest, str], ...]
    due: int


def send_reminders(
    engine: Engine,
    snapshot: RegistrySnapshot,
    *,
    today: date,
    now: datetime,
    send: Callable[[EmailMessage], None],
    gettext: Gettext,
    base_url: str,
    sender: str,
    policy: ReminderPolicy | None = None,
    dry_run: bool = False,
    gettext_for: Callable[[str], Gettext] | None = None,
) -> RemindReport:
    """Plan and send today's digests; each sent one is recorded and audited in its own transaction, so a
    failure half-way loses nothing already sent and a re-run sends only what is left. A digest is written in
    its recipient's language (``gettext_for(digest.language)``), else with ``gettext``."""
    policy = policy or load_policy()
    items = due_items(snapshot, today, policy)
    with Session(engine) as session:
        digests = plan(session, items, today, policy)
    if dry_run:
        return RemindReport(tuple(digests), (), len(items))
    sent, failed = [], []
    for digest in digests:
        try:
            words = gettext_for(digest.language) if gettext_for and digest.language else gettext
            send(compose(digest, today, words, base_url=base_url, sender=sender))
        except (OSError, smtplib.SMTPException) as error:
            failed.append((digest, type(error).__name__))
            continue
        _record(engine, digest, today, now)
        sent.append(digest)
    return RemindReport(tuple(sent), tuple(failed), len(items))


def _record(engine: Engine, digest: Digest, today: date, now: datetime) -> None:
    ids = sorted({f"{i.kind}:{i.record_id}" for i in digest.items})
    with Session(engine) as session, session.begin():
        session.add(
            ReminderRow(user_id=digest.user_id, kind=digest.kind, sent_on=today, sent_at=now, records=ids)
        )
        detail = {"kind": digest.kind, "facts": len(digest.items), "records": len(ids)}
        event = AuditEvent(
            "reminder_sent", REMIND, target=f"user:{digest.username}", source="cli", detail=detail
        )
        append(session, event, now)
