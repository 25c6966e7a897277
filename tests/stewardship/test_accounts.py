from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import AuditEventRow, UserRow
from tsbkart.stewardship.accounts import (
    AccountError,
    LockoutPolicy,
    disable_user,
    grant_role,
    list_users,
    parse_grant,
    password_sign_in,
    revoke_role,
)
from tsbkart.stewardship.audit import verify
from tsbkart.stewardship.passwords import PasswordRejected
from tsbkart.stewardship.roles import Grant

from .helpers import CLI, NOW, PASSWORD, add_user, two_organisations

POLICY = LockoutPolicy(threshold=3, first_seconds=60, max_seconds=600)


def _actions(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return list(s.execute(select(AuditEventRow.action).order_by(AuditEventRow.id)).scalars())


def test_create_grant_revoke_are_audited_and_listed(engine: Engine) -> None:
    two_organisations(engine)
    add_user(engine, "kari", "steward", "organisation", "org-a")
    with Session(engine) as s, s.begin():
        grant_role(s, "kari", parse_grant("steward", "organisation", "org-b"), by=CLI, now=NOW)
        revoke_role(s, "kari", Grant("steward", "organisation", "org-a"), by=CLI, now=NOW)
    with Session(engine) as s:
        (kari,) = list_users(s)
    assert kari.grants == (Grant("steward", "organisation", "org-b"),)
    assert _actions(engine) == ["user_created", "role_granted", "role_granted", "role_revoked"]
    assert verify(engine).ok


@pytest.mark.parametrize(
    ("role", "kind", "code", "message"),
    [
        ("steward", None, None, "--organisation"),
        ("reviewer", "organisation", "org-a", "--region or --catchment"),
        ("owner", None, None, "Unknown role"),
        ("steward", "organisation", "no-such-org", "no organisation"),
        ("reviewer", "region", "helse-atlantis", "no region"),
    ],
)
def test_a_grant_needs_a_real_scope_that_fits_the_role(
    engine: Engine, role: str, kind: str | None, code: str | None, message: str
) -> None:
    two_organisations(engine)
    add_user(engine, "ola")
    with pytest.raises(AccountError, match=message), Session(engine) as s, s.begin():
        grant_role(s, "ola", parse_grant(role, kind, code), by=CLI, now=NOW)


def test_usernames_are_unique_and_weak_passwords_refused(empty_engine: Engine) -> None:
    add_user(empty_engine, "kari")
    with pytest.raises(AccountError, match="exists"):
        add_user(empty_engine, "KARI")
    with pytest.raises(PasswordRejected):
        add_user(empty_engine, "per", password="password")
    with pytest.raises(AccountError, match="username"):
        add_user(empty_engine, "no spaces allowed")


def _sign_in(engine: Engine, password: str, minutes: float = 0) -> str:
    with Session(engine) as s, s.begin():
        return password_sign_in(
            s, "kari", password, policy=POLICY, now=NOW + timedelta(minutes=minutes), source="127.0.0.1"
        ).outcome


def test_lockout_after_repeated_failures_then_back_off_doubles(empty_engine: Engine) -> None:
    add_user(empty_engine, "kari")
    assert [_sign_in(empty_engine, "wrong guess number") for _ in range(3)] == ["wrong"] * 3
    # Locked for 60 s: even the right password is refused.
    assert _sign_in(empty_engine, PASSWORD, minutes=0.5) == "locked"
    # After the lock, one more failure locks for 120 s.
    assert _sign_in(empty_engine, "wrong guess again", minutes=1.1) == "wrong"
    assert _sign_in(empty_engine, PASSWORD, minutes=2.5) == "locked"
    assert _sign_in(empty_engine, PASSWORD, minutes=3.2) == "ok"
    with Session(empty_engine) as s:
        user = s.execute(select(UserRow)).scalar_one()
    assert user.failed_sign_ins == 0 and user.locked_until is None
    assert _actions(empty_engine).count("sign_in_failed") == 6


def test_unknown_usernames_are_not_written_to_the_log(empty_engine: Engine) -> None:
    with Session(empty_engine) as s, s.begin():
        result = password_sign_in(s, "my secret password", "x", policy=POLICY, now=NOW, source="127.0.0.1")
    assert result.outcome == "wrong"
    with Session(empty_engine) as s:
        event = s.execute(select(AuditEventRow)).scalar_one()
    assert event.target is None and "secret" not in str(event.detail)


def test_a_disabled_account_cannot_sign_in(empty_engine: Engine) -> None:
    add_user(empty_engine, "kari")
    with Session(empty_engine) as s, s.begin():
        disable_user(s, "kari", by=CLI, now=NOW)
    assert _sign_in(empty_engine, PASSWORD) == "disabled"
