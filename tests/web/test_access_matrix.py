"""The authorisation matrix: every route of the app x every kind of visitor gives the expected status.

Generated from the app's route table: a route needs an access rule (web/access.yaml, else the app will not
start), example path values (``EXAMPLES`` below, else this test fails) and, for an action, a row in
``EXPECTED`` (else this test fails). Every refusal (403) must leave a ``permission_refused`` audit event.

Visitors: anonymous, steward of A, steward of B, reviewer of another area, reviewer of this area (A's
catchment), administrator, a disabled account and an expired session (both still holding their cookie).
The write API's routes (level ``token``) are also requested with API tokens (``TOKEN_PERSONAS``): none, an
expired one, a revoked one, one of another organisation, one of A's limited to other fields, and A's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from tests.stewardship.cheap_hashing import cheap_argon2
from tests.stewardship.helpers import CLI, add_user, two_organisations
from tests.web.api_client import TestClient, app_for
from tsbkart.db.migrate import upgrade
from tsbkart.db.stewardship import AuditEventRow, ErrorReportRow, SessionRow, UserRow
from tsbkart.domain.actors import Actor
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.changes import Upsert
from tsbkart.registry.store import Registry
from tsbkart.stewardship import changesets
from tsbkart.stewardship.accounts import disable_user
from tsbkart.stewardship.sessions import SessionPolicy, start_session
from tsbkart.web.stewardship.access import Rule, route_keys, rule_table

SECRET = "matrix-secret-key-long-enough-0123456789abcdef"
PERSONAS = (
    "anonymous",
    "steward_a",
    "steward_b",
    "reviewer_other",
    "reviewer_this",
    "administrator",
    "disabled",
    "expired",
)
# Who may, per action of stewardship/policy.yaml: on a page without a resource (role-level) ...
EXPECTED: dict[str, set[str]] = {
    "account.view": {"steward_a", "steward_b", "reviewer_other", "reviewer_this", "administrator"},
    "audit.read": {"administrator"},
    "users.manage": {"administrator"},
    "record.edit": {"steward_a", "steward_b", "reviewer_other", "reviewer_this", "administrator"},
    "changeset.review": {"reviewer_other", "reviewer_this", "administrator"},
    "changeset.view": {"steward_a", "steward_b", "reviewer_other", "reviewer_this", "administrator"},
    "report.handle": {"steward_a", "steward_b", "reviewer_other", "reviewer_this", "administrator"},
    "token.manage": {"steward_a", "steward_b", "administrator"},
}
# ... and, for a route acting on one resource (the example below), who passes the resource check too. The
# others who hold the role get 403, audited. Those who pass may still meet the resource's state: a change set
# approved by an earlier case answers 409, a rejection without a reason 422.
ON_RESOURCE: dict[str, set[str]] = {
    "GET /forvalt/endringer/{change_set_id}": {"steward_a", "reviewer_this", "administrator"},
    "POST /forvalt/endringer/{change_set_id}/godkjenn": {"reviewer_this", "administrator"},
    "POST /forvalt/endringer/{change_set_id}/avvis": {"reviewer_this", "administrator"},
    "POST /forvalt/endringer/{change_set_id}/oppdater": {"steward_a"},
    "POST /forvalt/endringer/{change_set_id}/trekk-tilbake": {"steward_a"},
    # The steward's edit form of unit-a, the preview of change set 1 and its submission (409: submitted).
    "GET /forvalt/{record_kind:stewarded}/{record_id:path}": {"steward_a", "reviewer_this", "administrator"},
    "POST /forvalt/{record_kind:stewarded}/{record_id:path}": {"steward_a", "reviewer_this", "administrator"},
    "GET /forvalt/endringer/{change_set_id}/forhandsvis": {"steward_a", "reviewer_this", "administrator"},
    "POST /forvalt/endringer/{change_set_id}/send-inn": {"steward_a"},
    # An error report about unit-a: its organisation's stewards and the reviewers of its area.
    "POST /forvalt/meldinger/{reference}/svar": {"steward_a", "reviewer_this", "administrator"},
    "POST /forvalt/meldinger/{reference}/avvis": {"steward_a", "reviewer_this", "administrator"},
    # API tokens: the matrix's empty form names no organisation, so only an administrator passes (then 422);
    # token 1 belongs to organisation A.
    "POST /forvalt/nokler": {"administrator"},
    "POST /forvalt/nokler/{token_id}/trekk-tilbake": {"steward_a", "administrator"},
}
REPORT_OF_A = "MATR1X0REF"  # an error report about unit-a (made in the fixture)
RESOURCE_OUTCOMES = {200, 303, 409, 422}
# Path values per route (or per parameter name); the records belong to organisation A (unit-a, catchment unn).
EXAMPLES: dict[str, str] = {
    "unit_id": "unit-a",
    "organisation_id": "org-a",
    "offer_id": "unit-a/poliklinikk",
    "team_id": "team-a",
    "change_set_id": "1",  # submitted by steward_a for organisation A (the fixture)
    "name": "service_types",
    "kind": "hf",  # with "code": the area downloads /omrade/{kind}/{code}/{name}
    "code": "unn",
    "GET /omrade/rhf/{code}": "helse-nord",
    "GET /omrade/hf/{code}": "unn",
    "GET /omrade/kommune/{code}": "5501",
    "GET /api/v1/areas/{code}": "unn",
    "GET /atlas/rapport/{name}": "unn",
    "GET /atlas/{name}": "beds",
    "GET /plan/{name}": "gylden-regel",
    # An account nobody has: a change to it answers 422, so the matrix never disables a visitor.
    "username": "nobody-at-all",
    "record_kind": "enheter",  # the steward's edit form of unit-a: /forvalt/enheter/unit-a
    "record_id": "unit-a",
    "reference": REPORT_OF_A,
    "token_id": "1",  # an API token of organisation A (the fixture)
    "collection": "offers",  # the write API (level token: without an API token, 401)
}
DEAD = {"anonymous", "disabled", "expired"}


@dataclass
class Visitor:
    name: str
    client: TestClient
    csrf: str


pytestmark = pytest.mark.usefixtures("fast_hashes")


def _session_cookie(engine: Engine, username: str, signer: object, *, expired: bool = False) -> str:
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        user = s.execute(select(UserRow).where(UserRow.username == username)).scalar_one()
        token = start_session(s, user, method="password", policy=SessionPolicy(), now=now, source="127.0.0.1")
        if expired:
            s.execute(
                update(SessionRow)
                .where(SessionRow.user_id == user.id)
                .values(expires_at=now - timedelta(seconds=1))
            )
    return signer.sign(token).decode()  # type: ignore[attr-defined, no-any-return]


@pytest.fixture(scope="module")
def visitors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, Visitor]]]:
    from tsbkart.db.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'm.sqlite'}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    with cheap_argon2():
        two_organisations(engine)
        add_user(engine, "steward_a", "steward", "organisation", "org-a")
        add_user(engine, "steward_b", "steward", "organisation", "org-b")
        add_user(engine, "reviewer_other", "reviewer", "catchment", "ous")
        add_user(engine, "reviewer_this", "reviewer", "catchment", "unn")
        for name in ("administrator", "disabled", "expired"):
            add_user(engine, name, "administrator")
    app, _ = app_for(engine, secret_key=SECRET)
    runtime = app.state.auth
    result: dict[str, Visitor] = {}
    for name in PERSONAS:
        client = TestClient(app)
        csrf = ""
        if name != "anonymous":
            client.cookies.set(
                runtime.session_cookie,
                _session_cookie(engine, name, runtime.signer, expired=name == "expired"),
            )
            found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
            csrf = found.group(1) if found else ""
        result[name] = Visitor(name, client, csrf)
    with Session(engine) as s, s.begin():
        disable_user(s, "disabled", by=CLI, now=datetime.now(UTC))
        author = s.execute(select(UserRow).where(UserRow.username == "steward_a")).scalar_one()
        actor = Actor("user", str(author.id), author.display_name)
    _change_set(engine, actor)
    _report_about_unit_a(engine)
    _token_of_a(engine)
    yield engine, result


def _change_set(engine: Engine, author: Actor) -> None:
    """Change set 1: steward_a's edit of unit-a, submitted."""
    snapshot = Registry(engine).snapshot()
    unit = replace(snapshot.units["unit-a"], street_address="Storgata 1")
    draft = changesets.create_draft(
        engine, author, "org-a", [Upsert(unit, based_on=snapshot.version("unit", "unit-a"))]
    )
    assert draft.id == 1
    changesets.submit(engine, draft.id, author)


