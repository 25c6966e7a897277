"""API tokens (core): hashed storage, scopes from tokens.yaml, kinds and fields, expiry, revocation, audit,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.stewardship.helpers import CLI, NOW, two_organisations
from tsbkart.db.stewardship import ApiTokenRow, AuditEventRow
from tsbkart.stewardship import tokens
from tsbkart.stewardship.keys import token_hash


def _make(engine: Engine, *scopes: str, **kw: object) -> tuple[tokens.ApiToken, str]:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        return tokens.create_token(s, "org-a", "EPJ-feed", list(scopes), by=CLI, now=NOW, **kw)  # type: ignore[arg-type]


def test_only_the_hash_is_stored_and_the_secret_authenticates(engine: Engine) -> None:
    two_organisations(engine)
    token, secret = _make(engine, "records:write")
    assert secret.startswith("tsbk_") and len(secret) > 40
    with Session(engine) as s:
        row = s.execute(select(ApiTokenRow)).scalar_one()
        assert row.token_hash == token_hash(secret) and secret not in repr(row.__dict__)
    with Session(engine) as s, s.begin():
        found = tokens.authenticate(s, secret, NOW + timedelta(minutes=1))
    assert found.problem is None and found.token is not None and found.token.id == token.id
    assert found.token.actor.kind == "token" and found.token.actor.name == "EPJ-feed"
    with Session(engine) as s, s.begin():
        assert tokens.authenticate(s, secret + "x", NOW).problem == "unknown"
        assert tokens.authenticate(s, "not-ours", NOW).problem == "unknown"
        assert tokens.list_tokens(s, ["org-a"])[0].last_used_at is not None


def test_tokens_expire_and_are_revoked(engine: Engine) -> None:
    two_organisations(engine)
    token, secret = _make(engine, "records:write", days=1)
    with Session(engine) as s, s.begin():
        assert tokens.authenticate(s, secret, NOW + timedelta(days=1)).problem == "expired"
        tokens.revoke_token(s, token.id, by=CLI, now=NOW)
        assert tokens.authenticate(s, secret, NOW).problem == "revoked"
        with pytest.raises(tokens.TokenNotFound):
            tokens.revoke_token(s, 999, by=CLI, now=NOW)
    with Session(engine) as s:
        events = s.execute(select(AuditEventRow).order_by(AuditEventRow.id)).scalars().all()
    made, revoked = [e for e in events if e.action in ("token_created", "token_revoked")]
    assert made.target == revoked.target == f"api_token:{token.id}"
    assert all(secret not in repr(e.detail) for e in events)


def test_scopes_kinds_and_fields_narrow_what_a_token_may_do(engine: Engine) -> None:
    two_organisations(engine)
    writer, _ = _make(engine, "records:write")
    assert writer.refusal("create", "unit", ["name"]) is None
    assert writer.refusal("delete", "offer", []) is None
    updater, _ = _make(engine, "records:update", kinds=["offer"], fields=["waiting_weeks", "waiting_as_of"])
    assert updater.refusal("update", "offer", ["waiting_weeks"]) is None
    assert updater.refusal("delete", "offer", []) == "scope"
    assert updater.refusal("update", "unit", ["name"]) == "kind"
    assert updater.refusal("update", "offer", ["waiting_weeks", "intake_status"]) == "fields:intake_status"
    narrow, _ = _make(engine, "records:write", fields=["waiting_weeks"])
    assert narrow.refusal("create", "offer", ["waiting_weeks"]) == "fields"


@pytest.mark.parametrize(
    ("scopes", "kw"),
    [
        ((), {}),
        (("records:everything",), {}),
        (("records:write",), {"kinds": ["patient"]}),
        (("records:write",), {"fields": ["no_such_field"]}),
        (("records:write",), {"days": 0}),
        (("records:write",), {"days": 366}),
    ],
)
def test_bad_tokens_are_refused(engine: Engine, scopes: tuple[str, ...], kw: dict[str, object]) -> None:
    two_organisations(engine)
    with pytest.raises(tokens.TokenInvalid):
        _make(engine, *scopes, **kw)


def test_a_token_needs_a_name_and_a_known_organisation(engine: Engine) -> None:
    two_organisations(engine)
    with Session(engine) as s, s.begin(), pytest.raises(tokens.TokenInvalid):
        tokens.create_token(s, "org-a", "  ", ["records:write"], by=CLI, now=NOW)
    with Session(engine) as s, s.begin(), pytest.raises(tokens.TokenInvalid):
        tokens.create_token(s, "org-x", "feed", ["records:write"], by=CLI, now=NOW)
