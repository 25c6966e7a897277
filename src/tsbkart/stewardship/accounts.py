"""Accounts: create, list, disable, grant and revoke roles, and local sign-in with lockout/back-off.

Every change here writes an audit event in the same transaction. Functions take an open ``Session`` (the
caller owns the transaction) and ``now`` (so tests never sleep). Errors are ``AccountError`` with a ``Message``,
translated by the CLI and the web layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tsbkart.db.models import CatchmentRow, OrganisationRow, RegionRow
from tsbkart.db.stewardship import GrantRow, SessionRow, UserRow
from tsbkart.domain.messages import Message
from tsbkart.stewardship.audit import AuditEvent, append
from tsbkart.stewardship.passwords import check_new_password, hash_password, needs_rehash, verify_password
from tsbkart.stewardship.roles import ROLE_SCOPES, ActorRef, Grant, Principal, ScopeKind

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,199}$")


class AccountError(ValueError):
    """A request about an account that cannot be done: ``str(error)`` is the English text, ``error.text`` the
    ``Message`` the CLI and the pages translate through the catalogues."""

    def __init__(self, text: Message | str) -> None:
        self.text = text if isinstance(text, Message) else Message(text)
        super().__init__(str(self.text))


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class LockoutPolicy:
    """After ``threshold`` failures in a row the account is locked for ``first_seconds``, doubling per further
    failure up to ``max_seconds``. A successful sign-in resets the count."""

    threshold: int = 5
    first_seconds: int = 60
    max_seconds: int = 3600

    def lock_for(self, failures: int) -> timedelta | None:
        if failures < self.threshold:
            return None
        return timedelta(seconds=min(self.max_seconds, self.first_seconds * 2 ** (failures - self.threshold)))


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    email: str | None
    disabled: bool
    grants: tuple[Grant, ...]
    has_password: bool
    has_second_factor: bool
    oidc: bool
    last_sign_in_at: datetime | None


def find_user(session: Session, username: str) -> UserRow | None:
    return session.execute(
        select(UserRow).where(UserRow.username == username.strip().lower())
    ).scalar_one_or_none()


def _require(session: Session, username: str) -> UserRow:
    user = find_user(session, username)
    if user is None:
        raise AccountError(Message("No user is called {username}.", username=repr(username)))
    return user


def grants_of(session: Session, user_id: int) -> tuple[Grant, ...]:
    rows = session.execute(
        select(GrantRow).where(GrantRow.user_id == user_id).order_by(GrantRow.role, GrantRow.scope_code)
    ).scalars()
    return tuple(Grant(r.role, r.scope_kind, r.scope_code) for r in rows)  # type: ignore[arg-type]


def principal_for(session: Session, user: UserRow, session_id: int | None, method: str) -> Principal:
    grants = grants_of(session, user.id)
    return Principal(user.id, user.username, user.display_name, grants, session_id, method, user.language)


def create_user(
    session: Session,
    username: str,
    display_name: str,
    *,
    by: ActorRef,
    now: datetime,
    email: str | None = None,
    password: str | None = None,
    source: str | None = None,
) -> UserRow:
    """A new, enabled account (no roles yet). ``password`` None: the user signs in through OpenID Connect."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError(
            "A username has 3-200 characters: a-z, 0-9 and . _ @ -, starting with a letter or digit."
        )
    if not display_name.strip():
        raise AccountError("A display name is required.")
    if find_user(session, username) is not None:
        raise AccountError(Message("A user called {username} exists already.", username=repr(username)))
    if password is not None:
        check_new_password(password, username)
    user = UserRow(
        username=username,
        display_name=display_name.strip()[:200],
        email=(email or "").strip() or None,
        password_hash=hash_password(password) if password is not None else None,
        created_at=now,
        failed_sign_ins=0,
    )
    session.add(user)
    session.flush()
    append(session, AuditEvent("user_created", by, target=f"user:{username}", source=source), now)
    return user


def set_password(session: Session, username: str, password: str, *, by: ActorRef, now: datetime) -> None:
    user = _require(session, username)
    check_new_password(password, user.username)
    user.password_hash = hash_password(password)
    user.failed_sign_ins, user.locked_until = 0, None
    _revoke_sessions(session, user.id, now)
    append(session, AuditEvent("password_changed", by, target=f"user:{user.username}"), now)


def list_users(session: Session) -> list[UserInfo]:
    users = session.execute(select(UserRow).order_by(UserRow.username)).scalars().all()
    grants: dict[int, list[Grant]] = {}
    for row in session.execute(select(GrantRow).order_by(GrantRow.role, GrantRow.scope_code)).scalars():
        grants.setdefault(row.user_id, []).append(Grant(row.role, row.scope_kind, row.scope_code))  # type: ignore[arg-type]
    return [
        UserInfo(
            u.id,
            u.username,
            u.display_name,
            u.email,
            u.disabled_at is not None,
            tuple(grants.get(u.id, ())),
            u.password_hash is not None,
            u.totp_secret is not None,
            u.oidc_subject is not None,
            aware(u.last_sign_in_at),
        )
        for u in users
    ]


