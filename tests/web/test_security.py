"""Safe by default: security headers on every answer, a CSP without inline script, a body-size limit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine

from tests.web.api_client import TestClient, client_for
from tsbkart.web.middleware import content_security_policy


@pytest.fixture(scope="module")
def client(reference_engine: Engine) -> TestClient:
    return client_for(reference_engine, max_request_bytes=1_000)


@pytest.mark.parametrize("path", ["/", "/api/v1/units", "/api/v1/units/nope", "/docs", "/openapi.json"])
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_csp_allows_the_configured_tile_host_for_images_only() -> None:
    assert "img-src 'self' data:;" in content_security_policy(None)
    csp = content_security_policy("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://*.tile.openstreetmap.org;" in csp
    assert "script-src 'self';" in csp
    assert "https://cache.kartverket.no" in content_security_policy(
        "https://cache.kartverket.no/v1/{z}/{y}/{x}.png"
    )
    assert "javascript" not in content_security_policy("javascript:alert(1)")


def test_tile_setting_reaches_the_header(reference_engine: Engine) -> None:
    client = client_for(reference_engine, tile_url="https://tiles.example.org/{z}/{x}/{y}.png")
    assert "https://tiles.example.org" in client.get("/api/v1/health").headers["content-security-policy"]


def test_docs_page_has_no_inline_script_and_its_assets_exist(client: TestClient) -> None:
    page = client.get("/docs").text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    for asset in re.findall(r"(?:src|href)='([^']+)'", page):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/openapi.json").json()["paths"]["/api/v1/units"]


def test_declared_oversized_body_is_413(client: TestClient) -> None:
    response = client.post("/api/v1/units", content=b"x" * 2_000)
    assert response.status_code == 413
    assert response.json()["status"] == 413
    assert response.headers["x-content-type-options"] == "nosniff"


def test_streamed_oversized_body_is_413(client: TestClient) -> None:
    def chunks() -> object:
        for _ in range(10):
            yield b"y" * 500

    response = client.post("/api/v1/finder", content=chunks())  # type: ignore[arg-type]
    assert response.status_code == 413


def test_bad_content_length_is_400(client: TestClient) -> None:
    response = client.post("/api/v1/units", content=b"{}", headers={"content-length": "abc"})
    assert response.status_code == 400


def test_small_body_passes_the_limit(client: TestClient) -> None:
    # POST is not a route on /vocabularies: the limit lets it through and routing answers 405, not 413.
    assert client.post("/api/v1/vocabularies", content=b"{}").status_code == 405


def test_html_in_a_query_comes_back_escaped_as_json(client: TestClient) -> None:
    response = client.get("/api/v1/units/<script>alert(1)</script>")
    # 404, or 405 where the path (with its slash) is one the write API's PATCH/DELETE would take
    assert response.status_code in (404, 405)
    assert response.headers["content-type"] == "application/problem+json"
