"""The administrator's account page /admin/brukere: create a steward and a reviewer, grant, revoke, disable,
enable; the NIST password rules; every change audited; messages in bokmål; nobody else gets in."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.stewardship.helpers import PASSWORD, add_user, migrated_with_two_organisations
from tests.web.api_client import TestClient, client_for
from tests.web.test_signin import form_token, sign_in
from tsbkart.db.stewardship import AuditEventRow
from tsbkart.stewardship.accounts import list_users
from tsbkart.stewardship.roles import Grant

SECRET = "users-page-secret-key-long-enough-0123456789"


pytestmark = pytest.mark.usefixtures("fast_hashes")


@pytest.fixture
def world(sqlite_engine: Engine) -> Engine:
    migrated_with_two_organisations(sqlite_engine)
    add_user(sqlite_engine, "admin", "administrator")
    add_user(sqlite_engine, "kari", "steward", "organisation", "org-a")
    return sqlite_engine


def _admin(engine: Engine) -> tuple[TestClient, str]:
    client = client_for(engine, secret_key=SECRET)
    assert sign_in(client, "admin").status_code == 303  # type: ignore[attr-defined]
    return client, form_token(client.get("/admin/brukere").text)


def _grants(engine: Engine, username: str) -> tuple[Grant, ...]:
    with Session(engine) as session:
        return next(u.grants for u in list_users(session) if u.username == username)


def _events(engine: Engine, action: str) -> list[tuple[str | None, str | None]]:
    with Session(engine) as s:
        rows = s.execute(select(AuditEventRow).where(AuditEventRow.action == action)).scalars()
        return [(r.actor_name, r.target) for r in rows]


def test_an_administrator_creates_a_steward_who_can_sign_in(world: Engine) -> None:
    client, token = _admin(world)
    form = {
        "csrf_token": token,
        "username": "ola",
        "display_name": "Ola Nordmann",
        "email": "ola@hf.example",
        "password": "ein lang og god setning",
        "role": "steward",
        "scope": "organisation:org-b",
    }
    answer = client.post("/admin/brukere", data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/admin/brukere?ok=created")
    page = client.get(answer.headers["location"]).text
    assert "Kontoen ola er opprettet." in page and "Forvalter" in page
    assert _grants(world, "ola") == (Grant("steward", "organisation", "org-b"),)
    assert ("Admin", "user:ola") in _events(world, "user_created")
    assert ("Admin", "user:ola") in _events(world, "role_granted")
    assert sign_in(client_for(world, secret_key=SECRET), "ola", "ein lang og god setning").status_code == 303  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("password", "message"),
    [("k0rt-pw", "minst 12 tegn"), ("password1234", "vanlige passord"), ("ola.ola.ola.ola", "brukernavn")],
)
def test_the_password_rules_are_the_clis(world: Engine, password: str, message: str) -> None:
    client, token = _admin(world)
    form = {"csrf_token": token, "username": "ola", "display_name": "Ola", "password": password}
    form |= {"role": "steward", "scope": "organisation:org-a"}
    answer = client.post("/admin/brukere", data=form)
    assert answer.status_code == 422 and message in answer.text.lower()
    assert 'value="ola"' in answer.text  # what was typed is kept, the password is not
    assert password not in answer.text
    assert ("Admin", "user:ola") not in _events(world, "user_created")


def test_a_reviewer_needs_an_area_and_a_steward_an_organisation(world: Engine) -> None:
    client, token = _admin(world)
    form = {"csrf_token": token, "username": "rita", "display_name": "Rita", "password": PASSWORD}
    answer = client.post("/admin/brukere", data=form | {"role": "reviewer", "scope": "organisation:org-a"})
    assert answer.status_code == 422 and "en godkjenner en region eller et opptaksområde" in answer.text
    answer = client.post("/admin/brukere", data=form | {"role": "reviewer", "scope": "catchment:unn"})
    assert answer.status_code == 200 and _grants(world, "rita") == (Grant("reviewer", "catchment", "unn"),)


def test_grant_revoke_disable_and_enable_are_audited(world: Engine) -> None:
    client, token = _admin(world)
    data = {"csrf_token": token, "role": "steward", "scope": "organisation:org-b"}
    assert client.post("/admin/brukere/kari/tilgang", data=data, follow_redirects=False).status_code == 303
    assert Grant("steward", "organisation", "org-b") in _grants(world, "kari")
    again = client.post("/admin/brukere/kari/tilgang", data=data)
    assert again.status_code == 422 and "har allerede" in again.text
    assert (
        client.post("/admin/brukere/kari/fjern-tilgang", data=data, follow_redirects=False).status_code == 303
    )
    assert _grants(world, "kari") == (Grant("steward", "organisation", "org-a"),)
    kari = client_for(world, secret_key=SECRET)
    sign_in(kari, "kari")
    assert client.post("/admin/brukere/kari/deaktiver", data={"csrf_token": token}).status_code == 200
    assert kari.get("/admin/brukere", follow_redirects=False).status_code == 303  # her session ended
    assert "deaktivert" in client.get("/admin/brukere").text
    assert client.post("/admin/brukere/kari/aktiver", data={"csrf_token": token}).status_code == 200
    assert [t for _, t in _events(world, "role_revoked")] == ["user:kari"]
    assert [t for _, t in _events(world, "user_disabled")] == ["user:kari"]
    assert [t for _, t in _events(world, "user_enabled")] == ["user:kari"]


def test_an_administrator_cannot_lock_themselves_out(world: Engine) -> None:
    client, token = _admin(world)
    answer = client.post("/admin/brukere/admin/deaktiver", data={"csrf_token": token})
    assert answer.status_code == 422 and "din egen konto" in answer.text
    data = {"csrf_token": token, "role": "administrator", "scope": ""}
    assert client.post("/admin/brukere/admin/fjern-tilgang", data=data).status_code == 422


def test_a_steward_is_refused_and_the_refusal_audited(world: Engine) -> None:
    client = client_for(world, secret_key=SECRET)
    sign_in(client, "kari")
    assert client.get("/admin/brukere").status_code == 403
    token = form_token(client.get("/").text)
    form = {"csrf_token": token, "username": "x-y-z", "display_name": "X", "role": "administrator"}
    assert client.post("/admin/brukere", data=form).status_code == 403
    assert len(_events(world, "permission_refused")) == 2
    assert [t for _, t in _events(world, "user_created")] == ["user:admin", "user:kari"]


def test_without_the_csrf_token_nothing_changes(world: Engine) -> None:
    client, _ = _admin(world)
    assert client.post("/admin/brukere/kari/deaktiver", data={}).status_code == 403
    assert not _events(world, "user_disabled")


def test_the_page_speaks_english_too_and_escapes_names(world: Engine) -> None:
    add_user(world, "evil", "steward", "organisation", "org-a")
    with Session(world) as s, s.begin():
        from tsbkart.db.stewardship import UserRow

        s.execute(select(UserRow).where(UserRow.username == "evil")).scalar_one().display_name = "<b>x</b>"
    client, _ = _admin(world)
    page = client.get("/admin/brukere?lang=en").text
    assert "New account" in page and "Steward" in page and "role:" not in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
