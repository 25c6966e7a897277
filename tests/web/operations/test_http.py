"""HTTP details: HEAD on every GET route, 414 for long URLs, no server banner, HSTS, trusted proxies."""

from __future__ import annotations

import re
import socket

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import _IncludedRouter
from sqlalchemy import Engine

from tests.web.api_client import TestClient, app_for
from tsbkart.registry.store import Registry
from tsbkart.web.local_server import LocalServer

# Answers that change between two requests (counters, ages): their length may differ.
LIVE = ("/metrics", "/readyz")


@pytest.fixture(scope="module")
def app(reference_engine: Engine) -> FastAPI:
    return app_for(reference_engine)[0]


def path_values(engine: Engine) -> dict[str, str]:
    """A real id for every path parameter of the GET routes."""
    snapshot = Registry(engine).snapshot()
    unit = next(iter(snapshot.units.values()))
    return {
        "unit_id": unit.id,
        "offer_id": next(iter(snapshot.offers)),
        "organisation_id": unit.organisation_id,
        "team_id": next(iter(snapshot.teams)),
        "code": unit.catchment_code or "",
        "kind": "hf",
        "name": "service_types",
        "record_kind": "enheter",  # the steward's edit form (signed in: a redirect)
        "record_id": unit.id,
        "change_set_id": "1",  # a signed-in page: anonymous GET and HEAD both redirect to the sign-in
        "reference": "0000000000",  # an error report's status page (none exists: 404 for GET and HEAD)
    }


def get_routes(app: FastAPI) -> list[str]:
    templates = [
        c.path_format
        for r in app.routes
        if isinstance(r, _IncludedRouter)
        for c in r.effective_route_contexts()
        if "GET" in getattr(c.original_route, "methods", ())
    ]
    return templates


def test_head_is_answered_on_every_get_route(app: FastAPI, reference_engine: Engine) -> None:
    client = TestClient(app)
    values = path_values(reference_engine)
    templates = get_routes(app)
    assert len(templates) >= 17
    for template in templates:
        path = re.sub(r"\{(\w+)(:path)?\}", lambda m: values[m.group(1)], template)
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code != 405, path
        assert head.content == b"", path
        names = ("content-type", "etag") if template in LIVE else ("content-type", "etag", "content-length")
        for name in names:
            assert head.headers.get(name) == get.headers.get(name), (path, name)


def test_head_of_a_post_only_route_is_405(app: FastAPI) -> None:
    assert TestClient(app).head("/api/v1/finder").status_code == 405


def test_overlong_url_is_414_problem(app: FastAPI) -> None:
    response = TestClient(app).get("/api/v1/units?q=" + "a" * 9000)
    assert response.status_code == 414
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 414


def test_real_server_answers_414_not_a_reset_and_no_banner(app: FastAPI) -> None:
    with LocalServer(app) as server:
        assert "server" not in httpx.get(server.url + "/healthz").headers
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(b"GET /api/v1/units?q=" + b"a" * 30_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
            head = sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 414 "), head[:80]
    assert b"\r\nserver:" not in head.lower()


def test_hsts_only_behind_tls(reference_engine: Engine) -> None:
    plain = TestClient(app_for(reference_engine)[0]).get("/healthz")
    assert "strict-transport-security" not in plain.headers
    tls = TestClient(app_for(reference_engine, behind_tls=True)[0]).get("/healthz")
    assert tls.headers["strict-transport-security"].startswith("max-age=63072000")


def _two_clients_posting(engine: Engine, trusted: str) -> list[int]:
    app, _ = app_for(engine, rate_limits=True, rate_limit_post="1/minute", trusted_proxies=trusted)
    client = TestClient(app)
    return [
        client.post("/nothing-here", headers={"X-Forwarded-For": ip}).status_code
        for ip in ("192.0.2.1", "192.0.2.2")
    ]


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(reference_engine: Engine) -> None:
    # The TestClient connects from "testclient": untrusted, both posts count for one client.
    assert _two_clients_posting(reference_engine, "127.0.0.1")[1] == 429
    # Trusted: the header names two clients, each under its own limit.
    assert 429 not in _two_clients_posting(reference_engine, "testclient")


def test_finder_answer_is_not_stored(app: FastAPI) -> None:
    profile = {"home_area": "0301", "age": 40, "substances": ["alcohol"]}
    response = TestClient(app).post("/api/v1/finder", json={"profile": profile})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("path", "accept", "encoding"),
    [
        ("/api/v1/units?limit=200", "br, gzip", "br"),
        ("/api/v1/units.geojson", "gzip", "gzip"),
        ("/", "gzip, deflate, br", "br"),
        ("/api/v1/units?format=csv", "gzip", "gzip"),
    ],
)
def test_answers_are_compressed_when_the_client_accepts_it(
    app: FastAPI, path: str, accept: str, encoding: str
) -> None:
    client = TestClient(app)
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    packed = client.get(path, headers={"Accept-Encoding": accept})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["vary"]
    assert packed.content == plain.content  # httpx decodes br and gzip
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
