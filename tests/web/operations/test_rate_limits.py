"""Rate limits: 429 with Retry-After on public POSTs and expensive GETs; an off-switch."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.web.api_client import TestClient, app_for
from tsbkart.registry.store import Registry
from tsbkart.web.operations.rate_limits import RULES

PROFILE = {"home_area": "0301", "age": 40, "substances": ["alcohol"]}


def test_finder_posts_over_the_limit_get_429_with_retry_after(reference_engine: Engine) -> None:
    app, _ = app_for(reference_engine, rate_limits=True, rate_limit_finder="2/minute")
    client = TestClient(app)
    statuses = [client.post("/api/v1/finder", json={"profile": PROFILE}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.post("/api/v1/finder", json={"profile": PROFILE})
    assert refused.headers["content-type"] == "application/problem+json"
    assert 0 < int(refused.headers["retry-after"]) <= 60
    # Reads are not limited.
    assert client.get("/api/v1/units").status_code == 200


def test_reports_are_limited_per_route_kind(reference_engine: Engine) -> None:
    app, _ = app_for(reference_engine, rate_limits=True, rate_limit_report="1/minute")
    client = TestClient(app)
    code = next(iter(Registry(reference_engine).snapshot().geography.catchments))
    assert client.get(f"/atlas/rapport/{code}").status_code == 200
    assert client.get(f"/atlas/rapport/{code}").status_code == 429
    assert client.head(f"/atlas/rapport/{code}").status_code == 429


def test_every_post_is_limited(reference_engine: Engine) -> None:
    app, _ = app_for(reference_engine, rate_limits=True, rate_limit_post="1/minute")
    client = TestClient(app)
    assert client.post("/finn/nothing", data={}).status_code != 429
    assert client.post("/anything-else", data={}).status_code == 429
    assert RULES[-1].name == "post"


def test_off_switch(reference_engine: Engine) -> None:
    app, _ = app_for(reference_engine, rate_limits=False, rate_limit_finder="1/minute")
    client = TestClient(app)
    assert {client.post("/api/v1/finder", json={"profile": PROFILE}).status_code for _ in range(3)} == {200}


def test_api_writes_are_limited_per_address(reference_engine: Engine) -> None:
    app, _ = app_for(reference_engine, rate_limits=True, rate_limit_api_write="1/minute")
    client = TestClient(app)
    assert client.patch("/api/v1/units/x", json={}).status_code == 401  # no token, but counted
    limited = client.delete("/api/v1/units/x")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert client.post("/api/v1/finder", json={}).status_code != 429  # the finder has its own limit
