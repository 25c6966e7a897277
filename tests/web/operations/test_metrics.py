"""Prometheus /metrics: requests and latency by route template, snapshot revision and rebuilds."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from tests.web.api_client import TestClient, app_for
from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Organisation, Provenance
from tsbkart.registry.store import Registry, Upsert


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def test_requests_are_counted_by_route_template(reference_engine: Engine) -> None:
    app, registry = app_for(reference_engine)
    client = TestClient(app)
    unit_id = next(iter(registry.snapshot().units))
    client.get(f"/api/v1/units/{unit_id}")
    client.get("/api/v1/units/no-such-unit")
    client.get("/api/v1/units/no-such-unit")
    found = samples(client)
    route = ("route", "/api/v1/units/{unit_id}")
    assert found[("tsbkart_http_requests_total", (("method", "GET"), route, ("status", "200")))] == 1
    assert found[("tsbkart_http_requests_total", (("method", "GET"), route, ("status", "404")))] == 2
    assert found[("tsbkart_http_request_duration_seconds_count", (("method", "GET"), route))] == 3
    assert not any(unit_id in str(labels) for _, labels in found)
    assert found[("tsbkart_snapshot_revision", ())] == registry.latest_revision()


def test_a_commit_elsewhere_is_a_timed_rebuild(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    app, _ = app_for(engine)
    client = TestClient(app)
    assert samples(client)[("tsbkart_snapshot_build_seconds_count", ())] == 0
    other = Registry(engine)  # another process's registry: this app learns of it through its follower
    other.commit(
        [Upsert(Organisation("org-1", "Org", "hf", Provenance(source="test")))],
        actor=Actor.cli("t"),
        reason="t",
    )
    app.state.tsbkart.follower.check()
    found = samples(client)
    assert found[("tsbkart_snapshot_build_seconds_count", ())] == 1
    assert found[("tsbkart_snapshot_revision", ())] == 1
    assert found[("tsbkart_database_reachable", ())] == 1