def _token_of_a(engine: Engine) -> None:
    from tsbkart.stewardship.tokens import create_token

    with Session(engine) as s, s.begin():
        token, _ = create_token(s, "org-a", "matrix", ["records:write"], by=CLI, now=datetime.now(UTC))
    assert token.id == 1


def _report_about_unit_a(engine: Engine) -> None:
    from tsbkart.stewardship.reports import file_report

    snapshot = Registry(engine).snapshot()
    now = datetime.now(UTC)
    report = file_report(engine, snapshot, "unit", "unit-a", "Feil", None, "nb", now=now, source=None)
    with Session(engine) as s, s.begin():
        s.execute(
            update(ErrorReportRow)
            .where(ErrorReportRow.reference == report.reference)
            .values(reference=REPORT_OF_A)
        )


def _cases() -> list[tuple[str, str]]:
    return [(key, persona) for key in sorted(rule_table()) for persona in PERSONAS]


def _path(key: str) -> str:
    path = key.split(" ", 1)[1]

    def value(match: re.Match[str]) -> str:
        param = match.group(1).split(":")[0]
        example = EXAMPLES.get(key) if key in EXAMPLES else EXAMPLES.get(param)
        assert example is not None, f"{key}: add an example value for {{{param}}} to EXAMPLES"
        return example

    return re.sub(r"\{([^}]+)\}", value, path)


