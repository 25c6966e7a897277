"""/healthz, /readyz and the 503 (never 500) answers while the database is gone."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from sqlalchemy import Engine

from tests.web.api_client import TestClient, app_for
from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade

WAIT_S = 10.0


def _vanishing_database(tmp_path: Path) -> tuple[Path, Engine]:
    folder = tmp_path / "db"
    engine = make_engine(f"sqlite:///{folder / 'tsbkart.sqlite'}")
    upgrade(engine)
    return folder, engine


def _remove(folder: Path, engine: Engine) -> None:
    # A pooled connection keeps reading the unlinked file; without the folder no new one can open.
    shutil.rmtree(folder)
    engine.dispose()


def test_healthz_answers_alive(reference_engine: Engine) -> None:
    app, _ = app_for(reference_engine)
    response = TestClient(app).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_readyz_reports_database_revision_and_age(reference_engine: Engine) -> None:
    app, registry = app_for(reference_engine)
    with TestClient(app) as client:
        body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["database"] == "reachable"
    assert body["revision"] == body["database_revision"] == registry.latest_revision() > 0
    assert body["snapshot_built_seconds_ago"] >= 0
    assert body["max_staleness_seconds"] == 30.0


def test_readyz_is_503_with_retry_after_when_the_database_is_gone(tmp_path: Path) -> None:
    folder, engine = _vanishing_database(tmp_path)
    app, _ = app_for(engine)
    client = TestClient(app)
    assert client.get("/readyz").status_code == 200
    _remove(folder, engine)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["database"] == "unreachable"
    assert client.get("/healthz").status_code == 200


def test_database_error_in_a_route_is_503_not_500(tmp_path: Path) -> None:
    folder, engine = _vanishing_database(tmp_path)
    app, _ = app_for(engine)
    client = TestClient(app)
    _remove(folder, engine)
    # A past date replays history from the database: the one public read that queries it.
    response = client.get("/api/v1/units?as_of=2026-01-01")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0


def test_reads_stop_once_the_snapshot_is_staler_than_the_bound(tmp_path: Path) -> None:
    folder, engine = _vanishing_database(tmp_path)
    app, _ = app_for(engine, max_staleness_seconds=0.5, revision_check_seconds=0.1)
    with TestClient(app) as client:
        assert client.get("/api/v1/units").status_code == 200
        _remove(folder, engine)
        deadline = time.monotonic() + WAIT_S
        statuses = set()
        while time.monotonic() < deadline:
            response = client.get("/api/v1/units")
            statuses.add(response.status_code)
            if response.status_code == 503:
                break
            time.sleep(0.1)
        assert statuses <= {200, 503}
        assert response.status_code == 503
        assert int(response.headers["retry-after"]) > 0
        assert client.get("/readyz").status_code == 503