def _revoke_sessions(session: Session, user_id: int, now: datetime) -> int:
    result = session.execute(
        update(SessionRow)
        .where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def disable_user(
    session: Session, username: str, *, by: ActorRef, now: datetime, source: str | None = None
) -> int:
    """Disable the account and end its sessions at once; returns how many sessions were ended."""
    user = _require(session, username)
    user.disabled_at = user.disabled_at or now
    ended = _revoke_sessions(session, user.id, now)
    detail = {"sessions_ended": ended}
    append(
        session,
        AuditEvent("user_disabled", by, target=f"user:{user.username}", source=source, detail=detail),
        now,
    )
    return ended


def enable_user(session: Session, username: str, *, by: ActorRef, now: datetime) -> None:
    user = _require(session, username)
    user.disabled_at, user.failed_sign_ins, user.locked_until = None, 0, None
    append(session, AuditEvent("user_enabled", by, target=f"user:{user.username}"), now)


def parse_grant(role: str, scope_kind: str | None, scope_code: str | None) -> Grant:
    """A grant from CLI/form words; the scope must be one the role may hold."""
    if role not in ROLE_SCOPES:
        raise AccountError(
            Message("Unknown role {role}: administrator, reviewer or steward.", role=repr(role))
        )
    allowed = ROLE_SCOPES[role]
    kind = scope_kind or ("national" if allowed == ("national",) else None)
    if kind not in allowed:
        names = " or ".join(f"--{k}" for k in allowed if k != "national")
        raise AccountError(Message("A {role} is granted for a scope: give {names}.", role=role, names=names))
    code = (scope_code or "").strip()
    if kind != "national" and not code:
        raise AccountError(Message("Give the {kind} code.", kind=str(kind)))
    return Grant(role, kind, code if kind != "national" else "")


def _scope_exists(session: Session, kind: ScopeKind, code: str) -> bool:
    table = {"region": RegionRow.code, "catchment": CatchmentRow.code, "organisation": OrganisationRow.id}
    if kind == "national":
        return True
    column = table[kind]
    return session.execute(select(column).where(column == code)).first() is not None


def _no_such_scope(kind: ScopeKind, code: str) -> Message:
    # One literal per kind, so the whole sentence is translated (not an English word inside bokmål).
    if kind == "region":
        return Message("There is no region with the code {code}.", code=code)
    if kind == "catchment":
        return Message("There is no catchment area with the code {code}.", code=code)
    return Message("There is no organisation with the id {code}.", code=code)


def grant_role(session: Session, username: str, grant: Grant, *, by: ActorRef, now: datetime) -> None:
    user = _require(session, username)
    if not _scope_exists(session, grant.scope_kind, grant.scope_code):
        raise AccountError(_no_such_scope(grant.scope_kind, repr(grant.scope_code)))
    if grant in grants_of(session, user.id):
        raise AccountError(
            Message(
                "{username} already has this access ({code}).", username=user.username, code=grant.scope_code
            )
        )
    by_name = f"{by.kind}:{by.id or by.name}"
    session.add(
        GrantRow(
            user_id=user.id,
            role=grant.role,
            scope_kind=grant.scope_kind,
            scope_code=grant.scope_code,
            granted_at=now,
            granted_by=by_name[:200],
        )
    )
    detail = {"role": grant.role, "scope_kind": grant.scope_kind, "scope_code": grant.scope_code}
    append(session, AuditEvent("role_granted", by, target=f"user:{user.username}", detail=detail), now)


def revoke_role(session: Session, username: str, grant: Grant, *, by: ActorRef, now: datetime) -> None:
    user = _require(session, username)
    result = session.execute(
        delete(GrantRow).where(
            GrantRow.user_id == user.id,
            GrantRow.role == grant.role,
            GrantRow.scope_kind == grant.scope_kind,
            GrantRow.scope_code == grant.scope_code,
        )
    )
    if not getattr(result, "rowcount", 0):
        raise AccountError(Message("{username} does not hold {grant}.", username=user.username, grant=grant))
    detail = {"role": grant.role, "scope_kind": grant.scope_kind, "scope_code": grant.scope_code}
    append(session, AuditEvent("role_revoked", by, target=f"user:{user.username}", detail=detail), now)


SignInOutcome = Literal["ok", "wrong", "locked", "disabled"]


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: UserRow | None = None
    locked_until: datetime | None = None


def password_sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    policy: LockoutPolicy,
    now: datetime,
    source: str | None,
) -> SignInResult:
    """Check a username and password. Unknown names and wrong passwords look the same to the caller and cost
    the same (an argon2 check either way); each failure is audited and counts towards the lock."""
    user = find_user(session, username)
    # An unknown name is not logged: people type their password into the username field.
    target = f"user:{user.username}" if user else None
    locked_until = aware(user.locked_until) if user else None
    if user is not None and locked_until is not None and locked_until > now:
        verify_password(None, password)
        _failed(session, target, "locked", source, now)
        return SignInResult("locked", None, locked_until)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        if user is not None:
            user.failed_sign_ins += 1
            lock = policy.lock_for(user.failed_sign_ins)
            user.locked_until = now + lock if lock else None
        _failed(session, target, "wrong", source, now, failures=user.failed_sign_ins if user else None)
        return SignInResult("wrong")
    if user.disabled_at is not None:
        _failed(session, target, "disabled", source, now)
        return SignInResult("disabled")
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_sign_ins, user.locked_until = 0, None
    return SignInResult("ok", user)


def _failed(
    session: Session,
    target: str | None,
    reason: str,
    source: str | None,
    now: datetime,
    failures: int | None = None,
) -> None:
    detail: dict[str, str | int | None] = {"reason": reason, "method": "password"}
    if failures is not None:
        detail["failures"] = failures
    event = AuditEvent(
        "sign_in_failed", ActorRef("anonymous", None, "anonymous"), "failed", target, source, detail
    )
    append(session, event, now)