def _expected(key: str, rule: Rule, method: str, persona: str, is_api: bool) -> set[int]:
    safe = method == "GET"
    if rule.level == "public":
        return {200, 404, 422}
    if rule.level == "token":
        return {401}  # the matrix's visitors send no API token; a session cookie is no substitute
    if rule.level == "public_form":
        return {200} if safe else {403}  # the matrix sends no form token: refused (CSRF), whoever asks
    if not safe and persona in DEAD:
        return {403}  # no live session, so no CSRF token: refused before anything else
    if rule.level == "sign_in":
        return {200, 303, 400, 401, 404}  # 404: OpenID Connect is not configured here
    if persona in DEAD:
        return {401} if is_api else {303}
    if rule.level == "signed_in":
        return {200, 303}
    assert rule.action in EXPECTED, f"add the action {rule.action} to EXPECTED"
    if persona not in EXPECTED[rule.action]:
        return {403}
    if key in ON_RESOURCE:
        return RESOURCE_OUTCOMES if persona in ON_RESOURCE[key] else {403}
    # A write with the matrix's empty form may be refused as invalid (422) or name nothing there (404).
    return {200, 303} if safe else {200, 303, 404, 409, 422}


def _refusals(engine: Engine) -> int:
    with Session(engine) as s:
        return s.execute(
            select(func.count())
            .select_from(AuditEventRow)
            .where(AuditEventRow.action == "permission_refused")
        ).scalar_one()


def test_the_matrix_covers_every_route_of_the_app(visitors: tuple[Engine, dict[str, Visitor]]) -> None:
    _, people = visitors
    app = people["anonymous"].client.app
    assert {k for ks in route_keys(app).values() for k in ks} == set(rule_table())  # type: ignore[arg-type]
    assert set(EXPECTED) >= {r.action for r in rule_table().values() if r.action}


