"""The audit log: append-only events in a hash chain, its verification, export and the administrator's query.

Each event stores ``prev_hash`` (the previous event's hash) and ``hash`` = SHA-256 of its own canonical JSON
including ``prev_hash``. Ids are consecutive from 1 and ``audit_head`` holds the newest id and hash, updated in
the same transaction as each append. So ``verify`` notices an altered event (its hash no longer matches), a
deleted one (a gap in the ids, a broken link, or a head that points past the end) and an inserted one.
Someone who can rewrite the whole table and the head can forge a consistent chain: the head hash that
``verify`` prints should also be kept somewhere else (docs/stewardship.md).

Event shape (``AuditEventRow``): ``{"id": 12, "at": "2026-12-01T08:15:59.708565Z", "actor_kind": "user",
"actor_id": "3", "actor_name": "Kari Nordmann", "source": "127.0.0.1", "action": "sign_in",
"target": "user:kari", "outcome": "ok", "detail": {"method": "password"}, "prev_hash": "…", "hash": "…"}``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, Select, func, select, update
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import AuditEventRow, AuditHeadRow
from tsbkart.stewardship.roles import ActorRef

GENESIS_HASH = "0" * 64
HEAD_ID = 1
Outcome = Literal["ok", "failed", "refused"]
DetailValue = str | int | float | bool | None
# Keys that would put a secret into the log; an event carrying one is refused before it is written.
FORBIDDEN_DETAIL = frozenset({"password", "passwd", "token", "secret", "cookie", "totp", "otp", "assertion"})

# Every action the system records (the administrator's page filters on these).
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "session_revoked",
    "permission_refused",
    "user_created",
    "user_disabled",
    "user_enabled",
    "password_changed",
    "role_granted",
    "role_revoked",
    "second_factor_enrolled",
    "language_changed",  # stewardship.sessions: a signed-in user switched the pages' language (their e-mail's)
    "token_created",  # stewardship.tokens: an API token was made (its id, never the secret)
    "token_revoked",
    "token_used",  # a write through the API with a token (or a refused attempt with an expired/revoked one)
    "changeset_drafted",  # stewardship.changesets: a steward saved a new draft (never the records' values)
    "changeset_edited",  # a draft's changes replaced
    "changeset_rebased",  # a change set re-based on the current versions
    "changeset_submitted",  # a steward sent a change set to review
    "changeset_approved",
    "changeset_rejected",
    "changeset_withdrawn",
    "self_approval",  # an administrator approved their own change set (setting), or was refused
    "changes_published",  # changes that need no review, published directly (review.yaml)
    "report_filed",  # stewardship.reports: an error report from the public (never its text)
    "report_answered",
    "report_dismissed",
    "report_notice_sent",  # stewardship.notices: an e-mail about new error reports (references, never text)
    "report_notice_failed",  # the SMTP server refused it or was unreachable (the error's type only)
    "reminder_sent",
    "database_restored",  # tsbkart restore, after the restored database verified
    "import_committed",  # tsbkart import: files written as one revision (or read with nothing changed)
    "import_failed",  # tsbkart import refused every row: the files' names and the problem count, never content
)
IMPORT_OUTCOMES = {"import_committed": "ok", "import_failed": "failed"}


def import_counts(engine: Engine) -> dict[str, int]:
    """Imports recorded by every process (the CLI included), by outcome: ``{"ok": 3, "failed": 1}``."""
    query = (
        select(AuditEventRow.action, func.count())
        .where(AuditEventRow.action.in_(IMPORT_OUTCOMES))
        .group_by(AuditEventRow.action)
    )
    with engine.connect() as connection:
        found = {str(action): int(n) for action, n in connection.execute(query)}
    return {outcome: found.get(action, 0) for action, outcome in IMPORT_OUTCOMES.items()}


@dataclass(frozen=True, slots=True)
class AuditEvent:
    action: str
    actor: ActorRef
    outcome: Outcome = "ok"
    target: str | None = None
    source: str | None = None
    detail: Mapping[str, DetailValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        bad = [k for k in self.detail if FORBIDDEN_DETAIL & set(k.lower().replace("-", "_").split("_"))]
        if bad:
            raise ValueError(f"audit detail may not carry secrets: {', '.join(sorted(bad))}")
        if self.action not in ACTIONS:
            raise ValueError(f"unknown audit action {self.action!r}")


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(row: AuditEventRow) -> bytes:
    payload = [
        row.id,
        row.at,
        row.actor_kind,
        row.actor_id,
        row.actor_name,
        row.source,
        row.action,
        row.target,
        row.outcome,
        row.detail,
        row.prev_hash,
    ]
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(row: AuditEventRow) -> str:
    return hashlib.sha256(_canonical(row)).hexdigest()


def append(session: Session, event: AuditEvent, now: datetime | None = None) -> AuditEventRow:
    """Add ``event`` to the chain inside the caller's transaction (commits with it, or not at all)."""
    # Touch the head first: on SQLite that takes the write lock, on PostgreSQL a row lock, so two writers
    # can never both link to the same previous event.
    session.execute(
        update(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID).values(last_id=AuditHeadRow.last_id)
    )
    head = session.execute(select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID)).scalar_one()
    row = AuditEventRow(
        id=head.last_id + 1,
        at=timestamp(now or datetime.now(UTC)),
        actor_kind=event.actor.kind,
        actor_id=event.actor.id,
        actor_name=event.actor.name[:200],
        source=(event.source or None) and event.source[:64],
        action=event.action,
        target=event.target[:300] if event.target else None,
        outcome=event.outcome,
        detail=dict(event.detail),
        prev_hash=head.last_hash,
    )
    row.hash = event_hash(row)
    session.add(row)
    head.last_id, head.last_hash = row.id, row.hash
    session.flush()
    return row


