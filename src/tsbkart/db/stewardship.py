"""Tables of the stewardship capability: accounts, role grants, sessions, the audit chain, reminders sent.

Queries live in ``tsbkart.stewardship``. Secrets are never stored as given: passwords as argon2id hashes,
session and API tokens as SHA-256, TOTP secrets encrypted (a TOTP check needs the secret itself).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tsbkart.db.models import Base


class UserRow(Base):
    """A person who can sign in. ``username`` is lower-case; OIDC users are matched on (issuer, subject)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="oidc_identity"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(Text)  # Fernet token
    # The last TOTP time step accepted: a code is good once (RFC 6238 section 5.2), never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    language: Mapped[str | None] = mapped_column(String(8))  # the last sign-in's or switch's (e-mail)


class GrantRow(Base):
    """One role held by a user over one scope: national, a region, a catchment area or an organisation."""

    __tablename__ = "grants"
    __table_args__ = (
        CheckConstraint("role IN ('administrator', 'reviewer', 'steward')", name="role"),
        CheckConstraint("scope_kind IN ('national', 'region', 'catchment', 'organisation')", name="scope"),
        UniqueConstraint("user_id", "role", "scope_kind", "scope_code", name="one_grant"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    scope_kind: Mapped[str] = mapped_column(String(20))
    scope_code: Mapped[str] = mapped_column(String(120))  # "" for national
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    granted_by: Mapped[str] = mapped_column(String(200))


class SessionRow(Base):
    """A signed-in browser. ``stage`` is ``second_factor`` until a TOTP code is given, then ``active``."""

    __tablename__ = "user_sessions"
    __table_args__ = (CheckConstraint("stage IN ('second_factor', 'active')", name="stage"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))  # password, oidc
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str | None] = mapped_column(String(64))


class AuditEventRow(Base):
    """One audit event; ``hash`` covers every other column and ``prev_hash``, so events form a chain."""

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint("outcome IN ('ok', 'failed', 'refused')", name="outcome"),
        Index("ix_audit_events_action_at", "action", "at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32), index=True)  # ISO 8601 UTC, hashed as stored
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(200))
    actor_name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(300))
    outcome: Mapped[str] = mapped_column(String(10))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The newest event's id and hash, updated with every append, so a deleted last event is noticed."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class ReminderRow(Base):
    """One reminder e-mail sent: to whom, on which day, about which records (ids), escalation or not."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("user_id", "sent_on", "kind", name="one_per_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # digest, escalation
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    records: Mapped[list[Any]] = mapped_column(JSON, default=list)
    delivered: Mapped[bool] = mapped_column(Boolean, default=True)


class ErrorReportRow(Base):
    """An error report from the public about one record ("Meld feil"), routed by where the record lies.

    ``reference`` is the random, unguessable number the reporter keeps; ``contact`` only when they gave one.
    ``organisation_id``, ``region_code`` and ``catchment_code`` are where the record lay when it was filed (the
    stewards of that organisation and the reviewers of that area see it)."""

    __tablename__ = "error_reports"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'answered', 'dismissed')", name="status"),
        Index("ix_error_reports_status_filed", "status", "filed_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    record_kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(200))
    record_name: Mapped[str] = mapped_column(String(300))
    organisation_id: Mapped[str | None] = mapped_column(String(200), index=True)
    region_code: Mapped[str | None] = mapped_column(String(120))
    catchment_code: Mapped[str | None] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20))
    answer: Mapped[str | None] = mapped_column(Text)  # the public answer, or the reason for dismissing
    change_set_id: Mapped[int | None] = mapped_column(Integer)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by_kind: Mapped[str | None] = mapped_column(String(20))
    handled_by_id: Mapped[str | None] = mapped_column(String(200))
    handled_by_name: Mapped[str | None] = mapped_column(String(200))


class ApiTokenRow(Base):
    """An API token of one organisation: only the SHA-256 of its secret is kept; the secret is shown once.

    ``scopes`` are names of ``stewardship/tokens.yaml``; ``kinds`` and ``fields`` (None: any) narrow them."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    kinds: Mapped[list[Any] | None] = mapped_column(JSON)
    fields: Mapped[list[Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ChangeSetRow(Base):
    """A steward's proposed changes to one organisation's records, and what became of them.

    ``changes`` holds ``[{"op": "upsert", "kind": "unit", "record": {...flat json...}, "based_on": 12}, ...]``
    (``{"op": "delete", "kind": ..., "id": ..., "based_on": ...}`` for a delete); ``rebased`` the fields
    someone else changed meanwhile, as the last rebase found them. Queries are ``stewardship.changesets``'s.
    """

    __tablename__ = "change_sets"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'rejected', 'withdrawn')", name="status"
        ),
        Index("ix_change_sets_status_organisation", "status", "organisation_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(String(120), index=True)
    author_kind: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_kind: Mapped[str | None] = mapped_column(String(20))
    decided_by_id: Mapped[str | None] = mapped_column(String(200))
    decided_by_name: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    rebased: Mapped[list[Any]] = mapped_column(JSON, default=list)