@pytest.mark.parametrize(("key", "persona"), _cases())
def test_route_x_visitor(visitors: tuple[Engine, dict[str, Visitor]], key: str, persona: str) -> None:
    engine, people = visitors
    visitor = people[persona]
    method = key.split(" ", 1)[0]
    path = _path(key)
    rule = rule_table()[key]
    before = _refusals(engine)
    data = {"csrf_token": visitor.csrf} if visitor.csrf else {}
    if method == "GET":
        response = visitor.client.get(path, follow_redirects=False)
    elif path.startswith("/api/"):
        response = visitor.client.request(
            method,
            path,
            json={},
            headers={"x-csrf-token": visitor.csrf} if visitor.csrf else {},
            follow_redirects=False,
        )
    else:
        response = visitor.client.request(method, path, data=data, follow_redirects=False)
    expected = _expected(key, rule, method, persona, path.startswith("/api/"))
    assert response.status_code in expected, (
        f"{key} as {persona}: {response.status_code}, expected {expected}"
    )
    if response.status_code == 403:
        assert _refusals(engine) == before + 1, f"{key} as {persona}: the refusal was not audited"
    if persona == "anonymous" and rule.level == "public" and method == "GET":
        assert "set-cookie" not in response.headers


# The write API x API tokens: what each kind of token gets on organisation A's records (the matrix's empty JSON
# body and no If-Match: a token that passes meets 404/422 (create) or 428 (update, delete)).
TOKEN_PERSONAS = ("none", "expired", "revoked", "other_organisation", "narrow", "own")
TOKEN_EXAMPLES = {"collection:collection": "units", "record_id:path": "unit-a", "change_set_id": "1"}


@pytest.fixture(scope="module")
def api_tokens(visitors: tuple[Engine, dict[str, Visitor]]) -> dict[str, str]:
    from tsbkart.db.stewardship import ApiTokenRow
    from tsbkart.stewardship.tokens import create_token, revoke_token

    engine, _ = visitors
    now = datetime.now(UTC)
    secrets: dict[str, str] = {"none": ""}
    with Session(engine) as s, s.begin():
        for name, organisation, extra in (
            ("expired", "org-a", {}),
            ("revoked", "org-a", {}),
            ("other_organisation", "org-b", {}),
            ("narrow", "org-a", {"fields": ["waiting_weeks"]}),
            ("own", "org-a", {}),
        ):
            token, secrets[name] = create_token(
                s,
                organisation,
                name,
                ["records:write"],
                by=CLI,
                now=now,
                **extra,  # type: ignore[arg-type]
            )
            if name == "expired":
                s.flush()
                s.get(ApiTokenRow, token.id).expires_at = now - timedelta(seconds=1)  # type: ignore[union-attr]
            if name == "revoked":
                revoke_token(s, token.id, by=CLI, now=now)
    return secrets


def _token_expected(key: str, persona: str) -> set[int]:
    method = key.split(" ", 1)[0]
    if persona in ("none", "expired", "revoked"):
        return {401}
    if method == "GET":
        # a change set's status: change set 1 is organisation A's when an earlier matrix write made one;
        # another organisation's token is told nothing (404, as for a missing one)
        return {404} if persona == "other_organisation" else {200, 404}
    if persona == "other_organisation" and method != "POST":
        return {403}  # an existing record of organisation A (a create's empty body names none: 422)
    if persona == "narrow" and method == "DELETE":
        return {403}  # a token limited to fields may only update them
    return {404, 412, 422, 428}


def _token_cases() -> list[tuple[str, str]]:
    keys = sorted(k for k, r in rule_table().items() if r.level == "token")
    return [(key, persona) for key in keys for persona in TOKEN_PERSONAS]


@pytest.mark.parametrize(("key", "persona"), _token_cases())
def test_write_api_x_token(
    visitors: tuple[Engine, dict[str, Visitor]], api_tokens: dict[str, str], key: str, persona: str
) -> None:
    engine, people = visitors
    method, template = key.split(" ", 1)
    path = re.sub(r"\{([^}]+)\}", lambda m: TOKEN_EXAMPLES[m.group(1)], template)
    headers = {"Authorization": f"Bearer {api_tokens[persona]}"} if api_tokens[persona] else {}
    before = _refusals(engine)
    response = people["anonymous"].client.request(method, path, json={}, headers=headers)
    expected = _token_expected(key, persona)
    assert response.status_code in expected, f"{key} with {persona}: {response.status_code} {response.text}"
    if response.status_code == 403:
        assert _refusals(engine) == before + 1, f"{key} with {persona}: the refusal was not audited"
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
