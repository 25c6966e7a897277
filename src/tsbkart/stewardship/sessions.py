"""Server-side sessions: a random token in the browser's cookie, its SHA-256 in ``user_sessions``.

A session ends when it has been idle for ``idle``, ``absolute`` after sign-in, on sign-out, when the account is
disabled, and when the password changes. A session in stage ``second_factor`` proves only the password; it
becomes ``active`` (with a new token) once a TOTP code is given.

The account's language (``users.language``: e-mail to it is written in it) is set at sign-in and follows the
page's language switch while signed in (``resolve(..., language=)``, audited as ``language_changed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import SessionRow, UserRow
from tsbkart.stewardship.accounts import aware, principal_for
from tsbkart.stewardship.audit import AuditEvent, append
from tsbkart.stewardship.keys import new_token, token_hash
from tsbkart.stewardship.roles import ActorRef, Principal

# last_seen_at is written at most this often, so a signed-in user's page views are not each a write.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)


@dataclass(frozen=True)
class Resolved:
    """What a cookie's token stands for: an active principal, or a session waiting for its second factor."""

    session_id: int
    user_id: int
    stage: str
    principal: Principal | None


def start_session(
    session: Session,
    user: UserRow,
    *,
    method: str,
    policy: SessionPolicy,
    now: datetime,
    source: str | None,
    second_factor: bool = False,
    language: str | None = None,
) -> str:
    """A new session for ``user``; returns the token for the cookie (never stored as is). ``language``, the
    UI language the user signs in with, is kept on the account: e-mail to it is written in it."""
    token = new_token()
    row = SessionRow(
        token_hash=token_hash(token),
        user_id=user.id,
        stage="second_factor" if second_factor else "active",
        method=method,
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.absolute,
        source=source,
    )
    session.add(row)
    session.flush()
    if language is not None:
        user.language = language
    if not second_factor:
        _signed_in(session, user, row, now, source)
    return token


def _signed_in(session: Session, user: UserRow, row: SessionRow, now: datetime, source: str | None) -> None:
    user.last_sign_in_at = now
    actor = ActorRef("user", str(user.id), user.display_name)
    detail: dict[str, str | int | None] = {"method": row.method, "session": row.id}
    append(
        session,
        AuditEvent("sign_in", actor, target=f"user:{user.username}", source=source, detail=detail),
        now,
    )


def resolve(
    session: Session,
    token: str,
    *,
    policy: SessionPolicy,
    now: datetime,
    language: str | None = None,
    source: str | None = None,
) -> Resolved | None:
    """The live session behind ``token``, or None (unknown, revoked, expired, idle too long, user disabled).

    An expired session is marked revoked so it can never come back. ``language``: a language the user has just
    switched the pages to; an active session's account takes it (:func:`set_language`). The account row is read
    here anyway, so an unchanged language costs neither a query nor a write."""
    found = session.execute(
        select(SessionRow, UserRow)
        .join(UserRow, UserRow.id == SessionRow.user_id)
        .where(SessionRow.token_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None:
        return None
    last_seen, expires = aware(row.last_seen_at), aware(row.expires_at)
    assert last_seen is not None and expires is not None
    if user.disabled_at is not None or expires <= now or last_seen + policy.idle <= now:
        row.revoked_at = now
        return None
    if now - last_seen >= TOUCH_EVERY:
        row.last_seen_at = now
    if row.stage == "active" and language is not None and language != user.language:
        set_language(session, user, language, now=now, source=source)
    principal = principal_for(session, user, row.id, row.method) if row.stage == "active" else None
    return Resolved(row.id, user.id, row.stage, principal)


def set_language(
    session: Session, user: UserRow, language: str, *, now: datetime, source: str | None
) -> None:
    """The user chose ``language`` for the pages while signed in: their account keeps it, so their next notice or
    reminder is written in it. Audited as the user's own change (the old and the new language)."""
    before, user.language = user.language, language
    actor = ActorRef("user", str(user.id), user.display_name)
    detail: dict[str, str | int | None] = {"from": before, "to": language}
    append(
        session,
        AuditEvent("language_changed", actor, target=f"user:{user.username}", source=source, detail=detail),
        now,
    )


def complete_second_factor(
    session: Session, session_id: int, *, policy: SessionPolicy, now: datetime, source: str | None
) -> str:
    """Promote a ``second_factor`` session: the old token dies, a new active one is returned."""
    row = session.get(SessionRow, session_id)
    assert row is not None and row.stage == "second_factor" and row.revoked_at is None
    row.revoked_at = now
    user = session.get(UserRow, row.user_id)
    assert user is not None
    return start_session(session, user, method=row.method, policy=policy, now=now, source=source)


def end_session(session: Session, session_id: int, *, now: datetime, source: str | None) -> None:
    """Sign-out: the session is revoked server-side, so the cookie is worthless even if kept."""
    row = session.get(SessionRow, session_id)
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = now
    user = session.get(UserRow, row.user_id)
    assert user is not None
    actor = ActorRef("user", str(user.id), user.display_name)
    append(session, AuditEvent("sign_out", actor, target=f"user:{user.username}", source=source), now)
