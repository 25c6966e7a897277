"""The read model follows commits: a new revision is served at once, with a new ETag and Last-Modified,
and ``as_of`` still shows the past. Runs on SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from tests.registry import factories as f
from tests.web.api_client import TestClient, app_for
from tsbkart.domain.actors import Actor
from tsbkart.registry.store import Upsert


def test_commit_rebuilds_the_read_model_and_changes_the_validators(engine: Engine) -> None:
    app, registry = app_for(engine)
    client = TestClient(app)
    empty = client.get("/api/v1/units")
    assert empty.json()["total"] == 0
    assert "last-modified" not in empty.headers  # no revision yet

    registry.commit(
        [Upsert(f.organisation()), Upsert(f.unit()), Upsert(f.offer(open_24_7=True))],
        actor=Actor.cli("t"),
        reason="first",
    )
    first = client.get("/api/v1/units")
    assert [u["id"] for u in first.json()["items"]] == ["unit-a"]
    assert first.json()["items"][0]["open_24_7"] is True
    assert first.headers["etag"] != empty.headers["etag"]
    assert client.get("/api/v1/health").json()["revision"] == 1

    registry.commit(
        [Upsert(f.unit("unit-b", name="Østmarka behandlingssenter"))], actor=Actor.cli("t"), reason="second"
    )
    second = client.get("/api/v1/units?q=ostmarka", headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert [u["id"] for u in second.json()["items"]] == ["unit-b"]
    today = datetime.now(UTC).date().isoformat()
    assert client.get(f"/api/v1/units?as_of={today}").json()["total"] == 2
    assert client.get("/api/v1/units?as_of=2001-01-01").json()["total"] == 0


def test_unknown_location_is_a_null_geometry_and_unknown_stays_null(engine: Engine) -> None:
    app, registry = app_for(engine)
    registry.commit(
        [
            Upsert(f.organisation()),
            Upsert(f.unit(lat=None, lon=None, location_precision=None)),
            Upsert(f.offer()),
        ],
        actor=Actor.cli("t"),
        reason="a unit without a known place",
    )
    client = TestClient(app)
    feature = client.get("/api/v1/units.geojson").json()["features"][0]
    assert feature["geometry"] is None
    assert feature["properties"]["open_24_7"] is None
    assert feature["properties"]["intake_status"] == ["unknown"]
    near = client.get("/api/v1/units?near=69.6,18.9").json()["items"][0]
    assert near["distance_km"] is None
    assert client.get("/api/v1/units?near=69.6,18.9&radius_km=1000").json()["total"] == 0
