from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import SessionRow, UserRow
from tsbkart.stewardship.accounts import disable_user, set_password
from tsbkart.stewardship.keys import token_hash
from tsbkart.stewardship.sessions import SessionPolicy, end_session, resolve, start_session

from .helpers import CLI, NOW, add_user

POLICY = SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


def _start(engine: Engine) -> str:
    with Session(engine) as s, s.begin():
        user = s.execute(select(UserRow)).scalar_one()
        return start_session(s, user, method="password", policy=POLICY, now=NOW, source="127.0.0.1")


def _resolve(engine: Engine, token: str, minutes: float) -> object:
    with Session(engine) as s, s.begin():
        return resolve(s, token, policy=POLICY, now=NOW + timedelta(minutes=minutes))


def test_the_token_is_stored_hashed_only(empty_engine: Engine) -> None:
    add_user(empty_engine, "kari", "administrator")
    token = _start(empty_engine)
    with Session(empty_engine) as s:
        row = s.execute(select(SessionRow)).scalar_one()
    assert row.token_hash == token_hash(token) and token not in row.token_hash


def test_idle_timeout_and_activity_keeps_it_alive(empty_engine: Engine) -> None:
    add_user(empty_engine, "kari")
    token = _start(empty_engine)
    for minutes in (20, 40, 60, 80):  # each visit within 30 minutes of the one before
        assert _resolve(empty_engine, token, minutes) is not None
    assert _resolve(empty_engine, token, 111) is None
    assert _resolve(empty_engine, token, 112) is None  # and it stays dead


def test_absolute_timeout_even_when_active(empty_engine: Engine) -> None:
    add_user(empty_engine, "kari")
    token = _start(empty_engine)
    for minutes in range(25, 12 * 60, 25):
        assert _resolve(empty_engine, token, minutes) is not None
    assert _resolve(empty_engine, token, 12 * 60 + 1) is None


def test_sign_out_disable_and_password_change_end_sessions(empty_engine: Engine) -> None:
    add_user(empty_engine, "kari", "administrator")
    first, second, third = _start(empty_engine), _start(empty_engine), _start(empty_engine)
    resolved = _resolve(empty_engine, first, 1)
    assert resolved is not None and resolved.principal is not None  # type: ignore[attr-defined]
    assert resolved.principal.actor.as_dict() == {"kind": "user", "id": "1", "name": "Kari"}  # type: ignore[attr-defined]
    with Session(empty_engine) as s, s.begin():
        end_session(s, resolved.session_id, now=NOW, source=None)  # type: ignore[attr-defined]
    assert _resolve(empty_engine, first, 2) is None and _resolve(empty_engine, second, 2) is not None
    with Session(empty_engine) as s, s.begin():
        set_password(s, "kari", "et helt nytt og langt passord", by=CLI, now=NOW)
    assert _resolve(empty_engine, second, 3) is None and _resolve(empty_engine, third, 3) is None
    fourth = _start(empty_engine)
    with Session(empty_engine) as s, s.begin():
        assert disable_user(s, "kari", by=CLI, now=NOW) == 1
    assert _resolve(empty_engine, fourth, 4) is None


def test_a_language_switch_is_kept_on_the_account_once_and_audited(empty_engine: Engine) -> None:
    from tsbkart.db.stewardship import AuditEventRow

    add_user(empty_engine, "kari")
    with Session(empty_engine) as s, s.begin():
        user = s.execute(select(UserRow)).scalar_one()
        token = start_session(s, user, method="password", policy=POLICY, now=NOW, source="t", language="nb")

    def switch(language: str) -> tuple[str | None, list[dict[str, object]]]:
        with Session(empty_engine) as s, s.begin():
            resolved = resolve(s, token, policy=POLICY, now=NOW, language=language, source="10.0.0.1")
            assert resolved is not None and resolved.principal is not None
            assert resolved.principal.language == language  # the request already sees the new language
        with Session(empty_engine) as s:
            events = s.scalars(select(AuditEventRow).where(AuditEventRow.action == "language_changed"))
            return s.execute(select(UserRow.language)).scalar_one(), [dict(e.detail) for e in events]

    assert switch("en") == ("en", [{"from": "nb", "to": "en"}])
    assert switch("en") == ("en", [{"from": "nb", "to": "en"}])  # unchanged: nothing written
    with Session(empty_engine) as s:
        (event,) = s.scalars(select(AuditEventRow).where(AuditEventRow.action == "language_changed"))
        assert (event.actor_id, event.target, event.source) == ("1", "user:kari", "10.0.0.1")


def test_a_session_waiting_for_its_second_factor_keeps_the_account_language(empty_engine: Engine) -> None:
    add_user(empty_engine, "rita")
    with Session(empty_engine) as s, s.begin():
        user = s.execute(select(UserRow)).scalar_one()
        token = start_session(
            s, user, method="password", policy=POLICY, now=NOW, source="t", second_factor=True, language="nb"
        )
    with Session(empty_engine) as s, s.begin():
        resolved = resolve(s, token, policy=POLICY, now=NOW, language="en")
        assert resolved is not None and resolved.principal is None
    with Session(empty_engine) as s:
        assert s.execute(select(UserRow.language)).scalar_one() == "nb"
