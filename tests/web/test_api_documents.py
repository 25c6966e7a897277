"""Large answers from the document cache: built once per revision and query, precompressed, streamed."""

from __future__ import annotations

import asyncio
import gzip
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import brotli
import pytest
from sqlalchemy import Engine

from tests.web.api_client import TestClient, app_for
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Organisation, Provenance
from tsbkart.registry.store import Upsert
from tsbkart.web.api import render
from tsbkart.web.api.documents import Document, DocumentCache, accepted_encodings, compress, encoded

T = TypeVar("T")


def run_in_thread(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run in a fresh thread: Playwright's sync API (browser tests earlier in the same run) leaves an
    event loop running in the main thread, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(main())).result()


def cache_counts(client: TestClient) -> dict[str, float]:
    counts = {"hit": 0.0, "miss": 0.0}
    for line in client.get("/metrics").text.splitlines():
        if line.startswith('tsbkart_cache_requests_total{cache="documents"'):
            result = line.split('result="')[1].split('"')[0]
            counts[result] = float(line.rsplit(" ", 1)[1])
    return counts


def test_geojson_is_built_once_per_revision(engine: Engine) -> None:
    app, registry = app_for(
        engine, page_cache_bytes=0
    )  # the document cache alone, not the page cache in front
    client = TestClient(app)
    first = client.get("/api/v1/units.geojson")
    second = client.get("/api/v1/units.geojson")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert cache_counts(client) == {"hit": 1, "miss": 1}
    registry.commit(
        [Upsert(Organisation("org-x", "Org", "hf", Provenance(source="test")))],
        actor=Actor.cli("t"),
        reason="t",
    )
    third = client.get("/api/v1/units.geojson")
    assert third.headers["etag"] != first.headers["etag"]
    assert cache_counts(client) == {"hit": 1, "miss": 2}


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_precompressed_answer_decodes_to_the_plain_one(reference_engine: Engine, encoding: str) -> None:
    client = TestClient(app_for(reference_engine)[0])
    plain = client.get("/api/v1/units.geojson", headers={"Accept-Encoding": "identity"})
    packed = client.get("/api/v1/units.geojson", headers={"Accept-Encoding": encoding})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == encoding
    assert packed.content == plain.content
    assert packed.json()["type"] == "FeatureCollection"
    assert int(packed.headers["content-length"]) < int(plain.headers["content-length"]) / 4


def test_large_answers_are_streamed_whole(reference_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    client = TestClient(app_for(reference_engine)[0])
    whole = client.get("/api/v1/units?format=csv&limit=500", headers={"Accept-Encoding": "identity"})
    monkeypatch.setattr(render, "STREAM_FROM_BYTES", 1000)
    monkeypatch.setattr(render, "STREAM_CHUNK_BYTES", 777)
    streamed = client.get("/api/v1/units?format=csv&limit=500&x=1", headers={"Accept-Encoding": "identity"})
    assert len(whole.content) > 10_000
    assert streamed.content == whole.content
    assert int(streamed.headers["content-length"]) == len(whole.content)


def test_every_list_still_answers_304_on_its_etag(reference_engine: Engine) -> None:
    client = TestClient(app_for(reference_engine)[0])
    for path in ("/api/v1/units.geojson", "/api/v1/offers", "/api/v1/areas?format=csv", "/api/v1/teams"):
        tag = client.get(path).headers["etag"]
        assert client.get(path, headers={"If-None-Match": tag}).status_code == 304, path


def test_concurrent_misses_build_once() -> None:
    calls = []
    lock = threading.Lock()

    def build() -> bytes:
        with lock:
            calls.append(1)
        return b"x" * 5000

    async def run() -> list[Document]:
        cache = DocumentCache(lambda hit: None)
        return await asyncio.gather(*(cache.document("key", build) for _ in range(8)))

    documents = run_in_thread(run)
    assert len(calls) == 1
    assert all(d is documents[0] for d in documents)


def test_a_failed_build_is_not_kept() -> None:
    attempts = []

    def failing() -> bytes:
        attempts.append(1)
        raise ValueError("boom")

    async def run() -> None:
        cache = DocumentCache(lambda hit: None)
        for _ in range(2):
            with pytest.raises(ValueError):
                await cache.document("key", failing)

    run_in_thread(run)
    assert len(attempts) == 2


def test_cache_is_bounded_by_bytes() -> None:
    async def run() -> DocumentCache:
        cache = DocumentCache(lambda hit: None, max_bytes=3000)
        for key in "abcd":
            await cache.document(key, lambda: b"y" * 400)
        return cache

    cache = run_in_thread(run)
    assert cache._bytes <= 3000
    assert list(cache._documents)[-1] == "d"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, set()),
        ("br, gzip", {"br", "gzip"}),
        ("gzip;q=1.0, br;q=0", {"gzip"}),
        ("*", {"br", "gzip"}),
        ("deflate, gzip;q=0.5", {"deflate", "gzip"}),
        ("gzip;q=abc", set()),
    ],
)
def test_accept_encoding(header: str | None, expected: set[str]) -> None:
    assert accepted_encodings(header) == expected


def test_small_documents_are_not_compressed(tmp_path: Path) -> None:
    assert compress(b"{}").encodings.keys() == {"identity"}
    assert compress(b"{}").variant("br") == ("identity", b"{}")


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        ("br, gzip", "br"),
        ("gzip;q=1.0, br;q=0.5", "br"),
        ("gzip", "gzip"),
        ("identity", "identity"),
        (None, "identity"),
        ("br;q=0, gzip", "gzip"),
    ],
)
def test_one_off_answers_are_encoded_as_the_client_accepts(header: str | None, coding: str) -> None:
    body = b'{"results":[' + b",".join(b'{"n":%d}' % i for i in range(200)) + b"]}"
    got, data = encoded(body, header)
    assert got == coding
    decode = {"br": brotli.decompress, "gzip": gzip.decompress, "identity": bytes}[coding]
    assert decode(data) == body
    assert encoded(b"{}", header) == ("identity", b"{}")  # too small to be worth it
