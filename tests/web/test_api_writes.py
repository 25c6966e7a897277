"""The write API (POST/PATCH/DELETE under /api/v1) with API tokens, on SQLite and PostgreSQL: If-Match (428,
412), validation naming the field (422), the review rules (200 published / 202 change set), scopes (403),
expired, revoked, unknown and other organisations' tokens, audit, and the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.registry.factories import offer
from tests.stewardship.helpers import CLI, two_organisations
from tests.web.api_client import TestClient, app_for
from tsbkart.db.models import RevisionRow
from tsbkart.db.stewardship import AuditEventRow
from tsbkart.registry.store import Upsert
from tsbkart.stewardship import changesets
from tsbkart.stewardship.tokens import create_token

OFFER = "/api/v1/offers/unit-a/poliklinikk"
SECRET_KEY = "write-api-secret-key-long-enough-0123456789"


@pytest.fixture
def world(engine: Engine) -> Engine:
    registry = two_organisations(engine)
    registry.commit([Upsert(offer("unit-a"))], actor=CLI, reason="an offer")
    return engine


def _token(engine: Engine, *scopes: str, organisation: str = "org-a", days: int = 30, **kw: object) -> str:
    with Session(engine) as s, s.begin():
        _, secret = create_token(
            s, organisation, "EPJ", list(scopes), days=days, by=CLI, now=datetime.now(UTC), **kw
        )  # type: ignore[arg-type]
    return secret


def _client(engine: Engine) -> TestClient:
    app, _ = app_for(engine, secret_key=SECRET_KEY)
    return TestClient(app)


def _auth(secret: str, etag: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {secret}"}
    if etag:
        headers["If-Match"] = etag
    return headers


def _etag(client: TestClient, path: str) -> str:
    """The record's own ETag, as a one-record read names it (Record-ETag; ETag is the document's)."""
    read = client.get(path)
    assert read.status_code == 200, path
    return read.headers["record-etag"]


def _actions(engine: Engine) -> list[tuple[str, str, str]]:
    with Session(engine) as s:
        rows = s.execute(select(AuditEventRow).order_by(AuditEventRow.id)).scalars()
        return [(r.action, r.outcome, r.actor_kind) for r in rows]


def test_waiting_time_publishes_directly_as_the_token(world: Engine) -> None:
    client = _client(world)
    secret = _token(world, "records:update", kinds=["offer"], fields=["waiting_weeks", "waiting_as_of"])
    body = {"waiting_weeks": 3.5, "waiting_as_of": "2026-11-30", "source": "https://hf.example/ventetid"}
    before = _etag(client, OFFER)
    answer = client.patch(OFFER, json=body, headers=_auth(secret, before))
    assert answer.status_code == 200, answer.text
    assert (
        answer.json()["outcome"] == "published" and answer.headers["etag"] == f'"v{answer.json()["version"]}"'
    )
    assert client.get(OFFER).json()["waiting_weeks"] == 3.5
    with Session(world) as s:
        revision = s.execute(select(RevisionRow).order_by(RevisionRow.id.desc())).scalars().first()
    assert revision is not None and (revision.actor_kind, revision.actor_name) == ("token", "EPJ")
    assert ("token_used", "ok", "token") in _actions(world)
    assert all(secret not in repr(e) for e in _actions(world))
    # The same ETag again is stale now.
    assert client.patch(OFFER, json={"waiting_weeks": 4}, headers=_auth(secret, before)).status_code == 412
    unchanged = client.patch(
        OFFER, json={"waiting_weeks": 3.5}, headers=_auth(secret, answer.headers["etag"])
    )
    assert unchanged.status_code == 200 and unchanged.json()["outcome"] == "unchanged"


def test_if_match_is_required_and_checked(world: Engine) -> None:
    client = _client(world)
    secret = _token(world, "records:write")
    missing = client.patch(OFFER, json={"waiting_weeks": 2}, headers=_auth(secret))
    assert missing.status_code == 428 and missing.headers["content-type"] == "application/problem+json"
    assert client.patch(OFFER, json={"waiting_weeks": 2}, headers=_auth(secret, '"v999"')).status_code == 412
    assert client.patch(OFFER, json={"waiting_weeks": 2}, headers=_auth(secret, 'W/"v1"')).status_code == 412
    assert client.delete(OFFER, headers=_auth(secret)).status_code == 428


def test_bad_values_are_422_naming_the_field(world: Engine) -> None:
    client = _client(world)
    secret = _token(world, "records:write")
    tag = _etag(client, OFFER)
    for body, field in (
        ({"waiting_weeks": "many"}, "waiting_weeks"),
        ({"waiting_weeks": -3}, "waiting_weeks"),
        ({"intake_status": "wide-open"}, "intake_status"),
        ({"no_such_field": 1}, "no_such_field"),
        ({"unit_id": "unit-b"}, "unit_id"),
        ({"waiting_weeks": 2, "verified": "yesterday"}, "verified"),
    ):
        answer = client.patch(OFFER, json=body, headers=_auth(secret, tag))
        assert answer.status_code == 422, (body, answer.text)
        assert field in [e["parameter"] for e in answer.json()["errors"]], (body, answer.json())
    assert client.patch(OFFER, content=b"[1, 2", headers=_auth(secret, tag)).status_code == 422


def _address_patched(world: Engine) -> tuple[TestClient, str, str, httpx.Response]:
    """A token's PATCH of a field that needs review (the unit's street address): client, secret, path, answer."""
    client = _client(world)
    secret = _token(world, "records:write")
    unit = "/api/v1/units/unit-a"
    answer = client.patch(
        unit,
        json={"street_address": "Storgata 1", "source": "https://hf.example"},
        headers=_auth(secret, _etag(client, unit)),
    )
    return client, secret, unit, answer


def test_fields_that_need_review_become_a_submitted_change_set(world: Engine) -> None:
    client, _secret, unit, answer = _address_patched(world)
    assert answer.status_code == 202, answer.text
    number = answer.json()["change_set"]
    assert answer.headers["location"] == f"/api/v1/change-sets/{number}"
    assert answer.json()["review_page"] == f"/forvalt/endringer/{number}"
    change_set = changesets.get(world, number)
    assert change_set.status == "submitted" and change_set.author.kind == "token"
    assert client.get(unit).json().get("street_address") != "Storgata 1"  # not published before review


def test_a_system_reads_the_status_of_its_change_set_with_its_token(world: Engine) -> None:
    client, secret, _unit, answer = _address_patched(world)
    status = client.get(answer.headers["location"], headers=_auth(secret))
    assert status.status_code == 200 and status.headers["cache-control"] == "no-store"
    found = status.json()
    assert (found["status"], found["organisation"], found["revision"]) == ("submitted", "org-a", None)
    assert found["changes"] == [{"kind": "unit", "id": "unit-a", "operation": "upsert"}]
    other = _token(world, "records:write", organisation="org-b")
    assert client.get(answer.headers["location"], headers=_auth(other)).status_code == 404  # not revealed
    assert client.get(answer.headers["location"]).status_code == 401
    assert client.get("/api/v1/change-sets/999", headers=_auth(secret)).status_code == 404


def test_create_and_delete_always_go_to_review(world: Engine) -> None:
    client = _client(world)
    secret = _token(world, "records:write")
    new = {"id": "unit-a/akutt", "unit_id": "unit-a", "service_type": "akutt", "source": "https://hf.example"}
    created = client.post("/api/v1/offers", json=new, headers=_auth(secret))
    assert created.status_code == 202, created.text
    bad = client.post(
        "/api/v1/offers",
        json={**new, "id": "unit-a/x", "service_type": "x", "waiting_weeks": "3"},
        headers=_auth(secret),
    )
    assert bad.status_code == 422 and {"waiting_weeks"} <= {e["parameter"] for e in bad.json()["errors"]}
    deleted = client.delete(OFFER, headers=_auth(secret, _etag(client, OFFER)))
    assert (
        deleted.status_code == 202
        and changesets.get(world, deleted.json()["change_set"]).status == "submitted"
    )
    assert client.post("/api/v1/nothings", json=new, headers=_auth(secret)).status_code in (404, 405)


def test_scopes_and_organisations_are_enforced_and_refusals_audited(world: Engine) -> None:
    client = _client(world)
    tag = _etag(client, OFFER)
    narrow = _token(world, "records:update", fields=["waiting_weeks"])
    assert client.patch(OFFER, json={"intake_status": "open"}, headers=_auth(narrow, tag)).status_code == 403
    assert client.delete(OFFER, headers=_auth(narrow, tag)).status_code == 403
    units_only = _token(world, "records:write", kinds=["unit"])
    assert client.patch(OFFER, json={"waiting_weeks": 2}, headers=_auth(units_only, tag)).status_code == 403
    other = _token(world, "records:write", organisation="org-b")
    assert client.patch(OFFER, json={"waiting_weeks": 2}, headers=_auth(other, tag)).status_code == 403
    new = {"id": "unit-a/akutt", "unit_id": "unit-a", "service_type": "akutt", "source": "s"}
    assert client.post("/api/v1/offers", json=new, headers=_auth(other)).status_code == 403
    refusals = [a for a in _actions(world) if a[0] == "permission_refused"]
    assert len(refusals) == 5 and all(kind == "token" for _, _, kind in refusals)


def test_missing_unknown_expired_and_revoked_tokens_are_401(world: Engine) -> None:
    from tsbkart.stewardship.tokens import list_tokens, revoke_token

    client = _client(world)
    tag = _etag(client, OFFER)
    body = {"waiting_weeks": 2}
    assert client.patch(OFFER, json=body, headers={"If-Match": tag}).status_code == 401
    unknown = client.patch(OFFER, json=body, headers=_auth("tsbk_nope", tag))
    assert unknown.status_code == 401 and unknown.headers["www-authenticate"].startswith("Bearer")
    secret = _token(world, "records:write")
    with Session(world) as s, s.begin():
        token = list_tokens(s)[0]
        revoke_token(s, token.id, by=CLI, now=datetime.now(UTC))
    assert client.patch(OFFER, json=body, headers=_auth(secret, tag)).status_code == 401
    expired = _token(world, "records:write", days=1)
    with Session(world) as s, s.begin():
        from tsbkart.db.stewardship import ApiTokenRow

        for row in s.execute(select(ApiTokenRow)).scalars():
            row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert client.patch(OFFER, json=body, headers=_auth(expired, tag)).status_code == 401
    assert ("token_used", "refused", "token") in _actions(world)
    # A session cookie is no substitute, and no CSRF token is asked for: the bearer token is the credential.
    assert client.get(OFFER).json()["waiting_weeks"] is None


def test_the_openapi_document_declares_the_version_headers(world: Engine) -> None:
    paths = _client(world).get("/openapi.json").json()["paths"]
    write = paths["/api/v1/{collection}/{record_id}"]
    assert set(write["patch"]["responses"]["200"]["headers"]) == {"ETag"}
    assert set(write["patch"]["responses"]["202"]["headers"]) == {"ETag", "Location"}
    assert set(paths["/api/v1/{collection}"]["post"]["responses"]["202"]["headers"]) == {"ETag", "Location"}
    for method in ("patch", "delete"):
        (if_match,) = [p for p in write[method]["parameters"] if p["name"] == "If-Match"]
        assert (
            if_match["in"] == "header" and if_match["required"] and "Record-ETag" in if_match["description"]
        )
    for path in (
        "/api/v1/units/{unit_id}",
        "/api/v1/offers/{offer_id}",
        "/api/v1/organisations/{organisation_id}",
        "/api/v1/teams/{team_id}",
    ):
        ok = paths[path]["get"]["responses"]["200"]
        assert set(ok["headers"]) == {"ETag", "Record-ETag"}, path
    assert set(paths["/api/v1/units"]["get"]["responses"]["200"]["headers"]) == {"ETag"}
    assert set(paths["/api/v1/units"]["get"]["responses"]["304"]["headers"]) == {"ETag"}


def test_the_headers_the_schema_declares_are_sent(world: Engine) -> None:
    client = _client(world)
    answer = client.get("/api/v1/units/unit-a")
    assert answer.headers["ETag"] and answer.headers["Record-ETag"].startswith('"v')


def test_the_openapi_document_describes_the_write_api(world: Engine) -> None:
    document = _client(world).get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    patch = document["paths"]["/api/v1/{collection}/{record_id}"]["patch"]
    assert {"200", "202", "401", "403", "412", "422", "428"} <= set(patch["responses"])
    assert patch["security"] == [{"apiToken": []}]
    assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])
    post = document["paths"]["/api/v1/{collection}"]["post"]
    assert "202" in post["responses"] and "requestBody" in post