def record(engine: Engine, event: AuditEvent, now: datetime | None = None) -> AuditEventRow:
    """Append ``event`` in its own transaction."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        return append(session, event, now)


@dataclass(frozen=True)
class Verification:
    events: int
    head_hash: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(engine: Engine, batch: int = 2_000) -> Verification:
    """Walk the whole chain in id order (streamed in batches) and report every break."""
    problems: list[str] = []
    previous_hash, expected_id, count = GENESIS_HASH, 1, 0
    with Session(engine) as session:
        for row in session.execute(
            select(AuditEventRow).order_by(AuditEventRow.id).execution_options(yield_per=batch)
        ).scalars():
            count += 1
            if row.id != expected_id:
                problems.append(f"events {expected_id}–{row.id - 1} are missing (deleted)")
            if row.prev_hash != previous_hash:
                problems.append(f"event {row.id} does not link to the event before it")
            if event_hash(row) != row.hash:
                problems.append(f"event {row.id} was altered (its hash does not match its content)")
            previous_hash, expected_id = row.hash, row.id + 1
        head = session.execute(select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID)).scalar_one_or_none()
    if head is None:
        problems.append("the chain head is missing")
    elif head.last_id != expected_id - 1 or head.last_hash != previous_hash:
        problems.append(
            f"the chain head names event {head.last_id}, the log ends at event {expected_id - 1}"
            " (events at the end were deleted or the head was changed)"
        )
    return Verification(count, previous_hash, tuple(problems))


def as_dict(row: AuditEventRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at,
        "actor": {"kind": row.actor_kind, "id": row.actor_id, "name": row.actor_name},
        "source": row.source,
        "action": row.action,
        "target": row.target,
        "outcome": row.outcome,
        "detail": row.detail,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


@dataclass(frozen=True)
class AuditFilter:
    """The administrator's filters: who (name or id, substring), what (action), outcome, a date range."""

    actor: str | None = None
    action: str | None = None
    outcome: str | None = None
    start: date | None = None
    end: date | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.actor:
            pattern = f"%{self.actor.lower()}%"
            query = query.where(
                func.lower(AuditEventRow.actor_name).like(pattern) | (AuditEventRow.actor_id == self.actor)
            )
        if self.action:
            query = query.where(AuditEventRow.action == self.action)
        if self.outcome:
            query = query.where(AuditEventRow.outcome == self.outcome)
        if self.start:
            query = query.where(AuditEventRow.at >= timestamp(datetime.combine(self.start, time(), UTC)))
        if self.end:
            after = datetime.combine(self.end + timedelta(days=1), time(), UTC)
            query = query.where(AuditEventRow.at < timestamp(after))
        return query


def export(
    engine: Engine, start: date | None, end: date | None, batch: int = 2_000
) -> Iterator[dict[str, Any]]:
    """Events from ``start`` to ``end`` (inclusive, UTC days) in chain order, as plain dicts."""
    query = AuditFilter(start=start, end=end).apply(select(AuditEventRow)).order_by(AuditEventRow.id)
    with Session(engine) as session:
        for row in session.execute(query.execution_options(yield_per=batch)).scalars():
            yield as_dict(row)


@dataclass(frozen=True)
class AuditPage:
    events: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def search(engine: Engine, filters: AuditFilter, page: int = 1, per_page: int = 50) -> AuditPage:
    """Newest first, ``per_page`` at a time."""
    with Session(engine) as session:
        total: int = session.execute(
            filters.apply(select(func.count()).select_from(AuditEventRow))
        ).scalar_one()
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        rows = session.execute(
            filters.apply(select(AuditEventRow))
            .order_by(AuditEventRow.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).scalars()
        return AuditPage([as_dict(r) for r in rows], total, page, pages)
